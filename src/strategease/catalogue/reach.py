"""Which strategies each determinant can reach through the catalogue graph, and on what evidence.

Used by ``validate`` (a determinant that reaches no strategy is a warning, an error under
``--strict``), by ``list sources`` and by the per-scope evidence statement of ``select`` and
``report``. The paths followed are those the selection follows (``docs/scoring.md``, section 2), and
:func:`path_starts` is the one home of that rule, used here and by :mod:`strategease.selection.routes`:

* the determinant's own ``addresses`` links (determinant → strategy);
* its ``calls-for`` links to intervention functions, then their ``delivers`` links;
* one ``crosswalk`` step to another framework's construct, with that construct's links;
* its parents' ``calls-for`` links when it has none of its own.

A link known only by an upper bound (``strength_upper``, e.g. "below 20 %") reaches nothing: it
says the source did *not* endorse the pairing. A curated link that also carries a published "Level 1 or 2"
lower bound (``strength_lower_source``) rests on that secondary report as well as on the curation.

The evidence behind a path is its weakest link (a survey figure reached through a curated
crosswalk rests on a curated judgement); a determinant is as well supported as its best path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from strategease.catalogue import models as m
from strategease.catalogue.load import Catalogue
from strategease.vocab import Evidence, LinkKind

# Evidence kinds from strongest to weakest, as a practitioner would read them.
EVIDENCE_ORDER: tuple[Evidence, ...] = (
    Evidence.survey_of_experts, Evidence.systematic_review, Evidence.published_matrix,
    Evidence.secondary_report, Evidence.seed_document, Evidence.curated,
)
_RANK = {e: i for i, e in enumerate(EVIDENCE_ORDER)}

BASIS_LABELS: dict[str, str] = {
    "survey-of-experts": "expert-survey data",
    "systematic-review": "a systematic review",
    "published-matrix": "a published matrix",
    "secondary-report": "a secondary report",
    "seed-document": "the seed documents",
    "curated": "curated links only",
    "none": "nothing",
}
"""How each basis is named in the one-line statement and the report."""


def gives_points(link: m.Link) -> bool:
    """False for a link known only by an upper bound: the source did not endorse the pairing."""
    return not (link.strength is None and link.strength_lower is None and link.strength_upper is not None)


def link_evidence(link: m.Link) -> Evidence:
    """The evidence a link rests on: its own kind, or the secondary report of a published lower bound it also
    carries (``strength_lower_source``: a "Level 1 or 2" pair graded by this project) when that is stronger."""
    if link.strength_lower_source is not None and _RANK[Evidence.secondary_report] < _RANK[link.evidence]:
        return Evidence.secondary_report
    return link.evidence


def _weakest(links: Iterable[m.Link]) -> Evidence:
    return max((link_evidence(lk) for lk in links), key=lambda e: _RANK[e])


class PathStart(NamedTuple):
    """A node whose links a determinant's paths follow."""

    node: str
    crosswalk: m.Link | None  # the crosswalk step that leads to NODE (None: the determinant itself, or a parent)
    parent: bool  # a parent: only its calls-for links are followed, never its addresses links


def path_starts(cat: Catalogue, det_id: str,
                links: Callable[[str, LinkKind], Sequence[m.Link]]) -> list[PathStart]:
    """Where DET_ID's paths start (the path rule, ``docs/scoring.md`` section 2): the determinant itself; one
    crosswalk step to each construct it crosswalks to (by id); and, only when it has no calls-for links of its
    own, each of its parents that has some (by id). LINKS(node, kind) gives a node's outgoing links of one kind
    in catalogue order, from whatever index the caller keeps."""
    starts = [PathStart(det_id, None, False)]
    starts.extend(PathStart(xw.to, xw, False) for xw in sorted(links(det_id, LinkKind.crosswalk), key=lambda lk: lk.to))
    if not links(det_id, LinkKind.calls_for):
        det = cat.determinants.get(det_id)
        starts.extend(PathStart(parent, None, True) for parent in sorted(det.parents if det else [])
                      if links(parent, LinkKind.calls_for))
    return starts


@dataclass(frozen=True)
class Reach:
    """The strategies one determinant reaches, and the best evidence kind of any path to them."""

    strategies: frozenset[str]
    basis: str  # an Evidence value, or "none"


class Reachability:
    """Paths from determinants to strategies, computed once per catalogue."""

    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self._delivers: dict[str, list[m.Link]] = {}

    def _delivered(self, fn_id: str) -> list[m.Link]:
        """A function's ``delivers`` links to strategies (none for an id that is not a function), listed on first
        use: :meth:`basis` stops at the first expert-survey path, and most determinants have one."""
        known = self._delivers.get(fn_id)
        if known is None:
            cat = self.cat
            known = self._delivers[fn_id] = [lk for lk in cat.links_from.get(fn_id, [])
                                             if lk.kind is LinkKind.delivers and lk.to in cat.strategies
                                             ] if fn_id in cat.functions else []
        return known

    def _links(self, node: str, kind: LinkKind) -> list[m.Link]:
        return [lk for lk in self.cat.links_from.get(node, []) if lk.kind is kind]

    def _all_paths(self, det_id: str) -> Iterator[tuple[str, Evidence]]:
        """Every (strategy, evidence) path from DET_ID, from each of its :func:`path_starts`."""
        cat = self.cat
        for start in path_starts(cat, det_id, self._links):
            if start.crosswalk is not None and start.node not in cat.determinants:
                continue
            prefix = (start.crosswalk,) if start.crosswalk is not None else ()
            for lk in cat.links_from.get(start.node, []):
                if not gives_points(lk):
                    continue
                if lk.kind is LinkKind.addresses and not start.parent and lk.to in cat.strategies:
                    yield lk.to, _weakest((*prefix, lk))
                elif lk.kind is LinkKind.calls_for:
                    for dl in self._delivered(lk.to):
                        if gives_points(dl):
                            yield dl.to, _weakest((*prefix, lk, dl))

    def reach(self, det_id: str) -> Reach:
        strategies = self.cat.strategies
        found: dict[str, Evidence] = {}
        for st_id, ev in self._all_paths(det_id):
            if st_id not in found or _RANK[ev] < _RANK[found[st_id]]:
                found[st_id] = ev
        live = {s: ev for s, ev in found.items() if not strategies[s].retired}
        if not live:
            return Reach(frozenset(), "none")
        best = min(live.values(), key=lambda e: _RANK[e])
        return Reach(frozenset(live), best.value)

    def basis(self, det_id: str) -> str:
        """The best evidence kind behind any path (``reach(det_id).basis``; ``none`` when there is no path),
        stopping at the strongest kind, so ``validate`` asks it whether a determinant has any route."""
        strategies = self.cat.strategies
        best: Evidence | None = None
        for st_id, ev in self._all_paths(det_id):
            if strategies[st_id].retired or (best is not None and _RANK[ev] >= _RANK[best]):
                continue
            best = ev
            if _RANK[best] == 0:
                break
        return best.value if best is not None else "none"


def evidence_basis(cat: Catalogue, det_ids: Iterable[str]) -> dict[str, str]:
    """Determinant id → the best evidence kind behind any of its paths (or ``none``)."""
    graph = Reachability(cat)
    return {d: graph.basis(d) for d in det_ids}


def basis_counts(basis: dict[str, str]) -> list[tuple[str, int]]:
    """(basis, count) for the bases present, strongest first, ``none`` last."""
    order = [e.value for e in EVIDENCE_ORDER] + ["none"]
    counts = {b: 0 for b in order}
    for b in basis.values():
        counts[b] = counts.get(b, 0) + 1
    return [(b, n) for b, n in counts.items() if n]


def basis_sentence(basis: dict[str, str]) -> str:
    """One line: 'Evidence behind the 5 determinants: 2 expert-survey data, 1 curated links only, …'."""
    n = len(basis)
    parts = [f"{count} by {BASIS_LABELS.get(b, b)}" for b, count in basis_counts(basis)]
    noun = "determinant" if n == 1 else "determinants"
    return f"Evidence behind the {n} {noun}: " + ", ".join(parts) + "."


__all__ = ["BASIS_LABELS", "EVIDENCE_ORDER", "PathStart", "Reach", "Reachability", "basis_counts",
           "basis_sentence", "evidence_basis", "gives_points", "link_evidence", "path_starts"]
