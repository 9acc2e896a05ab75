"""How numbers are written for people, in every output format (one rule, so outputs agree)."""

from __future__ import annotations


def num(value: float | None, digits: int = 3, missing: str = "–") -> str:
    """VALUE with at most DIGITS decimals and no trailing zeros (``0.5``, ``12``); MISSING for None."""
    if value is None:
        return missing
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pct(fraction: float | None, digits: int = 1, missing: str = "–") -> str:
    """FRACTION (0.769) as a percentage with at most DIGITS decimals: ``76.9 %`` (a space before the sign)."""
    if fraction is None:
        return missing
    return f"{num(100 * fraction, digits)} %"
