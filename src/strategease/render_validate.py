"""Renderers for validation reports: one function per ``--format`` value."""

from __future__ import annotations

import json
from collections.abc import Callable

from strategease.findings import Report


def _summary(report: Report) -> str:
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items())
    notes = f", {len(report.notes)} note(s)" if report.notes else ""
    return (f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){notes} in {len(report.files)} file(s)"
            + (f" [{counts}]" if counts else ""))


def text(report: Report) -> str:
    lines = [f.text() for f in report.sorted()]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    doc = {
        "valid": not report.errors,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "notes": len(report.notes),
        "files": report.files,
        "counts": report.counts,
        "findings": [f.as_dict() for f in report.sorted()],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(report: Report) -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…::message``)."""
    lines = []
    for f in report.sorted():
        level = {"error": "error", "warning": "warning"}.get(f.severity.value, "notice")
        title = _gh_escape(f"strategease {f.rule}", prop=True)
        body = f"{f.entry}: {f.message}" if f.entry else f.message
        if f.hint:
            body += f" ({f.hint})"
        lines.append(f"::{level} file={_gh_escape(f.path, True)},line={f.line},col={f.column},"
                     f"title={title}::{_gh_escape(body)}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {"text": text, "json": as_json, "github": github}
