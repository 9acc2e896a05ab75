"""The scope's level counts: the itemised level modifier (docs/scoring.md, section 6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from strategease.selection.scoring import LEVEL_MISMATCH_K


@pytest.fixture(scope="module")
def shipped() -> Any:
    from strategease.catalogue.load import require_valid

    return require_valid(None)


def _scope(levels: list[str], dets: list[dict[str, Any]], exclude: tuple[str, ...] = ()) -> Any:
    from strategease.selection.scope import Scope

    return Scope.model_validate({"title": "Levels", "change": {"actor": "Nurses", "action": "Screen"},
                                 "level": levels, "determinants": dets,
                                 "constraints": {"exclude": list(exclude)}})


def _by_id(result: Any) -> dict[str, Any]:
    return {s.id: s for s in result.strategies}


def test_mismatched_strategy_gets_a_visible_term_that_sums_to_the_score(shipped: Any) -> None:
    from strategease.selection.scoring import select

    dets = [{"id": "tdf.knowledge", "kind": "barrier", "importance": 4, "changeability": 3},
            {"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"}]
    plain = _by_id(select(shipped, _scope([], dets), top=0))
    team = _by_id(select(shipped, _scope(["individual"], dets), top=0))
    sid = "eric.work-with-educational-institutions"  # acts at system level only
    assert [lv.value for lv in shipped.strategies[sid].levels] == ["system"]
    terms = team[sid].contributions
    level = [c for c in terms if c.rule == "level-modifier"]
    assert len(level) == 1 and level[0].via == "levels" and level[0].determinant is None
    base = sum(Decimal(str(c.value)) for c in terms if c.determinant is not None)
    assert level[0].value == pytest.approx(-float(base) * LEVEL_MISMATCH_K, abs=1e-6)  # rounded to 6 places
    assert sum(Decimal(str(c.value)) for c in terms) == Decimal(str(team[sid].score))
    assert "acts at system; the scope is at individual" in (level[0].note or "")
    assert team[sid].score < plain[sid].score
    # a strategy that acts at the scope's level is untouched
    same = "eric.audit-and-provide-feedback"
    assert not any(c.rule == "level-modifier" for c in team[same].contributions)
    assert team[same].score == plain[same].score


def test_no_levels_means_no_modifier(shipped: Any) -> None:
    from strategease.selection.scoring import level_mismatch

    st = shipped.strategies["eric.work-with-educational-institutions"]
    assert level_mismatch(st, ["team"]) is True
    assert level_mismatch(st, ["system", "team"]) is False
    assert level_mismatch(st, []) is False  # scope names no level
    bare = st.model_copy(update={"levels": []})
    assert level_mismatch(bare, ["team"]) is False  # strategy names no level: unknown is not a mismatch


def test_mismatch_is_discounted_in_the_bundle_too(shipped: Any) -> None:
    from strategease.selection.scoring import select

    dets = [{"id": "partnering.missing-partners", "kind": "barrier", "importance": 5, "changeability": 5}]
    # leave one organisation-level strategy, so the bundle's second pick is a mismatched one
    res = select(shipped, _scope(["organisation"], dets, exclude=("eric.engage-community-resources",
                                                                         "eric.build-a-coalition")),
                 top=0, bundle=2)
    st = _by_id(res)
    # the catalogue's links from missing-partners are curated binary links (r = 0.5, w = 1)
    boards = st["eric.use-advisory-boards-and-workgroups"]  # partnership, organisation: matches
    mapping = st["collab.map-partners-and-fill-gaps"]  # partnership only: does not
    assert not any(c.rule == "level-modifier" for c in boards.contributions)
    base, level = [c.value for c in mapping.contributions]
    assert mapping.contributions[0].relative == 1.0  # as strong as the best route: w_d (× novelty at its place)
    assert level == round(-0.2 * base, 6)
    assert boards.rank < mapping.rank
    assert res.bundle is not None
    first, second = res.bundle.strategies
    assert (first.id, first.gain) == ("eric.use-advisory-boards-and-workgroups", 0.5)
    assert second.gain == pytest.approx(0.5 * 0.5 * (1 - LEVEL_MISMATCH_K))  # r discounted to 0.4
    assert any("'Missing partners' (partnering.missing-partners) sits at partnership level" in w
               for w in res.warnings)


def test_determinant_outside_the_scope_levels_is_warned(shipped: Any) -> None:
    from strategease.selection.scoring import select

    res = select(shipped, _scope(["team"], [{"id": "cfir1.patient-needs-and-resources", "kind": "barrier"}]))
    assert any("sits at system level, outside the scope's levels (team)" in w for w in res.warnings)
    res = select(shipped, _scope([], [{"id": "cfir1.patient-needs-and-resources", "kind": "barrier"}]))
    assert not any("outside the scope's levels" in w for w in res.warnings)


def test_cfir_eric_ignores_levels(shipped: Any) -> None:
    from strategease.selection.scoring import select

    dets = [{"id": "cfir1.reflecting-and-evaluating", "kind": "barrier"}]
    a = select(shipped, _scope([], dets), "cfir-eric", top=0)
    b = select(shipped, _scope(["system"], dets), "cfir-eric", top=0)
    assert [(s.id, s.score) for s in a.strategies] == [(s.id, s.score) for s in b.strategies]


def test_explain_and_report_name_the_level_term(shipped: Any, cli, tmp_path) -> None:
    import yaml

    scope = tmp_path / "scope.yaml"
    scope.write_text(yaml.safe_dump({"title": "T", "change": {"actor": "Nurses", "action": "Screen"},
                                     "level": ["individual"],
                                     "determinants": [{"id": "tdf.knowledge", "kind": "barrier"}]}))
    got = cli("select", scope, "--top", "0", "--format", "json")
    ids = [s["id"] for s in __import__("json").loads(got.out)["strategies"]
           if any(c["rule"] == "level-modifier" for c in s["contributions"])]
    assert ids, "expected at least one strategy acting outside the individual level"
    got = cli("select", scope, "--explain", ids[0], "--format", "markdown")
    assert got.code == 0 and "| — | levels |" in got.out and "level-modifier" in got.out
    out = tmp_path / "r.md"
    got = cli("report", scope, "-o", out, "--top", "0")
    assert got.code == 0, got.err
    assert "Level modifier: the strategy acts at a level the scope does not name" in out.read_text()
