"""Builds-on picks: the bundle names the strengths the plan builds on (docs/scoring.md §6, "Builds-on picks").

A facilitator adds no points and answers no barrier, so the greedy coverage bundle
(:mod:`strategease.selection.bundle`) never reaches it. After its barrier picks, the bundle therefore lists one
**builds-on** pick per important facilitator: the first strategy of that facilitator's "Build on" list that

* is not already in the bundle (a barrier pick, or a strategy already in place, which the bundle credits), and
* passes actor fit and is no part of the change: the "Build on" list already leaves out strategies that are
  excluded, aimed at other actors or part of the innovation, and this rule re-checks them; and
* is not an item of the foundation checklist (a process strategy the barriers do not call for is a step of
  every plan, not a use of this strength; one the existing rules rank is allowed) — except, in a patients' scope,
  one aimed at the patients themselves (involving patients and family members when the family is the strength:
  there it is what is done with the actor, the same exception as for barriers, ``actors.acts_on_own_actor``).
* does not change money or rules (:func:`changes_money_or_rules`): a grant, an outside incentive or a regulator's
  pressure is built on by what people do with it, not re-created.

A pick is marked with the facilitator(s) it builds on and is left out of the coverage gain: it names the strength
used without displacing a barrier answer. Two facilitators whose first eligible strategy is the same share one
entry, which names both. A "Build on" list that comes only through types of HOW (a facilitator with no direct
link: its function-route fallback) gives no pick — a type of HOW is too broad to say what builds on a strength,
the reason §6 prefers direct links — and a note says so. Picks come in the order of their facilitators
(importance, highest first, then id), at most :func:`cap` of them; a facilitator past the cap is named in a note.

Why: the expert re-review after method v2.2 (``docs/validation-review.md``, problem 2) found the strength an
expert builds a plan on (ward champions, a willing family, keen supervisors, an existing coalition) missing from
seven of twelve plans.

Pure functions over the selection's plain data; :func:`strategease.selection.scoring.select` calls
:func:`builds_on_picks` once the bundle is built.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from strategease.catalogue import models as m
from strategease.selection.result import (
    BuildOn,
    BuildsOnPick,
    Contribution,
    DeterminantOut,
    FacilitatorUse,
    Lever,
    SelectionResult,
    StrategyOut,
)
from strategease.selection.routes import Resolution, Route
from strategease.selection.wording import join_unique
from strategease.vocab import Actor

if TYPE_CHECKING:
    from strategease.catalogue.load import Catalogue

BUILDS_ON_MIN_IMPORTANCE = 3.0
"""A facilitator gets a builds-on pick when its importance is at least this. Importance is rated 1–5 in the scope
(default 3, the scale's midpoint; a team's median may fall between whole points), so a facilitator the scope
rates as mattering at least moderately — or does not rate at all — is built on, and one rated 1–2 ("matters
little") is not: the plan should not grow for a strength nobody counts on."""

FINANCIAL_CLUSTER = "cluster.utilize-financial-strategies"
"""The ERIC cluster of money levers (funding, payment schemes, fees, incentives, fee-for-service lists)."""


def changes_money_or_rules(strategy: m.Strategy) -> bool:
    """Whether a strategy changes money or rules: a financial strategy (:data:`FINANCIAL_CLUSTER`) or one aimed at
    policy makers (accreditation, licensure, liability law). Such a strategy is never a builds-on pick. A strength
    of this kind — a grant, an outside incentive, a regulator's pressure — is built on by what people do with it;
    re-creating it is not building on it: the catalogue's links from *External policy and incentives* and
    *Financing* name how to change money and rules (they answer those constructs as barriers), so as levers they
    put a fee-for-service listing or an accreditation change into a plan whose money and rules already help (the
    third and fourth blind scope sets, 2026-12-01: one such pick was judged implausible)."""
    return strategy.cluster == FINANCIAL_CLUSTER or Actor.policy_makers in strategy.targets


BUILDS_ON_MAX = 3
"""At most this many builds-on picks are listed, and never more than the bundle's size (``--bundle N`` counts
the barrier picks; builds-on picks come in addition). Three strengths are as many as a plan usually builds on
by name; a scope with more lists the most important ones and names the rest in a note."""


def cap(size: int) -> int:
    """How many builds-on picks a bundle of SIZE barrier picks may list."""
    return max(0, min(BUILDS_ON_MAX, size))


def is_fallback(levers: Sequence[Lever]) -> bool:
    """Whether a "Build on" list comes only through types of HOW (its facilitator has no direct link)."""
    return bool(levers) and all("function:" in lv.via for lv in levers)


def _use(det: DeterminantOut, lever: Lever, res: Resolution | None) -> FacilitatorUse:
    route = min(res.routes[lever.id], key=Route.key) if res is not None and lever.id in res.routes else None
    sources = join_unique(lk.source for lk in route.links) if route is not None else None
    evidence = join_unique(lk.evidence.value for lk in route.links) if route is not None else None
    return FacilitatorUse(determinant=det.id, name=det.name, importance=det.importance, via=lever.via,
                          strength=lever.strength, source=sources, evidence=evidence)


def builds_on_picks(build_on: Sequence[BuildOn], determinants: Sequence[DeterminantOut],
                    resolutions: Sequence[Resolution], *, in_bundle: Collection[str], checklist: Collection[str],
                    barred: Collection[str], size: int, not_levers: Collection[str] = ()
                    ) -> tuple[list[BuildsOnPick], list[str]]:
    """The builds-on picks of a bundle of SIZE barrier picks, and notes on facilitators that give none.

    BUILD_ON is the selection's "Build on" lists, DETERMINANTS its determinants (for importance and names),
    RESOLUTIONS their routes (for each pick's sources), IN_BUNDLE the barrier picks and the strategies in place,
    CHECKLIST the foundation checklist and BARRED the other strategies that may never be a builds-on pick (aimed at
    other actors, part of the change, excluded); NOT_LEVERS the strategies that change money or rules
    (:func:`changes_money_or_rules`). Deterministic: facilitators are taken by importance (highest first), then id.
    """
    dets = {d.id: d for d in determinants}
    res_of: Mapping[str, Resolution] = {res.entry.id: res for res in resolutions}
    limit = cap(size)
    picks: list[BuildsOnPick] = []
    notes: list[str] = []
    if size <= 0:
        return picks, notes
    lists = [b for b in build_on if b.determinant in dets]
    for b in sorted(lists, key=lambda b: (-dets[b.determinant].importance, b.determinant)):
        det = dets[b.determinant]
        if det.importance < BUILDS_ON_MIN_IMPORTANCE:
            continue
        if is_fallback(b.strategies):
            notes.append(f"no builds-on pick for {det.name}: its 'Build on' list comes only through types of HOW "
                         "(it has no direct link), too broad to say what builds on this strength; choose with "
                         "the team")
            continue
        lever = next((lv for lv in b.strategies if lv.id not in in_bundle and lv.id not in barred
                      and lv.id not in checklist and lv.id not in not_levers), None)
        if lever is None:
            why = "its 'Build on' list is empty" if not b.strategies else "; ".join(
                f"{lv.name} is " + ("already in the bundle" if lv.id in in_bundle else
                                    "on the foundation checklist" if lv.id in checklist else
                                    "a change of money or rules, not a use of this strength" if lv.id in not_levers
                                    else "not to be bundled")
                for lv in b.strategies)
            notes.append(f"no builds-on pick for {det.name}: {why}")
            continue
        use = _use(det, lever, res_of.get(det.id))
        shared = next((p for p in picks if p.id == lever.id), None)
        if shared is not None:
            shared.facilitators.append(use)
        elif len(picks) < limit:
            picks.append(BuildsOnPick(id=lever.id, name=lever.name, facilitators=[use]))
        else:
            notes.append(f"no builds-on pick for {det.name}: the bundle lists at most {limit} "
                         f"(its first would be {lever.name})")
    return picks, notes


def unranked_pick(result: SelectionResult, cat: Catalogue, strategy_id: str) -> StrategyOut | None:
    """A builds-on pick that is neither ranked nor in place, as a strategy to explain (``--explain``): no points,
    one ``builds-on`` term per facilitator it uses (value 0, with the route and its sources). None for any
    other strategy (explained as usual)."""
    b = result.bundle
    if b is None or any(s.id == strategy_id for s in (*result.strategies, *result.already_in_place)):
        return None
    pick = next((p for p in b.builds_on or [] if p.id == strategy_id), None)
    if pick is None or strategy_id not in cat.strategies:
        return None
    st = cat.strategies[strategy_id]
    terms = [Contribution(determinant=f.determinant, via=f.via, strength=f.strength, weight=None, value=0.0,
                          source=f.source, evidence=f.evidence, rule="builds-on",
                          note=f"facilitator (importance {f.importance:g}): a strength to build on, no points")
             for f in pick.facilitators]
    evidence = sorted({e.strip() for f in pick.facilitators for e in (f.evidence or "").split(";") if e.strip()})
    return StrategyOut(rank=0, id=st.id, name=st.name, framework=st.framework, cluster=st.cluster, score=0.0,
                       contributions=terms, determinants=[], functions=[], evidence=evidence,
                       targets=[a.value for a in st.targets])


__all__ = ["BUILDS_ON_MAX", "BUILDS_ON_MIN_IMPORTANCE", "FINANCIAL_CLUSTER", "builds_on_picks", "cap",
           "changes_money_or_rules", "is_fallback", "unranked_pick"]
