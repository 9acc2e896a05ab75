"""Registers the ``select`` and ``init`` commands (filled in by the selection work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add selection commands to the app."""
