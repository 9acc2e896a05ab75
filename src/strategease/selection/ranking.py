"""The ranking rule of method ``default``, in one place: balance, pruning, fit over breadth, level, coverage.

:func:`build_table` turns the resolved routes of a scope's barriers (:mod:`strategease.selection.routes`)
into plain tuples once; :func:`rank` scores every eligible strategy from that table. ``select``
ranks with the table as it is; ``--stability`` re-ranks it with perturbed weights and link
factors, and the structural check with one curated link left out — the same function each time,
so the rule exists once (docs/scoring.md, sections 4–6). Coverage: the places are filled one at a time,
each term discounted by how far the strategies above already address its barrier (maximal marginal relevance),
equal scores ordered by the evidence kind of the lead term. Pure: never prints.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter, itemgetter
from typing import NamedTuple

from strategease.catalogue import models as m
from strategease.catalogue.reach import EVIDENCE_ORDER
from strategease.selection.routes import DECIMALS, Resolution, Route, q

PRUNE_BELOW = 0.25
BREADTH_DECAY = 0.25
LEVEL_MISMATCH_K = 0.2
NOVELTY_DECAY = 0.7
COVER_POWER = 2
BROAD_COVER = 0.5
NOVELTY_PLACES = 100

LinkKey = tuple[str, str, str]
_SCALE = 10**DECIMALS  # q()'s micro-units, for the one place q is written out (_term_values)


@dataclass(frozen=True)
class Table:
    """A scope's barrier routes as plain data: what :func:`rank` scores."""

    det_ids: tuple[str, ...]  # the barriers, scope order
    weights: tuple[float, ...]
    routes: tuple[dict[str, tuple[Route, ...]], ...]  # per barrier: strategy -> its routes
    eligible: frozenset[str]  # strategies that may be ranked (and bundled)
    in_place: tuple[str, ...]  # strategies already in place: scored, listed apart, preselected in the bundle
    mismatch: frozenset[str]  # strategies whose levels miss the scope's

    @cached_property
    def id_order(self) -> tuple[int, ...]:
        """Each barrier's place in the barriers sorted by id (scope order among equal ids): terms of equal value are
        ordered by it, i.e. by id, not scope order, and a plain sort of (value, place) tuples does it."""
        by_id = sorted(range(len(self.det_ids)), key=lambda i: (self.det_ids[i], i))
        order = [0] * len(by_id)
        for place, i in enumerate(by_id):
            order[i] = place
        return tuple(order)


@dataclass(frozen=True)
class LinkIndex:
    """Every link on the table's routes, numbered in (from, kind, to) order, and each route's link numbers
    (built only when links are perturbed: ``--stability``)."""

    keys: tuple[LinkKey, ...]
    routes: tuple[dict[str, tuple[tuple[int, ...], ...]], ...]  # parallel to Table.routes


def index_links(table: Table) -> LinkIndex:
    keys: set[LinkKey] = set()
    for per in table.routes:
        for routes in per.values():
            for route in routes:
                keys.update((lk.from_, lk.kind.value, lk.to) for lk in route.links)
    ordered = tuple(sorted(keys))
    position = {key: i for i, key in enumerate(ordered)}
    return LinkIndex(ordered, tuple({sid: tuple(tuple(position[(lk.from_, lk.kind.value, lk.to)] for lk in r.links)
                                               for r in routes) for sid, routes in per.items()}
                                    for per in table.routes))


class Term(NamedTuple):
    """One determinant's part of a strategy's score (a tuple: a large table's ranking builds ~10^4)."""

    value_q: int  # micro-units
    det: int  # index into Table.det_ids
    route: Route
    strength: float  # r(d, s): the best route's strength (perturbed when factors are given)
    relative: float  # r(d, s) / best r(d, ·): balance
    breadth: float  # BREADTH_DECAY ** (k - 1) for the k-th largest term: fit over breadth
    novelty: float = 1.0  # NOVELTY_DECAY ** (strategy-equivalents placed above that address this barrier)


@dataclass(frozen=True)
class Scored:
    total_q: int
    base_q: int
    level_q: int
    id: str
    terms: tuple[Term, ...]
    covers: dict[str, float]  # determinant -> route strength r(d, s) for the bundle (level discount applied)
    tier: int = 0  # evidence kind of the lead term's route (EVIDENCE_ORDER): orders equal scores before the id


def build_table(resolutions: Sequence[Resolution], eligible: set[str], in_place: Sequence[str],
                mismatch: set[str], unfit: frozenset[tuple[str, str]] = frozenset()) -> Table:
    """The barriers' routes to eligible and in-place strategies, except the (barrier, strategy) pairs in UNFIT
    (actor fit: a setting strategy for a recipient's own individual barrier)."""
    keep = eligible | set(in_place)
    barriers = [res for res in resolutions if res.entry.kind.value == "barrier"]
    tables = [{sid: tuple(res.routes[sid]) for sid in sorted(res.routes)
               if sid in keep and not (unfit and (res.entry.id, sid) in unfit)} for res in barriers]
    return Table(tuple(res.entry.id for res in barriers), tuple(res.weight for res in barriers), tuple(tables),
                 frozenset(eligible), tuple(in_place), frozenset(mismatch & keep))


def _best(routes: tuple[Route, ...], idx: tuple[tuple[int, ...], ...] | None, factors: Sequence[float] | None,
          drop: m.Link | None) -> tuple[float, Route] | None:
    best: tuple[float, Route] | None = None
    for k, route in enumerate(routes):
        if drop is not None and any(lk is drop for lk in route.links):
            continue
        r = route.strength
        if factors is not None and idx is not None:
            for i in idx[k]:
                r *= factors[i]
            r = min(r, 1.0)
        if r <= 0:
            continue
        # (-r, preference, via) < the best's, written out: no key tuples built for the ~10^5 routes of a large table
        if best is None or r > best[0] or (r == best[0] and (route.preference, route.via) < (best[1].preference,
                                                                                               best[1].via)):
            best = (r, route)
    return best


def rank(table: Table, weights: Sequence[float] | None = None, factors: Sequence[float] | None = None,
         links: LinkIndex | None = None, drop: m.Link | None = None) -> tuple[list[Scored], list[Scored]]:
    """Score every strategy of TABLE; return (ranked eligible strategies, in-place strategies).

    WEIGHTS replace the barriers' weights and FACTORS multiply each link's strength, numbered by LINKS
    (``--stability``); DROP leaves one link out (the structural check). Ranked by score, then id.
    """
    weights = table.weights if weights is None else weights
    # per barrier: each strategy's best route, and the best over all strategies (balance)
    bests: list[dict[str, tuple[float, Route]]] = []
    if factors is not None and links is None:
        raise ValueError("link factors need the table's link index")
    for n, per in enumerate(table.routes):
        found = {}
        idx_of = links.routes[n] if links is not None else None
        for sid, rows in per.items():
            if len(rows) == 1 and idx_of is None and drop is None:  # most pairs: one route, as it is (_best)
                route = rows[0]
                if route.strength > 0:
                    found[sid] = (route.strength, route)
                continue
            b = _best(rows, idx_of[sid] if idx_of is not None else None, factors, drop)
            if b is not None:
                found[sid] = b
        bests.append(found)
    tops = [max(map(itemgetter(0), found.values()), default=0.0) for found in bests]
    raw: dict[str, list[tuple[float, int, float, float, Route]]] = {}
    for i, found in enumerate(bests):
        top = tops[i]
        if top <= 0:
            continue
        for sid, (r, route) in found.items():
            rel = r / top
            if rel < PRUNE_BELOW:
                continue
            raw.setdefault(sid, []).append((weights[i] * rel, i, r, rel, route))
    in_place = set(table.in_place)
    placed = [s for s in (_score(table, sid, raw.get(sid, []), None) for sid in sorted(in_place)) if s is not None]
    placed.sort(key=_order)
    covered = Coverage.empty(len(table.det_ids))
    for s in placed:
        covered.add(s)
    return _order_by_novelty(table, raw, sorted(set(raw) - in_place), covered), placed


def _order(s: Scored) -> tuple[int, int, str]:
    """Score descending; equal scores by the kind of evidence behind the lead term, then by id."""
    return (-s.total_q, s.tier, s.id)


@dataclass
class Coverage:
    """How far the strategies placed so far address each barrier, in strategy-equivalents: each placed
    strategy adds ``relative ** COVER_POWER`` per barrier of its terms. ``any`` counts every route; ``named`` counts
    a route through a type of HOW (function or parent) × BROAD_COVER. A term through a type of HOW is discounted
    by ``any`` (generic variants crowd each other out); a term of a direct link by ``named``: a type of HOW widens
    the list but is not a named answer to the barrier, so it must not push the specific remedy down as if the
    barrier were dealt with."""

    any: list[float]
    named: list[float]
    # each barrier's novelty factor under ``any`` and under ``named`` (:func:`_novelty` of the count), kept up to
    # date by add(): the queue of _order_by_novelty reads them for every term it recomputes
    any_novelty: list[float]
    named_novelty: list[float]

    @classmethod
    def empty(cls, n: int) -> Coverage:
        return cls([0.0] * n, [0.0] * n, [1.0] * n, [1.0] * n)

    def add(self, s: Scored) -> None:
        for t in s.terms:
            share = t.relative ** COVER_POWER
            self.any[t.det] += share
            self.named[t.det] += share if t.route.function is None else share * BROAD_COVER
            self.any_novelty[t.det] = _novelty(self.any[t.det])
            self.named_novelty[t.det] = _novelty(self.named[t.det])


def _novelty(c: float) -> float:
    """``NOVELTY_DECAY ** c``: the factor of a term whose barrier is already addressed by c strategy-equivalents."""
    return NOVELTY_DECAY ** c if c > 0 else 1.0


_EVIDENCE_PLACE = {e: i for i, e in enumerate(EVIDENCE_ORDER)}
_evidence = attrgetter("evidence")


def _tier(route: Route) -> int:
    """The kind of evidence of a route's weakest link, as a position in the catalogue's EVIDENCE_ORDER (lower =
    stronger). Each link's own kind: a published "Level 1 or 2" bound kept on a graded link is not counted, so it
    does not break ties either (bounds are not scores). Read by C-level calls: the queue asks thousands of times."""
    if not route.links:
        return len(EVIDENCE_ORDER)
    return max(map(_EVIDENCE_PLACE.__getitem__, map(_evidence, route.links)))


def _term_values(table: Table, raw: list[tuple[float, int, float, float, Route]],
                 covered: Coverage | None) -> list[tuple[int, int, Route, float, float, float, float]]:
    """A strategy's terms, largest first, as plain tuples in :class:`Term`'s field order. Each ``w_d × relative``
    is first multiplied by ``NOVELTY_DECAY ** c_d`` (c_d: how many strategy-equivalents placed above already
    address its barrier, :class:`Coverage`; none when COVERED is None); the k-th term then counts
    ``BREADTH_DECAY ** (k − 1)``."""
    # this runs thousands of times in a large table's queue (_order_by_novelty): the novelty factor (a type of HOW
    # reads Coverage.any_novelty, a direct link Coverage.named_novelty) and q are written out, and the terms are
    # sorted as plain tuples (value descending, then barrier id: Table.id_order)
    order = table.id_order
    items = []
    if covered is None:
        for value, i, r, rel, route in raw:
            items.append((-value, order[i], i, r, rel, route, 1.0))
    else:
        any_, named = covered.any_novelty, covered.named_novelty
        for value, i, r, rel, route in raw:
            novelty = any_[i] if route.function is not None else named[i]
            items.append((-(value * novelty), order[i], i, r, rel, route, novelty))
    items.sort()  # (value, place) tuples are distinct: the routes after them are never compared
    terms = []
    factor = 1.0
    for neg_value, _, i, r, rel, route, novelty in items:
        value_q = round(-neg_value * factor * _SCALE)  # q(value × factor)
        if value_q <= 0:  # the values fall and the factors shrink (rounding is monotone): every later term is 0 too
            break
        terms.append((value_q, i, route, r, rel, factor, novelty))
        factor *= BREADTH_DECAY
    return terms


def _terms(table: Table, raw: list[tuple[float, int, float, float, Route]],
           covered: Coverage | None) -> list[Term]:
    """A strategy's terms (:func:`_term_values`) as :class:`Term` objects."""
    return [Term(*values) for values in _term_values(table, raw, covered)]


def _level_q(table: Table, sid: str, base_q: int) -> int:
    """The level modifier: − LEVEL_MISMATCH_K of the base score for a strategy at none of the scope's levels."""
    return q(-base_q / 1e6 * LEVEL_MISMATCH_K) if sid in table.mismatch and base_q > 0 else 0


def _score(table: Table, sid: str, raw: list[tuple[float, int, float, float, Route]],
           covered: Coverage | None) -> Scored | None:
    """One strategy's score: the sum of its :func:`_terms`, plus the level modifier."""
    terms = _terms(table, raw, covered)
    base_q = sum(t.value_q for t in terms)
    if base_q <= 0 and sid not in table.in_place:
        return None
    level_q = _level_q(table, sid, base_q)
    keep = 1.0 - LEVEL_MISMATCH_K if sid in table.mismatch else 1.0
    # the bundle reads r(d, s) as the chance that s deals with d; a strategy's further barriers count with the same
    # fit-over-breadth factor as in its own fit (largest w_d × relative first), so breadth does not win picks there
    order = table.id_order  # largest w_d × relative first, equal ones by barrier id (as _term_values orders them)
    fit_rank = {i: k for k, (_, _, i) in enumerate(sorted((-value, order[i], i) for value, i, *_rest in raw))}
    covers = {table.det_ids[t.det]: t.strength * keep * BREADTH_DECAY ** fit_rank[t.det] for t in terms}
    tier = _tier(terms[0].route) if terms else len(EVIDENCE_ORDER)
    return Scored(base_q + level_q, base_q, level_q, sid, tuple(terms), covers, tier)


def _key(table: Table, sid: str, raw: list[tuple[float, int, float, float, Route]],
         covered: Coverage) -> tuple[int, int] | None:
    """(score, evidence tier) of :func:`_score`, for the queue of :func:`_order_by_novelty` (which recomputes
    many more scores than it places) without the bundle's coverage map, nor Term objects."""
    terms = _term_values(table, raw, covered)
    base_q = sum(t[0] for t in terms)
    if base_q <= 0:
        return None
    return base_q + _level_q(table, sid, base_q), _tier(terms[0][2])


def _order_by_novelty(table: Table, raw: dict[str, list[tuple[float, int, float, float, Route]]],
                      candidates: list[str], covered: Coverage) -> list[Scored]:
    """Place the strategies one at a time: each place goes to the largest score given the strategies above it
    (maximal marginal relevance, Carbonell & Goldstein 1998). Scores only fall as places fill, so a score
    computed earlier is an upper bound, and only a queue head whose barriers were covered since it was computed
    is recomputed (lazy greedy)."""
    heap: list[tuple[int, int, str, int]] = []
    for sid in candidates:
        key = _key(table, sid, raw[sid], covered)
        if key is not None:
            heap.append((-key[0], key[1], sid, 0))
    heapq.heapify(heap)
    changed = [0] * len(table.det_ids)  # the place count when each barrier's coverage last grew
    barriers = {sid: [i for _v, i, *_rest in raw[sid]] for sid in candidates}  # each candidate's barriers (some)
    placed = 0
    ranked: list[Scored] = []
    while heap and placed < NOVELTY_PLACES:
        _, _, sid, seen = heapq.heappop(heap)
        if max(map(changed.__getitem__, barriers[sid])) > seen:  # stale: recompute, queue again
            key = _key(table, sid, raw[sid], covered)
            if key is not None:
                heapq.heappush(heap, (-key[0], key[1], sid, placed))
            continue
        s = _score(table, sid, raw[sid], covered)
        if s is None:
            continue
        ranked.append(s)
        placed += 1
        covered.add(s)
        for t in s.terms:
            changed[t.det] = placed
    # beyond NOVELTY_PLACES the rest follow by their score given the coverage of the places above (no longer
    # recomputed place by place: nobody reads that far, and a catalogue of 100 000 links queues thousands)
    rest = [x for x in (_score(table, sid, raw[sid], covered) for _, _, sid, _ in heap) if x is not None]
    return ranked + sorted(rest, key=_order)


def bundle_routes(ranked: Sequence[Scored], placed: Sequence[Scored]) -> dict[str, dict[str, float]]:
    """``routes[strategy][determinant]`` for the greedy bundle: the routes the score counts (pruned ones left
    out), at their own strength r(d, s) — read as the chance that s deals with d, so not rescaled."""
    return {s.id: s.covers for s in (*ranked, *placed)}


__all__ = ["BREADTH_DECAY", "BROAD_COVER", "COVER_POWER", "Coverage", "LEVEL_MISMATCH_K", "NOVELTY_DECAY",
           "NOVELTY_PLACES", "PRUNE_BELOW", "LinkIndex", "Scored", "Table", "Term", "build_table", "bundle_routes",
           "index_links", "rank"]
