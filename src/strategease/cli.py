"""The ``strategease`` command line: a thin layer over the core modules.

Each command parses its options, calls one core function, hands the result to a renderer and
turns the outcome into an exit code. Heavy modules are imported inside commands so that
``strategease --help`` stays fast.

Exit codes: 0 success; 1 input read and found wanting (invalid catalogue or scope, --strict
warnings); 2 usage or I/O error (bad option, missing/unreadable file, malformed YAML, refusing
to overwrite); 130 interrupted.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from strategease import __version__
from strategease.cli_options import BaseOpt, CatalogueOpt, load_valid
from strategease.errors import EXIT_INTERRUPTED, ManyErrors, StrategeaseError

EXIT_HELP = (
    "Exit codes: 0 success · 1 input found invalid (or --strict warnings) · "
    "2 usage or I/O error (bad option, missing/unreadable file, malformed YAML) · 130 interrupted."
)

app = typer.Typer(
    name="strategease",
    help="Choose, explain and report implementation strategies for a scoped change.\n\n" + EXIT_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}

def _version(value: bool) -> None:
    if value:
        typer.echo(f"strategease {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Choose, explain and report implementation strategies for a scoped change."""
    _state["debug"] = debug


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Catalogue files or directories "
                                                        "(default: the shipped catalogue).")] = None,
    fmt: Annotated[ValidateFormat, typer.Option("--format", "-f", help="Output format.")] = ValidateFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1).")] = False,
    catalogue: CatalogueOpt = None,
) -> None:
    """Check catalogue files: YAML syntax, schema, ids, references, cycles, orphans.

    Every finding names file:line:column, the entry and a fix. With --catalogue, the layers are
    checked merged over the base (the shipped catalogue unless PATHs are given). Exit 0 valid,
    1 invalid (or warnings with --strict), 2 unreadable input.

    Example: strategease validate --catalogue org/ --format github --strict
    """
    from strategease.catalogue import load_catalogue
    from strategease.render_validate import RENDERERS

    _, report = load_catalogue(paths or None, catalogue or ())
    sys.stdout.write(RENDERERS[fmt.value](report))
    raise typer.Exit(0 if report.ok(strict) else 1)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing FILE.")] = False,
) -> None:
    """Print the JSON Schema of catalogue files (generated from the models), for editors and CI.

    Example: strategease schema -o catalogue.schema.json
    """
    from strategease.schema import catalogue_schema_text

    text = catalogue_schema_text()
    if output is None:
        sys.stdout.write(text)
    else:
        from strategease.outputs import write_atomic

        write_atomic(output, text.encode("utf-8"), force=force)
        typer.echo(f"wrote {output}", err=True)


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


@app.command("list")
def list_cmd(
    kind: Annotated[ListKind, typer.Argument(help="What to list.")],
    framework: Annotated[str | None, typer.Option("--framework", help="Only this framework (e.g. tdf, cfir1, "
                                                  "cfir2, comb, partnering, eric, collab).")] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="Only determinants of this tier (component, "
                                             "domain, construct, subconstruct, challenge).")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """List catalogue entries.

    Example: strategease list strategies --framework eric --format json
    """
    from strategease.browse import list_entries

    cat = load_valid(base, catalogue)
    rows = list_entries(cat, kind.value, framework, tier)
    if fmt is TableFormat.json:
        import json

        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from strategease.console import out

    table = Table(title=f"{len(rows)} {kind.value}", show_lines=False)
    cols = ["id", "name"] + {
        "determinants": ["framework", "tier", "domain"],
        "strategies": ["framework", "cluster"],
        "clusters": ["framework", "size"],
        "sources": ["kind"],
        "frameworks": ["source"],
        "functions": [],
    }[kind.value]
    if kind is ListKind.sources:
        cols = ["id", "kind", "citation"]
    for col in cols:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in cols])
    out().print(table)


def _cell(value: object) -> str:
    from rich.markup import escape

    return "" if value is None else escape(str(value))


@app.command()
def show(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Id of a determinant, function, strategy, "
                                            "cluster, source or framework.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Show everything about one entry, including its links and their sources.

    Example: strategease show eric.audit-and-provide-feedback
    """
    from strategease.browse import show_entry

    doc = show_entry(load_valid(base, catalogue), entry_id)
    if fmt is TableFormat.json:
        import json

        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.markup import escape

    from strategease.console import out

    con = out()
    con.print(f"[bold]{escape(doc.get('name', entry_id))}[/bold]  ({escape(entry_id)}, {doc['kind']})")
    skip = {"name", "id", "kind", "links_out", "links_in", "children", "strategies"}
    for key, value in doc.items():
        if key in skip or value in (None, [], "", False):
            continue
        con.print(f"  [dim]{key}:[/dim] {escape(_plain(value))}")
    for key in ("children", "strategies"):
        if doc.get(key):
            con.print(f"  [dim]{key}:[/dim] {escape(', '.join(doc[key]))}")
    for key, arrow in (("links_out", "->"), ("links_in", "<-")):
        links = doc.get(key) or []
        if links:
            con.print(f"[bold]{key.replace('_', ' ')}[/bold] ({len(links)})")
        for lk in links:
            strength = lk.get("strength")
            bits = [lk["kind"], lk["evidence"], f"source {lk['source']}"]
            if strength is not None:
                bits.insert(1, f"strength {strength:g}")
            elif lk.get("strength_lower") is not None:
                bits.insert(1, f"strength ≥ {lk['strength_lower']:g}")
            con.print(f"  {arrow} {escape(lk['id'])}  {escape(lk['name'])}  [dim]({escape(', '.join(bits))})[/dim]")
            if lk.get("rationale"):
                con.print(f"       [dim]{escape(lk['rationale'])}[/dim]")


def _plain(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


@app.command("search")
def search_cmd(
    text: Annotated[str, typer.Argument(help="Words to look for in ids, names, descriptions and examples.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Search the catalogue by text.

    Example: strategease search feedback
    """
    from strategease.browse import search

    hits = search(load_valid(base, catalogue), text)
    if fmt is TableFormat.json:
        import json

        sys.stdout.write(json.dumps(hits, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from strategease.console import out

    table = Table(title=f"{len(hits)} match(es) for '{text}'")
    for col in ("kind", "id", "name"):
        table.add_column(col, overflow="fold")
    for hit in hits:
        table.add_row(hit["kind"], _cell(hit["id"]), _cell(hit["name"]))
    out().print(table)


def _register_plugins() -> None:
    from strategease import cli_evidence, cli_report, cli_select

    cli_select.register(app)
    cli_report.register(app)
    cli_evidence.register(app)


_register_plugins()


def _print_error(exc: StrategeaseError) -> None:
    if isinstance(exc, ManyErrors):
        for sub in exc.errors:
            sys.stderr.write(f"error: {sub}\n")
        sys.stderr.write(f"{len(exc.errors)} error(s); nothing was done\n")
    else:
        sys.stderr.write(f"error: {exc}\n")


class _Interrupted(BaseException):
    """Raised by the SIGINT handler. A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way up (a cache read, a template) can swallow it or turn it into
    another error; unlike KeyboardInterrupt, Click/Typer pass it through to :func:`run`."""


def _on_sigint(signum: int, frame: object) -> None:
    raise _Interrupted()


def _interrupted() -> int:
    sys.stderr.write("error: interrupted\n")
    return EXIT_INTERRUPTED


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with the error boundary; return the exit code (used by tests and ``main``).

    Typer/Click handle usage errors themselves (exit 2); our own errors are one line on stderr
    with their documented code; anything unexpected is reported without a traceback unless
    ``--debug`` is given.
    """
    import signal

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    previous = None
    try:
        previous = signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not in the main thread
        previous = None
    try:
        app(args=args, prog_name="strategease")
    except SystemExit as exc:
        code = exc.code
        if code == EXIT_INTERRUPTED:  # Typer turns a KeyboardInterrupt into a silent exit 130
            return _interrupted()
        return code if isinstance(code, int) else (0 if code is None else 1)
    except (_Interrupted, KeyboardInterrupt):
        if debug:
            raise
        return _interrupted()
    except StrategeaseError as exc:
        if debug:
            raise
        _print_error(exc)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the boundary: never show a raw traceback to users
        if debug:
            raise
        sys.stderr.write(f"error: internal error ({type(exc).__name__}: {exc}); rerun with --debug and "
                         "report it\n")
        return 3
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return 0


def main() -> None:
    """Console-script entry point.

    A command is one short-lived process whose objects are almost all acyclic (freed by reference
    counting), so the cyclic garbage collector only costs time: its repeated scans of a large
    catalogue took ~15 % of `select` at 10^5 links. It is switched off for the process; ``run()``,
    used in-process by tests and other programs, leaves it alone.
    """
    import gc

    gc.disable()
    code = run()
    sys.stdout.flush()
    sys.exit(code)
