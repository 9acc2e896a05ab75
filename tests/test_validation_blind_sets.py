"""The blind sets of held-out worked scopes from the third on (benchmarks/validation/holdout_scopes3/ to 8/) stay
usable, apart and reported as a summary only.

Each set was written blind on 2026-12-01 (scopes and expected lists committed before any ranking run on them); the
third to seventh were read blind (once or twice, as an aggregate) and then used for tuning (their note says so);
the eighth is still blind per scope. These tests guard each set's shape and variety and the runner's
wiring (its JSON key; text, Markdown and docs show one summary row and no per-scope row), never the figures: every
assertion about the runner's output is reduced to a yes/no first, so that even a failing test prints no figure, scope
result or ranked strategy. One test per rule, parametrised over the sets (the second set has its own module).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
VALIDATION = ROOT / "benchmarks" / "validation"
# (folder, number of scopes, ordinal used in titles and labels, still blind per scope)
SETS = [("holdout_scopes3", 8, "third", False), ("holdout_scopes4", 8, "fourth", False),
        ("holdout_scopes5", 6, "fifth", False), ("holdout_scopes6", 8, "sixth", False),
        ("holdout_scopes7", 8, "seventh", False), ("holdout_scopes8", 8, "eighth", True)]
CASE_SETS = ("HOLDOUT", "HOLDOUT2", "HOLDOUT3", "HOLDOUT4")


def _scopes(folder: str) -> list[Path]:
    return sorted(p for p in (VALIDATION / folder).glob("*.yaml") if not p.name.endswith(".expected.yaml"))


def _blind_set(runner: ModuleType, folder: str) -> Any:
    found = [b for b in runner.BLIND_SETS if b.directory == VALIDATION / folder]
    assert len(found) == 1, f"{folder} must be one entry of BLIND_SETS"
    return found[0]


@pytest.mark.parametrize(("folder", "n", "ordinal", "still_blind"), SETS)
def test_each_scope_has_an_expected_list_and_no_name_is_reused(runner: ModuleType, folder: str, n: int,
                                                               ordinal: str, still_blind: bool) -> None:
    scopes = _scopes(folder)
    assert len(scopes) == n
    assert {p.stem for p in scopes} == {p.name.removesuffix(".expected.yaml")
                                        for p in (VALIDATION / folder).glob("*.expected.yaml")}
    runner.check_worked_disjoint(runner.WORKED, runner.HOLDOUT_WORKED, *(b.directory for b in runner.BLIND_SETS))
    assert (VALIDATION / folder / "README.md").is_file(), "the set's README states the blind protocol"


@pytest.mark.parametrize(("folder", "n", "ordinal", "still_blind"), SETS)
def test_the_set_mixes_frameworks_and_actor_types(folder: str, n: int, ordinal: str, still_blind: bool) -> None:
    """Variety each set was written for: every framework of the catalogue and four kinds of actor."""
    scopes = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in _scopes(folder)]
    prefixes = {d["id"].split(".")[0] for s in scopes for d in s["determinants"]}
    assert prefixes == {"tdf", "comb", "cfir1", "cfir2", "partnering"}
    actors = {a for s in scopes for a in s["change"]["actor_type"]}
    assert {"deliverers", "recipients", "leaders", "partners"} <= actors
    for s in scopes:
        assert 4 <= len(s["determinants"]) <= 8
        assert all(d.get("note") and d.get("importance") and d.get("kind") for d in s["determinants"])


@pytest.mark.parametrize(("folder", "n", "ordinal", "still_blind"), SETS)
def test_the_set_is_a_summary_only_set_of_its_own(runner: ModuleType, folder: str, n: int, ordinal: str,
                                                  still_blind: bool) -> None:
    blind = _blind_set(runner, folder)
    number = folder.removeprefix("holdout_scopes")
    assert blind.title.startswith(f"Held-out worked scopes, {ordinal} set (written blind 2026-12-01")
    assert (blind.json_key, blind.doc_block, blind.flag) == (f"holdout_worked{number}", f"holdout{number}-worked",
                                                             f"no-holdout-scopes{number}")
    assert (blind.note == runner.BLIND_NOTE) == still_blind
    assert still_blind or "No longer blind" in blind.note
    assert ("never used for tuning" in blind.title) == still_blind
    rows: list[dict[str, Any]] = [
        {"name": "scope-a", "precision@10": 0.7, "implausible_top10": ["eric.x"], "implausible_bundle": [],
         "obvious_misses": ["eric.p"], "miss_ranks": {"eric.p": 12}, "top10": [], "bundle": []}]
    md = runner.blind_summary_md(rows, blind)
    text = runner.blind_summary_text(rows, blind)
    assert md.startswith(f"| Held-out scopes, {ordinal} set |") and "| 1 scopes | 0.70 | 1 | 0 | 1 |" in md
    assert text.startswith(blind.title) and "1 scopes, mean" in text
    for out in (md, text):  # summary only: no scope name, no strategy id, no rank
        assert "scope-a" not in out and "eric." not in out and "(rank" not in out


@pytest.mark.parametrize(("folder", "n", "ordinal", "still_blind"), SETS)
def test_runner_prints_only_a_summary_row_for_the_set(runner: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      folder: str, n: int, ordinal: str, still_blind: bool) -> None:
    """Through main(): per-scope rows only under the set's JSON key; text, Markdown and docs carry one summary row
    and no scope name or strategy id. The published cases are stubbed out (they have their own tests) and the
    other worked sets are skipped, to keep this fast."""
    blind = _blind_set(runner, folder)
    names = [p.stem for p in _scopes(folder)]
    empty = tmp_path / "empty"
    empty.mkdir()
    for name in CASE_SETS:
        monkeypatch.setattr(runner, name, empty)
    stub = {"cases": [], "mean_all": {}, "mean_without_leakage": {}, "mean_cfir_without_leakage": {},
            "meta": {}, "n_cases": 0, "n_leakage": 0}
    monkeypatch.setattr(runner, "evaluate_cases", lambda *a, **k: stub)
    doc = tmp_path / "validation.md"
    start_tag, end_tag = f"<!-- generated:{blind.doc_block} -->", f"<!-- /generated:{blind.doc_block} -->"
    doc.write_text(f"intro\n{start_tag}\nold\n{end_tag}\n", encoding="utf-8")
    monkeypatch.setattr(runner, "DOC", doc)
    md_file = tmp_path / "figs.md"
    skip_others = ["--no-worked", "--no-holdout-scopes",
                   *(f"--{b.flag}" for b in runner.BLIND_SETS if b.directory != blind.directory)]

    assert runner.main(["--json", *skip_others, "--markdown", str(md_file), "--write-docs"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(k for k in result if k.startswith("holdout_worked")) == [blind.json_key]
    rows = result[blind.json_key]["scopes"]
    assert [r["name"] for r in rows] == names
    rows_ok = all(0 < len(r["top10"]) <= 10 and set(r["miss_ranks"]) == set(r["obvious_misses"])
                  and all(rank is None or rank > 10 for rank in r["miss_ranks"].values()) for r in rows)
    assert rows_ok, f"a per-scope row of the {ordinal} set is malformed"
    summary_ok = (result[blind.json_key]["summary"] == runner.holdout_summary(rows)
                  and result[blind.json_key]["summary"]["n_scopes"] == n)
    assert summary_ok, f"the {ordinal} set's JSON summary does not match its rows"

    def summary_only(out: str) -> bool:
        return not any(name in out for name in names) and "eric." not in out and "collab." not in out

    written = doc.read_text(encoding="utf-8")
    lines = written.splitlines()
    block = lines[lines.index(start_tag) + 1:lines.index(end_tag)]
    table_rows = [ln for ln in block if ln.startswith("| ") and not ln.startswith("| ---")]
    docs_ok = (len(table_rows) == 2 and table_rows[0].startswith(f"| Held-out scopes, {ordinal} set |")
               and table_rows[1].startswith(f"| {n} scopes |") and summary_only(written))
    assert docs_ok, "the docs block must hold one header and one summary row, and no scope name or strategy id"
    markdown = md_file.read_text(encoding="utf-8")
    others = [b.title for b in runner.BLIND_SETS if b.directory != blind.directory]
    md_ok = (blind.title in markdown and markdown.count(f"| {n} scopes |") == 1 and summary_only(markdown)
             and not any(title in markdown for title in others))
    assert md_ok, f"the Markdown must show the {ordinal} set's summary row only"

    assert runner.main(skip_others) == 0
    text = capsys.readouterr().out
    section = text[text.index(blind.title):] if blind.title in text else ""
    figure_rows = [ln for ln in section.splitlines() if re.search(r"precision@10 \d", ln)]  # not the judged words
    text_ok = (bool(section) and [ln for ln in section.splitlines() if ln.strip()][1].startswith(f"{n} scopes, mean")
               and len(figure_rows) == 1 and summary_only(text))
    assert text_ok, f"the text output must show the {ordinal} set's title and one summary row only"

    assert runner.main(["--json", *skip_others, f"--{blind.flag}"]) == 0
    assert blind.json_key not in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("folder", ["holdout_scopes6", "holdout_scopes7", "holdout_scopes8"])
def test_the_set_judges_every_strategy_it_lists_with_a_rubric(folder: str) -> None:
    """From the sixth set on, each expected list also grades the other strategies (``acceptable``) under a rubric
    its README states; an id sits in one list only, and the scope's own innovation strategies in none."""
    assert "## Rubric" in (VALIDATION / folder / "README.md").read_text(encoding="utf-8")
    for scope_path in _scopes(folder):
        scope = yaml.safe_load(scope_path.read_text(encoding="utf-8"))
        data = yaml.safe_load(scope_path.with_name(f"{scope_path.stem}.expected.yaml").read_text(encoding="utf-8"))
        listed = [e["id"] for key in ("expected", "acceptable", "implausible") for e in data[key]]
        assert data["acceptable"], f"{scope_path.stem}: no acceptable list"
        assert len(listed) == len(set(listed)), f"{scope_path.stem}: an id is in two lists"
        assert sum(1 for e in data["expected"] if e.get("primary")) == 3 and len(data["implausible"]) >= 4
        assert not set((scope.get("innovation") or {}).get("strategies", [])) & set(listed)
