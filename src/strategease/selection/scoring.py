"""Rank implementation strategies for a scope: the documented scoring methods.

This module never prints or exits; :func:`select` returns a :class:`SelectionResult`.
The same text, with worked examples, is in ``docs/scoring.md``.

Method ``default``
==================

1. **Weight of a determinant.** ``w_d = (importance / 5) × (changeability / 5)``, both rated 1-5
   in the scope (default 3), so ``w_d`` lies in [0.04, 1] and the default is 0.36 (Intervention
   Mapping's importance × changeability; Bartholomew Eldredge et al. 2016; Fernandez et al. 2019).

2. **Who** (:mod:`strategease.selection.actors`). *Actor fit*: ``change.actor_type`` admits the strategy
   targets that act on that actor or its setting (deliverers → deliverers, leaders, organisation,
   implementation team; recipients → recipients, organisation, implementation team; …); a
   strategy whose ``targets`` miss them is listed apart (``other_actors``), never ranked or
   bundled, unless a scope determinant names that actor (CFIR *Patient needs and resources* →
   recipients, …). No targets = unknown = kept; no actor type = nothing filtered, with a warning
   (AACTT, Presseau et al. 2019); policy makers are named only at the system level; in a scope whose only
   actor is the recipients, setting-only strategies are not counted for their individual-level barriers.
   *Foundation*: implementation-process strategies (Leeman et al. 2017) form a checklist (``foundation``)
   unless a scope barrier's own direct link (or its crosswalk's) names one, or one aimed at the recipients is
   reached in a scope whose actor is the recipients.
   *Part of the change*: ``innovation.strategies`` are reported, not ranked.

3. **Routes** (:mod:`strategease.selection.routes`): own ``addresses`` links and ``calls-for`` →
   ``delivers`` function routes; crosswalks (× ``CROSSWALK_FACTOR`` = 1.0, × ``SPLIT_CROSSWALK_FACTOR`` = 0.8
   when the determinant crosswalks to several constructs or is a subconstruct); a parent's
   ``calls-for`` links when the determinant has none (× ``PARENT_FACTOR`` = 0.8). Strength: a
   direct link's ``strength``, else ``BINARY_LINK_STRENGTH`` = 0.5 (the CFIR–ERIC Level-1
   threshold), × ``SECONDARY_GRADE`` = 0.5 when graded secondary (unless a *note cue*,
   :mod:`strategease.selection.cues`, finds that a broad resource barrier's note names a missing thing or place:
   then its own secondary direct link to equipment counts in full); a function route
   ``FUNCTION_ROUTE`` = 0.3 (0.6 of a bare direct link: two general judgements say
   less than a source naming the pair) × the links' own strengths × the ``delivers`` link's *specificity*:
   1 when graded primary, else ``min(1, FANOUT_REFERENCE / n)`` for a function delivering n
   strategies (``FANOUT_REFERENCE`` = 10), halved when graded secondary. Links known only as a
   lower bound (a partial "Level 1 or 2" table) or an upper bound ("below 20 %") are shown
   (``bounds``), never counted; a graded link that also carries a published lower bound counts by
   its grade alone, the bound named in its note. Per (determinant, strategy) the strongest route counts,
   except that a determinant's own direct link to a strategy sets its crosswalk and parent routes to it aside.

4. **Score** (:func:`strategease.selection.ranking.rank`, the one ranking rule, also used by
   ``--stability`` and the structural check). For each barrier, ``relative = r / best r`` over
   the rankable strategies (*balance*: a determinant's best strategy gets ``w_d`` whatever its
   framework's link values); routes below ``PRUNE_BELOW`` = 0.25 of the best are pruned
   (catch-alls); the terms ``w_d × relative`` are sorted and the k-th counts
   ``BREADTH_DECAY ** (k − 1)`` with ``BREADTH_DECAY`` = 0.25 (*fit over breadth*: all further
   terms add at most a third of the largest). *Coverage*: the list is built one place at a time and each
   term is first × ``NOVELTY_DECAY ** c_d`` (``NOVELTY_DECAY`` = 0.7), where ``c_d`` sums ``relative ** 2``
   over the strategies placed above (and those in place) that address barrier ``d`` — for a direct-link term,
   a strategy above that reached ``d`` only through a type of HOW counts × ``BROAD_COVER`` = 0.5 (maximal
   marginal relevance, Carbonell & Goldstein 1998); equal scores are ordered by the evidence kind of the lead
   term's route (the catalogue's evidence order, curated last), then by id. The ERIC
   ratings (Waltz et al. 2015; known for 24 of 73, all early clusters) are shown, not scored.

5. **Facilitators** add no points: each yields a *build on* list (``build_on``) of the strategies
   its non-survey direct links (or crosswalks) reach most strongly — its function routes only when
   it has no direct link, since a type of HOW is too broad to say what builds on a strength
   (survey endorsements were elicited for barriers; Waltz et al. 2019).

6. **Level modifier** (``via: levels``): a strategy whose levels share none of the scope's loses
   ``LEVEL_MISMATCH_K`` = 0.2 of its base score (and its bundle strengths × 0.8).

7. ``constraints.exclude`` removes strategies; ``already_in_place`` lists them apart and counts
   their coverage in the bundle. Ranking: score descending, then id. Equal scores are reported as
   ``tie_groups`` (choose with APEASE); the ``structural_check`` leaves out each curated link on a
   top-10 route in turn and flags the top-10 strategies that then drop out.

   Every term is rounded to 6 decimal places and the score is the sum of the rounded terms.

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

See :mod:`strategease.selection.bundle`: greedy maximisation of ``Σ_d w_d (1 − Π_{s∈S}(1 − r(d, s)))`` (a
noisy-OR, Pearl 1988) with the same ``w`` and ``r`` as the score (for ``cfir-eric``: ``w = 1`` per
counted barrier and ``r`` = the endorsement fraction); greedy reaches at least 1 − 1/e of the
optimum (Nemhauser, Wolsey & Fisher 1978). With ``default`` the bundle then lists builds-on picks for the
important facilitators, outside coverage (:mod:`strategease.selection.levers`).

Sources: Bartholomew Eldredge et al. 2016 and Fernandez et al. 2019 (Intervention/Implementation
Mapping: importance × changeability); Michie et al. 2011 and the BCW guide 2014 (COM-B/TDF →
intervention functions); Powell et al. 2015 (ERIC); Waltz et al. 2015 (ratings); Waltz et al. 2019
(CFIR–ERIC endorsements, Level 1 ≥ 50 %, Level 2 20–49 %). Full references in ``docs/scoring.md``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from strategease import __version__
from strategease.catalogue import models as m
from strategease.catalogue.load import Catalogue, did_you_mean, retired_hint, retired_message, shorten
from strategease.errors import UsageError
from strategease.selection.actors import (
    RECIPIENT_DETERMINANTS,
    acts_on_own_actor,
    admitted,
    aimed_elsewhere,
    is_foundation,
    named_actor,
    reaches_recipients_through_setting,
    recipients_in_notes,
    recipients_only,
)
from strategease.selection.bundle import greedy_bundle
from strategease.selection.levers import builds_on_picks, changes_money_or_rules
from strategease.selection.ranking import BREADTH_DECAY, LEVEL_MISMATCH_K, PRUNE_BELOW, Scored, Table, build_table, rank
from strategease.selection.result import (
    ActorFitOut,
    ApartOut,
    BuildOn,
    Bundle,
    BundleItem,
    CatalogueInfo,
    Contribution,
    DeterminantOut,
    EvidenceBasisOut,
    FoundationItem,
    FunctionOut,
    Lever,
    PartOfChange,
    ScopeInfo,
    SelectionResult,
    StrategyOut,
    StructuralCheckOut,
    StructuralFlag,
    TieGroup,
)
from strategease.selection.routes import (
    BINARY_LINK_STRENGTH,
    CROSSWALK_FACTOR,
    FANOUT_REFERENCE,
    FUNCTION_ROUTE,
    PARENT_FACTOR,
    SECONDARY_GRADE,
    LinkIndex,
    Resolution,
    Route,
    q,
    r6,
    resolve,
    weight,
)
from strategease.selection.scope import Kind, LoadedScope, Scope
from strategease.selection.sectors import other_sector
from strategease.selection.wording import join_unique
from strategease.selection.wording import label as _label
from strategease.selection.wording import name as _name

if TYPE_CHECKING:
    from strategease.selection.ratings import TeamRatings

# --------------------------------------------------------------------------- constants (documented above)

RATING_MIDPOINT = 3.0
LEVEL1 = 0.5
LEVEL2 = 0.2
DEFAULT_BUNDLE = 5
DEFAULT_TOP = 10
BUILD_ON_TOP = 5
STRUCTURAL_TOP = 10
CFIR1 = "cfir1"
CFIR2 = "cfir2"
CFIR_FRAMEWORKS = (CFIR1, CFIR2)
DECIMALS = 6
_SCALE = 10**DECIMALS


class Method(StrEnum):
    default = "default"
    cfir_eric = "cfir-eric"


def _links(cat: Catalogue, node: str, kind: m.LinkKind) -> list[m.Link]:
    return [lk for lk in cat.links_from.get(node, []) if lk.kind is kind]


# --------------------------------------------------------------------------- helpers


def _catalogue_info(cat: Catalogue) -> CatalogueInfo:
    return CatalogueInfo(name=cat.meta.name if cat.meta else "unnamed catalogue", version=cat.version,
                         content_hash=cat.content_hash, files=[display_path(f) for f in cat.files])


def display_path(path: str) -> str:
    """Paths of the shipped catalogue are shown as ``shipped:NAME`` (stable across installs)."""
    from strategease.catalogue.load import shipped_data_dir

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


def level_mismatch(st: m.Strategy, scope_levels: Sequence[str]) -> bool:
    """True when the scope names levels and the strategy names levels, and they share none."""
    if not scope_levels or not st.levels:
        return False
    return not {lv.value for lv in st.levels} & set(scope_levels)


def _level_term(st: m.Strategy, scope_levels: Sequence[str], scored: Scored) -> Contribution | None:
    if not scored.level_q:
        return None
    acts = ", ".join(lv.value for lv in st.levels)
    note = (f"acts at {acts}; the scope is at {', '.join(scope_levels)}: "
            f"{-LEVEL_MISMATCH_K * 100:+.0f} % of the base score {scored.base_q / _SCALE:g}")
    return Contribution(determinant=None, via="levels", strength=None, weight=None, value=scored.level_q / _SCALE,
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
    texts = [f"{note.topic}: {note.note}" for note in cat.meta.coverage]
    lowered = [text.lower() for text in texts]
    seen = "\n".join(lowered)  # a term found nowhere in the notes cannot match: left out of the pattern
    words = sorted((t for t in terms if t and t in seen), key=lambda t: (-len(t), t))  # longest alternative first
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])") if words else None
    notes: list[str] = []
    for note, text, low in zip(cat.meta.coverage, texts, lowered, strict=True):
        if pattern is not None and pattern.search(low):
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
    (:func:`strategease.selection.scope.load_scope` does this). With team ``ratings`` (see
    :mod:`strategease.selection.ratings`), the team's ``aggregate`` (median or mean) of importance and
    changeability replaces the scope's, and the result carries the raters' agreement. With
    ``stability`` = N > 0 (method ``default`` only), weights and link strengths are perturbed N
    times (seeded by ``seed``; see :mod:`strategease.selection.stability`) and the result carries how often
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
        from strategease.selection.ratings import aggregate as apply_ratings

        applied = apply_ratings(ratings, loaded, cat, aggregate)
        loaded, team, ratings_warnings = applied.loaded, applied.summary, applied.warnings
    size = bundle if bundle is not None else (loaded.scope.constraints.max_strategies or DEFAULT_BUNDLE)
    table = None
    if method is Method.cfir_eric:
        result = _select_cfir_eric(cat, loaded, size, top)
    else:
        result, table = _select_default(cat, loaded, size, top)
    if team is not None:
        result.team_ratings = team
        result.warnings = [*ratings_warnings, *result.warnings]
    if stability > 0 and table is not None:
        from strategease.selection.stability import DEFAULT_SEED
        from strategease.selection.stability import run as run_stability

        names = {sid: cat.strategies[sid].name for sid in cat.strategies}
        result.stability, stability_warnings = run_stability(
            table, loaded, names, runs=stability, top_k=top if top > 0 else DEFAULT_TOP, bundle_size=size,
            seed=DEFAULT_SEED if seed is None else seed, team=team, progress=progress)
        result.warnings.extend(stability_warnings)
    if loaded.scope.partners is not None:
        from strategease.selection.partners import analyse

        result.partners, partner_warnings = analyse(cat, loaded.scope, result)
        result.warnings.extend(partner_warnings)
    result.coverage_notes = coverage_notes(cat, result)
    result.evidence_basis = scope_evidence(cat, [d.id for d in result.determinants])
    return result


def scope_evidence(cat: Catalogue, det_ids: list[str]) -> EvidenceBasisOut:
    """What each of the scope's determinants rests on (one line for the terminal, a table for the report)."""
    from strategease.catalogue.reach import basis_counts, basis_sentence, evidence_basis

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


def _select_default(cat: Catalogue, loaded: LoadedScope, size: int, top: int = 0) -> tuple[SelectionResult, Table]:
    sc = loaded.scope
    excluded = set(sc.constraints.exclude)
    innovation = list(sc.innovation.strategies) if sc.innovation else []
    in_place = [s for s in sc.constraints.already_in_place if s in cat.strategies and s not in excluded]
    index = LinkIndex(cat)
    resolutions = [resolve(cat, d, index) for d in sc.determinants]
    warnings: list[str] = []
    uncovered: list[str] = []
    scope_levels = [lv.value for lv in sc.level]

    # ---- who: actor fit (actors.py), foundation, part of the change
    named: dict[str, list[str]] = defaultdict(list)
    for res in resolutions:
        for det_id in dict.fromkeys([res.entry.id, *res.crosswalks]):
            det = cat.determinants.get(det_id)
            actor = named_actor(det, scope_levels) if det is not None else None
            if actor is not None and res.entry.id not in named[actor.value]:
                named[actor.value].append(res.entry.id)
    actor_types = list(sc.change.actor_type)
    admits = admitted(actor_types, [m.Actor(a) for a in named]) if actor_types else None
    actor_note = None
    if admits is None:
        actor_note = ("the scope does not say who must change (change.actor_type), so strategies are not "
                      "filtered by whom they act on; add e.g. 'actor_type: [deliverers]' under 'change'")
        warnings.append(actor_note)
    barriers = [res for res in resolutions if res.entry.kind is Kind.barrier]
    part = set(innovation)
    reached = sorted({s for res in barriers for s in res.routes})

    def called_for(sid: str) -> bool:
        """A scope barrier's own direct link (or its crosswalk's) names this implementation-process strategy; or,
        in a patients' scope, it involves the patients (aimed at them, and reached): that is done with the actor."""
        return (any(r.direct for res in barriers for r in res.routes.get(sid, ()))
                or (any(sid in res.routes for res in barriers) and acts_on_own_actor(cat.strategies[sid], actor_types)))

    sectors = list(sc.change.sector)

    def apart(st: m.Strategy) -> bool:
        """Aimed at actors the scope does not admit (actors.py), or needing another sector's machinery (sectors.py)."""
        return aimed_elsewhere(st, admits) or other_sector(st, sectors)

    elsewhere = [s for s in reached if s in cat.strategies and s not in excluded and s not in part
                 and s not in in_place and apart(cat.strategies[s])]
    foundation_ids = [s for s, st in cat.strategies.items() if is_foundation(st) and not st.retired
                      and s not in excluded and s not in part and not called_for(s) and not apart(st)]
    blocked = excluded | part | set(elsewhere) | set(foundation_ids)
    eligible = {s for s in reached if s in cat.strategies and s not in blocked and s not in in_place}
    mismatch = {s for s in eligible | set(in_place) if level_mismatch(cat.strategies[s], scope_levels)}
    unfit = frozenset((res.entry.id, s) for res in barriers for s in res.routes if s in eligible
                      and not reaches_recipients_through_setting(cat.strategies[s], cat.determinants[res.entry.id],
                                                                 actor_types, admits)
                      ) if recipients_only(actor_types, admits) else frozenset()
    if unfit:
        warnings.append(f"{len({s for _, s in unfit})} strategy(ies) aimed only at the setting (the organisation or "
                        "the implementation team) are not counted for the recipients' own barriers (memory, skills, "
                        "beliefs…): changing the setting acts on patients through their environment, not on what "
                        "they know or believe")
    table = build_table(resolutions, eligible, in_place, mismatch, unfit)

    # ---- warnings per determinant (scope order)
    scope_ids = {d.id for d in sc.determinants}
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
        if reachable and res.entry.kind is Kind.facilitator and res.skipped_survey:
            warnings.append(f"facilitator {label}: {res.skipped_survey} CFIR–ERIC endorsement link(s) not used "
                            "(elicited for barriers)")
        bounds = sum(len(v) for v in res.uncounted.values())
        if bounds and res.entry.kind is Kind.barrier and not reachable:
            warnings.append(f"{label}: {bounds} link(s) are known only as bounds (a partial 'Level 1 or 2' table or "
                            "'below 20 %'); they are shown with the strategies, never counted")
        if res.entry.kind is Kind.barrier and not (set(res.routes) & (eligible | set(in_place))):
            if reachable and not only_excluded:
                warnings.append(f"every strategy reached from {label} is aimed at other actors, part of the "
                                "change or in the foundation checklist; it stays uncovered in the ranking")
            uncovered.append(det.id)
        elif res.entry.kind is Kind.barrier and not reachable:
            uncovered.append(det.id)
    by_actor = [s for s in elsewhere if aimed_elsewhere(cat.strategies[s], admits)]
    by_sector = [s for s in elsewhere if other_sector(cat.strategies[s], sectors)]
    if by_actor:
        warnings.append(f"{len(by_actor)} strategy(ies) reached from the barriers act only on actors this scope "
                        "does not name; listed under 'aimed at other actors', not ranked or bundled")
    if by_sector:
        needs = sorted({x.value for s in by_sector for x in cat.strategies[s].sectors})
        warnings.append(f"{len(by_sector)} strategy(ies) reached from the barriers need the machinery of another "
                        f"sector ({', '.join(needs)}; the scope says {', '.join(x.value for x in sectors)}); "
                        "listed apart, not ranked or bundled")
    if by_actor:
        for_recipients = [s for s in by_actor if m.Actor.recipients in cat.strategies[s].targets]
        mentions = recipients_in_notes(((r.entry.id, r.entry.note) for r in barriers), admits)
        if for_recipients and mentions:
            where = ", ".join(f"'{word}' in {det_id}" for det_id, word in mentions)
            add = (" or ".join(d for d in RECIPIENT_DETERMINANTS if d in cat.determinants)
                   or "a determinant that names them")
            warnings.append(f"barrier notes say the recipients take part ({where}) but no determinant names them, so "
                            f"{len(for_recipients)} strategy(ies) aimed at them are set apart; if they are part of "
                            f"the problem, add a barrier such as {add}")

    # ---- rank (ranking.py: balance, pruning, fit over breadth, level)
    ranked_all, placed_all = rank(table)
    # a process strategy a barrier names only weakly (every route pruned) is not ranked: back to the checklist
    scored_ids = {x.id for x in (*ranked_all, *placed_all)}
    unranked_process = [s for s in sorted(eligible) if s not in scored_ids and is_foundation(cat.strategies[s])]
    shown = ranked_all[:top] if top > 0 else ranked_all
    res_of = {res.entry.id: res for res in resolutions}

    def materialise(item: Scored, rank_no: int) -> StrategyOut:
        st = cat.strategies[item.id]
        contributions: list[Contribution] = []
        funcs: set[str] = set()
        evidence: set[str] = set()
        for t in item.terms:
            det_id = table.det_ids[t.det]
            res = res_of[det_id]
            best = t.route
            funcs.update(res.functions_of.get(item.id))
            evidence.update(lk.evidence.value for lk in best.links)
            others = sorted({r.via for r in res.routes[item.id]} - {best.via})
            bits = [best.note] if best.note else []
            if best.function is not None:
                spec = index.specificity_note(best.links[-1])
                if spec:
                    bits.append(spec)
            if others:
                bits.append(f"{len(others)} other route(s): " + ", ".join(others))
            if t.relative < 1:
                bits.append(f"{t.relative:.3g} of the best route from this determinant")
            if t.novelty < 1:
                bits.append(f"barrier already addressed by the strategies ranked above: ×{r6(t.novelty):g}")
            if t.breadth < 1:
                bits.append(f"term {round(1 + _log_half(t.breadth))} of this strategy: ×{t.breadth:g}")
            contributions.append(Contribution(
                determinant=det_id, via=best.via, strength=r6(t.strength), weight=r6(res.weight),
                value=t.value_q / _SCALE, source=join_unique(lk.source for lk in best.links),
                evidence=join_unique(lk.evidence.value for lk in best.links), rule="barrier",
                note="; ".join(bits) or None, relative=r6(t.relative), breadth=t.breadth,
                novelty=r6(t.novelty)))
        level = _level_term(st, scope_levels, item)
        if level is not None:
            contributions.append(level)
        bounds = [f"{_name(cat, res.entry.id)}: {b}" for res in resolutions for b in res.uncounted.get(item.id, [])]
        imp, feas = _ratings(cat, st)
        return StrategyOut(rank=rank_no, id=item.id, name=st.name, framework=st.framework, cluster=st.cluster,
                           score=item.total_q / _SCALE, contributions=contributions,
                           determinants=[table.det_ids[t.det] for t in item.terms], functions=sorted(funcs),
                           evidence=sorted(evidence), importance=imp, feasibility=feas,
                           targets=[a.value for a in st.targets], bounds=bounds)

    ranked = [materialise(it, i) for i, it in enumerate(shown, start=1)]
    placed = [materialise(it, i) for i, it in enumerate(placed_all, start=1)
              if not is_foundation(cat.strategies[it.id])]

    # ---- types of HOW (barriers only: facilitators are levers, not needs)
    func_scores: dict[str, int] = defaultdict(int)
    func_dets: dict[str, list[str]] = defaultdict(list)
    for res in resolutions:
        if res.entry.kind is not Kind.barrier:
            continue
        for func, factor in res.functions.items():
            value_q = q(res.weight * factor)
            if value_q > 0:
                func_scores[func] += value_q
                func_dets[func].append(res.entry.id)
    functions = [FunctionOut(id=f, name=_name(cat, f), score=func_scores[f] / _SCALE, determinants=sorted(func_dets[f]))
                 for f in sorted(func_scores, key=lambda f: (-func_scores[f], f))]

    weights = dict(zip(table.det_ids, table.weights, strict=True))
    routes = {s.id: s.covers for s in (*ranked_all, *placed_all)}
    bundle_out = _bundle(cat, weights, routes, [p.id for p in placed_all], size, warnings)
    determinants = [DeterminantOut(id=res.entry.id, name=_name(cat, res.entry.id),
                                   framework=cat.determinants[res.entry.id].framework, kind=res.entry.kind.value,
                                   importance=res.entry.importance, changeability=res.entry.changeability,
                                   weight=r6(res.weight), note=res.entry.note, resolved_via=res.resolved_via)
                    for res in resolutions]
    result = SelectionResult(
        tool_version=__version__, method=Method.default.value, catalogue=_catalogue_info(cat),
        scope=_scope_info(loaded), determinants=determinants, functions=functions,
        strategies=ranked, already_in_place=placed, bundle=bundle_out,
        uncovered=uncovered, warnings=warnings)
    result.actor_fit = ActorFitOut(actor_type=[a.value for a in actor_types],
                                   admitted=sorted(a.value for a in admits) if admits is not None else [],
                                   named=dict(named) if admits is not None else {}, note=actor_note)
    result.other_actors = [_apart(cat, s, resolutions, sectors) for s in elsewhere]
    result.foundation = [FoundationItem(id=s, name=cat.strategies[s].name, in_place=s in set(in_place))
                         for s in sorted(foundation_ids + unranked_process)]
    result.part_of_change = [PartOfChange(id=s, name=_name(cat, s)) for s in innovation]
    levers = {s for res in resolutions if res.entry.kind is Kind.facilitator for s in res.routes
              if s in cat.strategies and s not in excluded and s not in part
              and not apart(cat.strategies[s])}
    result.build_on = _build_on(cat, resolutions, levers)
    if bundle_out is not None:  # builds-on picks (levers.py): after the barrier picks, outside coverage
        bundle_out.builds_on, bundle_out.builds_on_notes = builds_on_picks(
            result.build_on, determinants, resolutions, in_bundle={*(b.id for b in bundle_out.strategies), *in_place},
            checklist={f.id for f in result.foundation if not acts_on_own_actor(cat.strategies[f.id], actor_types)},
            barred=excluded | part | set(elsewhere), size=size,
            not_levers={s for s, st in cat.strategies.items() if changes_money_or_rules(st)})
    result.tie_groups = _tie_groups(ranked_all, len(shown))
    result.structural_check = _structural_check(cat, table, ranked_all)
    return result, table


def _log_half(x: float) -> float:
    k = 0
    while x < 1 - 1e-12:
        x /= BREADTH_DECAY
        k += 1
    return k


def _apart(cat: Catalogue, sid: str, resolutions: Sequence[Resolution], sectors: Sequence[m.Sector]) -> ApartOut:
    st = cat.strategies[sid]
    dets = [res.entry.id for res in resolutions if res.entry.kind is Kind.barrier and sid in res.routes]
    needs = [x.value for x in st.sectors] if other_sector(st, sectors) else None
    return ApartOut(id=sid, name=st.name, targets=[a.value for a in st.targets], determinants=dets, sectors=needs)


def _build_on(cat: Catalogue, resolutions: Sequence[Resolution], allowed: set[str]) -> list[BuildOn]:
    """Per facilitator, the strategies that use it most directly (best route, pruned like the ranking)."""
    out = []
    for res in resolutions:
        if res.entry.kind is not Kind.facilitator:
            continue
        best: list[tuple[float, int, str, Route]] = []
        for sid, routes in res.routes.items():
            if sid in allowed:
                r = min(routes, key=Route.key)
                best.append((r.strength, r.preference, sid, r))
        direct = [b for b in best if b[3].direct]  # direct or crosswalk links name the strategies that use it
        if direct or any(r.direct for routes in res.routes.values() for r in routes):
            # a type of HOW is too broad to say what builds on this facilitator; when its direct links all lead to
            # strategies for other actors, nothing is named rather than falling back to broad routes
            best = direct
        top = max((b[0] for b in best), default=0.0)
        best = [b for b in best if top > 0 and b[0] / top >= PRUNE_BELOW]
        best.sort(key=lambda b: (-b[0], b[1], b[2]))
        out.append(BuildOn(determinant=res.entry.id, name=_name(cat, res.entry.id),
                           strategies=[Lever(id=sid, name=_name(cat, sid), strength=r6(strength), via=r.via)
                                       for strength, _, sid, r in best[:BUILD_ON_TOP]]))
    return out


def _tie_groups(ranked: Sequence[Scored], shown: int) -> list[TieGroup]:
    """Runs of equal scores that reach into the shown ranks (members beyond them are listed too)."""
    groups: list[TieGroup] = []
    i = 0
    while i < len(ranked) and i < shown:
        j = i
        while j + 1 < len(ranked) and ranked[j + 1].total_q == ranked[i].total_q:
            j += 1
        if j > i:
            groups.append(TieGroup(score=ranked[i].total_q / _SCALE, ranks=[i + 1, j + 1],
                                   strategies=[s.id for s in ranked[i:j + 1]]))
        i = j + 1
    return groups


def _structural_check(cat: Catalogue, table: Table, ranked: Sequence[Scored],
                      top_k: int = STRUCTURAL_TOP) -> StructuralCheckOut:
    """Leave out, one at a time, each curated link on a route that decides the top k; flag top-k strategies
    that then fall out of the top k: their place rests on that single curated judgement."""
    top = ranked[:top_k]
    deciding = [t.route for s in top for t in s.terms]
    # the best route of each barrier the top k draws on sets that barrier's scale (balance)
    used = {t.det for s in top for t in s.terms}
    deciding += [t.route for s in ranked for t in s.terms if t.relative >= 1 and t.det in used]
    candidates: dict[tuple[str, str, str], m.Link] = {}
    for route in deciding:
        for lk in route.links:
            if lk.evidence is m.Evidence.curated:
                candidates.setdefault((lk.from_, lk.kind.value, lk.to), lk)
    flags: list[StructuralFlag] = []
    base_rank = {s.id: i for i, s in enumerate(top, 1)}
    for (frm, kind, to), link in sorted(candidates.items()):
        again, _ = rank(table, drop=link)
        new_rank = {s.id: i for i, s in enumerate(again, 1)}
        for sid, r in base_rank.items():
            nr = new_rank.get(sid)
            if nr is None or nr > top_k:
                flags.append(StructuralFlag(id=sid, name=cat.strategies[sid].name, rank=r,
                                            link=f"{frm} → {to} ({kind})", rank_without=nr))
    flags.sort(key=lambda f: (f.rank, f.link))
    return StructuralCheckOut(top_k=top_k, links_checked=len(candidates), flagged=flags)


def _bundle(cat: Catalogue, weights: dict[str, float], routes: dict[str, dict[str, float]],
            preselected: list[str], size: int, warnings: list[str]) -> Bundle | None:
    if size <= 0:
        return None
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
                     if lk.strength is None and lk.strength_lower is not None]
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
                          feasibility=feas, targets=[a.value for a in st.targets],
                          cumulative_percent=total_q / _SCALE, level1=level1, level2=level2)
        (placed if sid in in_place else ranked).append(_Scored(out, routes))
    _rank(ranked)
    _rank(placed)

    owners = [d.id for d in sc.determinants if d.id in set(counted.values())]
    weights = {d: 1.0 for d in owners}
    bundle_pool = [(it.out.id, it.routes) for it in ranked + placed]
    bundle_out = _bundle(cat, weights, dict(bundle_pool), [p.out.id for p in placed], size, warnings)
    reached = {d for it in ranked + placed for d in it.routes}
    uncovered = [d for d in owners if d not in reached]
    determinants = [DeterminantOut(id=d.id, name=_name(cat, d.id), framework=cat.determinants[d.id].framework,
                                   kind=d.kind.value, importance=d.importance, changeability=d.changeability,
                                   weight=1.0 if d.id in weights else 0.0, note=d.note, resolved_via=resolved[d.id])
                    for d in sc.determinants]
    return SelectionResult(
        tool_version=__version__, method=Method.cfir_eric.value, catalogue=_catalogue_info(cat),
        scope=_scope_info(loaded), determinants=determinants, functions=[],
        strategies=[it.out for it in (ranked[:top] if top > 0 else ranked)],
        already_in_place=[it.out for it in placed], bundle=bundle_out,
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


__all__ = ["BINARY_LINK_STRENGTH", "BREADTH_DECAY", "CROSSWALK_FACTOR", "FANOUT_REFERENCE", "FUNCTION_ROUTE",
           "LEVEL_MISMATCH_K", "PARENT_FACTOR", "PRUNE_BELOW", "SECONDARY_GRADE", "LinkIndex", "Method", "Resolution",
           "Route", "find_strategy", "level_mismatch", "q", "r6", "resolve", "select", "weight"]
