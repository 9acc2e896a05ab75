"""The second set of held-out worked scopes (benchmarks/validation/holdout_scopes2/) stays usable, blind and apart.

Their scopes and expected lists were written blind (committed before any ``select`` run on them) and are never used
to tune the method. These tests guard their shape and ids and the runner's wiring (JSON key ``holdout_worked2``,
summary-only text, Markdown and docs), never the figures themselves, and they print no per-scope result.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT2 = ROOT / "benchmarks" / "validation" / "holdout_scopes2"
SCOPES = sorted(p for p in HOLDOUT2.glob("*.yaml") if not p.name.endswith(".expected.yaml"))
EXPECTED = sorted(HOLDOUT2.glob("*.expected.yaml"))


def test_six_scopes_each_with_an_expected_list_and_no_name_reused(runner: ModuleType) -> None:
    assert len(SCOPES) == 6
    assert {p.stem for p in SCOPES} == {p.name.removesuffix(".expected.yaml") for p in EXPECTED}
    runner.check_worked_disjoint(runner.WORKED, runner.HOLDOUT_WORKED, runner.HOLDOUT_WORKED2)


def test_a_scope_name_in_two_sets_is_refused(runner: ModuleType, tmp_path: Path) -> None:
    reused = EXPECTED[0]
    (tmp_path / reused.name).write_text(reused.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(runner.InputError, match=f"scope '{reused.name.removesuffix('.expected.yaml')}' is also in"):
        runner.check_worked_disjoint(runner.HOLDOUT_WORKED2, tmp_path)


def _rows() -> list[dict[str, Any]]:
    return [{"name": "scope-a", "precision@10": 0.8, "implausible_top10": [], "implausible_bundle": [],
             "obvious_misses": [], "miss_ranks": {}, "top10": [], "bundle": []},
            {"name": "scope-b", "precision@10": 0.5, "implausible_top10": ["eric.x"], "implausible_bundle": [],
             "obvious_misses": ["eric.p", "eric.q"], "miss_ranks": {"eric.p": 14, "eric.q": None}, "top10": [],
             "bundle": []}]


def test_summary_renderings_are_aggregate_only(runner: ModuleType) -> None:
    second = runner.BLIND_SETS[0]
    assert second.directory == HOLDOUT2 and second.json_key == "holdout_worked2"
    md = runner.blind_summary_md(_rows(), second)
    assert "| 2 scopes | 0.65 | 1 | 0 | 2 |" in md
    assert "≥ 0.75 not met" in md and "per scope not met" in md and "in a bundle met" in md
    text = runner.blind_summary_text(_rows(), second)
    assert text.startswith(runner.HOLDOUT2_WORKED_TITLE)
    assert "precision@10 0.65  implausible top10 1  bundle 0  misses 2" in text
    for out in (md, text):  # blind: no scope name, no strategy id
        assert "scope-" not in out and "eric." not in out
    assert runner.blind_summary_md([], second) == "" and runner.blind_summary_text([], second) == ""


def test_runner_wires_the_second_set(runner: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Through main(): JSON key holdout_worked2 with per-scope rows; text, Markdown and docs show the summary only;
    the published cases are stubbed out (they have their own tests) to keep this fast."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(runner, "HOLDOUT", empty)
    monkeypatch.setattr(runner, "HOLDOUT2", empty)
    stub = {"cases": [], "mean_all": {}, "mean_without_leakage": {}, "mean_cfir_without_leakage": {},
            "meta": {}, "n_cases": 0, "n_leakage": 0}
    monkeypatch.setattr(runner, "evaluate_cases", lambda *a, **k: stub)
    doc = tmp_path / "validation.md"
    doc.write_text("intro\n<!-- generated:holdout2-worked -->\nold\n<!-- /generated:holdout2-worked -->\n",
                   encoding="utf-8")
    monkeypatch.setattr(runner, "DOC", doc)
    md_file = tmp_path / "figs.md"

    assert runner.main(["--json", "--no-worked", "--no-holdout-scopes", "--no-holdout-scopes3",
                        "--no-holdout-scopes4", "--no-holdout-scopes5", "--markdown", str(md_file),
                        "--write-docs"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "holdout_worked" not in result
    rows = result["holdout_worked2"]["scopes"]
    assert [r["name"] for r in rows] == [p.stem for p in SCOPES]
    for r in rows:
        assert len(r["top10"]) == 10 and set(r["miss_ranks"]) == set(r["obvious_misses"])
        assert all(rank is None or rank > 10 for rank in r["miss_ranks"].values())
    summary = result["holdout_worked2"]["summary"]
    assert summary == runner.holdout_summary(rows) and summary["n_scopes"] == 6

    names = [p.stem for p in SCOPES]
    written = doc.read_text(encoding="utf-8")
    assert written.startswith("intro\n<!-- generated:holdout2-worked -->\n| Held-out scopes, second set |")
    markdown = md_file.read_text(encoding="utf-8")
    assert runner.HOLDOUT2_WORKED_TITLE in markdown
    for out in (written, markdown):
        assert "| 6 scopes |" in out
        assert not [n for n in names if n in out], "the second set's scope names must not be printed"

    assert runner.main(["--no-worked", "--no-holdout-scopes", "--no-holdout-scopes3", "--no-holdout-scopes4",
                        "--no-holdout-scopes5"]) == 0
    text = capsys.readouterr().out
    assert runner.HOLDOUT2_WORKED_TITLE in text and "6 scopes, mean" in text
    assert not [n for n in names if n in text]

    assert runner.main(["--json", "--no-worked", "--no-holdout-scopes", "--no-holdout-scopes2",
                        "--no-holdout-scopes3", "--no-holdout-scopes4", "--no-holdout-scopes5"]) == 0
    assert "holdout_worked2" not in json.loads(capsys.readouterr().out)
