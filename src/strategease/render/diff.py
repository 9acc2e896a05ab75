"""Renderers for ``strategease diff``: one function per ``--format`` value, found through RENDERERS.

All read the same :class:`~strategease.catalogue.diff.CatalogueDiff`; all are deterministic.
Markdown is meant for a pull-request comment: a summary line, then one collapsible
``<details>`` section per part, with tables; catalogue text is escaped (``|``, ``<``, ``>``,
newlines) so it cannot break the table or the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from strategease.catalogue.diff import (
    CHANGE_WORDS,
    SECTIONS,
    CatalogueDiff,
    EntryChange,
    FieldChange,
    LinkChange,
    ScopeEffect,
)

SYMBOL = {"added": "+", "removed": "-", "retired": "x", "renamed": "~", "re-id": ">", "changed": "~",
          "re-weighted": "~", "enter": "+", "leave": "-", "rise": "^", "fall": "v"}
MAX_VALUE = 80
MAX_MARKDOWN_ROWS = 200


def _value(value: Any, limit: int = MAX_VALUE) -> str:
    if value is None:
        text = "—"
    elif isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            text = f"{len(value)} item(s)"
        else:
            text = "[" + ", ".join(_value(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_value(v, limit)}" for k, v in value.items() if v is not None) + "}"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _strength(value: float | None, lower: float | None) -> str:
    if value is not None:
        return f"{value:g}"
    if lower is not None:
        return f"≥{lower:g}"
    return "—"


def _fields(fields: list[FieldChange]) -> str:
    return "; ".join(f"{f.field}: {_value(f.old)} → {_value(f.new)}" for f in fields)


def _entry_line(change: EntryChange) -> str:
    label = f"{change.id}  {change.name or ''}".rstrip()
    if change.change == "renamed":
        label = f"{change.id}  '{change.old_name}' → '{change.name}'"
    elif change.change == "re-id":
        label = f"{change.id} → {change.new_id}  {change.name}"
        if change.old_name != change.name:
            label = f"{change.id} → {change.new_id}  '{change.old_name}' → '{change.name}'"
    elif change.change == "retired" and change.replaced_by:
        label += f"  (replaced by {change.replaced_by})"
    extra = [f for f in change.fields if f.field != "name" or change.change == "changed"]
    details = _fields(extra) if change.change in ("changed", "renamed", "re-id") else ""
    if change.note:
        details = f"{details}; {change.note}" if details else change.note
    return label + (f"  [{details}]" if details else "")


def _link_label(link: LinkChange) -> str:
    return f"{link.from_} -> {link.to} ({link.kind})"


def _link_line(link: LinkChange) -> str:
    old = _strength(link.old_strength, link.old_strength_lower)
    new = _strength(link.new_strength, link.new_strength_lower)
    if link.change == "added":
        text = f"{_link_label(link)}  strength {new}"
    elif link.change == "removed":
        text = f"{_link_label(link)}  strength {old}"
    elif link.change == "re-weighted":
        rest = [f for f in link.fields if f.field not in ("strength", "strength_lower")]
        text = f"{_link_label(link)}  strength {old} → {new}" + (f"  [{_fields(rest)}]" if rest else "")
    else:
        text = f"{_link_label(link)}  [{_fields(link.fields)}]" if link.fields else _link_label(link)
    return text + (f"  ({link.note})" if link.note else "")


def _header(diff: CatalogueDiff) -> str:
    o, n = diff.old, diff.new
    return f"{o.spec} ({o.name} {o.version}) → {n.spec} ({n.name} {n.version})"


def _scope_lines(effect: ScopeEffect) -> list[str]:
    lines = [f"scope {effect.scope} ({effect.method}): top {effect.top}"]
    if not effect.moves:
        lines.append(f"  no change in the top {effect.top}")
    for move in effect.moves:
        ranks = f"#{move.old_rank or '—'} → #{move.new_rank or '—'}"
        scores = f"score {_value(move.old_score)} → {_value(move.new_score)}"
        lines.append(f"  {SYMBOL[move.change]} {move.change:5} {move.id}  {move.name}  {ranks}  {scores}")
    return lines


def render_text(diff: CatalogueDiff) -> str:
    lines = [_header(diff), diff.summary()]
    if diff.catalogue:
        lines.append("catalogue:")
        lines.extend(f"  ~ {f.field}: {_value(f.old)} → {_value(f.new)}" for f in diff.catalogue)
    for section in SECTIONS:
        changes = [c for c in diff.entries if c.section == section]
        if changes:
            lines.append(f"{section}:")
            lines.extend(f"  {SYMBOL[c.change]} {CHANGE_WORDS.get(c.change, c.change):8} {_entry_line(c)}"
                         for c in changes)
    if diff.links:
        lines.append("links:")
        lines.extend(f"  {SYMBOL[lk.change]} {lk.change:11} {_link_line(lk)}" for lk in diff.links)
    if diff.scope is not None:
        lines.extend(_scope_lines(diff.scope))
    return "\n".join(lines) + "\n"


def md_escape(text: str) -> str:
    """Make catalogue text inert inside a Markdown table cell of a pull-request comment: one line,
    no raw HTML, no code spans, links or images, no broken table rows (a backslash is escaped first,
    so a written ``\\|`` cannot undo the cell's ``\\|``)."""
    text = " ".join(str(text).split())
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "|`[]":
        text = text.replace(char, "\\" + char)
    return text


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    shown = rows[:MAX_MARKDOWN_ROWS]
    out.extend("| " + " | ".join(md_escape(cell) for cell in row) + " |" for row in shown)
    if len(rows) > len(shown):
        out.append(f"\n… and {len(rows) - len(shown)} more (see `--format json`)")
    return out


def _details(title: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{md_escape(title)}</summary>", "", *body, "", "</details>", ""]


def render_markdown(diff: CatalogueDiff) -> str:
    o, n = diff.old, diff.new
    lines = [f"**Catalogue diff** `{md_escape(o.spec)}` ({md_escape(o.name)} {md_escape(o.version)}) → "
             f"`{md_escape(n.spec)}` ({md_escape(n.name)} {md_escape(n.version)}): {md_escape(diff.summary())}", ""]
    if diff.catalogue:
        rows = [[f.field, _value(f.old), _value(f.new)] for f in diff.catalogue]
        lines += _details("Catalogue metadata", _table(["field", "old", "new"], rows))
    for section in SECTIONS:
        changes = [c for c in diff.entries if c.section == section]
        if not changes:
            continue
        rows = []
        for c in changes:
            name = c.name or ""
            if c.change in ("renamed", "re-id") and c.old_name != c.name:
                name = f"{c.old_name} → {c.name}"
            ident = f"{c.id} → {c.new_id}" if c.change == "re-id" else c.id
            detail = _fields([f for f in c.fields if f.field != "name"])
            if c.change == "retired" and c.replaced_by:
                detail = f"replaced by {c.replaced_by}"
            if c.note:
                detail = f"{detail}; {c.note}" if detail else c.note
            rows.append([c.change, ident, name, detail])
        tally = ", ".join(f"{v} {CHANGE_WORDS.get(k, k)}" for k, v in diff.counts()[section].items())
        lines += _details(f"{section.capitalize()} ({tally})", _table(["change", "id", "name", "details"], rows))
    if diff.links:
        rows = []
        for lk in diff.links:
            old = _strength(lk.old_strength, lk.old_strength_lower) if lk.change != "added" else ""
            new = _strength(lk.new_strength, lk.new_strength_lower) if lk.change != "removed" else ""
            rest = [f for f in lk.fields if f.field not in ("strength", "strength_lower")]
            detail = _fields(rest)
            if lk.note:
                detail = f"{detail}; {lk.note}" if detail else lk.note
            rows.append([lk.change, lk.from_, lk.to, lk.kind, old, new, detail])
        tally = ", ".join(f"{v} {k}" for k, v in diff.counts()["links"].items())
        lines += _details(f"Links ({tally})",
                          _table(["change", "from", "to", "kind", "old strength", "new strength", "details"], rows))
    if diff.scope is not None:
        eff = diff.scope
        rows = [[mv.change, str(mv.old_rank or "—"), str(mv.new_rank or "—"), mv.id, mv.name,
                 _value(mv.old_score), _value(mv.new_score)] for mv in eff.moves]
        body = (_table(["change", "old rank", "new rank", "id", "name", "old score", "new score"], rows)
                if rows else [f"No change in the top {eff.top}."])
        lines += _details(f"Effect on {eff.scope} (top {eff.top}, {eff.method}): {len(eff.moves)} move(s)", body)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(diff: CatalogueDiff) -> str:
    doc = diff.model_dump(mode="json", by_alias=True)
    doc["summary"] = diff.summary()
    doc["differs"] = diff.differs
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[CatalogueDiff], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
