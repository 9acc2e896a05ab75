"""Browsing the catalogue: list entries, show one entry with its links, search by text."""

from __future__ import annotations

from typing import Any

from strategease.catalogue.load import (
    SINGULAR,
    Catalogue,
    did_you_mean,
    origin_of,
    retired_hint,
    retired_message,
    shorten,
)
from strategease.errors import UsageError

KINDS = ("determinants", "strategies", "functions", "sources", "clusters", "frameworks")


def entry_dict(model: Any) -> dict[str, Any]:
    """JSON-ready dict of an entry (keys in model order, ``from`` for links)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)  # type: ignore[no-any-return]


def list_entries(
    cat: Catalogue, kind: str, framework: str | None = None, tier: str | None = None
) -> list[dict[str, Any]]:
    """Entries of one kind, in catalogue order, optionally filtered by framework (and tier)."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind '{kind}'", hint=f"choose one of: {', '.join(KINDS)}")
    rows = []
    for model in cat.section(kind).values():
        if framework and getattr(model, "framework", None) != framework:
            continue
        if tier and getattr(model, "tier", None) != tier:
            continue
        rows.append(entry_dict(model))
    if kind == "sources":
        used = links_by_source(cat)
        for row in rows:
            row["links"] = used.get(row["id"], 0)
    if framework and not rows and framework not in cat.frameworks:
        raise UsageError(f"unknown framework '{framework}'",
                         hint=did_you_mean(framework, cat.frameworks) or
                         f"frameworks are: {', '.join(sorted(cat.frameworks))}")
    return rows


def links_by_source(cat: Catalogue) -> dict[str, int]:
    """How many of the catalogue's links each source stands behind."""
    counts: dict[str, int] = {}
    for link in cat.links:
        counts[link.source] = counts.get(link.source, 0) + 1
    return counts


def evidence_summary(cat: Catalogue) -> str:
    """One line on the kinds of evidence behind the catalogue's links, with the curated share."""
    counts: dict[str, int] = {}
    for link in cat.links:
        counts[link.evidence.value] = counts.get(link.evidence.value, 0) + 1
    total = sum(counts.values())
    if not total:
        return "no links"
    curated = counts.get("curated", 0)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return (f"{total} links: {curated} curated ({100 * curated / total:.1f} %, this project's judgement); "
            f"by evidence: {kinds}")


def show_entry(cat: Catalogue, entry_id: str) -> dict[str, Any]:
    """Everything about one entry: its fields, where it is defined, and its links with sources."""
    found = cat.entity(entry_id)
    if found is None and entry_id in cat.retired:
        raise UsageError(f"entry {retired_message(cat, entry_id)}", hint=retired_hint(cat, entry_id))
    if found is None:
        hint = did_you_mean(entry_id, cat.all_ids()) or "try 'strategease search TEXT'"
        raise UsageError(f"no entry with id '{shorten(entry_id)}'", hint=hint)
    section, model = found
    origin = origin_of(cat, section, entry_id)
    doc: dict[str, Any] = {"kind": SINGULAR[section], **entry_dict(model), "defined_at": origin.text()}

    def link_view(link: Any, other: str) -> dict[str, Any]:
        target = cat.entity(other)
        view = {"id": other, "name": getattr(target[1], "name", other) if target else other}
        view.update(link.model_dump(mode="json", by_alias=True, exclude_none=True))
        src = cat.sources.get(link.source)
        if src is not None:
            view["citation"] = src.citation
        return view

    if section in ("determinants", "functions", "strategies"):
        doc["links_out"] = [link_view(lk, lk.to) for lk in cat.links_from.get(entry_id, [])]
        doc["links_in"] = [link_view(lk, lk.from_) for lk in cat.links_to.get(entry_id, [])]
    if section == "determinants":
        doc["children"] = sorted(d.id for d in cat.determinants.values() if entry_id in d.parents)
    if section == "clusters":
        doc["strategies"] = [s.id for s in cat.strategies.values() if s.cluster == entry_id]
    src_id = getattr(model, "source", None)
    if src_id and src_id in cat.sources:
        doc["citation"] = cat.sources[src_id].citation
    return doc


def search(cat: Catalogue, text: str) -> list[dict[str, Any]]:
    """Entries whose id, name, aliases, description or examples contain every word of TEXT (case-insensitive)."""
    words = [w for w in text.lower().split() if w]
    if not words:
        raise UsageError("search text is empty", hint="give one or more words")
    hits: list[tuple[int, str, dict[str, Any]]] = []
    for section in ("determinants", "functions", "strategies", "clusters", "sources"):
        for entry_id, model in cat.section(section).items():
            name = getattr(model, "name", "") or getattr(model, "citation", "")
            aliases = " ".join(getattr(model, "aliases", None) or [])
            hay = " ".join([entry_id, name, aliases, getattr(model, "description", None) or "",
                            " ".join(getattr(model, "examples", []) or [])]).lower()
            if all(w in hay for w in words):
                rank = 0 if all(w in (entry_id + " " + name + " " + aliases).lower() for w in words) else 1
                hits.append((rank, entry_id, {"kind": SINGULAR[section], "id": entry_id, "name": name,
                                              "framework": getattr(model, "framework", None)}))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h[2] for h in hits]
