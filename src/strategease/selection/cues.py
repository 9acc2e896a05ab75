"""Note cues: a barrier's note that names what is missing sharpens a broad link's grade.

A broad determinant — TDF *Environmental context and resources*, COM-B *Physical opportunity*, CFIR 1.0
*Available resources* — spans time, staff, money, records and things, so the catalogue grades the strategy that
supplies one kind of resource *secondary* on it ("equipment answers only a missing thing or place"). The scope's
note often says which kind is missing ("too few hoists and frames", "placebo devices are not stocked", "rapid tests
run out"). When it names a missing thing or place, the strategy that supplies things and places is the direct answer
to *this* barrier, and its secondary direct link counts as primary, with the word named in ``--explain``.

A cue only ever raises a secondary direct link of a barrier to full weight; it adds no link, never lowers one, never
touches a facilitator, a function route or ``--method cfir-eric``. The words are a pattern, not a parse: a note
that says "no room in the timetable" raises the link too, and ``--explain`` shows the word so that a reader can
discount it. docs/scoring.md §4 "Note cues" says why only this strategy has a cue (the validation figures).

Pure data and functions; never prints.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Cue(NamedTuple):
    words: re.Pattern[str]
    what: str  # what the words name, as said in --explain


# Things and places a service can supply: equipment, devices and their consumables, and rooms or space.
_THINGS = (r"equipment|devices?|kits?|suppl(?:y|ies)|stock|stocked|out of stock|run(?:s)? out|ran out|monitors?|"
           r"machines?|scales|hoists?|frames|chairs?|beds?|masks?|containers?|stethoscopes?|timers?|computers?|"
           r"phones?|tablet|rooms?|space")

NOTE_CUES: dict[str, Cue] = {
    "eric.change-physical-structure-and-equipment": Cue(
        re.compile(rf"\b(?:{_THINGS})\b", re.IGNORECASE), "a missing thing or place"),
}
"""Strategy id → the words in a barrier's note that make its secondary direct link from that barrier primary."""


def note_cue(strategy_id: str, note: str | None) -> str | None:
    """The explanation of a cue when the barrier's note names what the strategy supplies, else None."""
    cue = NOTE_CUES.get(strategy_id)
    if cue is None or not note:
        return None
    hit = cue.words.search(note)
    return None if hit is None else f"the note names '{hit.group(0)}' ({cue.what}): counted as primary"


__all__ = ["NOTE_CUES", "Cue", "note_cue"]
