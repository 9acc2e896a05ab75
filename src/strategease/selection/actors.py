"""Who a strategy is for: the actor-fit and foundation tables of method ``default`` (docs/scoring.md, §2a, §2b).

Three small tables, each the one home of its rule:

* :data:`ADMITS` — for each actor type a scope can name (``change.actor_type``, AACTT's *actor*;
  Presseau et al. 2019), the strategy ``targets`` that act on that actor or on the setting in
  which that actor works. A strategy whose targets share none of the admitted actors is *aimed at
  other actors*: listed apart, never ranked or bundled.
  The organisation and the implementation team are the *setting*: a strategy admitted only through
  them but also naming people the scope does not admit (clinicians, in a patients' scope) is aimed
  at those people, so it is set apart too.
* :data:`DETERMINANT_ACTORS` — scope determinants that name an actor (CFIR 2.0 *Innovation
  recipients*, CFIR 1.0 *Patient needs and resources*, *Leadership engagement*, …). Choosing one
  admits that actor's strategies too: the team has said that actor is part of the problem.
* :data:`SYSTEM_ACTORS` — policy makers are named by a determinant (*External policy and incentives*…) only
  for a scope at the system level (or one that does not say its level).
* :data:`FOUNDATION_CLASS` — implementation-process strategies form the foundation checklist unless a scope
  barrier's own direct link names one, or (:func:`acts_on_own_actor`) the strategy is aimed at the recipients in
  a scope whose actor is the recipients (the rule is applied in :mod:`strategease.selection.scoring`).

Pure data and functions; never prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from strategease.catalogue import models as m
from strategease.vocab import Actor, StrategyClass

A = Actor
_SETTING = (A.leaders, A.organisation, A.implementation_team)

ADMITS: dict[Actor, frozenset[Actor]] = {
    # frontline staff change their practice: strategies on them, their leaders, their organisation's
    # infrastructure and the team running the implementation all act on the deliverers' setting
    A.deliverers: frozenset({A.deliverers, *_SETTING}),
    # patients/clients change their behaviour: strategies on them, on the organisation that serves them
    # (records, reminders, access) and the implementation team; strategies that train or pay clinicians are
    # aimed at other actors unless a determinant names the deliverers
    A.recipients: frozenset({A.recipients, A.organisation, A.implementation_team}),
    # leaders and organisations change practice through their staff: champions, quality-monitoring tools and
    # training act on the deliverers who carry the leaders' decision, so they are admitted too
    A.leaders: frozenset({A.deliverers, *_SETTING}),
    A.organisation: frozenset({A.deliverers, *_SETTING}),
    A.implementation_team: frozenset(_SETTING),
    # partner organisations change how they work together: partnering strategies, and the leaders and
    # implementation team who carry them
    A.partners: frozenset({A.partners, *_SETTING}),
    # policy makers and payers change policy: strategies on them, on partners and the implementation team
    A.policy_makers: frozenset({A.policy_makers, A.partners, A.implementation_team}),
}

DETERMINANT_ACTORS: dict[str, Actor] = {
    "cfir1.patient-needs-and-resources": A.recipients,
    "cfir1.patients-consumers": A.recipients,
    "cfir2.innovation-recipients": A.recipients,
    "cfir2.recipient-centeredness": A.recipients,
    "cfir2.engaging-innovation-recipients": A.recipients,
    "cfir2.assessing-needs-innovation-recipients": A.recipients,
    "cfir2.innovation-deliverers": A.deliverers,
    "cfir2.deliverer-centeredness": A.deliverers,
    "cfir2.engaging-innovation-deliverers": A.deliverers,
    "cfir2.assessing-needs-innovation-deliverers": A.deliverers,
    "cfir1.leadership-engagement": A.leaders,
    "cfir2.high-level-leaders": A.leaders,
    "cfir2.mid-level-leaders": A.leaders,
    "cfir1.external-policy-and-incentives": A.policy_makers,
    "cfir2.policies-laws": A.policy_makers,
    "cfir2.financing": A.policy_makers,
    "cfir1.cosmopolitanism": A.partners,
    "cfir2.partnerships-connections": A.partners,
}
"""Scope determinants that name an actor; every ``partnering.*`` determinant names partners."""

PARTNERING_FRAMEWORK = "partnering"

FOUNDATION_CLASS = StrategyClass.implementation_process


SYSTEM_ACTORS = frozenset({A.policy_makers})
"""Actors a determinant names only for a scope that works at the system level (or does not say its level): a
hospital team facing a policy barrier adapts to it; changing laws, licensure or accreditation is a system-level
change that needs the policy makers themselves."""


def named_actor(det: m.Determinant, scope_levels: Iterable[str] = ()) -> Actor | None:
    """The actor a determinant names, or None (policy makers only when SCOPE_LEVELS is empty or has 'system')."""
    if det.id in DETERMINANT_ACTORS:
        actor = DETERMINANT_ACTORS[det.id]
        levels = set(scope_levels)
        if actor in SYSTEM_ACTORS and levels and "system" not in levels:
            return None
        return actor
    if det.framework == PARTNERING_FRAMEWORK:
        return A.partners
    return None


def admitted(scope_actors: Iterable[Actor], named: Iterable[Actor]) -> frozenset[Actor]:
    """The strategy targets that fit a scope: those its actor types admit, plus actors its determinants name."""
    out: set[Actor] = set(named)
    for actor in scope_actors:
        out |= ADMITS[actor]
    return frozenset(out)


SETTING_ACTORS = frozenset({A.organisation, A.implementation_team})
"""Targets that are the setting rather than people: they admit a strategy only when it names no other people."""


def aimed_elsewhere(st: m.Strategy, admits: frozenset[Actor] | None) -> bool:
    """True when the strategy names its targets and none of them is admitted, or when the only admitted
    ones are the setting (organisation, implementation team) while it also names people the scope does not
    admit (a learning collaborative for clinicians in a patients' scope). No targets = unknown = kept."""
    if admits is None or not st.targets:
        return False
    targets = set(st.targets)
    fit = targets & admits
    if not fit:
        return True
    return fit <= SETTING_ACTORS and bool(targets - admits)


def recipients_only(scope_actors: Iterable[Actor], admits: frozenset[Actor] | None) -> bool:
    """A scope whose only actor is the recipients: the one kind of scope where
    :func:`reaches_recipients_through_setting` can be False (callers skip its 10^4 pairs otherwise)."""
    return admits is not None and set(scope_actors) == {A.recipients}


def reaches_recipients_through_setting(st: m.Strategy, det: m.Determinant, scope_actors: Iterable[Actor],
                                       admits: frozenset[Actor] | None) -> bool:
    """False when, in a scope whose only actor is the recipients, a strategy aimed only at the setting
    (organisation, implementation team) would be counted for an individual-level determinant of the recipients
    (their memory, skills, beliefs): changing a practice's records or billing does not act on a patient's own
    memory or beliefs. The setting reaches the patients through their environment, so determinants at a setting
    level (environmental context and resources, physical opportunity, CFIR settings) still count."""
    if not recipients_only(scope_actors, admits) or not st.targets:
        return True
    assert admits is not None  # recipients_only
    if not set(st.targets) & admits <= SETTING_ACTORS:
        return True
    return any(lv.value != "individual" for lv in det.levels) or not det.levels


# plural nouns only: "patient records", "client files", "user interface" or "parents' evening" are things, and
# "residents" (junior doctors), "users" and "carers" (paid staff, in UK social care) too often name someone else
_RECIPIENTS = r"patients|clients|service users|parents|families|caregivers|mothers|fathers|relatives|pupils|students"
_AGENCY = (r"ask|asked|expect|expected|demand|demanded|request|requested|refuse|refused|decline|declined|fear|feared|"
           r"resist|resisted|push|pushed|want|wanted|prefer|preferred|worry|worried|distrust|distrusted|dislike|"
           r"disliked|object|objected|complain|complained|hide|hid|believe|believed|think|thought|press|pressed|"
           r"insist|insisted|reluctant|unwilling|hesitant|say no|do not|does not|did not|will not|cannot|"
           r"(?:do|does|did|wo|ca)n['\u2019]t")
_THINGS = r"evenings?|records?|notes?|files?|flow|safety|portals?|interfaces?|lists?|charts?|data"  # "parents evening"
RECIPIENT_WORDS = re.compile(rf"\b(?:{_RECIPIENTS})\b(?!\s+(?:{_THINGS})\b)(?:\s+\w+){{0,2}}?\s+(?:{_AGENCY})(?!\w)",
                             re.IGNORECASE)
"""A word pattern (not a parse) for a barrier's note in which the recipients act — patients, clients, parents,
families… followed within two words by asking, expecting, refusing, fearing, hiding, reluctance or a negation
("patients and families ask for repeats", "parents are often reluctant"), not named as the object of the work
("how many patients are screened") or as a thing ("patient records") — in a scope whose actor is someone else:
:func:`recipients_in_notes`."""

RECIPIENT_DETERMINANTS = ("cfir2.innovation-recipients", "cfir1.patient-needs-and-resources")
"""What to add when the recipients are part of a barrier: determinants that name them (DETERMINANT_ACTORS)."""


def recipients_in_notes(barriers: Iterable[tuple[str, str | None]], admits: frozenset[Actor] | None
                        ) -> list[tuple[str, str]]:
    """(determinant id, word) for each barrier whose note names the recipients, when the scope does not admit
    them (its actor is someone else and no determinant names them): a hint to add a determinant that does, so that
    patient-aimed strategies are weighed instead of set apart. Advice only; it changes no score."""
    if admits is None or A.recipients in admits:
        return []
    found = []
    for det_id, note in barriers:
        hit = RECIPIENT_WORDS.search(note or "")
        if hit is not None:
            found.append((det_id, hit.group(0)))
    return found


def is_foundation(st: m.Strategy) -> bool:
    return st.strategy_class is FOUNDATION_CLASS


def acts_on_own_actor(st: m.Strategy, scope_actors: Iterable[Actor]) -> bool:
    """True for a process strategy aimed at the recipients in a scope whose actor is the recipients (involving
    patients and families when the patients are the ones who must change): there it acts on the people who must
    change, so it is part of what is done with them, not a general step of the checklist."""
    return A.recipients in set(scope_actors) and A.recipients in st.targets


__all__ = ["ADMITS", "DETERMINANT_ACTORS", "FOUNDATION_CLASS", "RECIPIENT_DETERMINANTS", "RECIPIENT_WORDS",
           "SETTING_ACTORS", "SYSTEM_ACTORS", "acts_on_own_actor", "admitted", "aimed_elsewhere", "is_foundation",
           "named_actor", "reaches_recipients_through_setting", "recipients_in_notes", "recipients_only"]
