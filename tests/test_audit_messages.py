"""Messages the hostile-input audit found wanting (issue #14, item 8), through the CLI.

Errors in a git revision's file name ``REV:PATH:line:col``; YAML-typed values (dates, booleans
from ``NO``, ``.nan``) where text is expected are named with their type and the advice to quote
them; retired ids say what replaces them; ``replaced_by`` cycles are errors naming the cycle; an
echoed argument is shortened.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

DELIRIUM = ROOT / "examples" / "delirium-scope.yaml"


def _scope(tmp: Path, edit: Any) -> Path:
    data = yaml.safe_load(DELIRIUM.read_text(encoding="utf-8"))
    edit(data)
    path = tmp / "scope.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_names_the_revision_file_not_a_temp_copy(tmp_path: Path, cli: Any, monkeypatch: Any) -> None:
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    (repo / "data" / "s.yaml").write_text("strategies:\n  - id: a.b\n    name: x\n    name: y\n", encoding="utf-8")
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    monkeypatch.chdir(repo)
    run = cli("diff", "HEAD:data/s.yaml", ROOT / "data")
    assert run.code == 2
    assert run.err.startswith("error: HEAD:data/s.yaml:4:5: malformed YAML: duplicate key 'name'"), run.err
    assert "strategease-diff-" not in run.err and "/tmp" not in run.err


@pytest.mark.parametrize(("where", "value", "typed"), [
    ("title", "2024-01-31", "the date 2024-01-31"),
    ("actor", "NO", "the boolean false"),
    ("actor", "yes", "the boolean true"),
    ("note", ".nan", "the number .nan"),
    ("note", "-.inf", "the number -.inf"),
    ("title", "12", "the number 12"),
])
def test_yaml_typed_values_in_a_scope_are_named(tmp_path: Path, cli: Any, where: str, value: str,
                                                 typed: str) -> None:
    text = DELIRIUM.read_text(encoding="utf-8")
    if where == "title":
        text = text.replace("title: Delirium screening with the 4AT on adult medical wards", f"title: {value}")
    elif where == "actor":
        text = text.replace("  actor: Registered nurses on the three adult medical wards", f"  actor: {value}")
    else:
        text = text.replace("    note: Screening is forgotten when admissions pile up at night.", f"    note: {value}")
    path = tmp_path / "scope.yaml"
    path.write_text(text, encoding="utf-8")
    run = cli("select", path)
    assert run.code == 1, run.err
    assert f"expected text, but YAML read the unquoted value as {typed}" in run.err
    assert "put the value in quotes to keep it as text" in run.err


def test_yaml_typed_values_in_a_catalogue_are_named(tmp_path: Path, cli: Any) -> None:
    layer = tmp_path / "layer.yaml"
    layer.write_text("strategies:\n  - id: x.one\n    name: off\n    description: 2020-02-02\n"
                     "    framework: eric\n    source: waltz2015\n", encoding="utf-8")
    run = cli("validate", "--catalogue", layer)
    assert run.code == 1
    assert "name: expected text, but YAML read the unquoted value as the boolean false" in run.out
    assert "description: expected text, but YAML read the unquoted value as the date 2020-02-02" in run.out


RETIRE = ("determinants:\n  - id: tdf.knowledge\n    retired: true\n    replaced_by: tdf.skills\n"
          "strategies:\n  - id: eric.mandate-change\n    retired: true\n"
          "  - id: eric.audit-and-provide-feedback\n    retired: true\n"
          "    replaced_by: eric.conduct-ongoing-training\n")


def test_retired_ids_say_what_replaces_them(tmp_path: Path, cli: Any) -> None:
    layer = tmp_path / "retire.yaml"
    layer.write_text(RETIRE, encoding="utf-8")
    run = cli("select", DELIRIUM, "--catalogue", layer)
    assert run.code == 1
    assert "determinants[0].id: 'tdf.knowledge' is retired (replaced by 'tdf.skills') (use 'tdf.skills' instead)" \
        in run.err
    assert "constraints.exclude[0]: 'eric.mandate-change' is retired (remove it: nothing replaces it)" in run.err
    show = cli("show", "eric.audit-and-provide-feedback", "--catalogue", layer)
    assert show.code == 2
    assert "'eric.audit-and-provide-feedback' is retired (replaced by 'eric.conduct-ongoing-training')" in show.err
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("rater,determinant,importance,changeability\nAna,tdf.knowledge,4,3\n", encoding="utf-8")
    scope = _scope(tmp_path, lambda d: (d["determinants"].pop(0), d["constraints"].pop("exclude")))
    rated = cli("select", scope, "--catalogue", layer, "--ratings", ratings)
    assert rated.code == 1
    assert "determinant 'tdf.knowledge' is retired (replaced by 'tdf.skills')" in rated.err


def test_replaced_by_cycles_are_errors_naming_the_cycle(tmp_path: Path, cli: Any) -> None:
    layer = tmp_path / "cycle.yaml"
    layer.write_text("determinants:\n  - id: tdf.skills\n    retired: true\n    replaced_by: tdf.knowledge\n"
                     "  - id: tdf.knowledge\n    retired: true\n    replaced_by: tdf.goals\n"
                     "  - id: tdf.goals\n    retired: true\n    replaced_by: tdf.skills\n", encoding="utf-8")
    run = cli("validate", "--catalogue", layer)
    assert run.code == 1
    cycles = [line for line in run.out.splitlines() if "[replaced-by-cycle]" in line]
    assert len(cycles) == 1, run.out
    assert cycles[0].startswith(f"{layer}:8:5: error: tdf.goals:"), cycles[0]  # where the layer retires it
    assert "replaced_by forms a cycle: tdf.goals -> tdf.skills -> tdf.knowledge -> tdf.goals" in cycles[0]


def test_show_echoes_a_shortened_argument(cli: Any) -> None:
    run = cli("show", "a" * 100_000)
    assert run.code == 2
    assert len(run.err) < 300 and "…" in run.err
