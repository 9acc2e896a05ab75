"""The held-out worked scopes (benchmarks/validation/holdout_scopes/) stay usable and the runner reports them apart.

Their expected lists were written blind (committed before any ``select`` run on them) and are not used to tune the
method; these tests guard their shape and ids and the runner's held-out section, never the figures themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "benchmarks" / "validation" / "holdout_scopes"
SCOPES = sorted(p for p in HOLDOUT.glob("*.yaml") if not p.name.endswith(".expected.yaml"))
EXPECTED = sorted(HOLDOUT.glob("*.expected.yaml"))
# every held-out worked-scope set (the first and the blind ones after it): each scope is checked and ranked
BLIND = [ROOT / "benchmarks" / "validation" / f"holdout_scopes{n}" for n in range(2, 9)]
ALL_SCOPES = SCOPES + [p for d in BLIND for p in sorted(d.glob("*.yaml")) if not p.name.endswith(".expected.yaml")]
ALL_EXPECTED = EXPECTED + [p for d in BLIND for p in sorted(d.glob("*.expected.yaml"))]


def test_six_scopes_each_with_an_expected_list() -> None:
    assert len(SCOPES) >= 6
    assert {p.stem for p in SCOPES} == {p.name.removesuffix(".expected.yaml") for p in EXPECTED}


@pytest.mark.parametrize("scope", ALL_SCOPES,
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scope_checks_and_selects(cli, scope: Path) -> None:
    """Every held-out scope, of all eight sets, checks and ranks (no figure is read)."""
    res = cli("check", scope)
    assert res.code == 0, res.out + res.err
    res = cli("select", scope, "--top", "3", "--format", "json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["strategies"], "no strategy ranked"


@pytest.mark.parametrize("expected", ALL_EXPECTED,
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_expected_list_shape(cli, runner: ModuleType, expected: Path) -> None:
    """Every expected list of the eight held-out sets: written blind, known ids, reasons and sources; an
    ``acceptable`` list (from the sixth set on) names known strategies, each once, with a reason and a source."""
    text = expected.read_text(encoding="utf-8")
    assert "Written blind" in text.split("expected:")[0], "the header must say the list was written blind"
    data = runner.load_expected(expected)
    assert yaml.safe_load(text) == data
    known = {s["id"] for s in json.loads(cli("list", "strategies", "--format", "json").out)}
    exp = [e["id"] for e in data["expected"]]
    imp = [e["id"] for e in data["implausible"]]
    acc = [e["id"] for e in data.get("acceptable", [])]
    assert set(exp + imp + acc) <= known, sorted(set(exp + imp + acc) - known)
    assert len(exp + imp + acc) == len(set(exp + imp + acc)), "an id is listed twice or in two of the lists"
    assert all(e.get("reason") and e.get("source") for e in data.get("acceptable", [])), "acceptable needs reasons"
    assert 8 <= len(exp) <= 14
    assert 2 <= sum(1 for e in data["expected"] if e.get("primary")) <= 4
    assert 3 <= len(imp) <= 6
    assert all(e.get("reason") and e.get("source") for e in data["expected"]), "every pick needs a reason and source"
    assert all(e.get("reason") for e in data["implausible"])


def test_rendering_shows_misses_with_ranks(runner: ModuleType) -> None:
    rows = [{"name": "a", "precision@10": 0.8, "implausible_top10": [], "implausible_bundle": [],
             "obvious_misses": [], "miss_ranks": {}, "top10": [], "bundle": []},
            {"name": "b", "precision@10": 0.6, "implausible_top10": ["x"], "implausible_bundle": ["x"],
             "obvious_misses": ["p", "q"], "miss_ranks": {"p": 14, "q": None}, "top10": [], "bundle": []}]
    md = runner.holdout_scopes_md(rows)
    assert "| b | 0.60 | x | x | p (rank 14), q (not ranked) |" in md
    assert "| **Mean** | 0.70 | 1 | 1 | 2 |" in md
    assert "≥ 0.75 not met" in md and "per scope not met" in md and "in a bundle not met" in md
    summary = runner.holdout_summary(rows)
    assert summary["mean_precision@10"] == 0.7 and summary["obvious_misses"] == 2
    assert runner.holdout_summary(rows[:1])["targets"] == {"mean_precision@10": True,
                                                           "at_most_one_miss_per_scope": True,
                                                           "no_implausible_in_bundle": True}
    text = runner.holdout_scopes_text(rows)
    assert text.startswith(runner.HOLDOUT_TITLE) and "p (rank 14)" in text


def test_runner_scores_the_held_out_scopes(runner: ModuleType) -> None:
    rows = runner.evaluate_worked(runner.HOLDOUT_WORKED, ranks=True)
    assert [r["name"] for r in rows] == [p.stem for p in SCOPES]
    for r in rows:
        assert 0.0 <= r["precision@10"] <= 1.0
        assert 5 <= len(r["top10"]) <= 10  # a patients' scope may reach fewer than ten strategies
        assert set(r["miss_ranks"]) == set(r["obvious_misses"])
        assert all(rank is None or rank > 10 for rank in r["miss_ranks"].values())
    blocks = runner.holdout_docs_blocks(rows)
    assert set(blocks) == {"holdout-worked", *(f"holdout-worked-{p.stem}" for p in SCOPES)}
