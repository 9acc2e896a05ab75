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

from strategease.selection.bundle import greedy_bundle
from strategease.selection.ranking import LinkIndex, Table, bundle_routes, index_links, rank
from strategease.selection.result import StabilityOut, StabilityRow, TeamRatingsOut
from strategease.selection.routes import weight
from strategease.selection.scope import LoadedScope

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


@dataclass(frozen=True)
class _Outcome:
    ranked: list[str]
    bundle: list[str]


def _evaluate(table: Table, links: LinkIndex, weights: Sequence[float], factors: Sequence[float] | None,
              size: int) -> _Outcome:
    """Rank TABLE with these weights and link factors through :func:`strategease.selection.ranking.rank` (the rule
    ``select`` uses), then build the bundle from the same relative strengths."""
    ranked, placed = rank(table, weights, factors, links)
    picks: list[str] = []
    if size > 0:
        det_weights = dict(zip(table.det_ids, weights, strict=True))
        picks = list(greedy_bundle(det_weights, bundle_routes(ranked, placed), size,
                                   [s.id for s in placed]).ids)
    return _Outcome([s.id for s in ranked], picks)


def _bounds(value: float, rated: tuple[int | None, int | None]) -> tuple[float, float]:
    lo, hi = value - WEIGHT_JITTER, value + WEIGHT_JITTER
    if rated[0] is not None:
        lo = min(lo, rated[0])
    if rated[1] is not None:
        hi = max(hi, rated[1])
    return max(1.0, lo), min(5.0, hi)


def _pct(share: float) -> str:
    return f"{share * 100:.4g} %"


def run(table: Table, loaded: LoadedScope, names: dict[str, str], *, runs: int, top_k: int, bundle_size: int,
        seed: int = DEFAULT_SEED, team: TeamRatingsOut | None = None,
        progress: Progress | None = None) -> tuple[StabilityOut, list[str]]:
    """Perturb weights and link strengths RUNS times (seeded); count top-k and bundle membership.

    TABLE is the ranking table ``select`` built (its resolved routes, eligible strategies, in place);
    LOADED the scope actually scored (team ratings already applied); TEAM widens the weight bounds
    to the raters' range. Returns the section and its warnings (one per unstable strategy).
    """
    links = index_links(table)
    baseline = _evaluate(table, links, table.weights, None, bundle_size)
    base_rank = {sid: i for i, sid in enumerate(baseline.ranked, 1)}
    base_top = set(baseline.ranked[:top_k])
    base_bundle = set(baseline.bundle)
    spread: dict[str, tuple[int | None, int | None, int | None, int | None]] = {}
    if team is not None:
        for d in team.determinants:
            spread[d.id] = (d.importance.min, d.importance.max, d.changeability.min, d.changeability.max)
    entries = {d.id: d for d in loaded.scope.determinants}
    bounds = []
    for det_id in table.det_ids:
        entry = entries[det_id]
        lo_i, hi_i, lo_c, hi_c = spread.get(det_id, (None, None, None, None))
        bounds.append((_bounds(float(entry.importance), (lo_i, hi_i)),
                       _bounds(float(entry.changeability), (lo_c, hi_c))))
    rng = random.Random(seed)
    top_runs: dict[str, int] = {}
    bundle_runs: dict[str, int] = {}
    ranks: dict[str, list[int]] = {}
    for done in range(1, runs + 1):
        weights = []
        for (ilo, ihi), (clo, chi) in bounds:
            weights.append(weight(rng.uniform(ilo, ihi), rng.uniform(clo, chi)))
        factors = [rng.uniform(1.0 - LINK_JITTER, 1.0 + LINK_JITTER) for _ in links.keys]
        outcome = _evaluate(table, links, weights, factors, bundle_size)
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


CONTENDER_SHARE = 0.2
"""Outside the unperturbed top k and bundle, a strategy that reaches either in this share of runs is a contender."""


def shown(row: StabilityRow) -> bool:
    """Whether a stability row is worth showing: in the unperturbed top k or bundle, or a contender."""
    return (row.in_baseline_top or row.in_baseline_bundle or row.top_share >= CONTENDER_SHARE
            or row.bundle_share >= CONTENDER_SHARE)


def verdict(row: StabilityRow) -> str:
    """The one wording of a row's verdict: 'unstable: <reasons>', 'stable' or 'contender'."""
    if row.unstable:
        return "unstable: " + "; ".join(row.reasons)
    return "stable" if row.in_baseline_top or row.in_baseline_bundle else "contender"


__all__ = ["CONTENDER_SHARE", "DEFAULT_SEED", "LINK_JITTER", "MAX_RUNS", "MODEL", "UNSTABLE_BELOW", "WEIGHT_JITTER",
           "run", "shown", "verdict"]
