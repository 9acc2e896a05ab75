"""Published effectiveness of a strategy, worded the same way wherever it is shown.

Effects come from the catalogue (``effects`` on a strategy: a review, its outcome and its summary
effect exactly as printed). They describe the strategy in general — mostly clinicians, mostly
prescribing and test ordering — not the client's setting, and they never enter a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def effect_line(effect: Mapping[str, Any]) -> str:
    """One line: 'Ivers 2012 (Cochrane): compliance with desired practice — median … (49 studies; moderate)'."""
    what = effect.get("effect") or "no summary figure recorded (not read or not pooled; see the note)"
    extra = [f"{effect['studies']} studies" if effect.get("studies") else None, effect.get("certainty")]
    tail = "; ".join(str(x) for x in extra if x)
    return f"{effect['review']}: {effect['outcome']} — {what}" + (f" ({tail})" if tail else "") + \
        f" [{effect['source']}]"


def effect_lines(effects: Iterable[Mapping[str, Any]]) -> list[str]:
    return [effect_line(e) for e in effects]


EFFECTS_CAVEAT = ("Published effects describe the strategy in general (mostly clinicians' prescribing and test "
                  "ordering), not this setting; they are shown for discussion and are not part of the score.")
EFFECTS_CAVEAT_LOWER = ("these figures describe the strategy in general, mostly clinicians' prescribing and test "
                        "ordering, not this setting, and are not part of the score")
