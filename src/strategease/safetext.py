"""Text that is safe to print to a terminal or a CI log: one rule for every output.

Catalogue, scope and ratings text, file names and command-line values can carry characters a
terminal or a log viewer acts on instead of showing: ESC starting a CSI/OSC sequence (clear the
screen, forge a hyperlink, write the clipboard with OSC 52), BEL, the 8-bit C1 controls (0x9b is
CSI on its own), DEL, carriage returns that overwrite a line, and the Unicode format characters
that reorder or hide text (BiDi overrides and isolates such as U+202E, zero-width characters).
They are shown *visibly escaped* instead:

* C0 controls as ``\\x1b`` (one-line text: ``\\n``, ``\\r``, ``\\t`` for the three common ones),
* DEL, C1 controls and format/separator characters as ``\\u009b``, ``\\u202e`` — the same
  spelling as a JSON string escape, so JSON output that carries them stays valid and means the
  same value.

:func:`guarded_streams` puts :class:`SafeStream` in front of ``sys.stdout`` and ``sys.stderr``
for the duration of a command, so that every write goes through :func:`escape`; the Rich consoles
(:mod:`strategease.console`) write their own styling past it and escape the text they render.
One-line messages (errors, warnings, findings) go through :func:`one_line`, which also folds line
breaks, so that no value can start a new line — a forged ``::error`` GitHub annotation, say.

This module imports nothing of the package.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

# Every character a terminal or log may act on. Format characters (Unicode category Cf), line and
# paragraph separators (Zl, Zp) and lone surrogates (Cs) are listed by range; the test suite checks
# the list against ``unicodedata`` so that it covers every Cf/Zl/Zp character of this Python.
_UNSAFE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except tab and newline, DEL, C1
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ud800-\udfff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE = re.compile(f"[\t\n{_UNSAFE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _visible_match(match: re.Match[str]) -> str:
    return _visible(match.group())


def _visible_line_match(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or _visible(ch)


def escape(text: str) -> str:
    """TEXT with every unsafe character shown as an escape; tabs and newlines are kept."""
    return _UNSAFE_TEXT.sub(_visible_match, text)


def one_line(text: str) -> str:
    """TEXT as one safe line: unsafe characters escaped, and line breaks and tabs as ``\\n``,
    ``\\r``, ``\\t`` — for messages, table cells and file names that must stay on one line."""
    return _UNSAFE_LINE.sub(_visible_line_match, text)


def has_unsafe(text: str) -> bool:
    """Whether TEXT holds any character :func:`one_line` would escape (newline and tab included)."""
    return not text.isprintable() and _UNSAFE_LINE.search(text) is not None


def unsafe_characters(text: str) -> list[str]:
    """The distinct unsafe characters in TEXT (newline and tab included), as escapes, in order."""
    seen: dict[str, None] = {}
    for match in _UNSAFE_LINE.finditer(text):
        seen.setdefault(_visible_line_match(match), None)
    return list(seen)


# Letters of other scripts that look like Latin ones (from Unicode's confusables list, TR39: the
# Cyrillic and Greek letters that share a glyph with a Latin letter in common fonts). Not the whole
# list: enough for the names a catalogue holds, where the risk is a Cyrillic 'а' in a Latin name.
_LOOKALIKES = str.maketrans(
    "АВСЕНІЈКМОРЅТХУасеһіјорѕхуԁԛԝӏ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιρνκ",
    "ABCEHIJKMOPSTXYacehijopsxydqwl" "ABEZHIKMNOPTXYoipvk",
)


def lookalike_key(text: str) -> str:
    """What TEXT looks like: NFKC-normalised (full-width and compatibility forms folded), format
    characters dropped, Cyrillic and Greek look-alikes of Latin letters mapped to them, case-folded.
    Two names with the same key and different case-folded text are look-alikes."""
    import unicodedata

    text = _UNSAFE_TEXT.sub("", unicodedata.normalize("NFKC", text))
    return text.translate(_LOOKALIKES).casefold()


# A line that starts with "::" (after blanks, or Rich's colour codes) is a workflow command to a
# GitHub Actions runner, which reads both stdout and stderr: "::error file=…::", "::add-mask::".
_COMMAND_START = re.compile(r"^((?:[ \t]|\x1b\[[0-9;]*m)*):", re.MULTILINE)


def defuse_commands(text: str, at_line_start: bool = True) -> str:
    """TEXT with the first colon of every line that would start with ``::`` written ``\\x3a``, so
    that text from an input can never be read as a CI workflow command. AT_LINE_START says whether
    TEXT begins a line (a stream's earlier write ended one)."""
    if "::" not in text:
        return text

    def swap(match: re.Match[str]) -> str:
        if not text.startswith("::", match.end() - 1):
            return match.group()
        if match.start() == 0 and not at_line_start:
            return match.group()
        return match.group(1) + "\\x3a"

    return _COMMAND_START.sub(swap, text)


class SafeStream:
    """A text stream that escapes unsafe characters in everything written to it, and defuses
    lines that would start with ``::`` (see :func:`defuse_commands`).

    Rich consoles write to the stream behind it (``rich_proxied_file``), as they escape the text
    they render themselves and must keep their own styling sequences."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.rich_proxied_file = stream
        self._at_line_start = True

    def write(self, text: str) -> int:
        self._write(defuse_commands(escape(text), self._at_line_start))
        return len(text)

    def write_commands(self, text: str) -> None:
        """Write TEXT, whose lines starting with ``::`` are meant as workflow commands (``validate
        --format github``): unsafe characters are still escaped."""
        self._write(escape(text))

    def _write(self, text: str) -> None:
        self._stream.write(text)
        if text:
            tail = text.rsplit("\n", 1)
            self._at_line_start = (len(tail) == 2 or self._at_line_start) and not tail[-1].strip(" \t")

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def write_commands(stream: Any, text: str) -> None:
    """Write workflow-command TEXT to STREAM (``sys.stdout``), escaped but not defused."""
    if isinstance(stream, SafeStream):
        stream.write_commands(text)
    else:
        stream.write(escape(text))


@contextmanager
def guarded_streams() -> Iterator[None]:
    """Route ``sys.stdout`` and ``sys.stderr`` through :class:`SafeStream` inside the block."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream) and sys.stdout is not None:
        sys.stdout = SafeStream(sys.stdout)  # type: ignore[assignment]
    if not isinstance(sys.stderr, SafeStream) and sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
