"""Pydantic models of the catalogue files (``data/determinants.yaml``, ``data/strategies.yaml``).

Every catalogue file is a mapping with any of these top-level sections, each a list of entries
(``catalogue`` is a single mapping): ``catalogue``, ``sources``, ``frameworks``, ``determinants``,
``functions``, ``clusters``, ``strategies``, ``links``. Files are merged, so an organisation's
file may add entries that refer to ids defined in the shipped files.

All models forbid unknown keys, so a misspelt key is an error rather than silently ignored.
"""

# Annotations are objects here, not strings (no `from __future__ import annotations`): Pydantic would otherwise
# compile and evaluate every field's annotation from its text when the module is imported (~5 ms of each start-up).
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from strategease.vocab import Actor, Approach, Evidence, Grade, Level, LinkKind, Sector, StrategyClass, Tier

ID_PATTERN = r"^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$"
KEY_PATTERN = r"^[a-z][a-z0-9]*([._-][a-z0-9]+)*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=120)]
"""Entry id: a lower-case namespace, a dot, then words joined by hyphens (``tdf.knowledge``)."""
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
"""Source or framework key: lower-case words joined by ``.``, ``-`` or ``_`` (``waltz2019``)."""
Text = Annotated[str, StringConstraints(max_length=4000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]

__all__ = ["Actor", "Approach", "Evidence", "Grade", "Level", "LinkKind", "StrategyClass", "Tier"]


_SHARED_FIELD_SETS: dict[frozenset[str], frozenset[str]] = {}  # pickling: one copy per distinct set
_LIVE_FIELD_SETS: dict[frozenset[str], set[str]] = {}  # loaded models: one shared set per distinct set
_new = object.__new__
_set = object.__setattr__


def _rebuild(cls: type[BaseModel], state: dict[str, object], fields_set: frozenset[str]) -> BaseModel:
    """Recreate an already-validated model without validating again (used when unpickling)."""
    obj = _new(cls)
    _set(obj, "__dict__", state)
    shared = _LIVE_FIELD_SETS.get(fields_set)
    if shared is None:
        # Pydantic copies this set before changing it (model_copy), so equal sets may be shared.
        shared = _LIVE_FIELD_SETS[fields_set] = set(fields_set)
    _set(obj, "__pydantic_fields_set__", shared)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def share_fields_set(obj: BaseModel) -> BaseModel:
    """OBJ, its set of given field names replaced by one shared with every model that has the same.

    Each model otherwise owns a set of ~700 bytes (70 MB at 10^5 links); catalogue models are
    frozen and Pydantic copies the set before changing it (model_copy), so sharing is safe. The
    loader and the cache (:func:`_rebuild`) share through the same table.
    """
    fields = obj.__pydantic_fields_set__
    key = frozenset(fields)
    shared = _LIVE_FIELD_SETS.get(key)
    if shared is None:
        _LIVE_FIELD_SETS[key] = shared = fields
    elif shared is not fields:
        _set(obj, "__pydantic_fields_set__", shared)
    return obj


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle compactly: the catalogue cache holds up to ~10^5 links and must load fast."""
        fields_set = frozenset(self.__pydantic_fields_set__)
        shared = _SHARED_FIELD_SETS.setdefault(fields_set, fields_set)  # one pickled copy per distinct set
        return (_rebuild, (type(self), dict(self.__dict__), shared))


class CoverageNote(Strict):
    topic: Name
    note: Text
    source: Key | None = None


class CatalogueMeta(Strict):
    name: Name
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?([a-z0-9.+-]*)$")]
    description: Text | None = None
    coverage: list[CoverageNote] = Field(default_factory=list)


class Source(Strict):
    id: Key
    citation: Text
    url: Annotated[str, StringConstraints(max_length=1000)] | None = None
    kind: Annotated[str, StringConstraints(pattern=r"^(primary|secondary|curated|seed|unverified)$")] = "primary"
    note: Text | None = None


class Framework(Strict):
    id: Key
    name: Name
    description: Text | None = None
    source: Key


class Determinant(Strict):
    id: Id
    name: Name
    framework: Key
    tier: Tier
    domain: Name | None = None
    aliases: list[Name] = Field(
        default_factory=list, description="other spellings and published wordings, used for matching names"
    )
    parents: list[Id] = Field(default_factory=list)
    description: Text | None = None
    examples: list[Name] = Field(default_factory=list)
    levels: list[Level] = Field(default_factory=list)
    partner_types: list[Name] = Field(default_factory=list)
    source: Key
    verification: Text | None = None
    note: Text | None = None
    retired: bool = Field(default=False, description="retired entries are kept for the record but not used")
    replaced_by: Id | None = Field(default=None, description="the id that replaces a retired entry")


class Function(Strict):
    id: Id
    name: Name
    description: Text | None = None
    source: Key
    retired: bool = Field(default=False, description="retired entries are kept for the record but not used")
    replaced_by: Id | None = Field(default=None, description="the id that replaces a retired entry")


class Cluster(Strict):
    id: Id
    name: Name
    framework: Key
    size: int | None = Field(default=None, ge=0)
    mean_importance: float | None = Field(default=None, ge=1, le=5)
    mean_feasibility: float | None = Field(default=None, ge=1, le=5)
    source: Key


class Ratings(Strict):
    """Published expert ratings on a 1-5 scale (Waltz et al. 2015); null when not published/known."""

    importance: float | None = Field(default=None, ge=1, le=5)
    feasibility: float | None = Field(default=None, ge=1, le=5)
    go_zone: Annotated[str, StringConstraints(max_length=40)] | None = None
    source: Key | None = None


class Effect(Strict):
    """A published summary effect of a strategy (e.g. a Cochrane EPOC review), exactly as printed."""

    review: Name = Field(description="short citation of the review, e.g. 'Ivers et al. 2012 (Cochrane)'")
    source: Key
    outcome: Text = Field(description="what was measured, e.g. 'compliance with desired practice'")
    effect: Text | None = Field(default=None, description="the summary effect as published, with its spread")
    studies: int | None = Field(default=None, ge=1, description="number of studies (or comparisons) pooled")
    certainty: Text | None = Field(default=None, description="the review's certainty wording (e.g. GRADE)")
    how_read: Text | None = Field(default=None, description="how the figure was read: the paper, a faithful copy")
    note: Text | None = None


class Strategy(Strict):
    id: Id
    name: Name
    framework: Key
    aliases: list[Name] = Field(
        default_factory=list, description="other spellings and published wordings, used for matching names"
    )
    number: int | None = Field(default=None, ge=1)
    cluster: Id | None = None
    cluster_basis: Annotated[str, StringConstraints(pattern=r"^(sourced|inferred|curated)$")] | None = None
    description: Text | None = None
    levels: list[Level] = Field(default_factory=list)
    approach: list[Approach] = Field(default_factory=list)
    targets: list[Actor] = Field(default_factory=list, description="whom the strategy acts on")
    targets_source: Key | None = None
    targets_rationale: Text | None = None
    sectors: list[Sector] = Field(
        default_factory=list,
        description="the sectors whose machinery the strategy needs (empty: any sector); set apart elsewhere",
    )
    sectors_source: Key | None = None
    sectors_rationale: Text | None = None
    strategy_class: StrategyClass | None = Field(
        default=None, alias="class", description="Leeman et al.'s class (implementation process, capacity-building…)"
    )
    class_source: Key | None = None
    class_rationale: Text | None = None
    ratings: Ratings | None = None
    effects: list[Effect] = Field(default_factory=list, description="published effectiveness; never part of the score")
    source: Key
    note: Text | None = None
    retired: bool = Field(default=False, description="retired entries are kept for the record but not used")
    replaced_by: Id | None = Field(default=None, description="the id that replaces a retired entry")


class Link(Strict):
    from_: Id = Field(alias="from")
    to: Id
    kind: LinkKind
    strength: float | None = Field(default=None, ge=0, le=1)
    strength_lower: float | None = Field(
        default=None, ge=0, le=1, description="lower bound guaranteed by the source when the exact value is unknown"
    )
    strength_lower_source: Key | None = Field(
        default=None,
        description="source of strength_lower when it is not the link's own source (a published lower bound kept "
                    "on a graded curated or review link; the grade is what is scored)",
    )
    strength_upper: float | None = Field(
        default=None, ge=0, le=1,
        description="upper bound known from the source (e.g. below 20 % when absent from a complete Level 1/2 list)",
    )
    grade: Grade | None = Field(default=None, description="primary: among the strategies acting on it most directly")
    n_respondents: int | None = Field(default=None, ge=1)
    evidence: Evidence
    source: Key
    rationale: Text | None = None
    note: Text | None = None
    retired: bool = Field(default=False, description="a retired link is dropped when layers are merged")


class CatalogueFile(Strict):
    """One catalogue YAML file. All sections are optional."""

    catalogue: CatalogueMeta | None = None
    sources: list[Source] = Field(default_factory=list)
    frameworks: list[Framework] = Field(default_factory=list)
    determinants: list[Determinant] = Field(default_factory=list)
    functions: list[Function] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    strategies: list[Strategy] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
