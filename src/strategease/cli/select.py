"""The ``select`` and ``init`` commands: thin wrappers over :mod:`strategease.selection.scoring`.

Each command parses its options, calls one core function, hands the result to a renderer from
:mod:`strategease.render.select` and turns the outcome into an exit code. Heavy modules are
imported inside the command functions so that ``strategease --help`` stays fast.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from strategease.cli.options import BaseOpt, CatalogueOpt, complete_strategy_ids
from strategease.outputs import output_path
from strategease.safetext import one_line

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from rich.console import Console

    from strategease.catalogue.load import Catalogue
    from strategease.cli.interactive import Prompter
    from strategease.selection.ratings import TeamRatings


class SelectFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class SelectMethod(StrEnum):
    default = "default"
    cfir_eric = "cfir-eric"


ScopeArg = Annotated[Path, typer.Argument(help="Scope file (YAML); 'strategease init' writes an "
                                          "example.", show_default=False)]
MethodOption = Annotated[SelectMethod, typer.Option(
    "--method", "-m", help="'default': weighted routes through functions and links ('strategease docs scoring'); "
    "'cfir-eric': the CFIR–ERIC matching tool's cumulative % of experts, CFIR 1.0 barriers only.")]
TopOption = Annotated[int, typer.Option("--top", "-n", min=0, help="Show the N best strategies (0 = all).")]
BundleOption = Annotated[int | None, typer.Option(
    "--bundle", "-b", min=0, max=100, show_default=False,
    help="Size of the suggested bundle [default: constraints.max_strategies, else 5; 0 = none].")]
ExplainOption = Annotated[str | None, typer.Option(
    "--explain", "-e", metavar="ID", show_default=False, autocompletion=complete_strategy_ids,
    help="Print the itemised score of one ranked strategy (its id, or its rank number), with sources, instead "
         "of the ranking.")]
FormatOption = Annotated[SelectFormat, typer.Option("--format", "-f", help="Output format.")]


class AggregateChoice(StrEnum):
    median = "median"
    mean = "mean"


RatingsOption = Annotated[Path | None, typer.Option(
    "--ratings", "-r", metavar="FILE.csv", show_default=False,
    help="Team ratings (CSV: rater, determinant, importance, changeability; optional role, organisation, "
         "note). The team's ratings replace the scope's; agreement is shown and strong disagreement flagged.")]
AggregateOption = Annotated[AggregateChoice, typer.Option(
    "--aggregate", help="How team ratings are combined per determinant.")]
StabilityOption = Annotated[int, typer.Option(
    "--stability", metavar="N", min=0, max=100_000,
    help="Perturb weights (±1 point) and link strengths (±25 %) N times and report how often each strategy "
         "stays in the top --top and in the bundle; flags unstable ones ('strategease docs scoring'). 0 = off.")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", help="Print the results only: no summary lines on stderr.")]
VerboseOption = Annotated[bool, typer.Option(
    "--verbose", "-v", help="After the results, print on stderr every warning and the catalogue's coverage notes "
    "on this scope's frameworks (by default one line counts them).")]
SeedOption = Annotated[int | None, typer.Option(
    "--seed", min=0, show_default=False,
    help="Seed for --stability (default: a fixed seed, so runs are reproducible).")]


def select_cmd(
    scope: ScopeArg,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
    method: MethodOption = SelectMethod.default,
    top: TopOption = 10,
    bundle: BundleOption = None,
    explain: ExplainOption = None,
    fmt: FormatOption = SelectFormat.table,
    ratings: RatingsOption = None,
    aggregate: AggregateOption = AggregateChoice.median,
    stability: StabilityOption = 0,
    seed: SeedOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Rank implementation strategies for a scope, explain each score, and suggest a bundle.

    Each determinant in the scope (barrier or facilitator, any framework) is followed through the
    catalogue to intervention functions and strategies; scores are itemised and documented in
    'strategease docs scoring'. Results go to stdout; one line on stderr counts the
    uncovered determinants, warnings and coverage notes that concern this scope (--verbose prints
    them, --quiet nothing; json and markdown carry them in the output too).

    Exit codes: 0 success · 1 scope or catalogue content invalid (schema, unknown ids, values out of
    range; every problem is listed with file:line:column) · 2 usage or I/O error (bad option, missing
    or unreadable file, malformed YAML, unknown --explain ID).

    Example: strategease select examples/delirium-scope.yaml

    More examples:

      strategease select scope.yaml --format json | jq '.strategies[0]'

      strategease select scope.yaml --explain eric.audit-and-provide-feedback

      strategease select scope.yaml --method cfir-eric --top 0 --format csv

      strategease select scope.yaml --ratings team.csv --aggregate mean

      strategease select scope.yaml --stability 500 --top 5
    """
    from strategease.cli.options import load_valid
    from strategease.errors import UsageError
    from strategease.render.select import CARRIES_WARNINGS, EXPLAINERS, RENDERERS, stderr_lines, stderr_summary
    from strategease.selection.levers import unranked_pick
    from strategease.selection.scope import load_scope
    from strategease.selection.scoring import find_strategy, select

    if explain is not None and stability:
        raise UsageError("--stability cannot be combined with --explain", hint="run them separately")
    cat = load_valid(base, catalogue)
    loaded = load_scope(scope, cat)
    team = load_team_ratings(ratings, cat)
    with progress_bar(stability) as progress:
        result = select(cat, loaded, method.value, top=0 if explain else top, bundle=bundle, ratings=team,
                        aggregate=aggregate.value, stability=stability, seed=seed, progress=progress)
    if explain is not None:
        strategy = unranked_pick(result, cat, explain) or find_strategy(result, cat, explain)
        citations = {key: src.citation for key, src in sorted(cat.sources.items())}
        model = cat.strategies.get(strategy.id)
        effects = [e.model_dump(mode="json", exclude_none=True) for e in model.effects] if model else []
        emit(EXPLAINERS[fmt.value](result, strategy, citations, effects))
        return
    emit(RENDERERS[fmt.value](result))
    if fmt.value not in CARRIES_WARNINGS and not quiet:
        sys.stdout.flush()
        for line in stderr_lines(result) if verbose else stderr_summary(result):
            sys.stderr.write(one_line(line) + "\n")


def load_team_ratings(path: Path | None, cat: Catalogue) -> TeamRatings | None:
    """Read a --ratings file (None when not given)."""
    if path is None:
        return None
    from strategease.selection.ratings import load_ratings

    return load_ratings(path, cat)


PROGRESS_MIN_RUNS = 50
"""--stability runs from which a progress bar is drawn (on stderr, and only when it is a terminal)."""


@contextmanager
def progress_bar(runs: int, console: Console | None = None) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a transient Rich bar on stderr for long --stability runs, or None
    when stderr is not a terminal (so pipes, CI logs and tests stay clean)."""
    if runs < PROGRESS_MIN_RUNS:
        yield None
        return
    if console is None:
        from strategease.console import err

        console = err()
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("stability"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("runs", total=runs)
        step = max(1, runs // 100)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, refresh=done == total or done % step == 0)

        yield advance


def emit(rendered: object) -> None:
    """Write a renderer's output to stdout: text as it is, Rich renderables through the console."""
    if isinstance(rendered, str):
        sys.stdout.write(rendered)
        sys.stdout.flush()
        return
    from strategease.console import show

    show(rendered)


InitPath = Annotated[Path | None, typer.Argument(show_default=False, parser=output_path,
                                                 help="Where to write the scope: a file, in a directory that exists "
                                                      "(default: print to stdout).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")]


InteractiveOption = Annotated[bool, typer.Option(
    "--interactive", "-i", help="Ask about the change, its determinants (searchable, grouped by COM-B/TDF, "
    "CFIR and partnering) and its partners, then write a commented scope (questions on stderr, answers "
    "from stdin).")]


def init_cmd(path: InitPath = None, force: ForceOption = False, interactive: InteractiveOption = False,
             catalogue: CatalogueOpt = None, base: BaseOpt = None) -> None:
    """Write a commented example scope (the delirium-screening example), or your own with --interactive.

    Never overwrites an existing file without asking (--interactive) or --force. Exit 0 written,
    1 invalid catalogue, 2 file exists or cannot be written, or the answers ended early.

    Example: strategease init my-scope.yaml

    Or print it: strategease init > my-scope.yaml

    Guided: strategease init --interactive my-scope.yaml
    """
    if interactive:
        _init_interactive(path, force, catalogue, base)
        return
    from strategease.selection.scope import example_scope_text

    text = example_scope_text()
    if path is None:
        sys.stdout.write(text)
        return
    from strategease.outputs import is_stdout, write_atomic

    write_atomic(path, text.encode("utf-8"), force=force)
    if not is_stdout(path):  # '-' streams the scope: nothing was written to name
        typer.echo(one_line(f"wrote {path}; edit it, then run: strategease select {path}"), err=True)


def terminal_prompter() -> Prompter:
    """Questions on stderr, answers from stdin (with line editing when stdin is a terminal)."""
    from strategease.cli.interactive import Prompter

    def write(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    def read() -> str | None:
        if sys.stdin.isatty():
            try:
                return input()
            except EOFError:
                return None
        line = sys.stdin.readline()
        return line if line else None

    return Prompter(read, write)


def _target(prompter: Prompter, path: Path | None, force: bool) -> tuple[Path, bool]:
    """Where to save, and whether replacing it was agreed; never replaces a file without asking."""
    target = path if path is not None else _ask_path(prompter, "Save the scope as", "scope.yaml")
    while target.is_dir() or (target.exists() and not force):
        if target.is_dir():
            prompter.say(f"  {target} is a directory.")
        elif prompter.confirm(f"{target} exists. Replace it?"):
            return target, True
        target = _ask_path(prompter, "Save the scope as (another file name)")
    return target, force


def _ask_path(prompter: Prompter, question: str, default: str | None = None) -> Path:
    """A file name typed in answer to QUESTION; one that names a directory ('drafts/') is asked again."""
    from strategease.errors import UsageError

    while True:
        answer = prompter.ask(question, default, required=True)
        try:
            return output_path(answer)
        except UsageError:
            prompter.say(f"  {answer} names a directory; give a file's name.")
            question, default = "Save the scope as (another file name)", None


def _init_interactive(path: Path | None, force: bool, catalogue: list[Path] | None,
                      base: list[Path] | None) -> None:
    from strategease.cli.interactive import check, converse, render
    from strategease.cli.options import load_valid
    from strategease.outputs import write_atomic

    cat = load_valid(base, catalogue)
    prompter = terminal_prompter()
    replace = force
    if path is not None:
        path, replace = _target(prompter, path, force)
    answers = converse(prompter, cat)
    if path is None:
        prompter.say()
        path, replace = _target(prompter, None, force)
    text = render(answers, cat)
    check(text, str(path), cat)
    write_atomic(path, text.encode("utf-8"), force=replace)
    prompter.say(f"wrote {path}; next: strategease select {path}")
