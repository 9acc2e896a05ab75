"""Partners at the table, missing partner types, push-only flags, and the partnering layer in scoring."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = ROOT / "tests" / "examples" / "partners" / "missing-patients.yaml"
WORKSHOP = ROOT / "examples" / "workshop" / "scope.yaml"
WORKSHOP_RATINGS = ROOT / "examples" / "workshop" / "ratings.csv"


@pytest.fixture(scope="module")
def shipped() -> Any:
    from strategease.catalogue.load import require_valid

    return require_valid(None)


def _scope(dets: list[dict[str, Any]], partners: list[dict[str, Any]] | None = None,
           levels: tuple[str, ...] = ("partnership",)) -> Any:
    from strategease.selection.scope import Scope

    data: dict[str, Any] = {"title": "T", "change": {"actor": "A", "action": "B"}, "level": list(levels),
                            "determinants": dets}
    if partners is not None:
        data["partners"] = partners
    return Scope.model_validate(data)


def test_missing_and_informed_only_partner_types(shipped: Any) -> None:
    from strategease.selection.scope import load_scope
    from strategease.selection.scoring import select

    res = select(shipped, load_scope(MISSING, shipped), top=10)
    pa = res.partners
    assert pa is not None
    assert [p.type for p in pa.partners] == ["managers", "frontline staff", "community organisations"]
    status = {n.type: (n.status, n.determinants) for n in pa.needs}
    assert status == {
        "managers": ("informed-only", ["cfir1.leadership-engagement"]),
        "patients and families": ("missing", ["cfir1.patient-needs-and-resources"]),
        "payers": ("missing", ["cfir1.external-policy-and-incentives"]),
        "policy makers": ("missing", ["cfir1.external-policy-and-incentives"]),
    }
    assert pa.missing == ["patients and families", "payers", "policy makers"]
    assert pa.types == {"community organisations": ["Community physiotherapy provider"],
                        "frontline staff": ["Pre-assessment nurses"], "managers": ["Clinical director"]}
    text = "\n".join(res.warnings)
    assert ("no patients and families partner at the table, yet 'Patient needs and resources' "
            "(cfir1.patient-needs-and-resources) concerns them") in text
    assert "managers are only informed (Clinical director)" in text


def test_push_only_strategies_are_flagged_when_partners_co_create(shipped: Any) -> None:
    from strategease.selection.scoring import select

    dets = [{"id": "tdf.knowledge", "kind": "barrier", "importance": 5, "changeability": 5}]
    co = [{"name": "Nurses", "type": "frontline staff", "involvement": "co-create"}]
    res = select(shipped, _scope(dets, co, ("individual", "team")), top=0)
    assert res.partners is not None
    pushed = {p.id for p in res.partners.push_only}
    assert "eric.conduct-educational-meetings" in pushed
    assert all([a.value for a in shipped.strategies[sid].approach] == ["push"] for sid in pushed)
    assert any("partners co-create, yet push-only strategies are shown" in w for w in res.warnings)
    consulted = [{"name": "Nurses", "type": "frontline staff", "involvement": "consult"}]
    res = select(shipped, _scope(dets, consulted, ("individual", "team")), top=0)
    assert res.partners is not None and res.partners.push_only == []


def test_no_partners_key_no_section_but_empty_list_gives_notes(shipped: Any) -> None:
    from strategease.selection.scoring import select

    dets = [{"id": "partnering.trust", "kind": "barrier"}]
    res = select(shipped, _scope(dets))
    assert res.partners is None
    assert "partners" not in json.loads(res.model_dump_json())
    res = select(shipped, _scope(dets, []))
    assert res.partners is not None and res.partners.partners == []
    assert any("partnering determinants are chosen (partnering.trust) but no partners are listed" in n
               for n in res.partners.notes)
    res = select(shipped, _scope(dets, [{"name": "X", "type": "researchers"}], ("team",)))
    assert res.partners is not None
    assert any("does not include 'partnership'" in n for n in res.partners.notes)


def test_partner_types_are_matched_ignoring_case(shipped: Any, tmp_path: Path, cli) -> None:
    got = cli("select", MISSING, "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    assert doc["partners"]["partners"][0]["type"] == "managers"  # written 'Managers' in the scope
    assert list(doc)[-1] == "partners"


# --------------------------------------------------------------------------- the partnering layer ranks collab.*


PARTNERING = ["partnering.trust", "partnering.power-imbalance", "partnering.accountability",
              "partnering.coordination-fatigue"]


@pytest.mark.parametrize("det_id", PARTNERING)
def test_each_partnering_determinant_ranks_its_partnering_strategies(shipped: Any, det_id: str) -> None:
    from strategease.selection.scoring import select

    res = select(shipped, _scope([{"id": det_id, "kind": "barrier", "importance": 5, "changeability": 5}]), top=0)
    linked = sorted(lk.to for lk in shipped.links if lk.from_ == det_id and lk.kind.value == "addresses")
    assert linked and sorted(s.id for s in res.strategies) == linked  # exactly the addresses links
    for s in res.strategies:
        c = s.contributions[0]
        assert (c.determinant, c.via, c.rule) == (det_id, "direct", "barrier")
        assert c.evidence in ("seed-document", "curated", "published-matrix") and c.strength in (0.5, 0.25)
        # binary links (seed document, Bunger et al. 2024's table, curated) count 0.5, graded secondary 0.25;
        # relative to the determinant's best (0.5), so the primary ones get the full weight w = 1 (balance), times
        # the coverage factor of their place (novelty: 0.7 ** strategy-equivalents ranked above)
        assert c.relative == c.strength * 2
        assert c.value == pytest.approx(c.relative * c.novelty, abs=2e-6)
    assert res.strategies[0].contributions[0].novelty == 1.0
    assert any(s.id.startswith("collab.") for s in res.strategies)


def test_partnering_layer_combines_and_explains(shipped: Any, cli, tmp_path: Path) -> None:
    import yaml

    from strategease.selection.scoring import select

    dets = [{"id": d, "kind": "barrier"} for d in PARTNERING]
    res = select(shipped, _scope(dets), top=0)
    by = {s.id: s for s in res.strategies}
    gov = by["collab.set-up-shared-governance"]  # power imbalance + coordination fatigue (and others)
    assert set(gov.determinants) >= {"partnering.power-imbalance", "partnering.coordination-fatigue"}
    assert sum(Decimal(str(c.value)) for c in gov.contributions) == Decimal(str(gov.score))
    # first place: three barriers it fits best (power imbalance, coordination fatigue, accountability) and trust,
    # which it fits half as well as trust's best (a secondary link):
    # 0.36 + 0.36 x 0.25 + 0.36 x 0.0625 + 0.18 x 0.015625 = 0.4753125, in micro-units 0.475312 (fit over breadth)
    assert gov.score == 0.475312 and gov.rank == 1
    rhythm = by["collab.keep-a-regular-communication-rhythm"]
    assert rhythm.rank > 1 and rhythm.score < 0.45  # its coordination-fatigue term is discounted for coverage
    scope = tmp_path / "p.yaml"
    scope.write_text(yaml.safe_dump({"title": "P", "change": {"actor": "A", "action": "B"}, "level": ["partnership"],
                                     "determinants": dets}))
    got = cli("select", scope, "--explain", "collab.set-up-shared-governance")
    assert got.code == 0, got.err
    assert "partnering.power-imbalance" in got.out and "seed-document" in got.out


def test_partnering_facilitator_uses_the_same_links(shipped: Any) -> None:
    from strategease.selection.scoring import select

    res = select(shipped, _scope([{"id": "partnering.trust", "kind": "facilitator"}]), top=0)
    assert res.strategies == []  # a facilitator adds no points: it is a lever to build on
    assert res.build_on is not None
    levers = res.build_on[0].strategies
    linked = {lk.to for lk in shipped.links if lk.from_ == "partnering.trust" and lk.kind.value == "addresses"}
    assert levers and {lv.id for lv in levers} <= linked and all(lv.strength in (0.5, 0.25) for lv in levers)


def test_workshop_example_shows_the_missing_patient_partner(cli) -> None:
    got = cli("select", WORKSHOP, "--ratings", WORKSHOP_RATINGS, "--verbose")
    assert got.code == 0, got.err
    assert "Partners at the table (4)" in got.out
    assert "patients and families: MISSING" in got.out
    assert "warning: no patients and families partner at the table" in got.err
    md = cli("select", WORKSHOP, "--ratings", WORKSHOP_RATINGS, "--format", "markdown").out
    assert "## Partners at the table" in md
    assert "- patients and families: MISSING, for Innovation Recipients (Engaging)" in md
