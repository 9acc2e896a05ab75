"""Method v2 of `select --method default` (docs/scoring.md): each rule through the installed CLI on a small catalogue.

The catalogue (tests/examples/select/v2/catalogue.yaml) is small enough to compute every score by hand:
Enablement delivers 16 strategies (a broad function), Environmental restructuring, Education and Training
deliver few, with primary/secondary grades; each strategy names whom it acts on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CAT = str(ROOT / "tests" / "examples" / "select" / "v2" / "catalogue.yaml")


def _scope(tmp_path: Path, dets: list[dict[str, Any]], actor_type: list[str] | None = ("deliverers",),  # type: ignore[assignment]
           **extra: Any) -> str:
    change: dict[str, Any] = {"actor": "Ward nurses", "action": "Screen"}
    if actor_type is not None:
        change["actor_type"] = list(actor_type)
    doc = {"title": "Test", "change": change, "determinants": dets, **extra}
    path = tmp_path / "scope.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return str(path)


def _run(cli: Any, scope: str, *args: str) -> dict[str, Any]:
    got = cli("select", scope, "--base", CAT, "--format", "json", "--top", "0", *args)
    assert got.code == 0, got.err
    return json.loads(got.out)


def _ranked(doc: dict[str, Any]) -> list[str]:
    return [s["id"] for s in doc["strategies"]]


def _barriers(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "kind": "barrier"} for i in ids]


# --------------------------------------------------------------------------- actor fit


def test_actor_fit_lists_patient_strategies_apart_for_a_deliverer_scope(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory")))
    apart = {a["id"]: a for a in doc["other_actors"]}
    assert set(apart) == {"eric.intervene-with-patients", "eric.prepare-patients"}
    assert apart["eric.prepare-patients"]["targets"] == ["recipients"]
    assert not set(apart) & set(_ranked(doc))
    assert not set(apart) & {b["id"] for b in doc["bundle"]["strategies"]}
    # organisation-aimed strategies act on the deliverers' setting: ranked
    assert "eric.change-record-systems" in _ranked(doc)
    assert doc["actor_fit"]["admitted"] == ["deliverers", "implementation-team", "leaders", "organisation"]


def test_actor_fit_admits_recipients_when_a_determinant_names_them(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory", "cfir1.patient-needs-and-resources")))
    assert doc["other_actors"] == []
    assert _ranked(doc)[0] == "eric.intervene-with-patients"
    assert doc["actor_fit"]["named"] == {"recipients": ["cfir1.patient-needs-and-resources"]}


def test_a_patient_scope_sets_clinician_strategies_apart(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory", "tdf.skills"), actor_type=["recipients"]))
    apart = {a["id"] for a in doc["other_actors"]}
    assert {"eric.remind-clinicians", "eric.conduct-ongoing-training", "eric.broad"} <= apart
    # admitted only through the setting (implementation team) but aimed at clinicians too: apart
    assert "eric.create-a-learning-collaborative" in apart
    assert "eric.change-record-systems" in _ranked(doc)  # the organisation alone: kept
    bundle = {b["id"] for b in doc["bundle"]["strategies"]}
    assert not bundle & apart
    assert "eric.prepare-patients" in _ranked(doc)


def test_no_actor_type_filters_nothing_and_says_so(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory"), actor_type=None))
    assert doc["other_actors"] == []
    assert "eric.prepare-patients" in _ranked(doc)
    assert any("does not say who must change" in w for w in doc["warnings"])
    table = cli("select", _scope(tmp_path, _barriers("tdf.memory"), actor_type=None), "--base", CAT, "--verbose")
    assert "actor_type" in table.err


# --------------------------------------------------------------------------- foundation, part of the change


def test_foundation_checklist_replaces_process_strategies_in_the_ranking(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, _barriers("tdf.memory"),
                   constraints={"already_in_place": ["eric.tailor-strategies"]})
    doc = _run(cli, scope)
    foundation = {f["id"]: f["in_place"] for f in doc["foundation"]}
    assert foundation == {"eric.conduct-local-needs-assessment": False,
                          "eric.develop-a-formal-implementation-blueprint": False,
                          "eric.tailor-strategies": True}
    assert not set(foundation) & set(_ranked(doc))
    md = cli("select", scope, "--base", CAT, "--format", "markdown").out
    assert "## Foundation checklist" in md and "- [x] Tailor strategies" in md


def test_a_process_determinant_calls_a_process_strategy_into_the_ranking(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("cfir1.planning")))
    assert _ranked(doc)[0] == "eric.develop-a-formal-implementation-blueprint"
    assert "eric.develop-a-formal-implementation-blueprint" not in {f["id"] for f in doc["foundation"]}


def test_any_barrier_naming_a_process_strategy_calls_it_into_the_ranking(cli, tmp_path: Path) -> None:
    """Culture is not a process determinant, but its own (survey) link names needs assessment for it."""
    doc = _run(cli, _scope(tmp_path, _barriers("cfir1.culture", "tdf.memory")))
    assert "eric.conduct-local-needs-assessment" in _ranked(doc)
    foundation = {f["id"] for f in doc["foundation"]}
    assert "eric.conduct-local-needs-assessment" not in foundation
    # a function route (memory -> enablement -> needs assessment) alone does not call it out of the checklist
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory")))
    assert "eric.conduct-local-needs-assessment" in {f["id"] for f in doc["foundation"]}


def test_innovation_strategies_are_part_of_the_change(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory"),
                           innovation={"name": "Reminder cards", "strategies": ["eric.remind-clinicians"]}))
    assert doc["part_of_change"] == [{"id": "eric.remind-clinicians", "name": "Remind clinicians"}]
    assert "eric.remind-clinicians" not in _ranked(doc)


def test_unknown_innovation_strategy_is_a_scope_error(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, _barriers("tdf.memory"), innovation={"name": "X", "strategies": ["eric.remind"]})
    got = cli("select", scope, "--base", CAT)
    assert got.code == 1
    assert "innovation.strategies[0]" in got.err


# --------------------------------------------------------------------------- specificity, breadth, balance


def test_specificity_primary_beats_secondary_beats_broad_function(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory")))
    score = {s["id"]: s["score"] for s in doc["strategies"]}
    rel = {s["id"]: s["contributions"][0]["relative"] for s in doc["strategies"]}
    order = [s["id"] for s in doc["strategies"]]
    # primary through Environmental restructuring (3 strategies): 0.5 -> the best, w = 0.36, first place
    assert score["eric.remind-clinicians"] == 0.36 and rel["eric.remind-clinicians"] == 1.0
    # Enablement delivers 16: 0.5 x 10/16 = 0.3125, relative 0.625
    assert rel["eric.generic-01"] == 0.625
    # secondary: 0.5 x 0.5 = 0.25, relative 0.5
    assert rel["eric.change-record-systems"] == 0.5
    assert order.index("eric.remind-clinicians") < order.index("eric.generic-01") < order.index(
        "eric.change-record-systems")
    got = cli("select", _scope(tmp_path, _barriers("tdf.memory")), "--base", CAT, "--explain", "eric.generic-01")
    assert "specificity" in got.out.replace("\n", " ")


def test_fit_over_breadth(cli, tmp_path: Path) -> None:
    """A strategy with three secondary links scores below one with a single primary link."""
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory", "tdf.knowledge", "tdf.skills")))
    score = {s["id"]: s["score"] for s in doc["strategies"]}
    order = [s["id"] for s in doc["strategies"]]
    # broad's own fit: 0.36 x 0.5 x (1 + 0.25 + 0.0625) = 0.23625 (without the decay it would be 0.54); placed
    # after the two best-fit strategies, its terms are further discounted for coverage (novelty)
    assert score["eric.broad"] <= 0.23625
    assert score["eric.remind-clinicians"] == 0.36
    assert order.index("eric.remind-clinicians") < order.index("eric.broad")
    assert order.index("eric.conduct-educational-meetings") < order.index("eric.broad")
    broad = next(s for s in doc["strategies"] if s["id"] == "eric.broad")
    assert [c["breadth"] for c in broad["contributions"]] == [1.0, 0.25, 0.0625]
    assert [c["relative"] for c in broad["contributions"]] == [0.5, 0.5, 0.5]


def test_coverage_a_second_barrier_gets_its_best_strategy_before_a_third_variant_for_the_first(
        cli, tmp_path: Path) -> None:
    """Memory (w 1) reaches remind-clinicians (relative 1) and, through Enablement, access-new-funding and twelve
    generic strategies (relative 0.625); Skills (w 0.36) reaches ongoing training (relative 1). By fit alone all
    thirteen (0.625) come before training (0.36); with coverage each one's memory term is × 0.7 ** c, c =
    strategy-equivalents above (a relative-0.625 strategy adds 0.390625): remind 1.0, access-new-funding
    0.625 × 0.7 = 0.4375, generic-01 0.625 × 0.7 ** 1.390625 ≈ 0.382, then training 0.36 before generic-02."""
    dets = [{"id": "tdf.memory", "kind": "barrier", "importance": 5, "changeability": 5},
            {"id": "tdf.skills", "kind": "barrier"}]
    doc = _run(cli, _scope(tmp_path, dets))
    order = _ranked(doc)
    assert order[:4] == ["eric.remind-clinicians", "eric.access-new-funding", "eric.generic-01",
                         "eric.conduct-ongoing-training"]
    by_id = {s["id"]: s for s in doc["strategies"]}
    (first,) = by_id["eric.access-new-funding"]["contributions"]
    assert (first["relative"], first["novelty"], first["value"]) == (0.625, 0.7, 0.4375)
    assert "already addressed by the strategies ranked above" in first["note"]
    (top,) = by_id["eric.remind-clinicians"]["contributions"]
    assert top["novelty"] == 1.0
    scope = _scope(tmp_path, dets)
    csv_out = cli("select", scope, "--base", CAT, "--explain", "eric.access-new-funding", "--format", "csv").out
    header, row = csv_out.splitlines()[:2]
    assert header.split(",")[4:7] == ["relative", "novelty", "breadth"]
    assert row.split(",")[4:7] == ["0.625", "0.7", "1.0"]
    table = cli("select", scope, "--base", CAT, "--explain", "eric.access-new-funding").out
    assert "novelty" in table


def test_coverage_fills_the_first_places_and_the_rest_follow_by_score(cli, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from strategease.selection import ranking

    dets = [{"id": "tdf.memory", "kind": "barrier", "importance": 5, "changeability": 5},
            {"id": "tdf.skills", "kind": "barrier"}, {"id": "tdf.knowledge", "kind": "barrier"}]
    full = _run(cli, _scope(tmp_path, dets))["strategies"]
    monkeypatch.setattr(ranking, "NOVELTY_PLACES", 2)
    cut = _run(cli, _scope(tmp_path, dets))["strategies"]
    assert [s["id"] for s in cut[:2]] == [s["id"] for s in full[:2]]
    assert sorted(s["id"] for s in cut) == sorted(s["id"] for s in full)
    scores = [s["score"] for s in cut]
    assert scores == sorted(scores, reverse=True)  # still falling down the list
    assert [s["id"] for s in cut] != [s["id"] for s in full]  # after the cut, coverage no longer reorders


def test_equal_scores_list_the_stronger_kind_of_evidence_first(cli, tmp_path: Path) -> None:
    """Two bare links from one barrier tie (0.5 each); the one a systematic review supports is placed first, though
    its id sorts later. The order of evidence kinds is the catalogue's one (reach.EVIDENCE_ORDER), curated last."""
    from strategease.catalogue import models as m
    from strategease.catalogue.reach import EVIDENCE_ORDER

    assert EVIDENCE_ORDER.index(m.Evidence.systematic_review) < EVIDENCE_ORDER.index(m.Evidence.curated)
    assert EVIDENCE_ORDER[-1].value == "curated"
    layer = tmp_path / "tie.yaml"
    links = [{"from": "cfir1.culture", "to": sid, "kind": "addresses", "evidence": evidence, "source": "fixture",
              "rationale": "A tie for the test."}
             for sid, evidence in (("eric.generic-01", "curated"), ("eric.generic-02", "systematic-review"))]
    layer.write_text(yaml.safe_dump({"links": links}), encoding="utf-8")
    doc = _run(cli, _scope(tmp_path, _barriers("cfir1.culture")), "--catalogue", str(layer))
    order = _ranked(doc)
    assert order.index("eric.generic-02") < order.index("eric.generic-01")
    first = next(s for s in doc["strategies"] if s["id"] == "eric.generic-02")
    assert first["contributions"][0]["novelty"] == 1.0  # the tie was decided before coverage discounted the other


def test_balance_each_determinant_gives_its_best_strategy_its_weight(cli, tmp_path: Path) -> None:
    """A CFIR survey link (0.56) and a TDF function route (0.5) both give their best strategy w_d."""
    doc = _run(cli, _scope(tmp_path, _barriers("cfir1.reflecting-and-evaluating", "tdf.knowledge")))
    top = {s["id"]: s for s in doc["strategies"]}
    for sid, det in (("eric.audit-and-provide-feedback", "cfir1.reflecting-and-evaluating"),
                     ("eric.conduct-educational-meetings", "tdf.knowledge")):
        (c,) = top[sid]["contributions"]
        assert (c["determinant"], c["relative"], c["value"]) == (det, 1.0, 0.36)


# --------------------------------------------------------------------------- facilitators, bounds


def test_facilitator_adds_no_points_and_yields_a_build_on_list(cli, tmp_path: Path) -> None:
    dets = [*_barriers("tdf.memory"), {"id": "cfir1.leadership-engagement", "kind": "facilitator"}]
    scope = _scope(tmp_path, dets)
    doc = _run(cli, scope)
    assert doc["build_on"] == [{"determinant": "cfir1.leadership-engagement", "name": "Leadership engagement",
                                "strategies": [{"id": "eric.identify-and-prepare-champions",
                                                "name": "Identify and prepare champions", "strength": 0.5,
                                                "via": "direct"}]}]
    assert "eric.identify-and-prepare-champions" not in _ranked(doc)
    assert all(c["rule"] != "facilitator" for s in doc["strategies"] for c in s["contributions"])
    assert "Build on: Leadership engagement" in cli("select", scope, "--base", CAT).out
    assert "Build on: Leadership engagement" in cli("select", scope, "--base", CAT, "--format", "markdown").out
    csv_out = cli("select", scope, "--base", CAT, "--format", "csv").out
    assert csv_out.splitlines()[0].endswith("bundle_pick,tie_group,rests_on,builds_on")


def test_a_facilitator_whose_direct_links_serve_other_actors_names_no_lever(cli, tmp_path: Path) -> None:
    """Memory's only direct link (a layer) is reminders for clinicians; as a facilitator in a patients' scope it
    names nothing, rather than what its broad types of HOW reach (Enablement -> new funding, for the organisation)."""
    layer = tmp_path / "direct.yaml"
    layer.write_text(yaml.safe_dump({"links": [{"from": "tdf.memory", "to": "eric.remind-clinicians",
                                                "kind": "addresses", "evidence": "curated", "source": "curated",
                                                "rationale": "A prompt at the moment of action."}]}), encoding="utf-8")
    dets = [*_barriers("tdf.skills"), {"id": "tdf.memory", "kind": "facilitator"}]
    scope = _scope(tmp_path, dets, actor_type=("recipients",))
    without = _run(cli, scope)  # no direct link: the broad routes are all there is, so they are used
    assert "eric.access-new-funding" in [lv["id"] for b in without["build_on"] for lv in b["strategies"]]
    doc = _run(cli, scope, "--catalogue", str(layer))
    assert doc["build_on"] == [{"determinant": "tdf.memory", "name": "Memory", "strategies": []}]
    out = " ".join(cli("select", scope, "--base", CAT, "--catalogue", str(layer)).out.split())
    assert "Build on: Memory (facilitator, adds no points) no strategy for this scope's actors" in out


def test_bounds_are_shown_never_counted(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, _barriers("tdf.memory", "cfir1.reflecting-and-evaluating", "cfir1.available-resources"))
    doc = _run(cli, scope)
    remind = next(s for s in doc["strategies"] if s["id"] == "eric.remind-clinicians")
    assert remind["determinants"] == ["tdf.memory"]
    assert remind["bounds"] == ["Reflecting and evaluating: below 20 % (fixture; an upper bound, not counted, "
                                "never zero)"]
    # a lower bound from a partial table gives no points either: Available resources stays uncovered
    assert "cfir1.available-resources" in doc["uncovered"]
    explained = cli("select", scope, "--base", CAT, "--explain", "eric.remind-clinicians").out
    assert "below 20 %" in explained


def _graded_bound_layer(tmp_path: Path, **fields: Any) -> str:
    """A layer that grades the fixture's lower-bound-only pair Available resources -> Access new funding."""
    link = {"from": "cfir1.available-resources", "to": "eric.access-new-funding", "kind": "addresses", **fields}
    path = tmp_path / "graded.yaml"
    path.write_text(yaml.safe_dump({"links": [link]}, sort_keys=False), encoding="utf-8")
    return str(path)


def test_a_graded_link_with_a_published_lower_bound_counts_by_its_grade(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, _barriers("cfir1.available-resources"))
    layer = _graded_bound_layer(tmp_path, grade="secondary", evidence="curated", source="curated",
                                strength_lower_source="fixture", rationale="New money pays for what is missing.")
    doc = _run(cli, scope, "--catalogue", layer)
    assert "cfir1.available-resources" not in doc["uncovered"]
    funding = next(s for s in doc["strategies"] if s["id"] == "eric.access-new-funding")
    (term,) = funding["contributions"]
    assert term["strength"] == 0.25  # a bare link (0.5) graded secondary (× 0.5): the bound adds nothing
    assert "published lower bound at least 20 % (fixture), not counted: the curated grade is scored" in term["note"]
    assert not funding.get("bounds")
    shown = cli("show", "cfir1.available-resources", "--base", CAT, "--catalogue", layer).out
    assert "graded secondary, strength ≥ 0.2 per fixture (not scored), curated, source curated" in shown
    # --method cfir-eric counts neither the grade nor the bound, and still says the bound is not counted
    cfir = cli("select", scope, "--base", CAT, "--catalogue", layer, "--method", "cfir-eric", "--format", "json")
    assert "1 Level-1-or-2 link(s) for CFIR 'Available resources'" in " ".join(json.loads(cfir.out)["warnings"])


def test_a_bound_source_needs_a_bound_and_a_defined_source(cli, tmp_path: Path) -> None:
    layer = _graded_bound_layer(tmp_path, strength_lower=None, grade="primary", evidence="curated",
                                source="curated", strength_lower_source="nowhere", rationale="r")
    got = cli("validate", CAT, "--catalogue", layer)
    assert got.code == 1
    assert "strength_lower_source 'nowhere' is not a defined source" in got.out + got.err
    assert "strength_lower_source names the source of a lower bound, but the link has no strength_lower" \
        in got.out + got.err


# --------------------------------------------------------------------------- ties and the structural check


def test_ties_are_reported_as_groups(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, _barriers("tdf.memory", "tdf.knowledge"))
    doc = _run(cli, scope)
    first = doc["tie_groups"][0]
    assert first["ranks"] == [1, 2]
    assert first["strategies"] == ["eric.conduct-educational-meetings", "eric.remind-clinicians"]
    assert "choose among these with APEASE" in cli("select", scope, "--base", CAT).out


def test_structural_check_flags_ranks_resting_on_one_curated_link(cli, tmp_path: Path) -> None:
    doc = _run(cli, _scope(tmp_path, _barriers("cfir1.planning", "tdf.knowledge")))
    flagged = {f["id"]: f for f in doc["structural_check"]["flagged"]}
    # educational meetings rests on one curated delivers link; the blueprint on a survey figure
    assert flagged["eric.conduct-educational-meetings"]["link"] == \
        "bcw.education → eric.conduct-educational-meetings (delivers)"
    assert flagged["eric.conduct-educational-meetings"]["rank_without"] is None
    assert "eric.develop-a-formal-implementation-blueprint" not in flagged
    assert not any("rests on at least one curated link" in w for w in doc["warnings"])


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_every_text_format_shows_the_sections(cli, tmp_path: Path, fmt: str) -> None:
    dets = [*_barriers("tdf.memory", "tdf.knowledge"), {"id": "cfir1.leadership-engagement", "kind": "facilitator"}]
    out = cli("select", _scope(tmp_path, dets), "--base", CAT, "--format", fmt).out
    for title in ("Who must change", "Ties", "Rests on one curated link", "Build on", "Foundation checklist",
                  "Aimed at other actors"):
        assert title in out, title


def test_stability_runs_through_the_same_ranking(cli, tmp_path: Path) -> None:
    """With no perturbation the stability model's baseline is select's ranking (one rule: ranking.rank)."""
    doc = _run(cli, _scope(tmp_path, _barriers("tdf.memory", "tdf.knowledge")), "--stability", "20")
    rows = {r["id"]: r for r in doc["stability"]["strategies"]}
    for s in doc["strategies"]:
        if s["id"] in rows:
            assert rows[s["id"]]["baseline_rank"] == s["rank"]
    assert not {a["id"] for a in doc["other_actors"]} & set(rows)
