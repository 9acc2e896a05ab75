"""Routes from a scope determinant to strategies: how strong each way through the catalogue graph is.

The rules are written out in ``docs/scoring.md`` (sections 2 to 4; note cues in :mod:`strategease.selection.cues`)
and in the docstring of :mod:`strategease.selection.scoring`; this module is their one implementation, used by
``select`` and, through the ranking table it feeds (:mod:`strategease.selection.ranking`), by ``--stability``
and the structural check. Pure: never prints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from strategease.catalogue import models as m
from strategease.catalogue.load import Catalogue
from strategease.catalogue.reach import gives_points, path_starts
from strategease.selection.cues import note_cue
from strategease.selection.scope import Kind, ScopeDeterminant

BINARY_LINK_STRENGTH = 0.5
FUNCTION_ROUTE = 0.3
CROSSWALK_FACTOR = 1.0
SPLIT_CROSSWALK_FACTOR = 0.8
PARENT_FACTOR = 0.8
SECONDARY_GRADE = 0.5
FANOUT_REFERENCE = 10
DECIMALS = 6
_SCALE = 10**DECIMALS


def q(x: float) -> int:
    """A value in micro-units (6 decimal places), the unit in which scores are summed exactly."""
    return round(x * _SCALE)


def r6(x: float) -> float:
    return q(x) / _SCALE


def weight(importance: float, changeability: float) -> float:
    """``w_d = (importance / 5) × (changeability / 5)``: in [0.04, 1] for ratings 1-5."""
    return (importance / 5.0) * (changeability / 5.0)


class Route(NamedTuple):
    """One way a scope determinant reaches a strategy (a tuple: cheap to build by the 100 000)."""

    strategy: str
    strength: float  # effective r(d, s), all factors applied
    via: str
    links: tuple[m.Link, ...]
    function: str | None
    preference: int  # lower wins ties: 0 direct, 1 crosswalk, 2 function, 3 crosswalk+function, 4 parent
    note: str | None = None

    def key(self) -> tuple[float, int, str]:
        return (-self.strength, self.preference, self.via)

    @property
    def curated(self) -> bool:
        return any(lk.evidence is m.Evidence.curated for lk in self.links)

    @property
    def direct(self) -> bool:
        """A determinant → strategy link of the determinant itself or of its crosswalk (no function, no parent)."""
        return self.function is None and self.preference <= 1


@dataclass
class Resolution:
    """All routes of one scope determinant, and how they were found."""

    entry: ScopeDeterminant
    weight: float
    resolved_via: list[str]
    crosswalks: list[str]
    routes: dict[str, list[Route]]  # strategy id -> routes
    functions: dict[str, float]  # function id -> best factor
    parent_fallback: list[str]
    skipped_survey: int  # survey links not used because the determinant is a facilitator
    has_endorsement: bool  # some survey-of-experts link with a numeric strength (self or crosswalk)
    functions_of: FunctionsOf  # strategy -> functions on its routes (worked out when asked)
    uncounted: dict[str, list[str]] = field(default_factory=dict)  # strategy -> bounds known but not counted


def link_strength(link: m.Link) -> tuple[float, str | None]:
    """Strength of a counted direct link, and a note when it is not an exact figure."""
    if link.strength is not None:
        return link.strength, None
    return BINARY_LINK_STRENGTH, f"binary {link.evidence.value} link (default strength {BINARY_LINK_STRENGTH:g})"


def bound_note(link: m.Link) -> str | None:
    """Why a direct link is not counted: it only bounds the strength (None when it is counted)."""
    if link.strength is not None:
        return None
    if not gives_points(link):
        assert link.strength_upper is not None
        return f"below {link.strength_upper * 100:g} % ({link.source}; an upper bound, not counted, never zero)"
    if link.strength_lower is not None and link.grade is None:
        return (f"at least {link.strength_lower * 100:g} % ({link.source}; a lower bound from a partial table, "
                "not counted)")
    return None


def graded_bound_note(link: m.Link) -> str | None:
    """A graded link that also carries a published lower bound counts by its grade, like any bare graded link;
    the bound is reported beside it and adds nothing (None when the link carries no such bound)."""
    if link.strength is not None or link.strength_lower is None or link.grade is None:
        return None
    return (f"published lower bound at least {link.strength_lower * 100:g} % "
            f"({link.strength_lower_source or link.source}), not counted: the {link.evidence.value} grade is scored")


def grade_factor(link: m.Link) -> float:
    """``primary`` (or ungraded) links count in full, ``secondary`` ones × ``SECONDARY_GRADE``."""
    return SECONDARY_GRADE if link.grade is m.Grade.secondary else 1.0


def _chain_factor(link: m.Link) -> float:
    """A link's own factor inside a function route (binary links count 1)."""
    return link.strength if link.strength is not None else 1.0


class LinkIndex:
    """Outgoing links by (node, kind), and each function's fan-out, built once per selection.

    Built lazily from ``cat.links_from`` (the catalogue's links in file order, grouped by their
    ``from``): a selection reads the links of its few dozen determinants and the functions they call
    for, never all 10^5, so only those nodes are ever split by kind.
    """

    def __init__(self, cat: Catalogue) -> None:
        self._from = cat.links_from
        self._by: dict[str, dict[m.LinkKind, list[m.Link]]] = {}
        # function id -> [(target, chain factor, specificity, (delivers link,))], as resolve() multiplies them
        self._deliveries: dict[str, list[tuple[str, float, float, tuple[m.Link]]]] = {}
        self._targets: dict[str, frozenset[str]] = {}

    def _kinds(self, node: str) -> dict[m.LinkKind, list[m.Link]]:
        by = self._by.get(node)
        if by is None:
            by = self._by[node] = {}
            for link in self._from.get(node, ()):
                group = by.get(link.kind)
                if group is None:
                    by[link.kind] = [link]
                else:
                    group.append(link)
        return by

    def get(self, node: str, kind: m.LinkKind) -> list[m.Link]:
        return self._kinds(node).get(kind, [])

    def fanout(self, function: str) -> int:
        """How many strategies a function delivers (its ``delivers`` links)."""
        return len(self.get(function, m.LinkKind.delivers))

    def deliveries(self, function: str) -> list[tuple[str, float, float, tuple[m.Link]]]:
        """A function's ``delivers`` links as (target, chain factor, specificity, (link,)), computed once (the link
        in a 1-tuple: the end of every route's chain through this function)."""
        known = self._deliveries.get(function)
        if known is None:
            delivers = self.get(function, m.LinkKind.delivers)
            fan = _fan_factor(len(delivers))
            known = self._deliveries[function] = [(lk.to, _chain_factor(lk), _specificity(lk, fan), (lk,))
                                                  for lk in delivers]
        return known

    def targets(self, function: str) -> frozenset[str]:
        """The strategies a function delivers."""
        known = self._targets.get(function)
        if known is None:
            known = self._targets[function] = frozenset(target for target, *_ in self.deliveries(function))
        return known

    def specificity_note(self, deliver: m.Link) -> str | None:
        """Why a function route counts less than a specific one (None when it counts in full)."""
        spec = self.specificity(deliver)
        if spec >= 1.0:
            return None
        grade = f"graded {deliver.grade.value}, " if deliver.grade is not None else ""
        return f"{grade}function delivers {self.fanout(deliver.from_)} strategies: specificity ×{spec:.3g}"

    def specificity(self, deliver: m.Link) -> float:
        """A ``delivers`` link's specificity: 1 when graded primary, else ``FANOUT_REFERENCE / n`` (at most 1)
        for a function that delivers n strategies, × ``SECONDARY_GRADE`` when graded secondary."""
        if deliver.grade is m.Grade.primary:
            return 1.0
        return _specificity(deliver, _fan_factor(self.fanout(deliver.from_)))


class FunctionsOf:
    """Strategy -> the functions on a determinant's routes to it, worked out when asked: every function the
    determinant calls for has a route to each strategy it delivers. Only the strategies a result shows are asked
    about, so the ~10^5 routes of a large catalogue no longer add their function to a set each (nor build ~3 × 10^4
    sets) while they are found."""

    __slots__ = ("_functions", "_index")

    def __init__(self, functions: Iterable[str], index: LinkIndex) -> None:
        self._functions, self._index = tuple(functions), index

    def get(self, strategy: str) -> set[str]:
        return {f for f in self._functions if strategy in self._index.targets(f)}


def _fan_factor(n: int) -> float:
    """``FANOUT_REFERENCE / n``, at most 1, for a function that delivers n strategies."""
    return min(1.0, FANOUT_REFERENCE / (n or 1))


def _specificity(deliver: m.Link, fan: float) -> float:
    """See :meth:`LinkIndex.specificity`; FAN is the function's :func:`_fan_factor`."""
    return 1.0 if deliver.grade is m.Grade.primary else grade_factor(deliver) * fan


_route = tuple.__new__


def resolve(cat: Catalogue, entry: ScopeDeterminant, index: LinkIndex | None = None) -> Resolution:
    """Find every route from a scope determinant to strategies (method ``default``)."""
    index = index or LinkIndex(cat)
    links = index.get
    det_id = entry.id
    facilitator = entry.kind is Kind.facilitator
    # bases: (determinant used, factor, via prefix, preference offset, crosswalk link, direct allowed)
    # which nodes the routes start from is the catalogue's one path rule (reach.path_starts)
    starts = path_starts(cat, det_id, links)
    # a crosswalk to one construct says "the same construct"; one split over several, or a subconstruct's
    # crosswalk to what its parent corresponds to (a part of that construct), fits less exactly
    n_crosswalks = sum(start.crosswalk is not None for start in starts)
    det = cat.determinants.get(det_id)
    part = n_crosswalks > 1 or (det is not None and det.tier is m.Tier.subconstruct)
    xw_factor = SPLIT_CROSSWALK_FACTOR if part else CROSSWALK_FACTOR
    bases: list[tuple[str, float, str, int, m.Link | None, bool]] = []
    parent_fallback: list[str] = []
    for start in starts:
        if start.parent:
            parent_fallback.append(start.node)
            bases.append((start.node, PARENT_FACTOR, f"parent:{start.node}", 2, None, False))
        elif start.crosswalk is not None:
            bases.append((start.node, xw_factor, f"crosswalk:{start.node}", 1, start.crosswalk, True))
        else:
            bases.append((start.node, 1.0, "", 0, None, True))
    routes: dict[str, list[Route]] = defaultdict(list)
    own: list[str] = []  # strategies of the determinant's own counted direct links (preference 0)
    uncounted: dict[str, list[str]] = defaultdict(list)
    functions: dict[str, float] = {}
    skipped = 0
    has_endorsement = False
    for base, factor, prefix, offset, cw, direct_ok in bases:
        pre_links: tuple[m.Link, ...] = (cw,) if cw is not None else ()
        if direct_ok:
            for link in links(base, m.LinkKind.addresses):
                survey = link.evidence is m.Evidence.survey_of_experts
                if survey and link.strength is not None:
                    has_endorsement = True
                if facilitator and survey:
                    skipped += 1
                    continue
                bound = bound_note(link)
                if bound is not None:
                    uncounted[link.to].append(bound)
                    continue
                strength, note = link_strength(link)
                if survey and link.strength is not None and link.n_respondents:
                    note = f"{link.strength * 100:.4g} % of {link.n_respondents} experts endorsed it"
                grade = grade_factor(link)
                # a note cue raises only the barrier's own secondary direct links (cues.py)
                own_secondary = grade < 1.0 and offset == 0 and not facilitator
                cued = note_cue(link.to, det_id, entry.note) if own_secondary else None
                if link.grade is not None:
                    graded = f"graded {link.grade.value}" + (f" (×{SECONDARY_GRADE:g})"
                                                             if link.grade is m.Grade.secondary and not cued else "")
                    note = f"{note}; {graded}" if note else graded
                if cued:
                    grade = 1.0
                    note = f"{note}; {cued}"
                bounded = graded_bound_note(link)
                if bounded is not None:
                    note = f"{note}; {bounded}"
                routes[link.to].append(Route(
                    link.to, strength * factor * grade, prefix or "direct", (*pre_links, link), None,
                    offset, note))
                if offset == 0:
                    own.append(link.to)
        for call in links(base, m.LinkKind.calls_for):
            func = call.to
            f_factor = factor * _chain_factor(call)
            functions[func] = max(functions.get(func, 0.0), f_factor)
            via = f"{prefix}/function:{func}" if prefix else f"function:{func}"
            route_factor = FUNCTION_ROUTE * _chain_factor(call) * factor
            chain = (*pre_links, call)
            preference = offset + 2
            for target, deliver_factor, spec, deliver in index.deliveries(func):
                # tuple.__new__ builds the same Route as Route(...) without a Python-level call per route
                routes[target].append(_route(Route, (target, route_factor * deliver_factor * spec, via,
                                                     chain + deliver, func, preference, None)))
    if len(bases) > 1:
        _prefer_own_links(routes, own)
    resolved = [det_id] + [b[0] for b in bases[1:]]
    crosswalk_ids = [b[0] for b in bases if b[2].startswith("crosswalk:")]
    return Resolution(entry, weight(entry.importance, entry.changeability), resolved, crosswalk_ids, dict(routes),
                      functions, parent_fallback, skipped, has_endorsement, FunctionsOf(functions, index),
                      dict(uncounted))


OWN_PREFERENCES = frozenset({0, 2})  # the determinant's own direct links and its own function routes


def _prefer_own_links(routes: dict[str, list[Route]], own: list[str]) -> None:
    """A determinant's own direct link to a strategy is its own judgement of that pair: routes to the same
    strategy through a crosswalk or a parent are then not counted (they stay in the note), so a construct graded
    secondary for a strategy is not scored as primary through the construct it is crosswalked to. OWN lists the
    strategies with such a link (only their routes are looked at)."""
    for sid in dict.fromkeys(own):
        rows = routes[sid]
        other = [r for r in rows if r.preference not in OWN_PREFERENCES]
        if not other:
            continue
        kept = [r for r in rows if r.preference in OWN_PREFERENCES]
        vias = ", ".join(sorted({r.via for r in other}))
        best = min(range(len(kept)), key=lambda k: kept[k].key())
        lead = kept[best]
        note = f"own link preferred to {vias}"
        kept[best] = lead._replace(note=f"{lead.note}; {note}" if lead.note else note)
        routes[sid] = kept


__all__ = ["BINARY_LINK_STRENGTH", "CROSSWALK_FACTOR", "FANOUT_REFERENCE", "FUNCTION_ROUTE", "FunctionsOf", "LinkIndex",
           "PARENT_FACTOR", "Resolution", "Route", "SECONDARY_GRADE", "SPLIT_CROSSWALK_FACTOR", "bound_note",
           "grade_factor", "graded_bound_note", "link_strength",
           "q", "r6", "resolve", "weight"]
