"""Rich consoles: stdout carries results, stderr carries status, warnings and errors."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def _width() -> int | None:
    value = os.environ.get("STRATEGEASE_WIDTH") or None
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 5 else None


@cache
def out() -> Console:
    from rich.console import Console

    return Console(width=_width(), highlight=False, soft_wrap=False, emoji=False)


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, width=_width(), highlight=False, emoji=False)


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
