"""Ranking stability: how far the ranking and the bundle survive small changes to the inputs.

Weights (importance × changeability) are judgements and link strengths are often expert opinion,
so a ranking that flips under small changes to them should be read as a tie. :func:`run`
repeats the ``default`` scoring ``runs`` times with perturbed inputs and counts, per strategy,
how often it stays in the top k and in the bundle. The perturbation model (also in
``docs/scoring.md``):

* **weights** — each run draws every scope determinant's importance and changeability uniformly
  from ``[x − WEIGHT_JITTER, x + WEIGHT_JITTER]`` (1 point: ratings are whole numbers, so a
  rating of 4 means "about 3 to 5"), widened to cover every rater's rating when team ratings are
  given (the team's own disagreement), clipped to 1–5; ``w_d`` is recomputed from them;
* **links** — every catalogue link on a route gets a factor drawn uniformly from
  ``[1 − LINK_JITTER, 1 + LINK_JITTER]`` (±25 %); a route's strength is multiplied by the
  factors of all its links (a crosswalk, a ``calls-for`` and a ``delivers`` link each count) and
  clipped to 1; one factor per link per run, shared by every route through that link;
* everything else (best route per determinant, facilitator rule, ratings and level modifiers,
  exclusions, strategies in place, greedy bundle) is exactly as in the unperturbed selection.

Draws come from Python's Mersenne Twister seeded with ``seed`` (default :data:`DEFAULT_SEED`),
in a fixed order — per run, the determinants in scope order (importance, then changeability),
then the links sorted by (from, kind, to) — so the same inputs and seed give the same counts on
every machine. A strategy in the unperturbed top k (or bundle) that stays there in fewer than
``UNSTABLE_BELOW`` (80 %) of the runs is flagged **unstable**.

Pure: never prints; an optional ``progress(done, total)`` callback lets the CLI draw a bar.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from strategease.bundle import greedy_bundle
from strategease.catalogue import Catalogue
from strategease.result import SelectionResult, StabilityOut, StabilityRow, TeamRatingsOut
from strategease.scope import LoadedScope
from strategease.scoring import (
    LEVEL_MISMATCH_K,
    LinkIndex,
    level_mismatch,
    modifier_values,
    q,
    ratings_factor,
    resolve,
    weight,
)

WEIGHT_JITTER = 1.0
"""± points drawn around each importance and changeability rating."""
LINK_JITTER = 0.25
"""± share of each link's strength."""
UNSTABLE_BELOW = 0.8
"""A strategy in the unperturbed top k (or bundle) is unstable when it stays there in fewer runs than this."""
DEFAULT_SEED = 20240601
MAX_RUNS = 100_000

MODEL = (f"each run draws every determinant's importance and changeability uniformly within ±{WEIGHT_JITTER:g} "
         "point (widened to the raters' range when team ratings are given; clipped to 1–5) and multiplies every "
         f"link's strength by a factor drawn uniformly from {1 - LINK_JITTER:g} to {1 + LINK_JITTER:g} (route "
         "strengths clipped to 1); the same seed gives the same runs")

Progress = Callable[[int, int], None]
LinkKey = tuple[str, str, str]


@dataclass(frozen=True)
class _Candidate:
    id: str
    # per scope determinant (index) reached: its routes as (strength, indices of the route's links)
    routes: tuple[tuple[int, tuple[tuple[float, tuple[int, ...]], ...]], ...]
    ratings: float | None
    mismatch: bool
    in_place: bool


@dataclass(frozen=True)
class _Outcome:
    ranked: list[str]
    bundle: list[str]


class _Model:
    """The scope's routes, resolved once; :meth:`evaluate` scores them under given weights and link factors."""

    def __init__(self, cat: Catalogue, loaded: LoadedScope) -> None:
        sc = loaded.scope
        self.scope = sc
        excluded = set(sc.constraints.exclude)
        self.in_place = [s for s in sc.constraints.already_in_place if s in cat.strategies]
        index = LinkIndex(cat)
        self.resolutions = [resolve(cat, d, index) for d in sc.determinants]
        self.det_ids = [r.entry.id for r in self.resolutions]
        keys: set[LinkKey] = set()
        for res in self.resolutions:
            for routes in res.routes.values():
                for route in routes:
                    keys.update((lk.from_, lk.kind.value, lk.to) for lk in route.links)
        self.link_keys = sorted(keys)
        position = {key: i for i, key in enumerate(self.link_keys)}
        levels = [lv.value for lv in sc.level]
        ids = sorted({s for res in self.resolutions for s in res.routes} | set(self.in_place))
        self.candidates: list[_Candidate] = []
        for sid in ids:
            if sid in excluded or sid not in cat.strategies:
                continue
            per_det = []
            for i, res in enumerate(self.resolutions):
                reached = res.routes.get(sid) or []
                if reached:
                    per_det.append((i, tuple((r.strength, tuple(position[(lk.from_, lk.kind.value, lk.to)]
                                                                for lk in r.links)) for r in reached)))
            st = cat.strategies[sid]
            self.candidates.append(_Candidate(sid, tuple(per_det), ratings_factor(st), level_mismatch(st, levels),
                                              sid in set(self.in_place)))

    def base_weights(self) -> list[float]:
        return [r.weight for r in self.resolutions]

    def evaluate(self, weights: Sequence[float], factors: Sequence[float] | None, size: int) -> _Outcome:
        scored: list[tuple[int, str]] = []
        bundle_routes: dict[str, dict[str, float]] = {}
        for cand in self.candidates:
            base_q = 0
            covers: dict[str, float] = {}
            for i, routes in cand.routes:
                best = 0.0
                for strength, links in routes:
                    r = strength
                    if factors is not None:
                        for li in links:
                            r *= factors[li]
                    best = max(best, min(r, 1.0))
                value = q(weights[i] * best)
                if value > 0:
                    base_q += value
                    covers[self.det_ids[i]] = best
            if base_q <= 0 and not cand.in_place:
                continue
            total = base_q + sum(modifier_values(base_q, cand.ratings, cand.mismatch))
            if cand.mismatch:
                covers = {d: r * (1.0 - LEVEL_MISMATCH_K) for d, r in covers.items()}
            bundle_routes[cand.id] = covers
            if not cand.in_place:
                scored.append((total, cand.id))
        scored.sort(key=lambda t: (-t[0], t[1]))
        picks: list[str] = []
        if size > 0:
            det_weights = dict(zip(self.det_ids, weights, strict=True))
            picks = list(greedy_bundle(det_weights, bundle_routes, size, self.in_place).ids)
        return _Outcome([sid for _, sid in scored], picks)


def _bounds(value: float, rated: tuple[int | None, int | None]) -> tuple[float, float]:
    lo, hi = value - WEIGHT_JITTER, value + WEIGHT_JITTER
    if rated[0] is not None:
        lo = min(lo, rated[0])
    if rated[1] is not None:
        hi = max(hi, rated[1])
    return max(1.0, lo), min(5.0, hi)


def _pct(share: float) -> str:
    return f"{share * 100:.4g} %"


def run(cat: Catalogue, loaded: LoadedScope, result: SelectionResult, *, runs: int, top_k: int, bundle_size: int,
        seed: int = DEFAULT_SEED, team: TeamRatingsOut | None = None,
        progress: Progress | None = None) -> tuple[StabilityOut, list[str]]:
    """Perturb weights and link strengths RUNS times (seeded); count top-k and bundle membership.

    LOADED is the scope actually scored (team ratings already applied); TEAM widens the weight
    bounds to the raters' range. Returns the section and its warnings (one per unstable strategy).
    """
    model = _Model(cat, loaded)
    names = {s: cat.strategies[s].name for s in (c.id for c in model.candidates)}
    baseline = model.evaluate(model.base_weights(), None, bundle_size)
    base_rank = {sid: i for i, sid in enumerate(baseline.ranked, 1)}
    base_top = set(baseline.ranked[:top_k])
    base_bundle = set(baseline.bundle)
    spread: dict[str, tuple[int | None, int | None, int | None, int | None]] = {}
    if team is not None:
        for d in team.determinants:
            spread[d.id] = (d.importance.min, d.importance.max, d.changeability.min, d.changeability.max)
    bounds = []
    for res in model.resolutions:
        lo_i, hi_i, lo_c, hi_c = spread.get(res.entry.id, (None, None, None, None))
        bounds.append((_bounds(float(res.entry.importance), (lo_i, hi_i)),
                       _bounds(float(res.entry.changeability), (lo_c, hi_c))))
    rng = random.Random(seed)
    top_runs: dict[str, int] = {}
    bundle_runs: dict[str, int] = {}
    ranks: dict[str, list[int]] = {}
    for done in range(1, runs + 1):
        weights = []
        for (ilo, ihi), (clo, chi) in bounds:
            weights.append(weight(rng.uniform(ilo, ihi), rng.uniform(clo, chi)))
        factors = [rng.uniform(1.0 - LINK_JITTER, 1.0 + LINK_JITTER) for _ in model.link_keys]
        outcome = model.evaluate(weights, factors, bundle_size)
        for i, sid in enumerate(outcome.ranked, 1):
            ranks.setdefault(sid, []).append(i)
        for sid in outcome.ranked[:top_k]:
            top_runs[sid] = top_runs.get(sid, 0) + 1
        for sid in outcome.bundle:
            bundle_runs[sid] = bundle_runs.get(sid, 0) + 1
        if progress is not None:
            progress(done, runs)
    shown = sorted(base_top | base_bundle | set(top_runs) | set(bundle_runs),
                   key=lambda s: (base_rank.get(s, math.inf), -top_runs.get(s, 0), s))
    rows: list[StabilityRow] = []
    warnings: list[str] = []
    for sid in shown:
        top_share = round(top_runs.get(sid, 0) / runs, 4)
        bundle_share = round(bundle_runs.get(sid, 0) / runs, 4)
        reasons = []
        if sid in base_top and top_share < UNSTABLE_BELOW:
            reasons.append(f"in the top {top_k} in {_pct(top_share)} of runs")
        if sid in base_bundle and bundle_share < UNSTABLE_BELOW:
            reasons.append(f"in the bundle in {_pct(bundle_share)} of runs")
        seen = ranks.get(sid, [])
        rows.append(StabilityRow(
            id=sid, name=names.get(sid, sid), baseline_rank=base_rank.get(sid), in_baseline_top=sid in base_top,
            in_baseline_bundle=sid in base_bundle, top_runs=top_runs.get(sid, 0), top_share=top_share,
            bundle_runs=bundle_runs.get(sid, 0), bundle_share=bundle_share,
            rank_median=float(statistics.median(seen)) if seen else None, rank_min=min(seen) if seen else None,
            rank_max=max(seen) if seen else None, unstable=bool(reasons), reasons=reasons))
        if reasons:
            warnings.append(f"unstable: '{names.get(sid, sid)}' ({sid}) is {' and '.join(reasons)} "
                            f"({runs} perturbed runs, seed {seed}); treat its place as uncertain")
    out = StabilityOut(runs=runs, seed=seed, top_k=top_k, bundle_size=bundle_size, weight_jitter=WEIGHT_JITTER,
                       link_jitter=LINK_JITTER, threshold=UNSTABLE_BELOW, model=MODEL, strategies=rows,
                       unstable=[r.id for r in rows if r.unstable])
    return out, warnings


def baseline_ranking(cat: Catalogue, loaded: LoadedScope, bundle_size: int) -> tuple[list[str], list[str]]:
    """The unperturbed ranking and bundle as this module computes them (tests check they equal select's)."""
    model = _Model(cat, loaded)
    outcome = model.evaluate(model.base_weights(), None, bundle_size)
    return outcome.ranked, outcome.bundle


__all__ = ["DEFAULT_SEED", "LINK_JITTER", "MAX_RUNS", "MODEL", "UNSTABLE_BELOW", "WEIGHT_JITTER",
           "baseline_ranking", "run"]
