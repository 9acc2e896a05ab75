"""Scope files: the invalid-scope folder (discovered), loading in the core, and `strategease init`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "tests" / "examples" / "scopes" / "invalid"
TEST_CATALOGUE = ROOT / "tests" / "examples" / "select" / "catalogue.yaml"
EXAMPLE = ROOT / "examples" / "delirium-scope.yaml"


def _expectations(path: Path) -> tuple[int, list[str]]:
    sidecar = path.with_suffix(".expect")
    text = sidecar.read_text(encoding="utf-8") if sidecar.exists() else path.read_text(encoding="utf-8")
    exit_code = re.search(r"^# exit: (\d+)$", text, re.M)
    assert exit_code, f"{path.name}: no '# exit: N' line"
    expects = re.findall(r"^# expect: (.+)$", text, re.M)
    assert expects, f"{path.name}: no '# expect:' line"
    return int(exit_code.group(1)), expects


INVALID_FILES = sorted(INVALID.glob("*.yaml"))


def test_invalid_folder_is_not_empty() -> None:
    assert len(INVALID_FILES) >= 10


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_invalid_scope(path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    code, expects = _expectations(path)
    monkeypatch.chdir(INVALID)
    got = cli("select", path.name, "--base", TEST_CATALOGUE)
    assert got.code == code, got.err
    assert got.out == ""
    for fragment in expects:
        assert fragment in got.err, f"{fragment!r} not in:\n{got.err}"
    # one clear line per problem, each naming file:line:column, no traceback
    for line in got.err.splitlines():
        if re.match(r" +(\d+ )?\| ", line):
            continue  # the excerpt below an error: the source line and a caret
        assert line.startswith(f"error: {path.name}:") or re.match(r"\d+ error\(s\); nothing was done", line), line
    assert "Traceback" not in got.err


def test_missing_scope_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    got = cli("select", tmp_path / "nope.yaml", "--base", TEST_CATALOGUE)
    assert got.code == 2
    assert "scope file not found" in got.err


def test_scope_directory_is_a_usage_error(cli, tmp_path: Path) -> None:
    got = cli("select", tmp_path, "--base", TEST_CATALOGUE)
    assert got.code == 2
    assert "is a directory" in got.err


def test_core_loader_raises_all_problems_together() -> None:
    from strategease.catalogue.load import require_valid
    from strategease.errors import ManyErrors
    from strategease.selection.scope import load_scope

    cat = require_valid([TEST_CATALOGUE])
    with pytest.raises(ManyErrors) as info:
        load_scope(INVALID / "many-problems.yaml", cat)
    assert len(info.value.errors) == 8
    assert all(e.exit_code == 1 for e in info.value.errors)


def test_scope_defaults_and_echo() -> None:
    from strategease.selection.scope import Scope, parse_scope

    scope = parse_scope({"title": "T", "change": {"actor": "A", "action": "B"},
                         "determinants": [{"id": "tdf.knowledge", "kind": "barrier"}]}, "<test>")
    assert isinstance(scope, Scope)
    det = scope.determinants[0]
    assert (det.importance, det.changeability) == (3, 3)
    assert scope.constraints.exclude == [] and scope.constraints.max_strategies is None
    assert scope.change.as_dict() == {"actor": "A", "action": "B"}


def test_ids_from_every_framework_may_be_mixed() -> None:
    from strategease.catalogue.load import require_valid
    from strategease.selection.scope import parse_scope

    cat = require_valid([TEST_CATALOGUE])
    ids = ["tdf.knowledge", "comb.reflective-motivation", "cfir1.peer-pressure", "cfir2.available-resources",
           "partnering.trust"]
    scope = parse_scope({"title": "T", "change": {"actor": "A", "action": "B"},
                         "determinants": [{"id": i, "kind": "barrier"} for i in ids]}, "<test>", cat)
    assert [d.id for d in scope.determinants] == ids


# --------------------------------------------------------------------------- the shipped example and init


def test_example_scope_is_the_packaged_template() -> None:
    from strategease.selection.scope import example_scope_text

    assert EXAMPLE.read_text(encoding="utf-8") == example_scope_text()


@pytest.mark.parametrize("base", [None, TEST_CATALOGUE], ids=["shipped", "test-catalogue"])
def test_example_scope_is_valid(base: Path | None) -> None:
    from strategease.catalogue.load import require_valid
    from strategease.selection.scope import load_scope

    cat = require_valid([base] if base else None)
    loaded = load_scope(EXAMPLE, cat)
    sc = loaded.scope
    knowledge = sc.determinants[0]
    assert (knowledge.id, knowledge.kind.value, knowledge.importance, knowledge.changeability) == (
        "tdf.knowledge", "barrier", 4, 3)
    ids = {d.id: d for d in sc.determinants}
    assert ids["cfir1.available-resources"].kind.value == "barrier"
    assert "cfir1.reflecting-and-evaluating" in ids
    assert any(d.kind.value == "facilitator" for d in sc.determinants)
    assert sc.constraints.exclude == ["eric.mandate-change"]
    assert sc.constraints.already_in_place == ["eric.conduct-ongoing-training"]
    assert "4AT" in sc.title and "nurse" in sc.change.actor.lower()


def test_init_prints_the_example(cli) -> None:
    got = cli("init")
    assert got.code == 0
    assert got.out == EXAMPLE.read_text(encoding="utf-8")


def test_init_dash_streams_the_example_and_claims_no_file(cli) -> None:
    got = cli("init", "-")
    assert got.code == 0, got.err
    assert got.out == EXAMPLE.read_text(encoding="utf-8")
    assert "wrote" not in got.err


def test_init_writes_and_never_overwrites_without_force(cli, tmp_path: Path) -> None:
    target = tmp_path / "scope.yaml"
    got = cli("init", target)
    assert got.code == 0, got.err
    assert target.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    assert "strategease select" in got.err

    target.write_text("# mine\n", encoding="utf-8")
    got = cli("init", target)
    assert got.code == 2
    assert "file exists" in got.err and "--force" in got.err
    assert target.read_text(encoding="utf-8") == "# mine\n"

    got = cli("init", target, "--force")
    assert got.code == 0
    assert target.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_init_output_runs(cli, tmp_path: Path) -> None:
    target = tmp_path / "scope.yaml"
    assert cli("init", target).code == 0
    got = cli("select", target, "--base", TEST_CATALOGUE, "--format", "json")
    assert got.code == 0, got.err
