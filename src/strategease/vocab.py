"""Controlled vocabularies of the catalogue (plain enums, cheap to import for command-line options)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Where a strategy acts, or where a determinant sits."""

    individual = "individual"
    team = "team"
    organisation = "organisation"
    partnership = "partnership"
    system = "system"


class Approach(StrEnum):
    """Implementation-support approach (Metz et al. 2022, via the seed review)."""

    push = "push"
    push_pull = "push-pull"
    co_creation = "co-creation"


class Evidence(StrEnum):
    """What kind of evidence stands behind a link (shown with every score)."""

    survey_of_experts = "survey-of-experts"  # e.g. % of experts endorsing (Waltz et al. 2019)
    published_matrix = "published-matrix"  # a table in a peer-reviewed source (BCW guide, Michie 2011)
    secondary_report = "secondary-report"  # a later paper reporting the link without the number
    seed_document = "seed-document"  # this project's seed documents (e.g. a mitigation table)
    curated = "curated"  # this project's own judgement, with a rationale


class LinkKind(StrEnum):
    """The typed edges of the catalogue graph.

    * ``calls-for``: determinant -> intervention function (the StrategEase "type of HOW").
    * ``delivers``: intervention function -> strategy (the strategy can deliver the function).
    * ``addresses``: determinant -> strategy, directly (e.g. CFIR-ERIC endorsement).
    * ``crosswalk``: determinant -> determinant of another framework (e.g. CFIR 2.0 -> CFIR 1.0).
    """

    calls_for = "calls-for"
    delivers = "delivers"
    addresses = "addresses"
    crosswalk = "crosswalk"


class Tier(StrEnum):
    """Position of a determinant in its framework's hierarchy."""

    component = "component"  # COM-B component
    domain = "domain"  # TDF domain
    construct = "construct"  # CFIR construct
    subconstruct = "subconstruct"  # CFIR subconstruct
    challenge = "challenge"  # partnering challenge
