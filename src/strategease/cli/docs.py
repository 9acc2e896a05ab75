"""The ``docs`` command: the documentation shipped inside the package, for users who installed it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

TOPICS = {"scoring": "How select scores strategies, the bundle, stability and warnings.",
          "limits": "Input limits the tool enforces (file sizes, entries, nesting)."}


def doc_path(topic: str) -> Path:
    """Where TOPIC's Markdown is: inside the installed package (a wheel ships docs/ as strategease/docs),
    else in the source tree (an editable install)."""
    from importlib.resources import files

    shipped = Path(str(files("strategease"))) / "docs" / f"{topic}.md"
    if shipped.is_file():
        return shipped
    return Path(__file__).resolve().parents[3] / "docs" / f"{topic}.md"


def docs_cmd(
    topic: Annotated[str | None, typer.Argument(metavar="TOPIC", show_default=False,
                                                help="One of: " + ", ".join(TOPICS) + ".")] = None,
) -> None:
    """Print the bundled documentation: without TOPIC, the list of topics.

    Example: strategease docs scoring
    """
    from strategease.errors import UsageError

    if topic is None:
        for name, what in TOPICS.items():
            typer.echo(f"{name:<10} {what}")
        typer.echo("Read one with: strategease docs TOPIC")
        return
    key = topic.lower()
    if key not in TOPICS:
        from strategease.catalogue.load import did_you_mean

        raise UsageError(f"no documentation topic '{topic}'",
                         hint=did_you_mean(key, TOPICS) or "topics: " + ", ".join(TOPICS))
    path = doc_path(key)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise UsageError(f"the '{key}' documentation is not installed", path=str(path)) from None
    sys.stdout.write(text)
