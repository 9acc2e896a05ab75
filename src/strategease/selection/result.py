"""The selection result: plain data that every renderer (table, JSON, CSV, Markdown, reports) reads.

JSON output is this model's serialisation (``SelectionResult.model_dump_json``), so its field
order and content are the published output contract of ``strategease select --format json``.
"""

# Annotations are objects here, not strings (no `from __future__ import annotations`): Pydantic would otherwise
# compile and evaluate every field's annotation from its text when the module is imported (~5 ms of each start-up).
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


def _without_absent(data: Any, keys: tuple[str, ...]) -> Any:
    """A model's serialised DATA without those of KEYS whose value is None (absent sections and fields are left out
    of the JSON rather than written as null)."""
    if isinstance(data, dict):
        for key in keys:
            if data.get(key) is None:
                data.pop(key, None)
    return data


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class CatalogueInfo(_Out):
    name: str
    version: str
    content_hash: str
    files: list[str] = Field(default_factory=list)


class ScopeInfo(_Out):
    """Echo of the scope: the change, levels, constraints, and the scope file's hash."""

    title: str
    path: str
    content_hash: str
    change: dict[str, str]
    levels: list[str] = Field(default_factory=list)
    max_strategies: int | None = None
    exclude: list[str] = Field(default_factory=list)
    already_in_place: list[str] = Field(default_factory=list)


class DeterminantOut(_Out):
    id: str
    name: str
    framework: str
    kind: str  # barrier | facilitator
    importance: float
    changeability: float
    weight: float
    note: str | None = None
    resolved_via: list[str] = Field(default_factory=list)  # ids used to find routes (self, crosswalks, parents)


class FunctionOut(_Out):
    id: str
    name: str
    score: float
    determinants: list[str]


class Contribution(_Out):
    """One itemised term of a strategy's score. ``value`` terms sum exactly to the score."""

    determinant: str | None  # None for the ratings and level modifier terms
    via: str  # "direct" | "function:<id>" | "crosswalk:<id>" | "parent:<id>" | "ratings" | "levels"
    strength: float | None
    weight: float | None
    value: float
    source: str | None
    evidence: str | None
    rule: str  # "barrier" | "level-modifier" | "builds-on" (--explain of a builds-on pick: a facilitator, value 0)
    note: str | None = None
    relative: float | None = None  # default: strength ÷ the determinant's best strength (balance)
    breadth: float | None = None  # default: 0.25 ** (k − 1) for the strategy's k-th largest term (fit over breadth)
    novelty: float | None = None  # default: 0.7 ** (strategy-equivalents ranked above on this barrier)


class StrategyOut(_Out):
    rank: int
    id: str
    name: str
    framework: str
    cluster: str | None
    score: float
    contributions: list[Contribution]
    determinants: list[str]
    functions: list[str]
    evidence: list[str]
    importance: float | None = None
    feasibility: float | None = None
    targets: list[str] = Field(default_factory=list)  # whom it acts on (catalogue), empty = not stated
    bounds: list[str] = Field(default_factory=list)  # default: links known only as bounds, shown, never counted
    # cfir-eric method only
    cumulative_percent: float | None = None
    level1: int | None = None
    level2: int | None = None


class BundleItem(_Out):
    id: str
    name: str
    gain: float
    covers: list[str]


class FacilitatorUse(_Out):
    """The facilitator a builds-on pick uses, and the route from it (as in ``build_on``)."""

    determinant: str
    name: str
    importance: float
    via: str
    strength: float
    source: str | None = None
    evidence: str | None = None


class BuildsOnPick(_Out):
    """A strategy listed after the barrier picks because it builds on an important facilitator: it adds no
    coverage and displaces no barrier pick (``docs/scoring.md`` §6; :mod:`strategease.selection.levers`)."""

    id: str
    name: str
    facilitators: list[FacilitatorUse]  # the facilitators it builds on: importance (highest first), then id


class Bundle(_Out):
    """The greedy coverage bundle: ``size`` barrier picks at most (``strategies``), then, with method default,
    the builds-on picks (``builds_on``, at most ``min(3, size)``, outside the coverage figures) and notes on
    important facilitators that give none (``builds_on_notes``). ``builds_on`` and ``builds_on_notes`` are left
    out of the JSON for ``cfir-eric``, which ignores facilitators."""

    size: int
    strategies: list[BundleItem]
    covered_weight: float
    total_weight: float
    uncovered: list[str]
    builds_on: list[BuildsOnPick] | None = None
    builds_on_notes: list[str] | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in ("builds_on", "builds_on_notes"):
                if data.get(key) is None:
                    data.pop(key, None)
        return data


class Spread(_Out):
    """One question's team ratings for one determinant: the aggregate and how far raters agree."""

    n: int
    aggregate: float | None
    min: int | None
    max: int | None
    range: int | None
    iqr: float | None


class RaterScore(_Out):
    rater: str
    importance: int | None
    changeability: int | None
    note: str | None = None


class RatedDeterminant(_Out):
    id: str
    name: str
    in_scope: bool  # False: rated by the team but not in the scope, added as a barrier
    raters: int
    importance: Spread
    changeability: Spread
    disagreement: bool
    reasons: list[str] = Field(default_factory=list)
    scores: list[RaterScore] = Field(default_factory=list)


class RaterOut(_Out):
    name: str
    role: str | None = None
    organisation: str | None = None
    ratings: int


class TeamRatingsOut(_Out):
    """Team ratings used for the weights (``--ratings``): who rated, aggregates and agreement."""

    path: str
    content_hash: str
    aggregate: str  # median | mean
    rule: str  # the disagreement rule, in words
    raters: list[RaterOut]
    determinants: list[RatedDeterminant]
    added: list[str] = Field(default_factory=list)
    unrated: list[str] = Field(default_factory=list)
    disagreements: list[str] = Field(default_factory=list)


class PartnerOut(_Out):
    name: str
    type: str
    role: str | None = None
    involvement: str | None = None  # inform | consult | involve | collaborate | co-create


class PartnerNeed(_Out):
    """A partner type the scope's determinants concern, and who of that type is at the table."""

    type: str
    determinants: list[str]  # scope determinants whose catalogue entry names this partner type
    partners: list[str]  # names of the partners of this type at the table
    status: str  # "present" | "missing" | "informed-only"


class PushOnly(_Out):
    id: str
    name: str
    rank: int | None
    in_bundle: bool


class PartnersOut(_Out):
    """Who is at the table, which partner types the chosen determinants call for, what is missing."""

    partners: list[PartnerOut]
    types: dict[str, list[str]]  # partner type -> names at the table
    needs: list[PartnerNeed]
    missing: list[str]  # partner types needed but absent
    push_only: list[PushOnly] = Field(default_factory=list)  # shown push-only strategies, when partners co-create
    notes: list[str] = Field(default_factory=list)


class StabilityRow(_Out):
    """How one strategy fared over the perturbed runs."""

    id: str
    name: str
    baseline_rank: int | None  # None: in place, or not reached unperturbed
    in_baseline_top: bool
    in_baseline_bundle: bool
    top_runs: int  # runs in which it was in the top k
    top_share: float  # top_runs / runs
    bundle_runs: int
    bundle_share: float
    rank_median: float | None
    rank_min: int | None
    rank_max: int | None
    unstable: bool
    reasons: list[str] = Field(default_factory=list)


class StabilityOut(_Out):
    """Ranking stability under documented perturbations of weights and link strengths (``--stability``)."""

    runs: int
    seed: int
    top_k: int
    bundle_size: int
    weight_jitter: float  # ± points on importance and changeability
    link_jitter: float  # ± share of each link's strength
    threshold: float  # unstable below this share of runs
    model: str  # the perturbation model in words
    strategies: list[StabilityRow]
    unstable: list[str] = Field(default_factory=list)


class ActorFitOut(_Out):
    """Whom the change is about (``change.actor_type``) and which strategy targets that admits."""

    actor_type: list[str]  # the scope's actor types; empty = not stated, nothing filtered
    admitted: list[str]  # strategy targets admitted (empty with no actor type)
    named: dict[str, list[str]] = Field(default_factory=dict)  # actor -> scope determinants that name it
    note: str | None = None


class ApartOut(_Out):
    """A strategy listed apart: reached from the scope's barriers but aimed at other actors, or needing the
    machinery of a sector the scope does not name (``sectors``: the sectors it needs; None when it is set apart
    for its actors)."""

    id: str
    name: str
    targets: list[str]
    determinants: list[str]
    sectors: list[str] | None = None

    @model_serializer(mode="wrap")
    def _omit_no_sectors(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without_absent(handler(self), ("sectors",))


class FoundationItem(_Out):
    """An implementation-process strategy of the foundation checklist (not ranked)."""

    id: str
    name: str
    in_place: bool


class PartOfChange(_Out):
    id: str
    name: str


class Lever(_Out):
    id: str
    name: str
    strength: float  # the facilitator's best route strength to it
    via: str


class BuildOn(_Out):
    """A facilitator and the strategies that use it: levers to build on, never points."""

    determinant: str
    name: str
    strategies: list[Lever]


class TieGroup(_Out):
    """Strategies with equal scores: choose among them with APEASE."""

    score: float
    ranks: list[int]  # first and last rank of the group
    strategies: list[str]


class StructuralFlag(_Out):
    """A top-k strategy that leaves the top k when one curated link is left out."""

    id: str
    name: str
    rank: int
    link: str  # "from → to (kind)"
    rank_without: int | None  # its rank without that link; None = no longer ranked


class StructuralCheckOut(_Out):
    top_k: int
    links_checked: int  # curated links on the routes that decide the top k
    flagged: list[StructuralFlag] = Field(default_factory=list)


OPTIONAL_SECTIONS = ("evidence_basis", "team_ratings", "partners", "stability", "actor_fit", "other_actors",
                     "foundation", "part_of_change", "build_on", "tie_groups", "structural_check")
"""Sections of :class:`SelectionResult` left out of the JSON when absent, so output for inputs that
do not use them stays byte-identical to earlier versions."""


class EvidenceBasisOut(_Out):
    """What the scope's determinants rest on: the best evidence kind behind any path to a strategy
    (``survey-of-experts``, ``systematic-review``, ``published-matrix``, ``secondary-report``,
    ``seed-document``, ``curated`` or ``none``; see :mod:`strategease.catalogue.reach`)."""

    summary: str
    counts: dict[str, int]
    determinants: dict[str, str]


class SelectionResult(_Out):
    tool_version: str
    method: str
    catalogue: CatalogueInfo
    scope: ScopeInfo
    determinants: list[DeterminantOut]
    functions: list[FunctionOut]
    strategies: list[StrategyOut]
    already_in_place: list[StrategyOut] = Field(default_factory=list)
    bundle: Bundle | None = None
    uncovered: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    coverage_notes: list[str] = Field(default_factory=list)
    # method default only (left out of cfir-eric output)
    actor_fit: ActorFitOut | None = None
    other_actors: list[ApartOut] | None = None
    foundation: list[FoundationItem] | None = None
    part_of_change: list[PartOfChange] | None = None
    build_on: list[BuildOn] | None = None
    tie_groups: list[TieGroup] | None = None
    structural_check: StructuralCheckOut | None = None
    evidence_basis: EvidenceBasisOut | None = None
    team_ratings: TeamRatingsOut | None = None
    partners: PartnersOut | None = None
    stability: StabilityOut | None = None

    @model_serializer(mode="wrap")
    def _omit_absent_sections(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without_absent(handler(self), OPTIONAL_SECTIONS)
