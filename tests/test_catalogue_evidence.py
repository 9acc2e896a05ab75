"""The shipped catalogue's CFIR and partnering evidence: coverage, Table 5 figures, upper bounds, curation.

Reachability is computed from the loaded catalogue with the routes the default method uses
(``scoring.resolve``): a determinant's own ``addresses`` links, its ``calls-for`` functions and what
they deliver, one crosswalk step, and parents' functions when it has none of its own. Upper-bound-only
links ("below 20 %") are not routes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"
if not REFERENCE.is_dir():  # worktrees live one level deeper than the main checkout
    REFERENCE = Path("/work/shared/reference")


@pytest.fixture(scope="module")
def cat() -> Any:
    from strategease.catalogue.load import require_valid

    return require_valid(None)


def _reach(cat: Any, det_id: str) -> set[str]:
    from strategease.selection.scope import ScopeDeterminant
    from strategease.selection.scoring import resolve

    res = resolve(cat, ScopeDeterminant.model_validate({"id": det_id, "kind": "barrier"}))
    reached = {sid for sid, rs in res.routes.items() if max(r.strength for r in rs) > 0}  # a known 0 % is no route
    # method v2 shows "Level 1 or 2" lower bounds from a partial table without scoring them (no cluster bonus):
    # the pairing is still known, so it counts as reached here; "below 20 %" upper bounds do not
    return reached | {sid for sid, notes in res.uncounted.items() if any(n.startswith("at least") for n in notes)}


def _select(cat: Any, dets: list[str], method: str) -> dict[str, Any]:
    from strategease.selection.scope import Scope
    from strategease.selection.scoring import select

    scope = Scope.model_validate({"title": "T", "change": {"actor": "Staff", "action": "Do it"},
                                  "determinants": [{"id": d, "kind": "barrier"} for d in dets]})
    return {s.id: s for s in select(cat, scope, method, top=0).strategies}


def test_every_cfir_and_partnering_determinant_reaches_three_strategies(cat: Any) -> None:
    dets = [d for d in cat.determinants.values() if d.framework in ("cfir1", "cfir2", "partnering")]
    assert len(dets) >= 41 + 67 + 14
    short = {d.id: len(_reach(cat, d.id)) for d in dets if len(_reach(cat, d.id)) < 3}
    assert short == {}


@pytest.mark.parametrize("det_id", ["cfir1.leadership-engagement", "cfir2.funding", "cfir2.space",
                                    "cfir2.information-technology-infrastructure", "cfir2.policies-laws",
                                    "cfir2.financing", "partnering.mismatched-timelines"])
def test_priority_barriers_have_a_direct_primary_link(cat: Any, det_id: str) -> None:
    direct = [lk for lk in cat.links if lk.from_ == det_id and lk.kind.value == "addresses"]
    assert any(lk.grade is not None and lk.grade.value == "primary" for lk in direct), det_id


def test_specific_strategies_reach_the_barriers_they_act_on(cat: Any) -> None:
    assert {"eric.recruit-designate-and-train-for-leadership", "eric.involve-executive-boards",
            "eric.obtain-formal-commitments"} <= _reach(cat, "cfir1.leadership-engagement")
    assert {"eric.change-record-systems", "eric.facilitate-relay-of-clinical-data-to-providers"} <= _reach(
        cat, "cfir2.information-technology-infrastructure")
    assert {"eric.access-new-funding", "eric.fund-and-contract-for-the-clinical-innovation"} <= _reach(
        cat, "cfir2.funding")


def _table5() -> list[dict[str, str]]:
    with (REFERENCE / "cfir_eric_endorsements_waltz2019_table5.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _table5_html() -> dict[tuple[str, str], dict[str, str]]:
    """Table 5 read again from the publisher's HTML table (scripts/), keyed by (barrier, ERIC number)."""
    with (ROOT / "scripts" / "cfir_eric_table5_html_values.csv").open(newline="", encoding="utf-8") as fh:
        return {(r["cfir_construct"], r["eric_id"]): r for r in csv.DictReader(fh)}


def _survey_values(cat: Any) -> dict[tuple[str, str], Any]:
    return {(lk.from_, lk.to): lk for lk in cat.links
            if lk.kind.value == "addresses" and lk.evidence.value == "survey-of-experts" and lk.strength is not None}


def _ids(cat: Any, barrier: str, number: str) -> tuple[str, str]:
    did = next(d.id for d in cat.determinants.values() if d.framework == "cfir1" and d.name == barrier)
    sid = next(s.id for s in cat.strategies.values() if s.number == int(number))
    return did, sid


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference data not available")
def test_every_table5_value_is_in_the_catalogue_exactly(cat: Any) -> None:
    survey = _survey_values(cat)
    rows, html = _table5(), _table5_html()
    assert len(rows) == 237
    for r in rows:
        key = (r["cfir_construct"], r["eric_id"])
        link = survey[_ids(cat, *key)]
        # the HTML re-reading wins where it gives the pair (it agrees with the reference value except twice)
        expected = html[key]["percent_endorsed"] if key in html else r["percent_endorsed"]
        assert link.strength == pytest.approx(float(expected) / 100), key
        assert link.source == "waltz2019"
        if r["verification"] == "uncertain-alignment" and key not in html:
            assert "uncertain-alignment" in (link.note or "")
    for key, h in html.items():
        link = survey[_ids(cat, *key)]
        assert link.strength == pytest.approx(float(h["percent_endorsed"]) / 100), key
        assert "uncertain-alignment" not in (link.note or "") and "HTML table" in (link.note or "")


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference data not available")
def test_html_reading_completes_key_stakeholders_and_corrects_two_dropped_digits(cat: Any) -> None:
    survey = _survey_values(cat)
    ks = {to: lk for (frm, to), lk in survey.items() if frm == "cfir1.key-stakeholders"}
    assert len(ks) == 37  # every Table 5 strategy now has a value for Key stakeholders
    # the machine extraction had lost the leading '1' of these two (the rows' printed totals need 13 and 17)
    assert ks["eric.promote-network-weaving"].strength == pytest.approx(0.13)
    assert ks["eric.promote-adaptability"].strength == pytest.approx(0.17)
    assert "corrects the 3 %" in (ks["eric.promote-network-weaving"].note or "")
    level1 = sorted(to for to, lk in ks.items() if lk.strength >= 0.5)
    level2 = sorted(to for to, lk in ks.items() if 0.2 <= lk.strength < 0.5)
    assert level1 == ["eric.identify-and-prepare-champions"]  # Waltz 2019 Table 2: one Level 1 strategy
    assert len(level2) == 9
    # the 2024 paper's "Level 1 or 2" pairs for Key stakeholders all have at least 20 % (now with their figure)
    assert {"eric.build-a-coalition", "eric.conduct-local-consensus-discussions", "eric.inform-local-opinion-leaders",
            "eric.use-advisory-boards-and-workgroups", "eric.involve-executive-boards"} <= set(level2)
    assert not [lk for lk in cat.links if lk.from_ == "cfir1.key-stakeholders" and lk.source == "s2024t4"]
    note = cat.determinants["cfir1.key-stakeholders"].note or ""
    assert "1 Level 1 and 9 Level 2" in note and "complete list" in note


# Printed "Cumulative percent" of Waltz et al. 2019 Table 5 (publisher HTML) for rows whose seven printed values
# add up to it exactly; for the other rows the rounding of seven values leaves a difference of at most 2.
TABLE5_CUMULATIVE = {
    "eric.identify-and-prepare-champions": 248, "eric.assess-for-readiness-and-identify-barriers-and-facilitators": 205,
    "eric.conduct-local-consensus-discussions": 164, "eric.alter-incentive-allowance-structures": 135,
    "eric.create-a-learning-collaborative": 135, "eric.recruit-designate-and-train-for-leadership": 120,
    "eric.use-an-implementation-advisor": 72, "eric.develop-and-implement-tools-for-quality-monitoring": 71,
    "eric.access-new-funding": 69, "eric.provide-local-technical-assistance": 64,
    "eric.purposely-reexamine-the-implementation": 63, "eric.revise-professional-roles": 59,
}
TLC_BARRIERS = ["cfir1.structural-characteristics", "cfir1.networks-and-communications", "cfir1.compatibility",
                "cfir1.organizational-incentives-and-rewards", "cfir1.planning",
                "cfir1.formally-appointed-internal-implementation-leaders", "cfir1.key-stakeholders"]


def test_cfir_eric_reproduces_table5_cumulative_percent_through_the_cli(cli: Any, tmp_path: Path) -> None:
    import json

    import yaml

    scope = {"title": "Telephone lifestyle coaching (Waltz et al. 2019 Table 5)",
             "change": {"actor": "Lifestyle coaches", "action": "Deliver telephone lifestyle coaching"},
             "determinants": [{"id": d, "kind": "barrier"} for d in TLC_BARRIERS]}
    (tmp_path / "scope.yaml").write_text(yaml.safe_dump(scope), encoding="utf-8")
    result = cli("select", tmp_path / "scope.yaml", "--method", "cfir-eric", "--format", "json", "--top", "0")
    assert result.code == 0, result.err
    got = {s["id"]: s for s in json.loads(result.out)["strategies"]}
    for sid, printed in TABLE5_CUMULATIVE.items():
        assert got[sid]["cumulative_percent"] == pytest.approx(printed), sid
    champions = got["eric.identify-and-prepare-champions"]  # Level 1: 64 and 63 %; Level 2: 27, 21, 25, 31 %
    assert (champions["rank"], champions["level1"], champions["level2"]) == (1, 2, 4)


def test_table5_spot_values_through_cfir_eric(cat: Any) -> None:
    # Waltz et al. 2019 Table 5, printed values
    planning = _select(cat, ["cfir1.planning"], "cfir-eric")
    assert planning["eric.develop-a-formal-implementation-blueprint"].cumulative_percent == 73
    assert planning["eric.develop-a-formal-implementation-blueprint"].level1 == 1
    assert planning["eric.conduct-local-needs-assessment"].cumulative_percent == 50
    incentives = _select(cat, ["cfir1.organizational-incentives-and-rewards"], "cfir-eric")
    assert incentives["eric.alter-incentive-allowance-structures"].cumulative_percent == 71
    assert incentives["eric.access-new-funding"].cumulative_percent == 38
    both = _select(cat, ["cfir1.networks-and-communications", "cfir1.structural-characteristics"], "cfir-eric")
    weaving = both["eric.promote-network-weaving"]  # 57 + 23
    assert (weaving.cumulative_percent, weaving.level1, weaving.level2) == (80, 1, 1)


def test_upper_bounds_are_never_zero_and_never_scored(cat: Any) -> None:
    upper = [lk for lk in cat.links if lk.strength_upper is not None]
    assert len(upper) > 200
    for lk in upper:
        assert lk.strength is None and lk.strength_lower is None, (lk.from_, lk.to)
        assert lk.strength_upper == 0.2
        assert "upper bound" in (lk.note or "") and "never a zero" in (lk.note or "")
    # Planning's Level 1/2 list is complete: Remind clinicians is below 20 %, not a route, not zero
    planning = [lk for lk in upper if lk.from_ == "cfir1.planning"]
    assert "eric.remind-clinicians" in {lk.to for lk in planning}
    res = _select(cat, ["cfir1.planning"], "default")
    assert "eric.remind-clinicians" not in res or all(
        c.via != "direct" for c in res["eric.remind-clinicians"].contributions)
    # Key stakeholders' list is complete since the HTML re-reading: the 36 strategies not in Table 5 are below 20 %
    assert len([lk for lk in upper if lk.from_ == "cfir1.key-stakeholders"]) == 73 - 37


def test_level_one_or_two_links_are_partial_lower_bounds(cat: Any) -> None:
    partial = [lk for lk in cat.links if lk.source == "s2024t4"]
    assert partial
    for lk in partial:
        assert lk.strength is None and lk.strength_lower == 0.2
        assert "Partial view" in (lk.note or "")


def _scored(cat: Any, det_id: str) -> set[str]:
    """Strategies reached through links method default scores (bounds left out)."""
    from strategease.selection.scope import ScopeDeterminant
    from strategease.selection.scoring import resolve

    res = resolve(cat, ScopeDeterminant.model_validate({"id": det_id, "kind": "barrier"}))
    return {sid for sid, rs in res.routes.items() if max(r.strength for r in rs) > 0 and sid in cat.strategies}


def test_every_cfir_construct_reaches_three_scored_strategies(cat: Any) -> None:
    # the thin constructs (Opinion leaders, Knowledge and beliefs, Evidence strength, Cosmopolitanism, Relative
    # priority and their CFIR 2.0 crosswalks) were linked mostly through unscored "Level 1 or 2" bounds
    dets = [d for d in cat.determinants.values() if d.framework in ("cfir1", "cfir2")]
    short = {d.id: n for d in dets if (n := len(_scored(cat, d.id))) < 3}
    assert short == {}


def test_graded_links_on_level_one_or_two_pairs_keep_the_published_bound(cat: Any) -> None:
    bounded = [lk for lk in cat.links if lk.strength_lower_source is not None]
    assert len(bounded) >= 10
    for lk in bounded:
        assert lk.strength is None and lk.strength_lower == 0.2 and lk.strength_lower_source == "s2024t4"
        assert lk.grade is not None and lk.rationale, (lk.from_, lk.to)
        assert lk.evidence.value in ("curated", "systematic-review"), (lk.from_, lk.to)
        assert "Partial view" in (lk.note or "") and "scores this project's grade" in (lk.note or "")
    pairs = {(lk.from_, lk.to): lk for lk in bounded}
    opinion = pairs[("cfir1.opinion-leaders", "eric.inform-local-opinion-leaders")]
    assert (opinion.evidence.value, opinion.source, opinion.grade.value) == (
        "systematic-review", "flodgren2011", "primary")
    assert ("cfir1.cosmopolitanism", "eric.promote-network-weaving") in pairs


def test_a_cosmopolitanism_barrier_ranks_strategies_beyond_the_interrelationships_cluster(
        cat: Any, cli: Any, tmp_path: Path) -> None:
    import json

    scope = tmp_path / "scope.yaml"
    scope.write_text("title: No referral pathway with local practices\n"
                     "change: {actor: Clinic staff, action: Refer patients, actor_type: [deliverers]}\n"
                     "determinants: [{id: cfir1.cosmopolitanism, kind: barrier}]\n", encoding="utf-8")
    got = cli("select", scope, "--format", "json", "--top", "6")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    top = [s["id"] for s in doc["strategies"]]
    # five primary links tie; two of the five lie outside the interrelationships cluster (a referral protocol is
    # the most concrete outside tie, graded primary)
    assert {"eric.develop-resource-sharing-agreements", "eric.develop-academic-partnerships",
            "collab.establish-referral-protocols"} <= set(top[:5])
    # coalition and network weaving are scored now; the barrier's own direct links call these implementation-process
    # strategies out of the checklist, into the ranking
    assert {"eric.build-a-coalition", "eric.promote-network-weaving"} <= set(top[:5])
    assert {"eric.build-a-coalition", "eric.promote-network-weaving", "eric.visit-other-sites"} <= _scored(
        cat, "cfir1.cosmopolitanism")
    shown = cli("show", "cfir1.cosmopolitanism").out
    assert "graded primary, strength ≥ 0.2 per s2024t4 (not scored), curated, source strategease-curation" in shown


def test_every_curated_link_has_a_rationale_and_curated_source(cat: Any) -> None:
    for lk in cat.links:
        if lk.evidence.value == "curated":
            assert lk.source == "strategease-curation", (lk.from_, lk.to)
            assert lk.rationale and lk.rationale.strip(), (lk.from_, lk.to)


def test_published_crosswalks_cite_damschroder_2022(cat: Any) -> None:
    xw = {(lk.from_, lk.to): lk for lk in cat.links if lk.kind.value == "crosswalk"}
    for comb in ("comb.psychological-capability", "comb.physical-capability"):
        assert xw[("cfir2.capability", comb)].source == "damschroder2022"
    assert xw[("cfir2.implementation-leads", "cfir1.champions")].source == "damschroder2022"
    inherited = xw[("cfir2.funding", "cfir1.available-resources")]
    assert inherited.evidence.value == "curated" and "Inherited" in (inherited.rationale or "")


def test_collaboration_strategies_from_bunger_2024_have_targets(cat: Any) -> None:
    for sid in ("collab.contract-for-expertise", "collab.provide-joint-supervision", "collab.co-locate-staff",
                "collab.establish-referral-protocols"):
        s = cat.strategies[sid]
        assert s.source == "bunger2024"
        assert "partners" in [t.value for t in s.targets]


def test_aliases_cover_spellings_and_published_wordings(cat: Any) -> None:
    advisor = cat.strategies["eric.use-an-implementation-advisor"]
    assert "Use an implementation adviser" in advisor.aliases
    assert "Organise clinician implementation team meetings" in cat.strategies[
        "eric.organize-clinician-implementation-team-meetings"].aliases
    assert "Fund and contract and/or negotiate with vendors for the clinical innovation" in cat.strategies[
        "eric.fund-and-contract-for-the-clinical-innovation"].aliases
    assert "Organisational incentives and rewards" in cat.determinants[
        "cfir1.organizational-incentives-and-rewards"].aliases
    assert "Policies and Laws" in cat.determinants["cfir2.policies-laws"].aliases


def test_a_bound_kept_beside_a_grade_still_counts_as_secondary_report_evidence(cli: Any, tmp_path: Path) -> None:
    import json

    # Relative priority's one published pair (consensus discussions, "Level 1 or 2") now carries a curated grade;
    # the scope's evidence statement still rests on that secondary report, not on curation alone
    scope = tmp_path / "scope.yaml"
    scope.write_text("title: Competing priorities\n"
                     "change: {actor: Ward staff, action: Screen, actor_type: [deliverers]}\n"
                     "determinants: [{id: cfir1.relative-priority, kind: barrier}]\n", encoding="utf-8")
    got = cli("select", scope, "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    assert doc["evidence_basis"]["determinants"] == {"cfir1.relative-priority": "secondary-report"}
    # executive boards (a direct link calls this process strategy into the ranking) and a mandate lead
    assert set([s["id"] for s in doc["strategies"]][:2]) == {"eric.involve-executive-boards", "eric.mandate-change"}


def test_reach_and_selection_follow_the_same_paths(cat: Any) -> None:
    """validate's reachability (catalogue.reach) and the selection's routes (selection.routes) take their path
    starts from one rule (reach.path_starts): for every live determinant of the shipped catalogue they reach the
    same live strategies (a link known only by an upper bound is neither a path nor a route; one known only by a
    lower bound from a partial table is a path, shown by the selection without being scored)."""
    from strategease.catalogue.reach import Reachability
    from strategease.selection.routes import resolve
    from strategease.selection.scope import ScopeDeterminant

    graph = Reachability(cat)
    differ = {}
    for det_id, det in cat.determinants.items():
        if det.retired:
            continue
        res = resolve(cat, ScopeDeterminant.model_validate({"id": det_id, "kind": "barrier"}))
        shown = {sid for sid, notes in res.uncounted.items() if any(n.startswith("at least") for n in notes)}
        routed = {sid for sid in [*res.routes, *shown] if not cat.strategies[sid].retired}
        if set(graph.reach(det_id).strategies) != routed:
            differ[det_id] = sorted(set(graph.reach(det_id).strategies) ^ routed)
    assert not differ, differ
