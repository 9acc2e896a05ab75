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
    systematic_review = "systematic-review"  # a systematic review (e.g. Cochrane EPOC) for this kind of barrier
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


class Actor(StrEnum):
    """Whom a strategy acts on, and who must change in a scope (AACTT's *actor*); one vocabulary for both."""

    deliverers = "deliverers"  # clinicians, teachers, caseworkers, frontline staff who deliver the practice
    recipients = "recipients"  # patients, clients, families, students who receive it
    leaders = "leaders"  # leaders and managers
    implementation_team = "implementation-team"  # the people running the implementation effort
    organisation = "organisation"  # the organisation and its infrastructure (records, equipment, roles, money)
    partners = "partners"  # partner organisations (other agencies, community organisations)
    policy_makers = "policy-makers"  # policy makers and payers


class Sector(StrEnum):
    """Where a change happens (``change.sector``; a mixed setting names several: a school health centre is education
    and health care), and the sectors whose machinery a strategy needs when it names any (formularies, billing:
    ``Strategy.sectors``)."""

    health_care = "health-care"  # hospitals, primary care, pharmacies, mental-health services, clinics
    social_care = "social-care"  # adult and children's social care, child welfare, housing and welfare support
    education = "education"  # schools, early years and childcare, colleges and universities
    justice = "justice"  # police, courts, prisons and jails, probation
    community = "community"  # community organisations and services outside the sectors above (public-health
    # clinics, community pharmacies and community health workers are health care)


class StrategyClass(StrEnum):
    """Leeman et al.'s classes of implementation strategy (2017; ERIC assignments 2024)."""

    implementation_process = "implementation-process"
    capacity_building = "capacity-building"
    integration = "integration"
    scale_up = "scale-up"
    dissemination = "dissemination"


class Grade(StrEnum):
    """How directly a link acts: ``primary`` = among the few strategies that act on it most directly."""

    primary = "primary"
    secondary = "secondary"


FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("COM-B / TDF", ("comb", "tdf")),
    ("CFIR", ("cfir", "cfir1", "cfir2")),
    ("Partnering", ("partnering", "collab")),
)
"""Framework families, in the order determinants are grouped in `init --interactive` and the report."""
OTHER_FAMILY = "Other frameworks"


def family(framework: str) -> str:
    """The family heading of a framework key (``cfir2`` → ``CFIR``); unknown keys are 'Other frameworks'."""
    for name, frameworks in FAMILIES:
        if framework in frameworks or framework.rstrip("0123456789") in frameworks:
            return name
    return OTHER_FAMILY
