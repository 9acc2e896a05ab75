"""The ``report`` command: select, then render a client report to a file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from strategease.cli_options import BaseOpt, CatalogueOpt
from strategease.cli_select import (
    AggregateChoice,
    AggregateOption,
    RatingsOption,
    SeedOption,
    SelectMethod,
    StabilityOption,
)
from strategease.safetext import one_line


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    docx = "docx"
    json = "json"


def report_cmd(
    scope: Annotated[Path, typer.Argument(metavar="SCOPE", help="The scope file (YAML).",
                                          show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", show_default=False,
                                         help="Write the report to FILE (refuses to replace it without "
                                              "--force).")],
    fmt: Annotated[ReportFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="Report format (default: from FILE's extension: .md, .html, .docx, .json).")] = None,
    template: Annotated[Path | None, typer.Option(
        "--template", "-t", metavar="TEMPLATE", show_default=False,
        help="Your own Jinja2 template for a markdown or html report (sandboxed; it may extend "
             "'strategease/report.html.j2').")] = None,
    bundle: Annotated[int | None, typer.Option(
        "--bundle", "-b", min=0, max=100, show_default=False,
        help="Strategies in the proposed bundle (default: the scope's max_strategies, else 5; "
             "0 = none).")] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=0,
                                     help="Ranked strategies to report (0 = all).")] = 10,
    method: Annotated[SelectMethod, typer.Option("--method", "-m", help="Scoring method, as for "
                                                 "select.")] = SelectMethod.default,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
    ratings: RatingsOption = None,
    aggregate: AggregateOption = AggregateChoice.median,
    stability: StabilityOption = 0,
    seed: SeedOption = None,
) -> None:
    """Write a client report for a scope: summary, determinants, ranked strategies with reasons,
    bundle, specification tables, APEASE checklist, caveats and sources.

    Markdown, self-contained HTML (printable, no scripts), Word (.docx) or JSON. The same inputs
    give byte-identical files; set SOURCE_DATE_EPOCH to print a date. Exit 0 written, 1 invalid
    scope or catalogue, 2 usage or I/O error (unknown extension, FILE exists, broken template).

    Example: strategease report examples/delirium-scope.yaml -o delirium.html

    With a team's ratings and a stability check: strategease report scope.yaml --ratings team.csv
    --stability 500 -o plan.html
    """
    import os

    from strategease.cli_options import load_valid
    from strategease.cli_select import load_team_ratings, progress_bar
    from strategease.errors import UsageError
    from strategease.outputs import write_atomic
    from strategease.render_report import FORMATS, RenderOptions, infer_format, render
    from strategease.report import build_report, parse_source_date_epoch, report_date
    from strategease.scope import load_scope
    from strategease.scoring import select

    chosen = fmt.value if fmt is not None else infer_format(output)
    if chosen is None:
        raise UsageError(f"cannot tell the report format from the file name '{output.name}'",
                         hint="pass --format " + "|".join(FORMATS) + " or use .md, .html, .docx or .json")
    epoch = parse_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH"))
    options = RenderOptions(template=template, source_date_epoch=epoch)
    if template is not None and chosen not in ("markdown", "html"):
        raise UsageError(f"--template applies to markdown and html reports, not {chosen}",
                         hint="drop --template or choose --format markdown|html")
    cat = load_valid(base, catalogue)
    loaded = load_scope(scope, cat)
    team = load_team_ratings(ratings, cat)
    with progress_bar(stability) as progress:
        result = select(cat, loaded, method.value, top=top, bundle=bundle, ratings=team,
                        aggregate=aggregate.value, stability=stability, seed=seed, progress=progress)
    doc = build_report(result, cat, date=report_date(epoch))
    data = render(chosen, doc, result, options)
    write_atomic(output, data, force=force)
    typer.echo(one_line(f"wrote {output} ({chosen}, {len(data)} bytes)"), err=True)
