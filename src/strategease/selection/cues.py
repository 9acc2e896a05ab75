"""Note cues: a barrier's note that names what is missing sharpens a broad link's grade.

A broad resource determinant — TDF *Environmental context and resources*, COM-B *Physical opportunity*, CFIR 1.0
*Available resources* — spans time, staff, money, records and things, so the catalogue grades the strategy that
supplies one kind of resource *secondary* on it ("equipment answers only a missing thing or place"). The scope's
note often says which kind is missing ("too few hoists", "no placebo devices", "rapid tests run out"). When it
names a missing thing or place, the strategy that supplies things and places is the direct answer to *this*
barrier, and its secondary direct link from that barrier counts as primary, with the word named in ``--explain``.

A cue applies only to the determinants it lists, only to their own direct links (not to a link reached through a
crosswalk or a parent), only to barriers, and only raises a secondary link to full weight: it adds no link, never
lowers one, and ``--method cfir-eric`` reads no note. The words are a pattern, not a parse; ``--explain`` shows the
word so that a reader can discount a false hit. They were read off the notes of the spent validation scopes
(docs/scoring.md §4 says so, and what that means for the figures).

Pure data and functions; never prints.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Cue(NamedTuple):
    determinants: frozenset[str]  # the barriers whose own direct link the cue may raise
    words: re.Pattern[str]
    what: str  # what the words name, as said in --explain


BROAD_RESOURCES = frozenset({"tdf.environmental-context-and-resources", "comb.physical-opportunity",
                             "cfir1.available-resources"})

# Things and places a service can supply, and running out of stock. Left out because they too often name something
# else: "frames" (time frames), "scales" (pay scales), "tablet" (a medicine), "chairs" (committee chairs), "beds"
# (bed pressures: capacity), "supply" (a supply of staff), "phone" (staff phone in sick), "run out of time".
# Each alternative is a regular expression; docs/scoring.md §4 lists them (a test keeps the two in step).
THINGS = ("equipment", "devices?", "kits?", "supplies", "stock", "stocked", "out of stock",
          r"(?<!nobody )(?<!no one )(?<!who )(?<!that )monitors",  # the noun, not "nobody monitors adherence"
          "machines?", "hoists?", "masks", "containers?", "stethoscopes?", "timers?", "computers?", "phones",
          "rooms?", "space", r"(?:run|runs|running|ran) out(?! of (?:time|staff|people|money))")

NOTE_CUES: dict[str, Cue] = {
    "eric.change-physical-structure-and-equipment": Cue(
        BROAD_RESOURCES, re.compile(rf"\b(?:{'|'.join(THINGS)})\b", re.IGNORECASE), "a missing thing or place"),
}
"""Strategy id → the barriers and the words in their note that make its secondary direct link primary."""


def note_cue(strategy_id: str, determinant_id: str, note: str | None) -> str | None:
    """The explanation of a cue when the barrier's note names what the strategy supplies, else None."""
    cue = NOTE_CUES.get(strategy_id)
    if cue is None or not note or determinant_id not in cue.determinants:
        return None
    hit = cue.words.search(note)
    return None if hit is None else f"the note names '{hit.group(0)}' ({cue.what}): counted as primary"


__all__ = ["BROAD_RESOURCES", "NOTE_CUES", "THINGS", "Cue", "note_cue"]
