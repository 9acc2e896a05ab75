"""The ``strategease`` command line: a thin layer over the core modules.

Each command parses its options, calls one core function, hands the result to a renderer and
turns the outcome into an exit code. Commands live in ``cli_*`` modules and are imported and
built only when run (:data:`COMMANDS`); heavy modules are imported inside the commands.

Exit codes: 0 success; 1 input read and found wanting (invalid catalogue or scope, --strict
warnings); 2 usage or I/O error (bad option, missing/unreadable file, malformed YAML, refusing
to overwrite); 3 internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from strategease import __version__
from strategease.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    MAX_PRINTED,
    ManyErrors,
    StrategeaseError,
    more_line,
)
from strategease.safetext import guarded_streams, one_line

EXIT_HELP = (
    "Exit codes: 0 success · 1 input found invalid (or --strict warnings) · "
    "2 usage or I/O error (bad option, missing/unreadable file, malformed YAML) · 3 internal error (a bug) · "
    "130 interrupted."
)

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("strategease.cli.catalogue:validate", "Check catalogue files: syntax, schema, references, cycles."),
    "check": ("strategease.cli.catalogue:check", "Check scope files (shape, values, ids) without ranking."),
    "schema": ("strategease.cli.catalogue:schema", "Print the JSON Schema of catalogue or scope files."),
    "list": ("strategease.cli.catalogue:list_cmd", "List catalogue entries."),
    "show": ("strategease.cli.catalogue:show", "Show one entry with its links and their sources."),
    "search": ("strategease.cli.catalogue:search_cmd", "Search the catalogue by text."),
    "select": ("strategease.cli.select:select_cmd", "Rank a scope's strategies, explain scores, suggest a bundle."),
    "init": ("strategease.cli.select:init_cmd", "Write an example scope, or your own with --interactive."),
    "compare": ("strategease.cli.compare:compare_cmd", "Compare two scenarios: who rises, falls, enters, leaves."),
    "report": ("strategease.cli.report:report_cmd", "Write a report: Markdown, HTML, PDF, Word, Excel or JSON."),
    "ratings-sheet": ("strategease.cli.report:ratings_sheet_cmd", "Write a workshop sheet to rate determinants."),
    "import-links": ("strategease.cli.evidence:import_links", "Turn a CSV table of links into a catalogue layer."),
    "diff": ("strategease.cli.evidence:diff", "Compare two catalogues, and what changes for a scope."),
    "docs": ("strategease.cli.docs:docs_cmd", "Print the bundled documentation (scoring, limits)."),
}
"""Every command: name -> ("module:function", the one-line help listed by ``strategease --help``).

Commands are built only when invoked (see :class:`LazyGroup`), so that ``--help`` and each command
pay only for themselves: Typer reads every parameter's type hints when it builds a command."""


def _build(name: str) -> Any:
    """Import one command's function and let Typer build its Click command."""
    import importlib

    target, short_help = COMMANDS[name]
    module, function = target.split(":")
    single = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    single.command(name, short_help=short_help)(getattr(importlib.import_module(module), function))
    return plain_help(typer.main.get_command(single))


def plain_help(command: Any) -> Any:
    """Help in plain words: metavars such as PATH, N, ID or 'table|json' instead of Python types; one
    spelling of positionals in the usage line (SCOPE, [PATH]...); examples kept verbatim (never re-flowed,
    so they can be copied)."""
    import enum
    import pathlib

    for param in command.params:
        desc = param.type_descriptor
        if desc.is_choice:
            desc.parameter_info.case_sensitive = False  # enum values ignore case: --format JSON works
        if param.param_type_name == "argument":
            word = param.metavar or param.name.upper()
            param.metavar = word
            usage = word if param.required else f"[{word}]"
            usage += "..." if param.nargs != 1 and not word.endswith("...") and " " not in word else ""
            param._usage_display_name = lambda usage=usage: usage
            param.display_type_rich = lambda ctx: None
            continue
        if param.metavar is not None or getattr(param, "is_flag", False):
            continue
        annotation = desc.annotation
        inner = annotation.__args__[0] if desc.is_list else annotation
        if isinstance(inner, type) and issubclass(inner, enum.Enum):
            param.metavar = "|".join(str(member.value) for member in inner)
        elif inner is int:
            param.metavar = "N"
        elif isinstance(inner, type) and issubclass(inner, pathlib.PurePath):
            param.metavar = "PATH"
        else:
            param.metavar = "TEXT"
        if param.multiple and "repeatable" not in (param.help or "").lower():
            param.help = (param.help or "").rstrip() + " Repeatable."
    if command.help:
        command.help = _verbatim_examples(command.help)
    return command


def _verbatim_examples(text: str) -> str:
    """Print examples as written: an indented paragraph, or a '[Label:] strategease ...' paragraph (its
    command joined onto one line, below its label), is marked '\\b' so Click never re-flows it."""
    import re

    out = []
    for para in text.split("\n\n"):
        lines = [line for line in para.split("\n") if line.strip()]
        joined = " ".join(line.strip() for line in lines)
        example = re.match(r"((?:[A-Z][^:]*:)\s*)?(strategease .*)$", joined)
        if lines and all(line.startswith(" ") for line in lines):
            para = "\b\n" + para
        elif example:
            label = (example.group(1) or "").strip()
            para = "\b\n" + (label + "\n" if label else "") + "  " + example.group(2)
        out.append(para)
    return "\n\n".join(out)


class _LazyCommands(MutableMapping[str, Any]):
    """The group's commands: every name is known up front, each command is built on first use."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*COMMANDS, *(n for n in self._built if n not in COMMANDS)])

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._built))


class LazyGroup(TyperGroup):
    """A Typer group whose commands are imported and built only when they are run or asked for help."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands with their one-line help from :data:`COMMANDS`, building none of them."""
        rows = [(name, COMMANDS[name][1]) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="strategease",
    cls=LazyGroup,
    help="Choose, explain and report implementation strategies for a scoped change.\n\n" + EXIT_HELP
    + "\n\nDocumentation: 'strategease docs' (how scores are computed, limits), shipped with the package.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def _print_error(exc: StrategeaseError) -> None:
    """Each error on one line (values in it cannot start another); at most MAX_PRINTED of many."""
    if isinstance(exc, ManyErrors):
        for sub in exc.errors[:MAX_PRINTED]:
            sys.stderr.write(f"error: {one_line(str(sub))}\n" + "".join(f"{one_line(x)}\n" for x in sub.excerpt))
        sys.stderr.write(more_line(len(exc.errors)))
        sys.stderr.write(f"{len(exc.errors):,} error(s); nothing was done\n")
    else:
        sys.stderr.write(f"error: {one_line(str(exc))}\n" + "".join(f"{one_line(x)}\n" for x in exc.excerpt))


class _Interrupted(BaseException):
    """Raised by the SIGINT handler. A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way up (a cache read, a template) can swallow it or turn it into
    another error; unlike KeyboardInterrupt, Click/Typer pass it through to :func:`run`."""


def _on_sigint(signum: int, frame: object) -> None:
    raise _Interrupted()


def _interrupted() -> int:
    sys.stderr.write("error: interrupted\n")
    return EXIT_INTERRUPTED


def _click_saw_broken_pipe() -> bool:
    """Whether Click met EPIPE on stdout: it then wraps stdout in its PacifyFlushWrapper and exits 1
    (Typer vendors Click, so the wrapper is recognised by name)."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def _say(text: str) -> None:
    """Write TEXT to stderr if it can be written at all (stderr may be closed or a full device)."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _os_failure(exc: OSError) -> int:
    """One line for an OS error that reached the boundary: the file it names, or standard output."""
    import errno
    import os

    from strategease.inputs import os_error

    if exc.filename is not None:
        _say(f"error: {os_error(exc, exc.filename, action='cannot use the file')}\n")
        return EXIT_USAGE
    reason = {errno.EPIPE: "broken pipe (the reader closed it)", errno.ENOSPC: "no space left on the device",
              errno.EBADF: "bad file descriptor (is it closed?)", errno.EIO: "input/output error"}.get(
        exc.errno or 0, (exc.strerror or type(exc).__name__).lower())
    _say(f"error: standard output: cannot write: {reason}\n")
    # Whatever is still buffered for stdout cannot be written either: drop it, so that the
    # interpreter's own flush at exit does not print a second, raw error.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_USAGE


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
        with guarded_streams():  # what any command prints reaches the terminal escaped (safetext)
            try:
                app(args=args, prog_name="strategease")
            except SystemExit:
                if _click_saw_broken_pipe():  # seen here, before guarded_streams puts the streams back
                    import errno

                    raise BrokenPipeError(errno.EPIPE, "Broken pipe") from None
                raise
            finally:
                if sys.stdout is not None:
                    sys.stdout.flush()  # inside the boundary: a full disk or a closed pipe is reported here
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
    except OSError as exc:  # the OS refused something no file name explains: often stdout (EPIPE, ENOSPC, EBADF)
        if debug:
            raise
        return _os_failure(exc)
    except MemoryError:
        if debug:
            raise
        _say("error: out of memory (the input is too large for this machine, or memory is limited)\n")
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the boundary: never show a raw traceback to users
        if debug:
            raise
        sys.stderr.write(f"error: internal error ({type(exc).__name__}: {one_line(str(exc))}); rerun as "
                         "'strategease --debug COMMAND ...' and report it\n")
        return EXIT_INTERNAL
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
    import os

    gc.disable()
    _guard_closed_streams()
    # Pydantic would scan every installed package's entry points for plugins when it builds our first
    # validator (~7 ms a run); the CLI uses none. A value set by the user is respected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _defer_pydantic_plugin_loader()
    code = run()
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        code = code or EXIT_USAGE
    else:
        _exit_without_teardown(code)
    sys.exit(code)


PYDANTIC_PLUGIN_LOADER = "pydantic.plugin._loader"


def _defer_pydantic_plugin_loader() -> None:
    """Stand in for Pydantic's plugin loader until a plugin could actually be loaded.

    Pydantic imports ``pydantic.plugin._loader`` when it builds its first validator (Typer builds one per
    parameter), and that module imports ``importlib.metadata`` (with ``email``, ``zipfile``, ``csv``…: ~20 ms of each
    command's start-up) only to look plugins up, which ``PYDANTIC_DISABLE_PLUGINS`` (set by :func:`main`) turns off.
    The stand-in answers ``get_plugins()`` with no plugins while that variable disables them, as the loader itself
    does; otherwise, and for any other name asked of it, it hands over to the real module.
    """
    import importlib
    import os
    import types

    if PYDANTIC_PLUGIN_LOADER in sys.modules:
        return

    def real() -> Any:
        if sys.modules.get(PYDANTIC_PLUGIN_LOADER) is stand_in:
            del sys.modules[PYDANTIC_PLUGIN_LOADER]
        return importlib.import_module(PYDANTIC_PLUGIN_LOADER)

    def get_plugins() -> Any:
        if os.environ.get("PYDANTIC_DISABLE_PLUGINS") in ("__all__", "1", "true"):
            return ()
        return real().get_plugins()

    def __getattr__(name: str) -> Any:  # noqa: N807 - a module's own __getattr__ (PEP 562)
        if name.startswith("__") and name.endswith("__"):  # the import system asks for __path__, __spec__…
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in = types.ModuleType(PYDANTIC_PLUGIN_LOADER, "Stands in for Pydantic's plugin loader (strategease.cli.app).")
    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[PYDANTIC_PLUGIN_LOADER] = stand_in


def _exit_without_teardown(code: int) -> None:
    """End the process now when nothing waits for the interpreter's teardown; else return.

    The teardown frees every object one by one (the modules, a loaded catalogue): ~0.1 s after a
    ``select`` at 10^5 links, ~10 ms after one on the shipped catalogue, all of it memory the OS
    takes back at once. It is skipped only when the standard streams are flushed, no ``atexit``
    callback is registered (finalizers of temporary files, e.g. Word and Excel reports, register
    one; so does coverage.py), no other thread runs and no profiler or debugger is attached
    (``python -m cProfile -o FILE`` writes FILE at exit); otherwise the process exits as usual.
    """
    import atexit
    import os

    pending = getattr(atexit, "_ncallbacks", None)
    threading = sys.modules.get("threading")
    if pending is None or pending() or (threading is not None and threading.active_count() > 1):
        return
    if sys.getprofile() is not None or sys.gettrace() is not None:  # a profiler or debugger reports at exit
        return
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


class _ClosedStream:
    """Stands in for a standard stream that was closed when the process started (``>&-``): writing
    to it is an EBADF error, reported by the boundary as one line, instead of a crash on None."""

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: object) -> int:
        import errno

        raise OSError(errno.EBADF, "Bad file descriptor")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import errno

        raise OSError(errno.EBADF, "Bad file descriptor")

    @property
    def buffer(self) -> _ClosedStream:
        return self


def _guard_closed_streams() -> None:
    if sys.stdout is None:
        sys.stdout = _ClosedStream("<stdout>")  # type: ignore[assignment]
    if sys.stderr is None:
        sys.stderr = _ClosedStream("<stderr>")  # type: ignore[assignment]
