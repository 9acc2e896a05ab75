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
