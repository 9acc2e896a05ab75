"""Rich consoles: stdout carries results, stderr carries status, warnings and errors.

Both escape terminal control and BiDi characters in the text they render (:mod:`strategease.safetext`),
keeping only the styling sequences Rich writes itself."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def _width() -> int | None:
    value = os.environ.get("STRATEGEASE_WIDTH") or None
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 5 else None


def _console(**options: Any) -> Console:
    from rich.console import Console
    from rich.segment import Segment

    from strategease.safetext import defuse_commands, escape

    class SafeConsole(Console):
        """A Rich console whose rendered text is escaped: the text of every segment that is not one
        of Rich's own control segments (cursor moves, styles come from ``Style``, never from text); and
        no line of its output can start with ``::`` (a CI workflow command)."""

        def _render_buffer(self, buffer: Any) -> str:
            return defuse_commands(super()._render_buffer(
                seg if seg.control or not seg.text else Segment(escape(seg.text), seg.style, seg.control)
                for seg in buffer))

        @property
        def file(self) -> Any:
            # Rich unwraps one proxy (``rich_proxied_file``); a progress display's FileProxy in front
            # of a SafeStream is two: write past both, to the real stream.
            stream = super().file
            while (inner := getattr(stream, "rich_proxied_file", None)) is not None and inner is not stream:
                stream = inner
            return stream

        @file.setter
        def file(self, new_file: Any) -> None:
            self._file = new_file

        def render_str(self, text: str, **options: Any) -> Any:
            # Escaped before Rich measures it, so that table columns fit the escaped text.
            return super().render_str(escape(text), **options)

    return SafeConsole(width=_width(), highlight=False, emoji=False, **options)


@cache
def out() -> Console:
    return _console(soft_wrap=False)


@cache
def err() -> Console:
    return _console(stderr=True)


def show(renderable: object) -> None:
    """Print a Rich renderable on stdout, never cropping a line (an id longer than the terminal runs on
    rather than being cut). When stdout is not a terminal (a pipe, a file, a CI log), lines carry no
    trailing spaces from cell padding."""
    import sys

    console = out()
    if console.is_terminal:
        console.print(renderable, crop=False)
        return
    with console.capture() as captured:
        console.print(renderable, crop=False)
    sys.stdout.write("\n".join(line.rstrip() for line in captured.get().split("\n")))
    sys.stdout.flush()
