"""User-facing errors and the exit-code contract.

Exit codes (published in ``--help`` and the README):

* 0 success
* 1 the input was read and found wanting (invalid catalogue or scope content, ``--strict`` warnings)
* 2 usage or I/O error (unknown option, missing/unreadable file, malformed YAML, refusing to overwrite)
* 3 internal error: a bug in strategease (reported in one line; ``--debug`` shows the traceback)
* 130 interrupted (Ctrl-C)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

MAX_PRINTED = 50
"""At most this many of a run's errors or findings are printed one per line (text outputs); the rest
are counted (:func:`more_line`). JSON outputs carry all of them."""


def more_line(total: int, shown: int = MAX_PRINTED) -> str:
    """The line that counts what was not printed (``… and 99,950 more``), or "" if all were."""
    return f"… and {total - shown:,} more\n" if total > shown else ""


class StrategeaseError(Exception):
    """Base class for errors shown to the user as one line, without a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint
        self.excerpt: list[str] = []
        """The offending source line and a caret under the column, printed below the message."""

    def with_excerpt(self, text: str) -> StrategeaseError:
        """Attach the line of TEXT this error points at, with a caret under its column (in place)."""
        self.excerpt = excerpt(text, self.line, self.column)
        return self

    def where(self) -> str:
        if not self.path:
            return ""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = self.message
        where = self.where()
        if where:
            text = f"{where}: {text}"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class UsageError(StrategeaseError):
    """Bad command line, missing or unreadable file, malformed YAML: exit 2."""

    exit_code = EXIT_USAGE


class InputInvalid(StrategeaseError):
    """The input parsed but its content is invalid: exit 1."""

    exit_code = EXIT_INVALID


class ManyErrors(StrategeaseError):
    """Several problems found at once; each is printed on its own line, then a count."""

    def __init__(self, errors: list[StrategeaseError], exit_code: int = EXIT_INVALID) -> None:
        super().__init__(f"{len(errors)} problem(s) found")
        self.errors = errors
        self.exit_code = exit_code


def one_or_many(errors: list[InputInvalid]) -> StrategeaseError:
    """The error to raise for ERRORS (at least one): one problem is one line, several are listed
    in file order, then counted."""
    ordered = sorted(errors, key=lambda e: (e.line or 0, e.column or 0, e.message))
    return ordered[0] if len(ordered) == 1 else ManyErrors(list[StrategeaseError](ordered))


def excerpt(text: str, line: int | None, column: int | None) -> list[str]:
    """LINE of TEXT (1-based) as '  12 | source' and a caret under COLUMN; empty when out of range."""
    if not line or line < 1:
        return []
    lines = text.splitlines()
    if line > len(lines):
        return []
    source = lines[line - 1].replace("\t", "→")[:200]
    gutter = f"  {line} | "
    out = [gutter + source]
    if column and 1 <= column <= len(source) + 1:
        out.append(" " * (len(gutter) - 2) + "| " + " " * (column - 1) + "^")
    return out
