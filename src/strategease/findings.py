"""Validation findings: what is wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    note = "note"  # a consequence the user chose (e.g. a layer retiring an entry drops its links); never fails --strict


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in an input file, with its location and a fix hint."""

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str
    entry: str | None = None
    hint: str | None = None

    def text(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        entry = f" {self.entry}:" if self.entry else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity.value}:{entry} {self.message}{hint} [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "rule": self.rule,
            "entry": self.entry,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    """All findings of one validation run, plus what was read."""

    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.warning]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.note]

    def sorted(self) -> list[Finding]:
        return sorted(self.findings)

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)
