"""The ``compare`` command: two scenarios side by side (a thin wrapper over :mod:`strategease.selection.compare`)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from strategease.cli.options import BaseOpt, CatalogueOpt
from strategease.cli.select import (
    AggregateChoice,
    AggregateOption,
    BundleOption,
    MethodOption,
    QuietOption,
    SelectMethod,
    VerboseOption,
    emit,
)
from strategease.safetext import one_line


class CompareFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def compare_cmd(
    scopes: Annotated[list[Path], typer.Argument(
        metavar="SCOPE [SCOPE_B]", show_default=False,
        help="Two scope files (A, then B), or one scope compared under two --ratings files.")],
    ratings: Annotated[list[Path] | None, typer.Option(
        "--ratings", "-r", metavar="FILE.csv", show_default=False,
        help="Team ratings: twice with one scope (A, then B), or once with two scopes (used for both).")] = None,
    aggregate: AggregateOption = AggregateChoice.median,
    top: Annotated[int, typer.Option("--top", "-n", min=0, metavar="N",
                                     help="Compare the top N (0 = all, as in every command).")] = 10,
    bundle: BundleOption = None,
    method: MethodOption = SelectMethod.default,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = CompareFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Compare two scenarios: which strategies rise, fall, enter or leave the top N and the bundle.

    A scenario is a scope, or a scope under a team's ratings. Rows follow B's ranking; strategies
    leaving the top N come last. Determinant weights that differ are listed too. Exit 0 compared,
    1 a scope or ratings file is invalid, 2 usage or I/O error (wrong number of scopes or ratings,
    missing or unreadable file).

    Example: strategease compare scope-a.yaml scope-b.yaml

    One scope, two teams: strategease compare scope.yaml --ratings ward.csv --ratings community.csv --format markdown
    """
    from strategease.cli.options import load_valid
    from strategease.cli.select import load_team_ratings
    from strategease.errors import UsageError
    from strategease.render.compare import CARRIES_WARNINGS, RENDERERS, stderr_summary
    from strategease.selection.compare import compare
    from strategease.selection.scope import load_scope
    from strategease.selection.scoring import select

    ratings = ratings or []
    if len(scopes) == 2 and len(ratings) <= 1:
        pairs = [(scopes[0], ratings[0] if ratings else None), (scopes[1], ratings[0] if ratings else None)]
        labels = (str(scopes[0]), str(scopes[1]))
    elif len(scopes) == 1 and len(ratings) == 2:
        pairs = [(scopes[0], ratings[0]), (scopes[0], ratings[1])]
        labels = (str(ratings[0]), str(ratings[1]))
    else:
        raise UsageError(f"compare needs two scopes, or one scope and two --ratings files (got {len(scopes)} "
                         f"scope(s) and {len(ratings)} ratings file(s))",
                         hint="e.g. 'strategease compare a.yaml b.yaml' or "
                              "'strategease compare scope.yaml --ratings a.csv --ratings b.csv'")
    cat = load_valid(base, catalogue)
    scopes_read = {path: load_scope(path, cat) for path in dict.fromkeys(s for s, _ in pairs)}  # each file once
    teams_read = {path: load_team_ratings(path, cat) for path in dict.fromkeys(r for _, r in pairs)}
    results = [select(cat, scopes_read[scope_path], method.value, top=0, bundle=bundle,
                      ratings=teams_read[ratings_path], aggregate=aggregate.value)
               for scope_path, ratings_path in pairs]
    comparison = compare(results[0], results[1], top=top, labels=labels)
    emit(RENDERERS[fmt.value](comparison))
    if fmt.value not in CARRIES_WARNINGS and not quiet:
        sys.stdout.flush()
        lines = [f"warning: {line}" for line in comparison.warnings] if verbose else [stderr_summary(comparison)]
        for line in filter(None, lines):
            sys.stderr.write(one_line(line) + "\n")
