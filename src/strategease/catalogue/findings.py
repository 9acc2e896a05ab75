"""Validation findings: what is wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from strategease.errors import InputInvalid
from strategease.safetext import one_line


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
        """One line, whatever the path, entry or message holds (:func:`safetext.one_line`)."""
        where = f"{self.path}:{self.line}:{self.column}"
        entry = f" {self.entry}:" if self.entry else ""
        hint = f" ({self.hint})" if self.hint else ""
        return one_line(f"{where}: {self.severity.value}:{entry} {self.message}{hint} [{self.rule}]")

    def body(self) -> str:
        """The message, prefixed by the entry it concerns ('eric.x: no description')."""
        return f"{self.entry}: {self.message}" if self.entry else self.message

    def as_error(self, path: str | None = None) -> InputInvalid:
        """The finding as an input error (exit 1) at its place; PATH renames the file (a git revision's copy)."""
        return InputInvalid(self.body(), path=path or self.path, line=self.line, column=self.column, hint=self.hint)

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


def layer_consequences(layered: Report, base: Report) -> Report:
    """LAYERED (layers over the shipped base) narrowed to what the layers cause, for a CI gate on them.

    Findings located in the shipped files that the base alone already has are dropped (they concern the
    installed package, which the user cannot edit; 'strategease validate' shows them); findings in the
    shipped files that only the layers cause are moved to the first layer file, naming the base line,
    so that they are reported (and annotated) in the user's repository.
    """
    shipped = set(base.files)
    known = {(f.path, f.line, f.column, f.rule, f.entry, f.message) for f in base.findings}
    layer_files = [path for path in layered.files if path not in shipped]
    kept: list[Finding] = []
    for f in layered.findings:
        if f.path not in shipped:
            kept.append(f)
        elif (f.path, f.line, f.column, f.rule, f.entry, f.message) in known:
            continue
        elif layer_files:
            kept.append(Finding(layer_files[0], 1, 1, f.severity, f.rule,
                                f"{f.message} (in the shipped catalogue at line {f.line}, caused by the layers)",
                                f.entry, f.hint))
        else:
            kept.append(f)
    return Report(files=layered.files, findings=kept, counts=layered.counts)
