"""Sector fit: a strategy that needs one sector's machinery is set apart in a scope of another sector.

A few strategies only make sense where a sector's own machinery exists: placing an innovation on formularies or
fee-for-service lists, making billing easier, capitated payments and liability reform need the payers and
prescribing lists of health care (and, for billing and fee-for-service lists, of social care paid per service) or
malpractice law (``Strategy.sectors``, each with its curated rationale). A scope that says where the
change happens (``change.sector``, AACTT's context) and shares none of those sectors sets such a strategy apart with
the strategies aimed at other actors: listed, never ranked or bundled. A strategy that names no sector fits any; a
scope that names none filters nothing (docs/scoring.md §2a).

Pure data and functions; never prints.
"""

from __future__ import annotations

from collections.abc import Iterable

from strategease.catalogue import models as m
from strategease.vocab import Sector


def other_sector(st: m.Strategy, scope_sectors: Iterable[Sector]) -> bool:
    """True when the strategy needs sectors the scope names none of (both must name some)."""
    where = set(scope_sectors)
    return bool(where) and bool(st.sectors) and not where & set(st.sectors)


__all__ = ["other_sector"]
