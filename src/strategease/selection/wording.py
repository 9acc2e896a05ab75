"""How the selection names catalogue entries in its warnings and notes (one wording for scoring and partners)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from strategease.catalogue.load import Catalogue


def name(cat: Catalogue, entry_id: str) -> str:
    """The entry's name, or its id when the catalogue does not know it."""
    found = cat.entity(entry_id)
    return str(getattr(found[1], "name", entry_id)) if found else entry_id


def label(cat: Catalogue, entry_id: str) -> str:
    """``'Knowledge' (tdf.knowledge)``."""
    return f"'{name(cat, entry_id)}' ({entry_id})"


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def join_unique(values: Iterable[str | None]) -> str | None:
    """Distinct non-empty VALUES in first-seen order, joined by "; " (a route's sources or evidence kinds); None
    when there are none."""
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return "; ".join(seen) if seen else None
