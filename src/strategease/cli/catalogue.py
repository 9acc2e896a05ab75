"""The catalogue commands: ``validate``, ``schema``, ``list``, ``show`` and ``search``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from strategease.cli.options import BaseOpt, CatalogueOpt, complete_ids, load_valid
from strategease.outputs import output_path
from strategease.safetext import one_line, write_commands
from strategease.vocab import Tier


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Catalogue files or directories "
                                                        "(default: the shipped catalogue).")] = None,
    fmt: Annotated[ValidateFormat, typer.Option("--format", "-f", help="Output format.")] = ValidateFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1).")] = False,
    catalogue: CatalogueOpt = None,
) -> None:
    """Check catalogue files: YAML syntax, schema, ids, references, cycles, orphans.

    Every finding names file:line:column, the entry and a fix. With --catalogue, the layers are
    checked merged over the base (the shipped catalogue unless PATHs are given); a layer retiring a
    base entry gets a note (never a failure) at its own line. Given a scope file, it says so and
    names the command to run ('strategease check'). Exit 0 valid,
    1 invalid (or warnings with --strict), 2 unreadable input.

    Example: strategease validate --catalogue org/ --format github --strict
    """
    from strategease.catalogue.load import load_catalogue
    from strategease.render.validate import RENDERERS

    _, report = load_catalogue(paths or None, catalogue or ())
    if catalogue and not paths:  # layers over the shipped base: report what the layers cause, where they can fix it
        from strategease.catalogue.findings import layer_consequences

        report = layer_consequences(report, load_catalogue(None, (), use_cache=True)[1])
    rendered = RENDERERS[fmt.value](report)
    if fmt.value == "github":  # the one output whose lines are meant as workflow commands
        write_commands(sys.stdout, rendered)
    else:
        sys.stdout.write(rendered)
    raise typer.Exit(0 if report.ok(strict) else 1)


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH", parser=output_path,
                                                help="Write to PATH (a file, in a directory that exists) instead of "
                                                     "stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing PATH.")] = False,
    scope: Annotated[bool, typer.Option("--scope", help="The schema of scope files instead of catalogue "
                                        "files.")] = False,
) -> None:
    """Print the JSON Schema of catalogue files (or, with --scope, of scope files), for editors and CI.

    The schemas are generated from the models; ids are checked against the catalogue only by
    'strategease validate' and 'strategease check'.

    Examples:

      strategease schema -o catalogue.schema.json

      strategease schema --scope -o scope.schema.json
    """
    from strategease.catalogue.schema import catalogue_schema_text
    from strategease.selection.scope import scope_schema_text

    text = scope_schema_text() if scope else catalogue_schema_text()
    if output is None:
        sys.stdout.write(text)
    else:
        from strategease.outputs import write_atomic

        write_atomic(output, text.encode("utf-8"), force=force)
        typer.echo(one_line(f"wrote {output}"), err=True)


def check(
    scopes: Annotated[list[Path], typer.Argument(metavar="SCOPE...", show_default=False,
                                                 help="Scope files to check ('-' reads one from stdin).")],
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Check scope files without ranking: YAML, shape, values, and every id against the catalogue.

    Prints one line per scope file and lists every problem with file:line:column. Exit 0 all valid,
    1 a scope is invalid, 2 a file is missing or its YAML is malformed.

    Examples:

      strategease check examples/delirium-scope.yaml

      strategease check scopes/*.yaml --catalogue org/
    """
    from strategease.errors import EXIT_INVALID, ManyErrors, StrategeaseError, UsageError
    from strategease.selection.scope import load_scope

    cat = load_valid(base, catalogue)
    problems: list[StrategeaseError] = []
    worst = 0
    for path in scopes:
        try:
            loaded = load_scope(path, cat)
        except ManyErrors as exc:
            problems.extend(exc.errors)
            worst = max(worst, exc.exit_code)
            typer.echo(f"{path}: invalid ({len(exc.errors)} problem(s))")
            continue
        except UsageError as exc:
            problems.append(exc)
            worst = max(worst, exc.exit_code)
            typer.echo(f"{path}: {'malformed YAML' if 'YAML' in exc.message else 'unreadable'}")
            continue
        except StrategeaseError as exc:
            problems.append(exc)
            worst = max(worst, exc.exit_code)
            typer.echo(f"{path}: invalid")
            continue
        typer.echo(f"{path}: ok ({len(loaded.scope.determinants)} determinant(s))")
    if problems:
        sys.stdout.flush()
        raise ManyErrors(problems, exit_code=worst or EXIT_INVALID)


class ListKind(StrEnum):
    determinants = "determinants"
    strategies = "strategies"
    functions = "functions"
    sources = "sources"
    clusters = "clusters"
    frameworks = "frameworks"


class TableFormat(StrEnum):
    table = "table"
    json = "json"


def list_cmd(
    kind: Annotated[ListKind, typer.Argument(help="What to list.")],
    framework: Annotated[str | None, typer.Option("--framework", help="Only this framework (e.g. tdf, cfir1, "
                                                  "cfir2, comb, partnering, eric, collab).")] = None,
    tier: Annotated[Tier | None, typer.Option("--tier", help="Only determinants of this tier.")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """List catalogue entries.

    Example: strategease list strategies --framework eric --format json
    """
    from strategease.catalogue.browse import list_entries

    cat = load_valid(base, catalogue)
    rows = list_entries(cat, kind.value, framework, tier.value if tier else None)
    if fmt is TableFormat.json:
        import json

        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    from strategease.console import show
    from strategease.render.layout import Col, Grid, Named

    cols = {
        "determinants": ["framework", "tier", "domain"],
        "strategies": ["framework", "cluster"],
        "clusters": ["framework", "size"],
        "sources": ["kind", "citation"],
        "frameworks": ["source"],
        "functions": [],
    }[kind.value]
    caption = None
    if kind is ListKind.sources:
        from strategease.catalogue.browse import evidence_summary

        cols = ["kind", "links", "citation"]
        caption = evidence_summary(cat)
    grid = Grid(f"{len(rows)} {kind.value}", [Col("id" if kind is ListKind.sources else "entry", head=True),
                                              *(Col(c) for c in cols)])
    for row in rows:
        first = str(row.get("id")) if kind is ListKind.sources else Named(str(row.get("name") or ""), str(row["id"]))
        grid.add(first, *[_text(row.get(c)) for c in cols])
    if caption:
        from rich.console import Group
        from rich.text import Text

        show(Group(grid, Text(caption, style="dim")))
    else:
        show(grid)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _cell(value: object) -> str:
    from rich.markup import escape

    return "" if value is None else escape(str(value))


def show(
    entry_id: Annotated[str, typer.Argument(
        metavar="ID", autocompletion=complete_ids,
        help="Id of a determinant, function, strategy, cluster, source or framework.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Show everything about one entry, including its links and their sources.

    Example: strategease show eric.audit-and-provide-feedback
    """
    from strategease.catalogue.browse import show_entry

    doc = show_entry(load_valid(base, catalogue), entry_id)
    if fmt is TableFormat.json:
        import json

        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    from functools import partial

    from rich.markup import escape

    from strategease.console import out

    con = out()
    say = partial(con.print, soft_wrap=True)  # never wrap or cut a line: ids stay whole at any width
    say(f"[bold]{escape(doc.get('name', entry_id))}[/bold]  ({escape(entry_id)}, {doc['kind']})")
    skip = {"name", "id", "kind", "links_out", "links_in", "children", "strategies", "effects"}
    for key, value in doc.items():
        if key in skip or value in (None, [], "", False):
            continue
        say(f"  [dim]{key}:[/dim] {escape(_plain(value))}")
    for key in ("children", "strategies"):
        if doc.get(key):
            say(f"  [dim]{key}:[/dim] {escape(', '.join(doc[key]))}")
    if doc.get("effects"):
        from strategease.render.effects import effect_lines

        say(f"[bold]effectiveness[/bold] ({len(doc['effects'])}; published reviews, not part of any score)")
        for line in effect_lines(doc["effects"]):
            say(f"  {escape(line)}")
    for key, arrow in (("links_out", "->"), ("links_in", "<-")):
        links = doc.get(key) or []
        if links:
            say(f"[bold]{key.replace('_', ' ')}[/bold] ({len(links)})")
        for lk in links:
            strength = lk.get("strength")
            bits = [lk["kind"], lk["evidence"], f"source {lk['source']}"]
            if strength is not None:
                bits.insert(1, f"strength {strength:g}")
            elif lk.get("strength_lower") is not None and lk.get("grade"):  # a published bound on a graded link
                bits.insert(1, f"strength ≥ {lk['strength_lower']:g} per "
                               f"{lk.get('strength_lower_source') or lk['source']} (not scored)")
            elif lk.get("strength_lower") is not None:
                bits.insert(1, f"strength ≥ {lk['strength_lower']:g}")
            elif lk.get("strength_upper") is not None:
                bits.insert(1, f"strength < {lk['strength_upper']:g}, upper bound")
            if lk.get("grade"):
                bits.insert(1, f"graded {lk['grade']}")
            say(f"  {arrow} {escape(lk['id'])}  {escape(lk['name'])}  [dim]({escape(', '.join(bits))})[/dim]")
            if lk.get("rationale"):
                say(f"       [dim]{escape(lk['rationale'])}[/dim]")


def _plain(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def search_cmd(
    text: Annotated[str, typer.Argument(help="Words to look for in ids, names, descriptions and examples.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Search the catalogue by text.

    Example: strategease search feedback
    """
    from strategease.catalogue.browse import search

    hits = search(load_valid(base, catalogue), text)
    if fmt is TableFormat.json:
        import json

        sys.stdout.write(json.dumps(hits, indent=2, ensure_ascii=False) + "\n")
        return
    from strategease.console import show
    from strategease.render.layout import Col, Grid, Named

    grid = Grid(f"{len(hits)} match(es) for '{text}'", [Col("entry", head=True), Col("kind")])
    for hit in hits:
        grid.add(Named(str(hit["name"]), str(hit["id"])), str(hit["kind"]))
    show(grid)
