"""`strategease select`: golden outputs, hand-computed scores, warnings, explain, and the CLI contract.

Regenerate the golden files after an intended change with:

    STRATEGEASE_UPDATE_GOLDEN=1 pytest tests/test_select.py

and review the diff before committing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "select"
TEST_CATALOGUE = "tests/examples/select/catalogue.yaml"
EXAMPLE = "examples/delirium-scope.yaml"
UPDATE = os.environ.get("STRATEGEASE_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in outputs are as given on the command line: run from the repository root."""
    monkeypatch.chdir(ROOT)


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with STRATEGEASE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; rerun with STRATEGEASE_UPDATE_GOLDEN=1 " \
                                                     "if the change is intended"


def _cat(base: str | None = TEST_CATALOGUE) -> Any:
    from strategease.catalogue.load import require_valid

    return require_valid([Path(base)] if base else None)


def _scope(dets: list[dict[str, Any]], **constraints: Any) -> Any:
    from strategease.selection.scope import Scope

    return Scope.model_validate({"title": "Test", "change": {"actor": "Nurses", "action": "Screen"},
                                 "determinants": dets, "constraints": constraints})


def _select(dets: list[dict[str, Any]], method: str = "default", base: str | None = TEST_CATALOGUE,
            **kw: Any) -> Any:
    from strategease.selection.scoring import select

    constraints = kw.pop("constraints", {})
    return select(_cat(base), _scope(dets, **constraints), method, **kw)


def _by_id(result: Any) -> dict[str, Any]:
    return {s.id: s for s in result.strategies}


# --------------------------------------------------------------------------- golden files

GOLDEN_CASES = {
    "delirium.table.txt": ["select", EXAMPLE, "--base", TEST_CATALOGUE],
    "delirium.json": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json"],
    "delirium.csv": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "csv"],
    "delirium.md": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "markdown"],
    "delirium.explain.txt": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain",
                             "eric.audit-and-provide-feedback"],
    "delirium.explain.json": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain",
                              "eric.audit-and-provide-feedback", "--format", "json"],
    "delirium.cfir-eric.txt": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--method", "cfir-eric"],
    "delirium.cfir-eric.json": ["select", EXAMPLE, "--base", TEST_CATALOGUE, "--method", "cfir-eric",
                                "--format", "json"],
    "delirium.shipped.json": ["select", EXAMPLE, "--format", "json"],
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str, cli) -> None:
    got = cli(*GOLDEN_CASES[name])
    assert got.code == 0, got.err
    _check_golden(name, got.out)
    if name.endswith(".txt") and "explain" not in name:
        _check_golden(name.replace(".txt", ".stderr.txt"), got.err)


def test_json_output_is_the_result_model(cli) -> None:
    from strategease.selection.result import SelectionResult
    from strategease.selection.scope import load_scope
    from strategease.selection.scoring import select

    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json")
    parsed = SelectionResult.model_validate_json(got.out)
    cat = _cat()
    expected = select(cat, load_scope(Path(EXAMPLE), cat))
    assert parsed == expected
    assert got.out == expected.model_dump_json(indent=2) + "\n"
    assert got.err == ""  # json carries its warnings; stderr stays quiet


def test_output_is_byte_identical_across_runs(cli) -> None:
    runs = [cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", fmt).out
            for fmt in ("json", "json", "csv", "csv", "markdown", "markdown")]
    assert runs[0] == runs[1] and runs[2] == runs[3] and runs[4] == runs[5]


def test_every_format_has_a_renderer() -> None:
    from strategease.cli.select import SelectFormat
    from strategease.render.select import EXPLAINERS, RENDERERS

    formats = {f.value for f in SelectFormat}
    assert formats == set(RENDERERS) == set(EXPLAINERS)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_every_format_renders_both_methods(fmt: str, cli) -> None:
    for method in ("default", "cfir-eric"):
        got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", fmt, "--method", method)
        assert got.code == 0, got.err
        assert "eric.audit-and-provide-feedback" in got.out
        explained = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", fmt, "--method", method,
                        "--explain", "eric.audit-and-provide-feedback")
        assert explained.code == 0, explained.err
        assert "waltz2019" in explained.out


def test_installed_console_script_runs_the_example() -> None:
    exe = shutil.which("strategease", path=str(Path(sys.executable).parent)) or shutil.which("strategease")
    assert exe, "the strategease console script is not installed"
    env = {**os.environ, "NO_COLOR": "1", "STRATEGEASE_WIDTH": "100"}
    done = subprocess.run([exe, "select", EXAMPLE], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Ranked strategies" in done.stdout and "Suggested bundle" in done.stdout
    assert "Traceback" not in done.stderr
    done = subprocess.run([exe, "select", EXAMPLE, "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0
    assert json.loads(done.stdout)["strategies"]


# --------------------------------------------------------------------------- cfir-eric: hand-computed


def test_cfir_eric_reflecting_and_evaluating_alone_matches_the_published_percentages() -> None:
    # Waltz et al. 2019, Table 1 (n = 25): tools 60 %, audit and feedback 56 %, ...
    for base in (TEST_CATALOGUE, None):
        res = _select([{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"}], "cfir-eric", base=base,
                      top=0)
        st = _by_id(res)
        assert st["eric.audit-and-provide-feedback"].cumulative_percent == 56
        assert st["eric.audit-and-provide-feedback"].score == 56
        assert st["eric.develop-and-implement-tools-for-quality-monitoring"].cumulative_percent == 60
        assert st["eric.develop-and-organize-quality-monitoring-systems"].cumulative_percent == 40
        assert res.strategies[0].id == "eric.develop-and-implement-tools-for-quality-monitoring"
        assert res.strategies[1].id == "eric.audit-and-provide-feedback"
        assert (st["eric.audit-and-provide-feedback"].level1, st["eric.audit-and-provide-feedback"].level2) == (1, 0)
        assert (st["eric.develop-and-organize-quality-monitoring-systems"].level1,
                st["eric.develop-and-organize-quality-monitoring-systems"].level2) == (0, 1)
        assert st["eric.conduct-ongoing-training"].cumulative_percent == 16
        assert (st["eric.conduct-ongoing-training"].level1, st["eric.conduct-ongoing-training"].level2) == (0, 0)
        assert res.functions == []


def test_cfir_eric_sums_percentages_across_barriers() -> None:
    res = _select([{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"},
                   {"id": "cfir1.adaptability", "kind": "barrier"}], "cfir-eric", top=0)
    st = _by_id(res)
    capture = st["eric.capture-and-share-local-knowledge"]  # 24 + 35
    assert (capture.cumulative_percent, capture.level1, capture.level2) == (59, 0, 2)
    champions = st["eric.identify-and-prepare-champions"]  # 8 + 23
    assert (champions.cumulative_percent, champions.level1, champions.level2) == (31, 0, 1)
    assert [s.id for s in res.strategies[:4]] == [
        "eric.promote-adaptability", "eric.develop-and-implement-tools-for-quality-monitoring",
        "eric.capture-and-share-local-knowledge", "eric.audit-and-provide-feedback"]
    # ties broken by id: both 16 %
    ids = [s.id for s in res.strategies]
    assert ids.index("eric.change-record-systems") < ids.index("eric.conduct-ongoing-training")
    assert sum(Decimal(str(c.value)) for c in capture.contributions) == Decimal("59")


def test_cfir_eric_shipped_catalogue_two_barriers() -> None:
    res = _select([{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"},
                   {"id": "cfir1.adaptability", "kind": "barrier"}], "cfir-eric", base=None, top=0)
    st = _by_id(res)
    assert st["eric.capture-and-share-local-knowledge"].cumulative_percent == 24 + 35
    assert st["eric.identify-and-prepare-champions"].cumulative_percent == 8 + 23
    assert st["eric.promote-adaptability"].cumulative_percent == 73


def test_cfir_eric_warnings_and_crosswalk() -> None:
    res = _select([{"id": "cfir2.reflecting-and-evaluating", "kind": "barrier"},
                   {"id": "tdf.knowledge", "kind": "barrier"},
                   {"id": "cfir1.adaptability", "kind": "facilitator"},
                   {"id": "cfir1.available-resources", "kind": "barrier"}], "cfir-eric", top=0)
    text = "\n".join(res.warnings)
    assert "counted as CFIR 1.0 'Reflecting and evaluating' (cfir1.reflecting-and-evaluating) through the " \
           "crosswalk" in text
    assert "'Knowledge' (tdf.knowledge) ignored by --method cfir-eric: only CFIR constructs" in text
    assert "'Adaptability' (cfir1.adaptability) ignored by --method cfir-eric: it is a facilitator" in text
    assert "no endorsement percentages for CFIR 'Available resources' (cfir1.available-resources)" in text
    assert "Level-1-or-2 link(s) for CFIR 'Available resources' (cfir1.available-resources) from a secondary " \
           "report are not counted" in text
    st = _by_id(res)
    assert st["eric.audit-and-provide-feedback"].cumulative_percent == 56  # via the crosswalk
    assert st["eric.audit-and-provide-feedback"].contributions[0].via == "crosswalk:cfir1.reflecting-and-evaluating"
    assert "eric.promote-adaptability" not in st  # facilitator ignored
    assert res.uncovered == ["cfir1.available-resources"]


# --------------------------------------------------------------------------- default method: hand-computed


def test_default_scores_by_hand() -> None:
    # weight (5/5)*(5/5) = 1; direct survey links, relative to the best (0.60): balance; no ratings modifier
    res = _select([{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier", "importance": 5,
                    "changeability": 5}], top=0)
    st = _by_id(res)
    tools = st["eric.develop-and-implement-tools-for-quality-monitoring"]  # 0.60 / 0.60 = 1
    assert tools.score == 1
    assert [(c.strength, c.relative, c.value) for c in tools.contributions] == [(0.6, 1, 1)]
    af = st["eric.audit-and-provide-feedback"]  # 0.56 / 0.60, placed below tools: × 0.7 for coverage
    assert af.contributions[0].relative == 0.933333 and af.contributions[0].novelty == 0.7
    assert af.score == round(0.933333 * 0.7, 6)
    assert all(c.rule == "barrier" for c in af.contributions)  # Waltz 2015 ratings are not scored
    assert af.importance == 4.4  # ... but still shown
    # 16 % / 60 % = 0.27: kept; below a quarter of the best a route would be pruned (PRUNE_BELOW)
    assert st["eric.conduct-ongoing-training"].contributions[0].relative == 0.266667
    assert res.determinants[0].weight == 1


def test_weight_formula() -> None:
    from strategease.selection.scoring import weight

    assert weight(3, 3) == pytest.approx(0.36)
    assert weight(1, 1) == pytest.approx(0.04)
    assert weight(5, 5) == 1
    res = _select([{"id": "tdf.knowledge", "kind": "barrier", "importance": 4, "changeability": 3}])
    assert res.determinants[0].weight == 0.48


def test_function_route_and_max_not_sum() -> None:
    # tdf.memory-... calls for training, environmental restructuring and enablement; change-record-systems
    # delivers two of them: it gets the best route once, not twice.
    res = _select([{"id": "tdf.memory-attention-and-decision-processes", "kind": "barrier"}], top=0)
    record = _by_id(res)["eric.change-record-systems"]
    assert record.contributions[0].relative == 1  # the best route from this determinant: w_d at first place
    assert len(record.contributions) == 1
    assert record.contributions[0].via == "function:bcw.enablement"  # tie broken by via name
    assert record.contributions[0].strength == 0.3  # FUNCTION_ROUTE
    assert record.functions == ["bcw.enablement", "bcw.environmental-restructuring"]
    assert "other route(s): function:bcw.environmental-restructuring" in (record.contributions[0].note or "")


def test_parent_fallback_is_recorded_and_warned() -> None:
    res = _select([{"id": "tdf.goals", "kind": "barrier"}], top=0)
    det = res.determinants[0]
    assert det.resolved_via == ["tdf.goals", "comb.reflective-motivation"]
    af = _by_id(res)["eric.audit-and-provide-feedback"]
    c = af.contributions[0]
    assert c.via == "parent:comb.reflective-motivation/function:bcw.education"
    assert c.strength == pytest.approx(0.3 * 0.8)
    assert c.value == pytest.approx(0.36)  # the best route this determinant has (balance)
    assert any("no function links of its own; used those of its parent 'Reflective motivation'" in w
               for w in res.warnings)
    assert {f.id for f in res.functions} == {"bcw.education", "bcw.persuasion", "bcw.incentivisation"}


def test_crosswalk_and_lower_bound() -> None:
    res = _select([{"id": "cfir2.available-resources", "kind": "barrier"}], top=0)
    assert res.determinants[0].resolved_via == ["cfir2.available-resources", "cfir1.available-resources"]
    st = _by_id(res)
    funding = st["eric.access-new-funding"].contributions[0]
    assert funding.via == "crosswalk:cfir1.available-resources"
    assert funding.strength == 0.5 and "binary curated link" in (funding.note or "")
    # "Level 1 or 2" (at least 20 %) from a partial table: shown, not counted (no cluster bonus)
    assert "eric.capture-and-share-local-knowledge" not in st
    text = "\n".join(res.warnings)
    assert "no endorsement data for CFIR 'Available resources' (cfir2.available-resources); ranked through other " \
           "links only (curated)" in text
    assert "rests on at least one curated link" not in text  # replaced by the structural check
    assert res.structural_check is not None
    # its only route runs through a curated crosswalk and a curated link: either one, left out, unranks it
    assert {(f.id, f.link) for f in res.structural_check.flagged} == {
        ("eric.access-new-funding", "cfir1.available-resources → eric.access-new-funding (addresses)"),
        ("eric.access-new-funding", "cfir2.available-resources → cfir1.available-resources (crosswalk)")}


def test_no_route_and_no_endorsement_warnings() -> None:
    res = _select([{"id": "cfir1.peer-pressure", "kind": "barrier"}, {"id": "tdf.knowledge", "kind": "barrier"}])
    assert "no endorsement data for CFIR 'Peer pressure' (cfir1.peer-pressure) and no route to any strategy" \
        in res.warnings
    assert res.uncovered == ["cfir1.peer-pressure"]
    assert res.bundle is not None and res.bundle.uncovered == ["cfir1.peer-pressure"]


def test_facilitators_do_not_use_survey_links() -> None:
    res = _select([{"id": "cfir1.reflecting-and-evaluating", "kind": "facilitator"}])
    assert res.strategies == []
    assert res.build_on is not None and res.build_on[0].strategies == []
    assert any("no route from facilitator 'Reflecting and evaluating'" in w for w in res.warnings)


def test_facilitators_are_levers_for_partnering_and_function_routes() -> None:
    res = _select([{"id": "partnering.trust", "kind": "facilitator"},
                   {"id": "tdf.social-influences", "kind": "facilitator", "importance": 5, "changeability": 5}],
                  top=0)
    assert res.strategies == []  # facilitators add no points
    assert res.build_on is not None
    levers = {b.determinant: [lv.id for lv in b.strategies] for b in res.build_on}
    assert "collab.build-relationships-first" in levers["partnering.trust"]
    assert "eric.identify-and-prepare-champions" in levers["tdf.social-influences"]


def test_exclude_and_already_in_place() -> None:
    dets = [{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"}]
    res = _select(dets, top=0, constraints={"exclude": ["eric.audit-and-provide-feedback"],
                                            "already_in_place": ["eric.develop-and-implement-tools-for-quality-"
                                                                 "monitoring"]})
    ids = [s.id for s in res.strategies]
    assert "eric.audit-and-provide-feedback" not in ids
    assert "eric.develop-and-implement-tools-for-quality-monitoring" not in ids
    assert [s.id for s in res.already_in_place] == ["eric.develop-and-implement-tools-for-quality-monitoring"]
    assert res.bundle is not None
    assert "eric.develop-and-implement-tools-for-quality-monitoring" not in [b.id for b in res.bundle.strategies]
    # the in-place strategy's coverage counts: the first pick gains only what is left
    first = res.bundle.strategies[0]
    assert first.id == "eric.develop-and-organize-quality-monitoring-systems"
    assert first.gain == pytest.approx(0.36 * (1 - 0.6) * 0.4)  # the bundle reads r(d, s), not the relative score


def test_top_and_bundle_options(cli) -> None:
    full = json.loads(cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json", "--top", "0").out)
    two = json.loads(cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json", "--top", "2").out)
    assert len(full["strategies"]) > 10 and len(two["strategies"]) == 2
    assert two["strategies"] == full["strategies"][:2]
    assert full["bundle"]["size"] == 5  # constraints.max_strategies
    three = json.loads(cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json", "--bundle", "3").out)
    assert len(three["bundle"]["strategies"]) == 3
    assert three["bundle"]["strategies"] == full["bundle"]["strategies"][:3]
    none = json.loads(cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json", "--bundle", "0").out)
    assert none["bundle"] is None
    assert cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--top", "-1").code == 2


def test_explain_errors_are_usage_errors(cli) -> None:
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain", "eric.audit-and-provide-feedbak")
    assert got.code == 2
    assert "did you mean 'eric.audit-and-provide-feedback'?" in got.err
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain", "eric.mandate-change")
    assert got.code == 2 and "excluded" in got.err
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain", "eric.promote-adaptability")
    assert got.code == 2 and "not ranked for this scope" in got.err


def test_explain_shows_contributions_that_add_up(cli) -> None:
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain", "eric.audit-and-provide-feedback",
              "--format", "json")
    doc = json.loads(got.out)
    strategy = doc["strategy"]
    assert sum(Decimal(str(c["value"])) for c in strategy["contributions"]) == Decimal(str(strategy["score"]))
    assert doc["citations"]["waltz2019"].startswith("Waltz TJ")
    # an in-place strategy can be explained too
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--explain", "eric.conduct-ongoing-training")
    assert got.code == 0 and "already in place" in got.out


def test_table_sends_warnings_to_stderr(cli) -> None:
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--verbose")
    assert "warning:" not in got.out
    assert "warning: no endorsement data for CFIR 'Available resources'" in got.err
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "csv", "-v")
    assert got.out.splitlines()[0].startswith("rank,id,name,")
    assert "warning:" in got.err


def test_coverage_notes_follow_the_scope() -> None:
    cfir = _select([{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"}])
    assert any(n.startswith("CFIR-ERIC endorsements") for n in cfir.coverage_notes)
    assert not any(n.startswith("Partnering") for n in cfir.coverage_notes)
    partnering = _select([{"id": "partnering.trust", "kind": "barrier"}])
    assert [n.split(":")[0] for n in partnering.coverage_notes] == ["Partnering (partnering, collab)"]


def test_docs_state_the_constants_the_code_uses() -> None:
    """docs/scoring.md and the code must agree on every scoring constant."""
    import re

    from strategease.selection import scoring

    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for name in ("BINARY_LINK_STRENGTH", "FUNCTION_ROUTE", "CROSSWALK_FACTOR", "PARENT_FACTOR",
                 "SECONDARY_GRADE", "FANOUT_REFERENCE", "PRUNE_BELOW", "BREADTH_DECAY", "LEVEL_MISMATCH_K"):
        value = getattr(scoring, name)
        rows = [line for line in doc.splitlines() if f"`{name}`" in line]
        assert rows, f"{name} is not documented in docs/scoring.md"
        assert any(re.search(rf"(?<![\d.]){re.escape(f'{value:g}')}(?![\d])", r.replace(f"`{name}`", ""))
                   for r in rows), f"docs/scoring.md gives another value for {name} (code: {value})"
        assert name in (scoring.__doc__ or ""), f"{name} not described in the scoring docstring"


def test_docs_worked_example_matches_explain(cli) -> None:
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    got = json.loads(cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format", "json", "--explain",
                         "eric.audit-and-provide-feedback").out)["strategy"]
    assert f"**{got['score']}**" in doc
    for c in got["contributions"]:
        assert f"| {c['value']:g} |" in doc
