"""The fourth set of held-out worked scopes (benchmarks/validation/holdout_scopes4/) stays usable, blind and apart.

Written blind late on the afternoon of 2026-12-01 (scopes and expected lists committed before any ranking run on them)
and never used for tuning. These tests guard the set's shape and variety and the runner's wiring (JSON key
``holdout_worked4``; text, Markdown and docs show one summary row and no per-scope row), never the figures: every
assertion about the runner's output is reduced to a yes/no first, so that even a failing test prints no figure,
scope result or ranked strategy.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT4 = ROOT / "benchmarks" / "validation" / "holdout_scopes4"
SCOPES = sorted(p for p in HOLDOUT4.glob("*.yaml") if not p.name.endswith(".expected.yaml"))
EXPECTED = sorted(HOLDOUT4.glob("*.expected.yaml"))
NAMES = [p.stem for p in SCOPES]


def test_eight_scopes_each_with_an_expected_list_and_no_name_reused(runner: ModuleType) -> None:
    assert len(SCOPES) == 8
    assert set(NAMES) == {p.name.removesuffix(".expected.yaml") for p in EXPECTED}
    runner.check_worked_disjoint(runner.WORKED, runner.HOLDOUT_WORKED, runner.HOLDOUT_WORKED2,
                                 runner.HOLDOUT_WORKED3, runner.HOLDOUT_WORKED4)
    assert (HOLDOUT4 / "README.md").is_file(), "the set's README states the blind protocol"


def test_the_set_mixes_frameworks_and_actor_types() -> None:
    """Variety the set was written for: every framework of the catalogue and four kinds of actor."""
    scopes = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SCOPES]
    prefixes = {d["id"].split(".")[0] for s in scopes for d in s["determinants"]}
    assert prefixes == {"tdf", "comb", "cfir1", "cfir2", "partnering"}
    actors = {a for s in scopes for a in s["change"]["actor_type"]}
    assert {"deliverers", "recipients", "leaders", "partners"} <= actors
    for s in scopes:
        assert 4 <= len(s["determinants"]) <= 8
        assert all(d.get("note") and d.get("importance") and d.get("kind") for d in s["determinants"])


def test_the_fourth_set_is_a_blind_set_of_its_own(runner: ModuleType) -> None:
    fourth = runner.BLIND_SETS[2]
    assert fourth.directory == runner.HOLDOUT_WORKED4 == HOLDOUT4
    assert fourth.title == runner.HOLDOUT4_WORKED_TITLE
    assert fourth.title.startswith("Held-out worked scopes, fourth set (written blind 2026-12-01, late afternoon;")
    assert (fourth.json_key, fourth.doc_block, fourth.flag) == ("holdout_worked4", "holdout4-worked",
                                                                "no-holdout-scopes4")
    rows: list[dict[str, Any]] = [
        {"name": "scope-a", "precision@10": 0.7, "implausible_top10": ["eric.x"], "implausible_bundle": [],
         "obvious_misses": ["eric.p"], "miss_ranks": {"eric.p": 12}, "top10": [], "bundle": []}]
    md = runner.blind_summary_md(rows, fourth)
    text = runner.blind_summary_text(rows, fourth)
    assert md.startswith("| Held-out scopes, fourth set |") and "| 1 scopes | 0.70 | 1 | 0 | 1 |" in md
    assert text.startswith(fourth.title) and "1 scopes, mean" in text
    for out in (md, text):  # blind: no scope name, no strategy id, no rank
        assert "scope-a" not in out and "eric." not in out and "(rank" not in out


def test_runner_prints_only_a_summary_row_for_the_fourth_set(runner: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Through main(): per-scope rows only under JSON key holdout_worked4; text, Markdown and docs carry one
    summary row and no scope name or strategy id. The published cases are stubbed out (they have their own
    tests) and the other worked sets are skipped, to keep this fast."""
    empty = tmp_path / "empty"
    empty.mkdir()
    for name in ("HOLDOUT", "HOLDOUT2", "HOLDOUT3", "HOLDOUT4"):
        monkeypatch.setattr(runner, name, empty)
    stub = {"cases": [], "mean_all": {}, "mean_without_leakage": {}, "mean_cfir_without_leakage": {},
            "meta": {}, "n_cases": 0, "n_leakage": 0}
    monkeypatch.setattr(runner, "evaluate_cases", lambda *a, **k: stub)
    doc = tmp_path / "validation.md"
    doc.write_text("intro\n<!-- generated:holdout4-worked -->\nold\n<!-- /generated:holdout4-worked -->\n",
                   encoding="utf-8")
    monkeypatch.setattr(runner, "DOC", doc)
    md_file = tmp_path / "figs.md"
    skip_others = ["--no-worked", "--no-holdout-scopes", "--no-holdout-scopes2", "--no-holdout-scopes3",
                   "--no-holdout-scopes5"]

    assert runner.main(["--json", *skip_others, "--markdown", str(md_file), "--write-docs"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(k for k in result if k.startswith("holdout_worked")) == ["holdout_worked4"]
    rows = result["holdout_worked4"]["scopes"]
    assert [r["name"] for r in rows] == NAMES
    rows_ok = all(0 < len(r["top10"]) <= 10 and set(r["miss_ranks"]) == set(r["obvious_misses"])
                  and all(rank is None or rank > 10 for rank in r["miss_ranks"].values()) for r in rows)
    assert rows_ok, "a per-scope row of the fourth set is malformed"
    summary_ok = (result["holdout_worked4"]["summary"] == runner.holdout_summary(rows)
                  and result["holdout_worked4"]["summary"]["n_scopes"] == 8)
    assert summary_ok, "the fourth set's JSON summary does not match its rows"

    def blind(out: str) -> bool:
        return not any(n in out for n in NAMES) and "eric." not in out and "collab." not in out

    written = doc.read_text(encoding="utf-8")
    lines = written.splitlines()
    start, end = lines.index("<!-- generated:holdout4-worked -->"), lines.index("<!-- /generated:holdout4-worked -->")
    block = lines[start + 1:end]
    table_rows = [ln for ln in block if ln.startswith("| ") and not ln.startswith("| ---")]
    docs_ok = (len(table_rows) == 2 and table_rows[0].startswith("| Held-out scopes, fourth set |")
               and table_rows[1].startswith("| 8 scopes |") and blind(written))
    assert docs_ok, "the docs block must hold one header and one summary row, and no scope name or strategy id"
    markdown = md_file.read_text(encoding="utf-8")
    md_ok = (runner.HOLDOUT4_WORKED_TITLE in markdown and markdown.count("| 8 scopes |") == 1 and blind(markdown)
             and runner.HOLDOUT2_WORKED_TITLE not in markdown
             and runner.HOLDOUT3_WORKED_TITLE not in markdown)
    assert md_ok, "the Markdown must show the fourth set's summary row only"

    assert runner.main(skip_others) == 0
    text = capsys.readouterr().out
    section = text[text.index(runner.HOLDOUT4_WORKED_TITLE):] if runner.HOLDOUT4_WORKED_TITLE in text else ""
    text_ok = (bool(section) and [ln for ln in section.splitlines() if ln.strip()][1].startswith("8 scopes, mean")
               and section.count("precision@10") == 1 and blind(text))
    assert text_ok, "the text output must show the fourth set's title and one summary row only"

    assert runner.main(["--json", *skip_others, "--no-holdout-scopes4"]) == 0
    assert "holdout_worked4" not in json.loads(capsys.readouterr().out)
