"""Renderers for validation reports: one function per ``--format`` value."""

from __future__ import annotations

import json
from collections.abc import Callable

from strategease.catalogue.findings import Finding, Report
from strategease.errors import MAX_PRINTED, more_line
from strategease.safetext import escape


def _summary(report: Report) -> str:
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items())
    notes = f", {len(report.notes)} note(s)" if report.notes else ""
    return (f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){notes} in {len(report.files)} file(s)"
            + (f" [{counts}]" if counts else ""))


def _shown(report: Report) -> list[Finding]:
    """The findings printed one per line: all if there are at most MAX_PRINTED, else the first errors
    (then warnings) up to MAX_PRINTED, so that no error hides behind warnings; in file order."""
    findings = report.sorted()
    if len(findings) <= MAX_PRINTED:
        return findings
    chosen = sorted(report.errors)[:MAX_PRINTED]
    chosen += sorted(report.warnings)[: MAX_PRINTED - len(chosen)]
    return sorted(chosen)


def text(report: Report) -> str:
    """One line per finding, the first MAX_PRINTED of them, then what was left out and the summary."""
    lines = "".join(f.text() + "\n" for f in _shown(report))
    return lines + more_line(len(report.findings)) + _summary(report) + "\n"


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
    value = escape(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(report: Report) -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…::message``)."""
    lines = []
    for f in _shown(report):
        level = {"error": "error", "warning": "warning"}.get(f.severity.value, "notice")
        title = _gh_escape(f"strategease {f.rule}", prop=True)
        body = f.body()
        if f.hint:
            body += f" ({f.hint})"
        lines.append(f"::{level} file={_gh_escape(f.path, True)},line={f.line},col={f.column},"
                     f"title={title}::{_gh_escape(body)}")
    return "".join(line + "\n" for line in lines) + more_line(len(report.findings)) + _summary(report) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {"text": text, "json": as_json, "github": github}
