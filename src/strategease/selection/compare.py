"""Compare two scenarios: two scopes, or one scope under two sets of team ratings (pure core).

:func:`compare` takes two :class:`~strategease.selection.result.SelectionResult`\\ s (A, then B) computed
with the whole ranking (``top=0``) and says, for the top ``k`` of either, which strategies
**rise**, **fall**, **enter** or **leave** the top k going from A to B, or stay put (**same**),
and which enter or leave the **bundle** (a strategy in neither top k that does is listed as
**outside**); which determinant weights differ; and the warnings only one side has. Rows are ordered
by B's rank (strategies that leave the top k follow, by A's rank), ties by id, so the same inputs
give the same comparison. Never prints.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from strategease.catalogue.diff import TOP as DIFF_TOP
from strategease.catalogue.diff import ScopeEffect, Side, rank_moves
from strategease.selection.result import SelectionResult, StrategyOut

DEFAULT_TOP = 10
CHANGES = ("enter", "rise", "same", "fall", "leave", "outside")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SideInfo(_Out):
    label: str  # what distinguishes the side: a scope path, or a ratings path
    scope: str
    ratings: str | None = None
    title: str
    top: list[str]  # ids of the top k, best first
    bundle: list[str]


class Row(_Out):
    id: str
    name: str
    change: str  # enter | rise | same | fall | leave (top k, A -> B); outside: in neither top k (a bundle change)
    a_rank: int | None  # None: not ranked at all on that side
    b_rank: int | None
    a_score: float | None
    b_score: float | None
    a_bundle: bool
    b_bundle: bool
    bundle_change: str | None = None  # "enter" | "leave" | None


class WeightChange(_Out):
    id: str
    name: str
    a: float | None  # None: not in that side's scope
    b: float | None


class Comparison(_Out):
    method: str
    top_k: int
    a: SideInfo
    b: SideInfo
    rows: list[Row]
    bundle_entered: list[str] = Field(default_factory=list)
    bundle_left: list[str] = Field(default_factory=list)
    bundle_kept: list[str] = Field(default_factory=list)
    weights: list[WeightChange] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)  # warnings of one side only, prefixed "A: " or "B: "

    def summary(self) -> str:
        parts = [f"{self.counts.get(c, 0)} {c}" for c in CHANGES if c not in ("same", "outside") and self.counts.get(c)]
        moves = ", ".join(parts) if parts else "no change"
        bundle = (f"bundle: {len(self.bundle_entered)} in, {len(self.bundle_left)} out"
                  if self.bundle_entered or self.bundle_left else "bundle unchanged")
        return f"top {self.top_k}: {moves}; {bundle}"


def _side(result: SelectionResult, label: str, k: int) -> SideInfo:
    tr = result.team_ratings
    return SideInfo(label=label, scope=result.scope.path, ratings=tr.path if tr else None, title=result.scope.title,
                    top=[s.id for s in result.strategies[:k]],
                    bundle=[b.id for b in result.bundle.strategies] if result.bundle else [])


def compare(a: SelectionResult, b: SelectionResult, *, top: int = DEFAULT_TOP, labels: tuple[str, str] | None = None
            ) -> Comparison:
    """Compare the rankings, bundles and weights of A and B (each ranked in full)."""
    k = top if top > 0 else max(len(a.strategies), len(b.strategies))  # 0 = all, as in every command
    label_a, label_b = labels or (a.scope.path, b.scope.path)
    side_a, side_b = _side(a, label_a, k), _side(b, label_b, k)
    by_a: dict[str, StrategyOut] = {s.id: s for s in a.strategies}
    by_b: dict[str, StrategyOut] = {s.id: s for s in b.strategies}
    top_a, top_b = set(side_a.top), set(side_b.top)
    bundle_a, bundle_b = set(side_a.bundle), set(side_b.bundle)
    ids = top_a | top_b | bundle_a | bundle_b
    rows: list[Row] = []
    for sid in ids:
        sa, sb = by_a.get(sid), by_b.get(sid)
        ra, rb = (sa.rank if sa else None), (sb.rank if sb else None)
        if sid in top_b and sid not in top_a:
            change = "enter"
        elif sid in top_a and sid not in top_b:
            change = "leave"
        elif sid in top_a and sid in top_b and ra is not None and rb is not None:
            change = "rise" if rb < ra else "fall" if rb > ra else "same"
        else:
            change = "outside"  # in neither top k: listed for its bundle change
        bundle_change = "enter" if sid in bundle_b - bundle_a else "leave" if sid in bundle_a - bundle_b else None
        known = sb or sa
        name = known.name if known is not None else sid
        rows.append(Row(id=sid, name=name, change=change, a_rank=ra, b_rank=rb, a_score=sa.score if sa else None,
                        b_score=sb.score if sb else None, a_bundle=sid in bundle_a, b_bundle=sid in bundle_b,
                        bundle_change=bundle_change))
    rows.sort(key=lambda r: (0 if r.id in top_b else 1 if r.id in top_a else 2,
                             r.b_rank if r.id in top_b and r.b_rank is not None else math.inf,
                             r.a_rank if r.a_rank is not None else math.inf, r.id))
    weights_a = {d.id: (d.name, d.weight) for d in a.determinants}
    weights_b = {d.id: (d.name, d.weight) for d in b.determinants}
    order = list(dict.fromkeys([*weights_a, *weights_b]))
    weights = []
    for d in order:
        wa = weights_a[d][1] if d in weights_a else None
        wb = weights_b[d][1] if d in weights_b else None
        if wa != wb:
            weights.append(WeightChange(id=d, name=(weights_b.get(d) or weights_a[d])[0], a=wa, b=wb))
    counts = {c: sum(1 for r in rows if r.change == c) for c in CHANGES}
    only_a = [w for w in a.warnings if w not in set(b.warnings)]
    only_b = [w for w in b.warnings if w not in set(a.warnings)]
    return Comparison(method=a.method, top_k=k, a=side_a, b=side_b, rows=rows,
                      bundle_entered=[s for s in side_b.bundle if s not in bundle_a],
                      bundle_left=[s for s in side_a.bundle if s not in bundle_b],
                      bundle_kept=[s for s in side_b.bundle if s in bundle_a], weights=weights, counts=counts,
                      warnings=[*(f"A: {w}" for w in only_a), *(f"B: {w}" for w in only_b)])


__all__ = ["CHANGES", "Comparison", "Row", "SideInfo", "WeightChange", "compare"]


# --------------------------------------------------------------------------- a scope on two catalogues (diff --scope)


def scope_effect(scope_path: Path, old: Side, new: Side, method: str = "default", top: int = DIFF_TOP,
                 reid: dict[str, str] | None = None) -> ScopeEffect:
    """Rank the scope's strategies on both catalogues with the selection core; compare the top TOP.

    The scope's ids must exist in both catalogues (an id missing from one is reported, exit 1).
    Old ids in REID (re-id'd strategies) are compared under their new id.
    """
    from strategease.selection.scope import load_scope
    from strategease.selection.scoring import select

    reid = reid or {}

    rankings: list[list[tuple[str, str, float, int]]] = []
    for side in (old, new):
        loaded = load_scope(scope_path, side.cat)
        result = select(side.cat, loaded, method, top=0, bundle=0)
        rankings.append([(reid.get(st.id, st.id) if side is old else st.id, st.name, st.score, st.rank)
                         for st in result.strategies])
    if top <= 0:  # 0 = all, as in every command
        top = max(len(rankings[0]), len(rankings[1]))
    return ScopeEffect(scope=str(scope_path), method=str(method), top=top,
                       old_top=[row[0] for row in rankings[0][:top]], new_top=[row[0] for row in rankings[1][:top]],
                       moves=rank_moves(rankings[0], rankings[1], top))
