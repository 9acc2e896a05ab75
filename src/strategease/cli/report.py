"""The ``report`` command: select, then render a client report to a file."""

from __future__ import annotations

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
    RatingsOption,
    SeedOption,
    SelectMethod,
    StabilityOption,
    TopOption,
)
from strategease.outputs import output_path
from strategease.safetext import one_line


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    docx = "docx"
    pdf = "pdf"
    xlsx = "xlsx"
    json = "json"


class Paper(StrEnum):
    a4 = "a4"
    letter = "letter"


def report_cmd(
    scope: Annotated[Path, typer.Argument(metavar="SCOPE", help="The scope file (YAML).",
                                          show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", show_default=False, parser=output_path,
                                         help="Write the report to FILE, a file in a directory that exists "
                                              "(refuses to replace it without --force).")],
    fmt: Annotated[ReportFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="Report format (default: from FILE's extension: .md, .html, .docx, .pdf, .xlsx, .json). PDF needs "
             "the optional extra: pip install 'strategease[pdf]'.")] = None,
    template: Annotated[Path | None, typer.Option(
        "--template", "-t", metavar="TEMPLATE", show_default=False,
        help="Your own Jinja2 template for a markdown or html report (sandboxed; it may extend "
             "'strategease/report.html.j2').")] = None,
    bundle: BundleOption = None,
    top: TopOption = 10,
    method: MethodOption = SelectMethod.default,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    brief: Annotated[bool, typer.Option(
        "--brief", help="The two-page executive version: cover, summary and bundle, determinants, caveats "
                        "(markdown, html, docx, pdf).")] = False,
    paper: Annotated[Paper, typer.Option(
        "--paper", help="Paper size for print, PDF and Word. A4 unless you choose letter (US).")] = Paper.a4,
    client: Annotated[str | None, typer.Option(
        "--client", metavar="TEXT", show_default=False,
        help="Who the report is for (cover). Default: the scope's report.client.")] = None,
    prepared_by: Annotated[str | None, typer.Option(
        "--prepared-by", metavar="TEXT", show_default=False,
        help="Who prepared it (cover, document author). Default: the scope's report.prepared_by.")] = None,
    version_label: Annotated[str | None, typer.Option(
        "--version-label", metavar="TEXT", show_default=False,
        help="The report's version, e.g. 'draft 2' (cover). Default: the scope's report.version.")] = None,
    date: Annotated[str | None, typer.Option(
        "--date", metavar="YYYY-MM-DD", show_default=False,
        help="The report's date (cover, document properties). Default: SOURCE_DATE_EPOCH's date if set, "
             "else today.")] = None,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
    ratings: RatingsOption = None,
    aggregate: AggregateOption = AggregateChoice.median,
    stability: StabilityOption = 0,
    seed: SeedOption = None,
) -> None:
    """Write a client report for a scope: a cover, the summary and proposed bundle, determinants,
    a logic model, ranked strategies, specification tables, APEASE checklist and caveats; itemised
    scores, sources and provenance in appendices.

    Markdown, self-contained HTML (printable, no scripts), PDF (optional extra), Word (.docx), a
    workbook to fill in (.xlsx) or JSON. The cover's client, author and version come from the
    scope's 'report:' block or the options; the date is today's (SOURCE_DATE_EPOCH or --date fix
    it, so the same inputs give byte-identical files). Exit 0 written, 1 invalid scope or
    catalogue, 2 usage or I/O error (unknown extension, FILE exists, broken template, no PDF extra).

    Example: strategease report examples/delirium-scope.yaml -o delirium.html

    For a client: strategease report scope.yaml --client 'City Hospital' --prepared-by 'A. Consultant'
    --version-label 'draft 2' -o plan.pdf

    With a team's ratings and a stability check: strategease report scope.yaml --ratings team.csv
    --stability 500 -o plan.html
    """
    import datetime as dt
    import os

    from strategease.cli.options import load_valid
    from strategease.cli.select import load_team_ratings, progress_bar
    from strategease.errors import UsageError
    from strategease.outputs import is_stdout, write_atomic
    from strategease.render.document import (
        build_report,
        client_result,
        parse_report_date,
        parse_source_date_epoch,
        report_date,
    )
    from strategease.render.report import (
        BRIEF_FORMATS,
        FORMATS,
        TEMPLATE_FORMATS,
        RenderOptions,
        check_extension,
        infer_format,
        render,
    )
    from strategease.selection.scope import load_scope
    from strategease.selection.scoring import select

    chosen = fmt.value if fmt is not None else infer_format(output)
    if chosen is None:
        raise UsageError(f"cannot tell the report format from the file name '{output.name}'",
                         hint="pass --format " + "|".join(FORMATS) + " or use .md, .html, .docx, .pdf, .xlsx or .json")
    check_extension(output, chosen)
    epoch = parse_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH"))
    options = RenderOptions(template=template, source_date_epoch=epoch, brief=brief, paper=paper.value)
    if template is not None and chosen not in TEMPLATE_FORMATS:
        raise UsageError(f"--template applies to markdown, html and pdf reports, not {chosen}",
                         hint="drop --template or choose --format markdown|html|pdf")
    if brief and chosen not in BRIEF_FORMATS:
        raise UsageError(f"--brief applies to {', '.join(BRIEF_FORMATS)} reports, not {chosen}",
                         hint="drop --brief, or choose one of those formats")
    day = parse_report_date(date) if date is not None else (report_date(epoch) or dt.date.today().isoformat())
    cat = load_valid(base, catalogue)
    loaded = load_scope(scope, cat)
    team = load_team_ratings(ratings, cat)
    with progress_bar(stability) as progress:
        result = select(cat, loaded, method.value, top=top, bundle=bundle, ratings=team,
                        aggregate=aggregate.value, stability=stability, seed=seed, progress=progress)
    result = client_result(result)  # file names only, never the folders they sit in
    info = loaded.scope.report
    doc = build_report(result, cat, date=day,
                       client=client if client is not None else (info.client if info else None),
                       prepared_by=prepared_by if prepared_by is not None else (info.prepared_by if info else None),
                       version=version_label if version_label is not None else (info.version if info else None))
    data = render(chosen, doc, result, options)
    write_atomic(output, data, force=force)
    if not is_stdout(output):
        typer.echo(one_line(f"wrote {output} ({chosen}, {len(data)} bytes)"), err=True)


def ratings_sheet_cmd(
    scope: Annotated[Path, typer.Argument(metavar="SCOPE", help="The scope file (YAML).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", show_default=False, parser=output_path,
                                         help="Write the sheet to FILE: .xlsx (with instructions) or .csv, in a "
                                              "directory that exists (refuses to replace it without --force).")],
    raters: Annotated[str, typer.Option(
        "--raters", metavar="N|NAMES",
        help="How many raters (rows R1…RN per determinant), or their names: --raters 'Ana, Ben, Chi'.")] = "1",
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Write a workshop sheet to rate the scope's determinants: one row per rater and determinant,
    with each determinant's name, kind and the scope's note, empty importance and changeability
    (1–5) and note cells; the .xlsx adds an instructions sheet and checks the 1–5 entries.

    Read the filled-in sheet back with --ratings (.xlsx or .csv): errors name file:sheet:cell.
    Exit 0 written, 1 invalid scope or catalogue, 2 usage or I/O error.

    Example: strategease ratings-sheet examples/workshop/scope.yaml --raters 'Ana, Ben, Chi' -o ratings.xlsx

    Then: strategease select examples/workshop/scope.yaml --ratings ratings.xlsx
    """
    import os

    from strategease.cli.options import load_valid
    from strategease.errors import UsageError
    from strategease.outputs import write_atomic
    from strategease.render.document import parse_source_date_epoch
    from strategease.render.sheets import rater_names, ratings_csv, ratings_workbook, sheet_rows
    from strategease.selection.scope import load_scope

    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"cannot tell the sheet format from the file name '{output.name}'",
                         hint="name it .xlsx (a workbook with instructions) or .csv")
    names = rater_names(raters)
    cat = load_valid(base, catalogue)
    loaded = load_scope(scope, cat)
    rows = sheet_rows(loaded.scope, cat, names)
    if suffix == ".csv":
        data = ratings_csv(rows)
    else:
        epoch = parse_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH"))
        data = ratings_workbook(rows, loaded.scope.title, epoch)
    write_atomic(output, data, force=force)
    count = len(loaded.scope.determinants)
    typer.echo(one_line(f"wrote {output} ({len(names)} rater(s) × {count} determinants; fill in "
                        f"importance and changeability, then pass it to --ratings)"), err=True)
