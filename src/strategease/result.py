"""The selection result: plain data that every renderer (table, JSON, CSV, Markdown, reports) reads.

JSON output is this model's serialisation (``SelectionResult.model_dump_json``), so its field
order and content are the published output contract of ``strategease select --format json``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    rule: str  # "barrier" | "facilitator" | "ratings-modifier" | "level-modifier"
    note: str | None = None


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
    # cfir-eric method only
    cumulative_percent: float | None = None
    level1: int | None = None
    level2: int | None = None


class BundleItem(_Out):
    id: str
    name: str
    gain: float
    covers: list[str]


class Bundle(_Out):
    size: int
    strategies: list[BundleItem]
    covered_weight: float
    total_weight: float
    uncovered: list[str]


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
