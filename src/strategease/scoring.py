"""Rank implementation strategies for a scope: the documented scoring methods.

This module never prints or exits; :func:`select` returns a :class:`SelectionResult`.
The same text, with worked examples, is in ``docs/scoring.md``.

Method ``default``
==================

1. **Weight of a determinant.** ``w_d = (importance / 5) × (changeability / 5)``, both rated 1-5
   in the scope (default 3), so ``w_d`` lies in [0.04, 1] and the default is 0.36. Ranking
   determinants by how much they matter *and* how changeable they are is the prioritisation step
   of Intervention Mapping (Bartholomew Eldredge et al. 2016; Fernandez et al. 2019), and a product
   means that a determinant that cannot be changed, or does not matter, pulls the weight down.

2. **Routes.** A scope determinant ``d`` reaches strategies through the catalogue graph:

   * its own links (``addresses`` d→s directly; ``calls-for`` d→f then ``delivers`` f→s);
   * the determinants it ``crosswalk``\\ s to (e.g. CFIR 2.0 → CFIR 1.0), one step, with all their
     links, times ``CROSSWALK_FACTOR`` (1.0: a crosswalk says the constructs are the same);
   * when ``d`` has no ``calls-for`` link of its own, its ``parents``' ``calls-for`` links (e.g. a
     TDF domain → its COM-B component), times ``PARENT_FACTOR`` (0.8: the parent is broader,
     so what it calls for fits the child less exactly). Parents' direct ``addresses`` links are not
     inherited: expert endorsements are specific to the construct they were given for.

   Route strength ``r(d, s)`` in [0, 1]:

   * direct ``addresses`` link: its ``strength`` (0.56 for 56 % of experts endorsing); when only
     a lower bound is known (e.g. "Level 1 or 2", i.e. ≥ 20 %), ``strength_lower``, which is
     conservative; a link with neither (seed-document, curated, published-matrix) counts
     ``BINARY_LINK_STRENGTH`` = 0.5, the CFIR–ERIC Level-1 threshold: a named pairing counts as
     much as a bare-majority endorsement, never more;
   * through an intervention function: ``FUNCTION_ROUTE`` (0.5) × the two links' own strengths
     (1 when, as usual, they are binary). Two binary links are one inference chain, valued like one
     binary link.

   Crosswalk or parent factors multiply these. Per (determinant, strategy) the **maximum** route
   counts, not the sum, so a strategy is not rewarded for delivering many functions to one
   determinant. Ties between equal routes prefer direct, then crosswalk, then function, then
   parent routes, then the alphabetically first.

3. **Barriers** contribute ``w_d × r(d, s)`` (``rule: barrier``).

4. **Facilitators** contribute ``w_d × FACILITATOR_FACTOR × r(d, s)`` (``rule: facilitator``,
   factor 0.5), using only routes that *leverage* the facilitator: function routes and
   non-survey direct links (e.g. partnering strategies). CFIR–ERIC endorsements were elicited for
   barriers (Waltz et al. 2019), so ``survey-of-experts`` links are not used for facilitators.
   The factor halves the credit because building on a strength is less pressing than removing a
   barrier of the same weight.

5. **Score** = the sum of the contributions over the scope's determinants, then a visible
   **ratings modifier** (``via: ratings``, ``rule: ratings-modifier``) where the ERIC study's
   published importance and feasibility ratings (1-5; Waltz et al. 2015) are known:
   ``base × RATINGS_K × ((mean(importance, feasibility) − 3) / 2)`` with ``RATINGS_K`` = 0.1, so
   at most ±10 %: ratings refine the order among strategies the scope already calls for but never
   make an irrelevant strategy relevant. When only one rating is known its value is the mean;
   when neither is, there is no modifier (unknown is not average).

   Every contribution is rounded to 6 decimal places and the score is the sum of the rounded
   values, so the printed terms add up to the printed score exactly.

6. **Level modifier** (``via: levels``, ``rule: level-modifier``): when the scope names its
   ``level``\\ s and a strategy's catalogue ``levels`` share none of them (e.g. a system-level
   strategy for a change at individual and team level), ``− LEVEL_MISMATCH_K × base`` with
   ``LEVEL_MISMATCH_K`` = 0.2: the strategy can still help but has to be translated to the
   scope's level, so it loses a fifth — more than the ratings can add (10 %), so between
   otherwise equal strategies the one at the scope's level wins, yet a strongly linked strategy
   at another level still ranks. No modifier when the scope or the strategy names no level
   (unknown is not a mismatch). The bundle uses the same discount (its ``r(d, s)`` × 0.8).
   A scope determinant whose catalogue levels lie outside the scope's levels is warned about.

7. ``constraints.exclude`` removes strategies; ``constraints.already_in_place`` lists them apart
   and counts their coverage in the bundle. Ranking: score descending, then id.

Method ``cfir-eric``
====================

Reproduces the CFIR–ERIC Implementation Strategy Matching Tool (Waltz et al. 2019; cfirguide.org):
only CFIR 1.0 barriers count (CFIR 2.0 ids are translated through the crosswalk, with a warning;
facilitators and other frameworks are ignored, with a warning). A strategy's score is its
cumulative percentage: the sum over chosen barriers of the % of experts endorsing it (``addresses``
links with ``survey-of-experts`` evidence and a numeric strength only). ``level1`` counts the chosen
barriers for which it is a Level-1 strategy (≥ 50 %), ``level2`` those for which it is Level 2
(20-49 %). Importance and changeability are not used (the tool is unweighted), and links reported
only as "Level 1 or 2" are not counted (warned).

Bundle
======

See :mod:`strategease.bundle`: greedy maximisation of ``Σ_d w_d (1 − Π_{s∈S}(1 − r(d, s)))`` (a
noisy-OR, Pearl 1988) with the same ``w`` and ``r`` as the score (for ``cfir-eric``: ``w = 1`` per
counted barrier and ``r`` = the endorsement fraction); greedy reaches at least 1 − 1/e of the
optimum (Nemhauser, Wolsey & Fisher 1978).

Sources: Bartholomew Eldredge et al. 2016 and Fernandez et al. 2019 (Intervention/Implementation
Mapping: importance × changeability); Michie et al. 2011 and the BCW guide 2014 (COM-B/TDF →
intervention functions); Powell et al. 2015 (ERIC); Waltz et al. 2015 (ratings); Waltz et al. 2019
(CFIR–ERIC endorsements, Level 1 ≥ 50 %, Level 2 20–49 %). Full references in ``docs/scoring.md``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from strategease import __version__
from strategease import models as m
from strategease.bundle import greedy_bundle
from strategease.catalogue import Catalogue, did_you_mean, retired_hint, retired_message, shorten
from strategease.errors import UsageError
from strategease.reach import gives_points
from strategease.result import (
    Bundle,
    BundleItem,
    CatalogueInfo,
    Contribution,
    DeterminantOut,
    EvidenceBasisOut,
    FunctionOut,
    ScopeInfo,
    SelectionResult,
    StrategyOut,
)
from strategease.scope import Kind, LoadedScope, Scope, ScopeDeterminant

if TYPE_CHECKING:
    from strategease.ratings import TeamRatings

# --------------------------------------------------------------------------- constants (documented above)

BINARY_LINK_STRENGTH = 0.5
FUNCTION_ROUTE = 0.5
CROSSWALK_FACTOR = 1.0
PARENT_FACTOR = 0.8
FACILITATOR_FACTOR = 0.5
RATINGS_K = 0.1
LEVEL_MISMATCH_K = 0.2
RATING_MIDPOINT = 3.0
LEVEL1 = 0.5
LEVEL2 = 0.2
DEFAULT_BUNDLE = 5
DEFAULT_TOP = 10
CFIR1 = "cfir1"
CFIR2 = "cfir2"
CFIR_FRAMEWORKS = (CFIR1, CFIR2)
DECIMALS = 6
_SCALE = 10**DECIMALS


class Method(StrEnum):
    default = "default"
    cfir_eric = "cfir-eric"


def q(x: float) -> int:
    """A value in micro-units (6 decimal places), the unit in which scores are summed exactly."""
    return round(x * _SCALE)


def r6(x: float) -> float:
    return q(x) / _SCALE


def weight(importance: float, changeability: float) -> float:
    """``w_d = (importance / 5) × (changeability / 5)``: in [0.04, 1] for ratings 1-5."""
    return (importance / 5.0) * (changeability / 5.0)


# --------------------------------------------------------------------------- routes


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


@dataclass
class Resolution:
    """All routes of one scope determinant, and how they were found."""

    entry: ScopeDeterminant
    weight: float
    resolved_via: list[str]
    crosswalks: list[str]
    routes: dict[str, list[Route]]  # strategy id -> routes
    functions: dict[str, float]  # function id -> best factor (facilitator factor included)
    parent_fallback: list[str]
    skipped_survey: int  # survey links not used because the determinant is a facilitator
    has_endorsement: bool  # some survey-of-experts link with a numeric strength (self or crosswalk)
    functions_of: dict[str, set[str]] = field(default_factory=dict)  # strategy -> functions on its routes


def link_strength(link: m.Link) -> tuple[float, str | None]:
    """Strength of a direct link, and a note when it is not an exact figure."""
    if link.strength is not None:
        return link.strength, None
    if link.strength_lower is not None:
        return link.strength_lower, f"lower bound {link.strength_lower:g} (exact value not published)"
    return BINARY_LINK_STRENGTH, f"binary {link.evidence.value} link (default strength {BINARY_LINK_STRENGTH:g})"


def _chain_factor(link: m.Link) -> float:
    """A link's own factor inside a function route (binary links count 1)."""
    if link.strength is not None:
        return link.strength
    if link.strength_lower is not None:
        return link.strength_lower
    return 1.0


class LinkIndex:
    """Outgoing links by (node, kind), built once per selection (catalogues can hold 100k links)."""

    def __init__(self, cat: Catalogue) -> None:
        self._by: dict[tuple[str, m.LinkKind], list[m.Link]] = defaultdict(list)
        for link in cat.links:
            self._by[(link.from_, link.kind)].append(link)

    def get(self, node: str, kind: m.LinkKind) -> list[m.Link]:
        return self._by.get((node, kind), [])


def _links(cat: Catalogue, node: str, kind: m.LinkKind) -> list[m.Link]:
    return [lk for lk in cat.links_from.get(node, []) if lk.kind is kind]


def resolve(cat: Catalogue, entry: ScopeDeterminant, index: LinkIndex | None = None) -> Resolution:
    """Find every route from a scope determinant to strategies (method ``default``)."""
    links = (index or LinkIndex(cat)).get
    det_id = entry.id
    facilitator = entry.kind is Kind.facilitator
    kind_factor = FACILITATOR_FACTOR if facilitator else 1.0
    # bases: (determinant used, factor, via prefix, preference offset, crosswalk link, direct allowed)
    bases: list[tuple[str, float, str, int, m.Link | None, bool]] = [(det_id, 1.0, "", 0, None, True)]
    for xw in sorted(links(det_id, m.LinkKind.crosswalk), key=lambda lk: lk.to):
        bases.append((xw.to, CROSSWALK_FACTOR, f"crosswalk:{xw.to}", 1, xw, True))
    parent_fallback: list[str] = []
    if not links(det_id, m.LinkKind.calls_for):
        det = cat.determinants.get(det_id)
        for parent in sorted(det.parents if det else []):
            if links(parent, m.LinkKind.calls_for):
                parent_fallback.append(parent)
                bases.append((parent, PARENT_FACTOR, f"parent:{parent}", 2, None, False))
    routes: dict[str, list[Route]] = defaultdict(list)
    functions_of: dict[str, set[str]] = defaultdict(set)
    functions: dict[str, float] = {}
    skipped = 0
    has_endorsement = False
    for base, factor, prefix, offset, cw, direct_ok in bases:
        pre_links: tuple[m.Link, ...] = (cw,) if cw is not None else ()
        if direct_ok:
            for link in links(base, m.LinkKind.addresses):
                if not gives_points(link):  # "below 20 %": an upper bound, never scored as a route
                    continue
                survey = link.evidence is m.Evidence.survey_of_experts
                if survey and link.strength is not None:
                    has_endorsement = True
                if facilitator and survey:
                    skipped += 1
                    continue
                strength, note = link_strength(link)
                if survey and link.strength is not None and link.n_respondents:
                    note = f"{link.strength * 100:.4g} % of {link.n_respondents} experts endorsed it"
                routes[link.to].append(Route(
                    link.to, strength * factor * kind_factor, prefix or "direct", (*pre_links, link), None,
                    offset, note))
        for call in links(base, m.LinkKind.calls_for):
            func = call.to
            f_factor = factor * kind_factor * _chain_factor(call)
            functions[func] = max(functions.get(func, 0.0), f_factor)
            via = f"{prefix}/function:{func}" if prefix else f"function:{func}"
            route_factor = FUNCTION_ROUTE * _chain_factor(call) * factor * kind_factor
            for deliver in links(func, m.LinkKind.delivers):
                target = deliver.to
                routes[target].append(Route(target, route_factor * _chain_factor(deliver), via,
                                            (*pre_links, call, deliver), func, offset + 2))
                functions_of[target].add(func)
    resolved = [det_id] + [b[0] for b in bases[1:]]
    crosswalks = [b[0] for b in bases if b[2].startswith("crosswalk:")]
    return Resolution(entry, weight(entry.importance, entry.changeability), resolved, crosswalks, dict(routes),
                      functions, parent_fallback, skipped, has_endorsement, dict(functions_of))


# --------------------------------------------------------------------------- helpers


def _name(cat: Catalogue, entry_id: str) -> str:
    found = cat.entity(entry_id)
    return str(getattr(found[1], "name", entry_id)) if found else entry_id


def _label(cat: Catalogue, det_id: str) -> str:
    return f"'{_name(cat, det_id)}' ({det_id})"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _join(values: Iterable[str | None]) -> str | None:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return "; ".join(seen) if seen else None


def _catalogue_info(cat: Catalogue) -> CatalogueInfo:
    return CatalogueInfo(name=cat.meta.name if cat.meta else "unnamed catalogue", version=cat.version,
                         content_hash=cat.content_hash, files=[display_path(f) for f in cat.files])


def display_path(path: str) -> str:
    """Paths of the shipped catalogue are shown as ``shipped:NAME`` (stable across installs)."""
    from strategease.catalogue import shipped_data_dir

    try:
        shipped = shipped_data_dir().resolve()
    except UsageError:
        return path
    p = Path(path)
    try:
        if p.resolve().parent == shipped:
            return f"shipped:{p.name}"
    except OSError:  # pragma: no cover
        pass
    return path


def _scope_info(loaded: LoadedScope) -> ScopeInfo:
    sc = loaded.scope
    return ScopeInfo(title=sc.title, path=loaded.path, content_hash=loaded.content_hash,
                     change=sc.change.as_dict(), levels=[lv.value for lv in sc.level],
                     max_strategies=sc.constraints.max_strategies, exclude=list(sc.constraints.exclude),
                     already_in_place=list(sc.constraints.already_in_place))


def _ratings(cat: Catalogue, st: m.Strategy) -> tuple[float | None, float | None]:
    if st.ratings is None:
        return None, None
    return st.ratings.importance, st.ratings.feasibility


def ratings_factor(st: m.Strategy) -> float | None:
    """``RATINGS_K × ((mean(importance, feasibility) − 3) / 2)``, or None when no rating is known."""
    imp, feas = (st.ratings.importance, st.ratings.feasibility) if st.ratings else (None, None)
    known = [v for v in (imp, feas) if v is not None]
    if not known:
        return None
    return RATINGS_K * ((sum(known) / len(known) - RATING_MIDPOINT) / 2.0)


def modifier_values(base_q: int, factor: float | None, mismatch: bool) -> tuple[int, int]:
    """The ratings and level modifiers of a base score, in micro-units (0 where they do not apply).

    The one place both modifiers are computed: the itemised terms below, the cheap ranking pass of
    ``select`` and the stability model all use it.
    """
    if base_q <= 0:
        return 0, 0
    ratings = q(base_q / _SCALE * factor) if factor is not None else 0
    level = q(-base_q / _SCALE * LEVEL_MISMATCH_K) if mismatch else 0
    return ratings, level


def _ratings_term(st: m.Strategy, base_q: int) -> Contribution | None:
    factor = ratings_factor(st)
    value_q, _ = modifier_values(base_q, factor, False)
    if factor is None or base_q <= 0:
        return None
    imp, feas = (st.ratings.importance, st.ratings.feasibility) if st.ratings else (None, None)
    known = [v for v in (imp, feas) if v is not None]
    parts = []
    if imp is not None:
        parts.append(f"importance {imp:g}")
    if feas is not None:
        parts.append(f"feasibility {feas:g}")
    note = (f"{' and '.join(parts)} (mean {sum(known) / len(known):.3g}): {factor * 100:+.2f} % of the base score "
            f"{base_q / _SCALE:g}")
    source = st.ratings.source if st.ratings else None
    return Contribution(determinant=None, via="ratings", strength=None, weight=None, value=value_q / _SCALE,
                        source=source, evidence=None, rule="ratings-modifier", note=note)


def level_mismatch(st: m.Strategy, scope_levels: Sequence[str]) -> bool:
    """True when the scope names levels and the strategy names levels, and they share none."""
    if not scope_levels or not st.levels:
        return False
    return not {lv.value for lv in st.levels} & set(scope_levels)


def _level_term(st: m.Strategy, scope_levels: Sequence[str], base_q: int) -> Contribution | None:
    mismatch = level_mismatch(st, scope_levels)
    _, value_q = modifier_values(base_q, None, mismatch)
    if not value_q:
        return None
    acts = ", ".join(lv.value for lv in st.levels)
    note = (f"acts at {acts}; the scope is at {', '.join(scope_levels)}: "
            f"{-LEVEL_MISMATCH_K * 100:+.0f} % of the base score {base_q / _SCALE:g}")
    return Contribution(determinant=None, via="levels", strength=None, weight=None, value=value_q / _SCALE,
                        source=None, evidence=None, rule="level-modifier", note=note)


def _framework_terms(cat: Catalogue, framework: str) -> set[str]:
    """Words that name a framework in free text: its id, its id's letters (cfir1 -> cfir), its name and
    any acronym in brackets in its name ("… (CFIR 1.0)" -> "cfir 1.0", "cfir")."""
    terms = {framework, re.match(r"[a-z]*", framework).group(0)}  # type: ignore[union-attr]
    fw = cat.frameworks.get(framework)
    if fw is not None:
        terms.add(fw.name)
        for inner in re.findall(r"\(([^)]+)\)", fw.name):
            terms.add(inner)
            terms.add(inner.split()[0])
    return {t.lower() for t in terms if len(t) >= 3}


def coverage_notes(cat: Catalogue, result: SelectionResult) -> list[str]:
    """The catalogue's coverage notes that concern this selection.

    A note is relevant when its topic or text names (as a whole word, case-insensitive) a framework
    of a scope determinant (or of one it resolved to), of a strategy shown (ranked, in place or in
    the bundle), one of the scope's determinants, or intervention functions when functions were used.
    """
    if cat.meta is None or not cat.meta.coverage:
        return []
    frameworks: set[str] = set()
    terms: set[str] = set()
    for d in result.determinants:
        for det_id in (d.id, *d.resolved_via):
            det = cat.determinants.get(det_id)
            if det is not None:
                frameworks.add(det.framework)
                terms.add(det.name.lower())
    shown = [*result.strategies, *result.already_in_place]
    frameworks |= {s.framework for s in shown}
    if result.bundle is not None:
        frameworks |= {cat.strategies[b.id].framework for b in result.bundle.strategies if b.id in cat.strategies}
    if result.functions:
        terms |= {"function", "functions", "intervention function", "intervention functions"}
    for fw in frameworks:
        terms |= _framework_terms(cat, fw)
    patterns = [re.compile(r"(?<![a-z0-9])" + re.escape(t) + r"(?![a-z0-9])") for t in sorted(terms) if t]
    notes: list[str] = []
    for note in cat.meta.coverage:
        text = f"{note.topic}: {note.note}"
        if any(p.search(text.lower()) for p in patterns):
            notes.append(text + (f" [{note.source}]" if note.source else ""))
    return notes


# --------------------------------------------------------------------------- the core


def select(cat: Catalogue, scope: LoadedScope | Scope, method: str | Method = Method.default, *,
           top: int = DEFAULT_TOP, bundle: int | None = None, ratings: TeamRatings | None = None,
           aggregate: str = "median", stability: int = 0, seed: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> SelectionResult:
    """Rank the catalogue's strategies for SCOPE with METHOD; build a bundle of BUNDLE picks.

    ``top`` limits the ranked list (0 = all); ``bundle`` = 0 skips the bundle, None uses
    ``constraints.max_strategies`` or 5. The scope's ids must already be checked against CAT
    (:func:`strategease.scope.load_scope` does this). With team ``ratings`` (see
    :mod:`strategease.ratings`), the team's ``aggregate`` (median or mean) of importance and
    changeability replaces the scope's, and the result carries the raters' agreement. With
    ``stability`` = N > 0 (method ``default`` only), weights and link strengths are perturbed N
    times (seeded by ``seed``; see :mod:`strategease.stability`) and the result carries how often
    each strategy stays in the top ``top`` (10 when ``top`` is 0) and in the bundle.
    """
    loaded = scope if isinstance(scope, LoadedScope) else LoadedScope.in_memory(scope)
    method = Method(method)
    if stability and method is not Method.default:
        raise UsageError("--stability works with --method default only",
                         hint="the cfir-eric method reproduces a published tool and has no weights to perturb")
    ratings_warnings: list[str] = []
    team = None
    if ratings is not None:
        from strategease.ratings import aggregate as apply_ratings

        applied = apply_ratings(ratings, loaded, cat, aggregate)
        loaded, team, ratings_warnings = applied.loaded, applied.summary, applied.warnings
    size = bundle if bundle is not None else (loaded.scope.constraints.max_strategies or DEFAULT_BUNDLE)
    select_with = _select_cfir_eric if method is Method.cfir_eric else _select_default
    result = select_with(cat, loaded, size, top)
    if team is not None:
        result.team_ratings = team
        result.warnings = [*ratings_warnings, *result.warnings]
    if stability > 0:
        from strategease.stability import DEFAULT_SEED
        from strategease.stability import run as run_stability

        result.stability, stability_warnings = run_stability(
            cat, loaded, result, runs=stability, top_k=top if top > 0 else DEFAULT_TOP, bundle_size=size,
            seed=DEFAULT_SEED if seed is None else seed, team=team, progress=progress)
        result.warnings.extend(stability_warnings)
    if top > 0:
        result.strategies = result.strategies[:top]
    if loaded.scope.partners is not None:
        from strategease.partners import analyse

        result.partners, partner_warnings = analyse(cat, loaded.scope, result)
        result.warnings.extend(partner_warnings)
    result.coverage_notes = coverage_notes(cat, result)
    result.evidence_basis = scope_evidence(cat, [d.id for d in result.determinants])
    return result


def scope_evidence(cat: Catalogue, det_ids: list[str]) -> EvidenceBasisOut:
    """What each of the scope's determinants rests on (one line for the terminal, a table for the report)."""
    from strategease.reach import basis_counts, basis_sentence, evidence_basis

    basis = evidence_basis(cat, det_ids)
    return EvidenceBasisOut(summary=basis_sentence(basis), counts=dict(basis_counts(basis)), determinants=basis)


@dataclass
class _Scored:
    out: StrategyOut
    routes: dict[str, float]  # determinant -> r used for the bundle


def _rank(items: list[_Scored]) -> list[_Scored]:
    items.sort(key=lambda it: (-q(it.out.score), it.out.id))
    for i, it in enumerate(items, start=1):
        it.out.rank = i
    return items


def _select_default(cat: Catalogue, loaded: LoadedScope, size: int, top: int = 0) -> SelectionResult:
    sc = loaded.scope
    excluded = set(sc.constraints.exclude)
    in_place = set(sc.constraints.already_in_place)
    index = LinkIndex(cat)
    resolutions = [resolve(cat, d, index) for d in sc.determinants]
    warnings: list[str] = []
    uncovered: list[str] = []

    # ---- warnings per determinant (scope order)
    curated_only: list[str] = []
    scope_ids = {d.id for d in sc.determinants}
    scope_levels = [lv.value for lv in sc.level]
    for res in resolutions:
        det = cat.determinants[res.entry.id]
        label = _label(cat, det.id)
        reachable = {s for s in res.routes if s not in excluded}
        only_excluded = bool(res.routes) and not reachable
        if scope_levels and det.levels and not {lv.value for lv in det.levels} & set(scope_levels):
            warnings.append(f"{label} sits at {', '.join(lv.value for lv in det.levels)} level, outside the "
                            f"scope's levels ({', '.join(scope_levels)}); check the scope's level or the "
                            "partners who can act on it")
        for parent in res.parent_fallback:
            warnings.append(f"{label} has no function links of its own; used those of its parent "
                            f"{_label(cat, parent)} (×{PARENT_FACTOR:g})")
        for target in res.crosswalks:
            if target in scope_ids:
                warnings.append(f"{label} and {_label(cat, target)} are the same construct through the "
                                "crosswalk; both are counted")
        if det.framework in CFIR_FRAMEWORKS and res.entry.kind is Kind.barrier and not res.has_endorsement:
            name = _name(cat, det.id)
            if not reachable:
                warnings.append(f"no endorsement data for CFIR '{name}' ({det.id}) and no route to any strategy")
            else:
                kinds = sorted({"functions" if r.function else r.links[-1].evidence.value
                                for s in reachable for r in res.routes[s]})
                how = "functions only" if kinds == ["functions"] else f"other links only ({', '.join(kinds)})"
                warnings.append(f"no endorsement data for CFIR '{name}' ({det.id}); ranked through {how}")
        elif not reachable:
            if only_excluded:
                warnings.append(f"every route from {label} leads to an excluded strategy; it stays uncovered")
            elif res.entry.kind is Kind.facilitator and res.skipped_survey:
                warnings.append(f"no route from facilitator {label}: its only links are CFIR–ERIC endorsements, "
                                "which were elicited for barriers")
            else:
                warnings.append(f"no route from {label} to any strategy in the catalogue; it stays uncovered")
        if reachable and all(r.curated for s in reachable for r in res.routes[s]):
            curated_only.append(label)
        if reachable and res.entry.kind is Kind.facilitator and res.skipped_survey:
            warnings.append(f"facilitator {label}: {res.skipped_survey} CFIR–ERIC endorsement link(s) not used "
                            "(elicited for barriers)")
        if not reachable:
            uncovered.append(det.id)

    if curated_only:
        warnings.append("every route from " + _and(curated_only) + " rests on at least one curated link "
                        "(this project's judgement; see each link's rationale with 'strategease show ID')")

    # ---- score every strategy: first cheaply (value per determinant, its best route), then
    # build the itemised output only for the strategies that will be shown (top N, in place).
    candidates = sorted({s for res in resolutions for s in res.routes} | in_place)
    light: list[tuple[int, str, list[tuple[int, str, Resolution, Route]], dict[str, float]]] = []
    for sid in candidates:
        if sid in excluded or sid not in cat.strategies:
            continue
        st = cat.strategies[sid]
        picked: list[tuple[int, str, Resolution, Route]] = []
        bundle_routes: dict[str, float] = {}
        for res in resolutions:
            routes = res.routes.get(sid)
            if not routes:
                continue
            best = min(routes, key=Route.key) if len(routes) > 1 else routes[0]
            value_q = q(res.weight * best.strength)
            if value_q <= 0:
                continue
            bundle_routes[res.entry.id] = best.strength
            picked.append((value_q, res.entry.id, res, best))
        base_q = sum(t[0] for t in picked)
        if base_q <= 0 and sid not in in_place:
            continue
        mismatch = level_mismatch(st, scope_levels)
        total_q = base_q + sum(modifier_values(base_q, ratings_factor(st), mismatch))
        if mismatch:
            bundle_routes = {d: r * (1.0 - LEVEL_MISMATCH_K) for d, r in bundle_routes.items()}
        light.append((total_q, sid, picked, bundle_routes))
    light.sort(key=lambda it: (-it[0], it[1]))
    ranked_light = [it for it in light if it[1] not in in_place]
    placed_light = [it for it in light if it[1] in in_place]
    shown = ranked_light[:top] if top > 0 else ranked_light

    def materialise(item: tuple[int, str, list[tuple[int, str, Resolution, Route]], dict[str, float]],
                    rank: int) -> _Scored:
        total_q, sid, picked, bundle_routes = item
        st = cat.strategies[sid]
        picked = sorted(picked, key=lambda t: (-t[0], t[1]))
        contributions: list[Contribution] = []
        funcs: set[str] = set()
        evidence: set[str] = set()
        for value_q, det_id, res, best in picked:
            routes = res.routes[sid]
            funcs.update(res.functions_of.get(sid, ()))
            evidence.update(lk.evidence.value for lk in best.links)
            others = sorted({r.via for r in routes} - {best.via})
            note = best.note
            if others:
                extra = f"{len(others)} other route(s): " + ", ".join(others)
                note = f"{note}; {extra}" if note else extra
            contributions.append(Contribution(
                determinant=det_id, via=best.via, strength=r6(best.strength), weight=r6(res.weight),
                value=value_q / _SCALE, source=_join(lk.source for lk in best.links),
                evidence=_join(lk.evidence.value for lk in best.links), rule=res.entry.kind.value, note=note))
        base_q = sum(t[0] for t in picked)
        for modifier in (_ratings_term(st, base_q), _level_term(st, scope_levels, base_q)):
            if modifier is not None:
                contributions.append(modifier)
        imp, feas = _ratings(cat, st)
        out = StrategyOut(rank=rank, id=sid, name=st.name, framework=st.framework, cluster=st.cluster,
                          score=total_q / _SCALE, contributions=contributions,
                          determinants=[t[1] for t in picked], functions=sorted(funcs),
                          evidence=sorted(evidence), importance=imp, feasibility=feas)
        return _Scored(out, bundle_routes)

    ranked = [materialise(it, i) for i, it in enumerate(shown, start=1)]
    placed = [materialise(it, i) for i, it in enumerate(placed_light, start=1)]
    bundle_pool = [(it[1], it[3]) for it in ranked_light + placed_light]

    # ---- types of HOW
    func_scores: dict[str, int] = defaultdict(int)
    func_dets: dict[str, list[str]] = defaultdict(list)
    for res in resolutions:
        for func, factor in res.functions.items():
            value_q = q(res.weight * factor)
            if value_q > 0:
                func_scores[func] += value_q
                func_dets[func].append(res.entry.id)
    functions = [FunctionOut(id=f, name=_name(cat, f), score=func_scores[f] / _SCALE, determinants=sorted(func_dets[f]))
                 for f in sorted(func_scores, key=lambda f: (-func_scores[f], f))]

    weights = {res.entry.id: res.weight for res in resolutions}
    bundle_out = _bundle(cat, weights, bundle_pool, [p.out.id for p in placed], size, warnings)
    determinants = [DeterminantOut(id=res.entry.id, name=_name(cat, res.entry.id),
                                   framework=cat.determinants[res.entry.id].framework, kind=res.entry.kind.value,
                                   importance=res.entry.importance, changeability=res.entry.changeability,
                                   weight=r6(res.weight), note=res.entry.note, resolved_via=res.resolved_via)
                    for res in resolutions]
    return SelectionResult(
        tool_version=__version__, method=Method.default.value, catalogue=_catalogue_info(cat),
        scope=_scope_info(loaded), determinants=determinants, functions=functions,
        strategies=[it.out for it in ranked], already_in_place=[it.out for it in placed], bundle=bundle_out,
        uncovered=uncovered, warnings=warnings)


def _bundle(cat: Catalogue, weights: dict[str, float], pool: Sequence[tuple[str, dict[str, float]]],
            preselected: list[str], size: int, warnings: list[str]) -> Bundle | None:
    if size <= 0:
        return None
    routes = dict(pool)
    sol = greedy_bundle(weights, routes, size, preselected)
    if len(sol.picks) < size:
        warnings.append(f"the bundle has {len(sol.picks)} strategies, fewer than the {size} asked for: "
                        "no other strategy adds coverage")
    order = list(weights)
    return Bundle(size=size,
                  strategies=[BundleItem(id=p.id, name=_name(cat, p.id), gain=r6(p.gain), covers=list(p.covers))
                              for p in sol.picks],
                  covered_weight=r6(sol.covered), total_weight=r6(sol.total),
                  uncovered=[d for d in order if d in set(sol.uncovered)])


# --------------------------------------------------------------------------- cfir-eric


def _select_cfir_eric(cat: Catalogue, loaded: LoadedScope, size: int, top: int = 0) -> SelectionResult:
    sc = loaded.scope
    excluded = set(sc.constraints.exclude)
    in_place = set(sc.constraints.already_in_place)
    warnings: list[str] = []
    # CFIR 1.0 barrier -> the scope determinant credited with it
    claims: dict[str, list[str]] = defaultdict(list)  # CFIR 1.0 barrier -> scope determinants choosing it
    resolved: dict[str, list[str]] = {d.id: [] for d in sc.determinants}
    for d in sc.determinants:
        det = cat.determinants[d.id]
        label = _label(cat, d.id)
        if d.kind is Kind.facilitator:
            warnings.append(f"{label} ignored by --method cfir-eric: it is a facilitator "
                            "(the CFIR–ERIC tool matches strategies to barriers only)")
            continue
        if det.framework == CFIR1:
            targets = [d.id]
        elif det.framework == CFIR2:
            targets = sorted(lk.to for lk in _links(cat, d.id, m.LinkKind.crosswalk)
                             if lk.to in cat.determinants and cat.determinants[lk.to].framework == CFIR1)
            if not targets:
                warnings.append(f"{label} ignored by --method cfir-eric: no crosswalk to a CFIR 1.0 construct")
                continue
            names = ", ".join(_label(cat, t) for t in targets)
            warnings.append(f"{label} is CFIR 2.0; counted as CFIR 1.0 {names} through the crosswalk")
        else:
            warnings.append(f"{label} ignored by --method cfir-eric: only CFIR constructs are matched")
            continue
        for t in targets:
            resolved[d.id].append(t)
            claims[t].append(d.id)
    # each CFIR 1.0 barrier counts once, credited to itself when chosen directly, else to the first id
    counted = {t: (t if t in ids else min(ids)) for t, ids in claims.items()}
    for t in sorted(claims):
        if len(claims[t]) > 1:
            warnings.append(f"CFIR 1.0 {_label(cat, t)} is chosen more than once ({', '.join(sorted(claims[t]))}); "
                            "counted once")
    position = {d.id: i for i, d in enumerate(sc.determinants)}
    # endorsement data per counted barrier
    per_strategy: dict[str, list[tuple[str, m.Link]]] = defaultdict(list)
    for t in sorted(counted, key=lambda b: (position[counted[b]], b)):
        name = _name(cat, t)
        survey = [lk for lk in _links(cat, t, m.LinkKind.addresses)
                  if lk.evidence is m.Evidence.survey_of_experts and lk.strength is not None]
        secondary = [lk for lk in _links(cat, t, m.LinkKind.addresses)
                     if lk.evidence is m.Evidence.secondary_report]
        if not survey:
            warnings.append(f"no endorsement percentages for CFIR '{name}' ({t}); it adds nothing to the "
                            "cfir-eric ranking (data thin)")
        if secondary:
            warnings.append(f"{len(secondary)} Level-1-or-2 link(s) for CFIR '{name}' ({t}) from a secondary "
                            "report are not counted (no percentage)")
        for lk in survey:
            per_strategy[lk.to].append((t, lk))
    non_default = [d.id for d in sc.determinants if d.id in {counted[t] for t in counted}
                   and (d.importance, d.changeability) != (3, 3)]
    if non_default:
        warnings.append("--method cfir-eric ignores importance and changeability (the CFIR–ERIC tool is unweighted)")

    ranked: list[_Scored] = []
    placed: list[_Scored] = []
    for sid in sorted(set(per_strategy) | in_place):
        if sid in excluded or sid not in cat.strategies:
            continue
        st = cat.strategies[sid]
        terms: list[tuple[int, str, Contribution]] = []
        routes: dict[str, float] = {}
        level1 = level2 = 0
        for t, lk in per_strategy.get(sid, []):
            strength = lk.strength or 0.0
            owner = counted[t]
            level = "Level 1 (≥ 50 %)" if strength >= LEVEL1 else "Level 2 (20–49 %)" if strength >= LEVEL2 else None
            level1 += strength >= LEVEL1
            level2 += LEVEL2 <= strength < LEVEL1
            value_q = q(strength * 100)
            if strength > 0:
                routes[owner] = max(routes.get(owner, 0.0), strength)
            note = level
            if lk.n_respondents:
                note = f"{note}; n = {lk.n_respondents}" if note else f"n = {lk.n_respondents}"
            terms.append((value_q, owner, Contribution(
                determinant=owner, via="direct" if owner == t else f"crosswalk:{t}", strength=r6(strength),
                weight=None, value=value_q / _SCALE, source=lk.source, evidence=lk.evidence.value,
                rule="barrier", note=note)))
        terms.sort(key=lambda x: (-x[0], x[1]))
        total_q = sum(x[0] for x in terms)
        if total_q <= 0 and sid not in in_place:
            continue
        imp, feas = _ratings(cat, st)
        out = StrategyOut(rank=0, id=sid, name=st.name, framework=st.framework, cluster=st.cluster,
                          score=total_q / _SCALE, contributions=[x[2] for x in terms],
                          determinants=[x[1] for x in terms if x[0] > 0], functions=[],
                          evidence=sorted({x[2].evidence or "" for x in terms} - {""}), importance=imp,
                          feasibility=feas, cumulative_percent=total_q / _SCALE, level1=level1, level2=level2)
        (placed if sid in in_place else ranked).append(_Scored(out, routes))
    _rank(ranked)
    _rank(placed)

    owners = [d.id for d in sc.determinants if d.id in set(counted.values())]
    weights = {d: 1.0 for d in owners}
    bundle_pool = [(it.out.id, it.routes) for it in ranked + placed]
    bundle_out = _bundle(cat, weights, bundle_pool, [p.out.id for p in placed], size, warnings)
    reached = {d for it in ranked + placed for d in it.routes}
    uncovered = [d for d in owners if d not in reached]
    determinants = [DeterminantOut(id=d.id, name=_name(cat, d.id), framework=cat.determinants[d.id].framework,
                                   kind=d.kind.value, importance=d.importance, changeability=d.changeability,
                                   weight=1.0 if d.id in weights else 0.0, note=d.note, resolved_via=resolved[d.id])
                    for d in sc.determinants]
    return SelectionResult(
        tool_version=__version__, method=Method.cfir_eric.value, catalogue=_catalogue_info(cat),
        scope=_scope_info(loaded), determinants=determinants, functions=[],
        strategies=[it.out for it in ranked], already_in_place=[it.out for it in placed], bundle=bundle_out,
        uncovered=uncovered, warnings=warnings)


# --------------------------------------------------------------------------- explain


def find_strategy(result: SelectionResult, cat: Catalogue, strategy_id: str) -> StrategyOut:
    """The ranked (or already-in-place) strategy with this id or rank number, or a usage error with a hint."""
    if strategy_id.isascii() and strategy_id.isdigit():
        rank = int(strategy_id)
        for st in result.strategies:
            if st.rank == rank:
                return st
        raise UsageError(f"no strategy at rank {rank}: {len(result.strategies)} strategies are ranked for this scope",
                         hint="give a rank from the list, or an id")
    for st in (*result.strategies, *result.already_in_place):
        if st.id == strategy_id:
            return st
    ranked = [st.id for st in (*result.strategies, *result.already_in_place)]
    if strategy_id in result.scope.exclude:
        raise UsageError(f"strategy '{strategy_id}' is excluded by the scope's constraints, so it is not ranked")
    if strategy_id in cat.strategies:
        raise UsageError(f"strategy '{strategy_id}' is not ranked for this scope: no route reaches it from the "
                         "scope's determinants", hint=did_you_mean(strategy_id, ranked))
    if strategy_id in cat.retired:
        raise UsageError(f"strategy {retired_message(cat, strategy_id)}", hint=retired_hint(cat, strategy_id))
    hint = did_you_mean(strategy_id, ranked) or did_you_mean(strategy_id, cat.strategies)
    raise UsageError(f"no strategy with id '{shorten(strategy_id)}'", hint=hint or "see the ranked list for ids")


__all__ = ["Method", "Resolution", "Route", "find_strategy", "resolve", "select", "weight", "BINARY_LINK_STRENGTH",
           "FUNCTION_ROUTE", "CROSSWALK_FACTOR", "PARENT_FACTOR", "FACILITATOR_FACTOR", "RATINGS_K",
           "LEVEL_MISMATCH_K", "level_mismatch", "ratings_factor", "LinkIndex", "q", "r6"]
