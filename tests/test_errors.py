"""One error path (issue #8, item 1): every command, every kind of user-facing failure.

Each failure ends with a message naming what and where (``file:line:column`` when there is a
file), the documented exit code (1 content, 2 usage or I/O, 130 interrupted) and no traceback
unless ``--debug``. Commands: validate, list, show, search, schema, select, init, report,
import-links, diff, compare.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

CAT = ROOT / "tests" / "golden" / "report" / "catalogue.yaml"
SCOPE = ROOT / "tests" / "golden" / "report" / "scope.yaml"
IMPORT_BASE = EXAMPLES / "import" / "base.yaml"
LONG_CSV = EXAMPLES / "import" / "long.csv"
IMPORT = ("--source-citation", "Example survey 2026", "--from-framework", "cfir1", "--to-framework", "eric")


def expect(result, code: int, *needles: str) -> None:
    """The contract: exit CODE, messages on stderr as 'error: ...' lines, no traceback."""
    shown = f"exit {result.code}\nstdout: {result.out[-500:]}\nstderr: {result.err[-2000:]}"
    assert result.code == code, shown
    assert "Traceback" not in result.err and "internal error" not in result.err, shown
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), shown
    for needle in needles:
        assert needle in result.err, f"{needle!r} not in\n{shown}"


# --------------------------------------------------------------------------- inputs per command

# Every command that reads a catalogue, with the catalogue given by a placeholder {cat} (a base)
# or {layer} (laid over the test catalogue).
CATALOGUE_READERS: dict[str, list[str]] = {
    "validate": ["validate", "{cat}"],
    "validate-layer": ["validate", str(CAT), "--catalogue", "{cat}"],
    "list": ["list", "strategies", "--base", "{cat}"],
    "show": ["show", "eric.build-a-coalition", "--base", "{cat}"],
    "search": ["search", "coalition", "--base", "{cat}"],
    "select": ["select", str(SCOPE), "--base", "{cat}"],
    "report": ["report", str(SCOPE), "--base", "{cat}", "-o", "{out}/r.md"],
    "import-links": ["import-links", str(LONG_CSV), "-o", "{out}/layer.yaml", *IMPORT, "--base", "{cat}"],
    "compare": ["compare", str(SCOPE), str(SCOPE), "--base", "{cat}"],
    "diff-old": ["diff", "{cat}", str(CAT)],
    "diff-new": ["diff", str(CAT), "{cat}"],
}
# Commands that read a scope, given as {scope}.
SCOPE_READERS: dict[str, list[str]] = {
    "select": ["select", "{scope}", "--base", str(CAT)],
    "select-json": ["select", "{scope}", "--base", str(CAT), "--format", "json"],
    "report": ["report", "{scope}", "--base", str(CAT), "-o", "{out}/r.html"],
    "diff": ["diff", str(CAT), str(CAT), "--scope", "{scope}"],
    "compare-a": ["compare", "{scope}", str(SCOPE), "--base", str(CAT)],
    "compare-b": ["compare", str(SCOPE), "{scope}", "--base", str(CAT), "--format", "json"],
}
# Commands that write a file, given as {target}.
WRITERS: dict[str, list[str]] = {
    "schema": ["schema", "-o", "{target}"],
    "init": ["init", "{target}"],
    "report": ["report", str(SCOPE), "--base", str(CAT), "-o", "{target}", "--format", "markdown"],
    "import-links": ["import-links", str(LONG_CSV), "-o", "{target}", *IMPORT, "--base", str(IMPORT_BASE)],
}


def _args(template: list[str], **values: Path) -> list[str]:
    return [part.format(**{k: str(v) for k, v in values.items()}) for part in template]


def _catalogue_case(cli, tmp_path: Path, name: str, content: bytes | None) -> tuple[object, Path]:
    cat = tmp_path / "cat.yaml"
    if content is not None:
        cat.write_bytes(content)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return cli(*_args(CATALOGUE_READERS[name], cat=cat, out=out)), cat


def _scope_case(cli, tmp_path: Path, name: str, content: bytes | None) -> tuple[object, Path]:
    scope = tmp_path / "scope.yaml"
    if content is not None:
        scope.write_bytes(content)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return cli(*_args(SCOPE_READERS[name], scope=scope, out=out)), scope


def _no_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == [], "a failed run wrote a file"


# --------------------------------------------------------------------------- missing, directory, unreadable


@pytest.mark.parametrize("name", sorted(CATALOGUE_READERS))
def test_missing_catalogue(cli, tmp_path: Path, name: str) -> None:
    result, cat = _catalogue_case(cli, tmp_path, name, None)
    expect(result, 2, f"{cat}: catalogue file not found")
    _no_output(tmp_path)


@pytest.mark.parametrize("name", sorted(SCOPE_READERS))
def test_missing_scope(cli, tmp_path: Path, name: str) -> None:
    result, scope = _scope_case(cli, tmp_path, name, None)
    expect(result, 2, f"{scope}: scope file not found")
    _no_output(tmp_path)


@pytest.mark.parametrize("name", sorted(SCOPE_READERS))
def test_directory_given_as_scope(cli, tmp_path: Path, name: str) -> None:
    (tmp_path / "scope.yaml").mkdir()
    result, scope = _scope_case(cli, tmp_path, name, None)
    expect(result, 2, f"{scope}: is a directory, expected a scope file")


@pytest.mark.parametrize("name", sorted(CATALOGUE_READERS))
def test_directory_given_as_catalogue_file(cli, tmp_path: Path, name: str) -> None:
    """A directory where a catalogue is expected is read as a directory of *.yaml files; an
    empty one is an error naming it."""
    (tmp_path / "cat.yaml").mkdir()
    result, cat = _catalogue_case(cli, tmp_path, name, None)
    expect(result, 2, f"{cat}: no catalogue files (*.yaml) in directory")


def test_directory_given_as_csv(cli, tmp_path: Path) -> None:
    result = cli("import-links", tmp_path, "-o", tmp_path / "layer.yaml", *IMPORT, "--base", IMPORT_BASE)
    expect(result, 2, f"{tmp_path}: is a directory, expected a CSV file")


def test_missing_and_directory_ratings(cli, tmp_path: Path) -> None:
    for path, needle in ((tmp_path / "nope.csv", "not found"), (tmp_path, "is a directory")):
        result = cli("select", SCOPE, "--base", CAT, "--ratings", path)
        expect(result, 2, str(path), needle)


@pytest.mark.parametrize("kind", ["catalogue", "scope", "csv"])
def test_permission_denied(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Root ignores file modes, so the refusal is simulated here (a real one runs as 'nobody' below)."""
    target = {"catalogue": CAT, "scope": SCOPE, "csv": LONG_CSV}[kind]
    real = os.open

    def denied(path: object, *args: object, **kwargs: object) -> int:
        if path == target:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    monkeypatch.setenv("STRATEGEASE_NO_CACHE", "1")
    if kind == "csv":
        result = cli("import-links", LONG_CSV, "-o", tmp_path / "l.yaml", *IMPORT, "--base", IMPORT_BASE)
    else:
        result = cli("report", SCOPE, "--base", CAT, "-o", tmp_path / "r.md")
    expect(result, 2, f"{target}: permission denied")
    assert not (tmp_path / "r.md").exists() and not (tmp_path / "l.yaml").exists()


def _run_as_nobody(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "STRATEGEASE_NO_CACHE": "1", "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-m", "strategease", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, user=65534, group=65534, timeout=60)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to run as 'nobody'")
def test_permission_denied_for_real() -> None:
    """Unreadable input and an unwritable output directory, as an unprivileged user."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        tmp.chmod(0o755)
        secret = tmp / "secret.yaml"
        secret.write_bytes(SCOPE.read_bytes())
        secret.chmod(0o000)
        locked = tmp / "locked"
        locked.mkdir(mode=0o755)
        try:
            probe = _run_as_nobody(["--version"], tmp)
        except OSError as exc:
            pytest.skip(f"'nobody' cannot run the interpreter here: {exc}")
        if probe.returncode != 0:
            pytest.skip(f"'nobody' cannot run the interpreter here: {probe.stderr[-200:]}")
        for args, needle in (
            (["select", str(secret), "--base", str(CAT)], f"{secret}: permission denied"),
            (["report", str(SCOPE), "--base", str(CAT), "-o", str(locked / "r.md")],
             f"{locked}: cannot write to the output directory (permission denied)"),
            (["init", str(locked / "s.yaml")], "permission denied"),
        ):
            proc = _run_as_nobody(args, tmp)
            assert proc.returncode == 2, proc.stderr
            assert needle in proc.stderr and "Traceback" not in proc.stderr
            assert proc.stderr.count("\n") == 1
        assert list(locked.iterdir()) == []


# --------------------------------------------------------------------------- bad YAML, bad types, unknown ids

MALFORMED = b"sources:\n  - id: x\n    citation: [unclosed\n"


@pytest.mark.parametrize("name", sorted(CATALOGUE_READERS))
def test_malformed_catalogue_yaml(cli, tmp_path: Path, name: str) -> None:
    result, cat = _catalogue_case(cli, tmp_path, name, MALFORMED)
    expect(result, 2, f"{cat}:4:1: malformed YAML")
    assert result.err.count("\n") == 1  # one line
    _no_output(tmp_path)


@pytest.mark.parametrize("name", sorted(SCOPE_READERS))
def test_malformed_scope_yaml(cli, tmp_path: Path, name: str) -> None:
    result, scope = _scope_case(cli, tmp_path, name, SCOPE.read_bytes().replace(b"level: [", b"level: [[", 1))
    expect(result, 2, f"{scope}:", "malformed YAML")
    lines = result.err.splitlines()
    assert len([line for line in lines if line.startswith("error:")]) == 1
    assert all(line.startswith("error:") or " | " in line for line in lines)  # the source line and a caret
    _no_output(tmp_path)


BAD_TYPES = CAT.read_bytes().replace(b"strength: 0.5", b"strength: high")


@pytest.mark.parametrize("name", sorted(CATALOGUE_READERS))
def test_bad_types_in_catalogue(cli, tmp_path: Path, name: str) -> None:
    line = BAD_TYPES.split(b"strength: high")[0].count(b"\n") + 1
    result, cat = _catalogue_case(cli, tmp_path, name, BAD_TYPES)
    if name.startswith("validate"):  # validate reports findings on stdout
        assert result.code == 1 and f"{cat}:{line}:" in result.out and "Traceback" not in result.err
        return
    expect(result, 1, f"{cat}:{line}:", "strength")
    _no_output(tmp_path)


@pytest.mark.parametrize("name", sorted(SCOPE_READERS))
def test_bad_types_in_scope(cli, tmp_path: Path, name: str) -> None:
    text = SCOPE.read_bytes().replace(b"importance: 5", b"importance: very")
    result, scope = _scope_case(cli, tmp_path, name, text)
    expect(result, 1, f"{scope}:10:", "importance")
    _no_output(tmp_path)


@pytest.mark.parametrize("name", sorted(SCOPE_READERS))
def test_unknown_id_in_scope(cli, tmp_path: Path, name: str) -> None:
    text = SCOPE.read_bytes().replace(b"tdf.knowledge", b"tdf.knowlege")
    result, scope = _scope_case(cli, tmp_path, name, text)
    expect(result, 1, f"{scope}:10:6: determinants[0].id: unknown determinant 'tdf.knowlege'",
           "did you mean 'tdf.knowledge'?")


def test_unknown_ids_on_the_command_line(cli) -> None:
    expect(cli("show", "nope.nothing", "--base", CAT), 2, "no entry with id 'nope.nothing'")
    expect(cli("select", SCOPE, "--base", CAT, "--explain", "eric.nope"), 2, "'eric.nope'")


def test_unknown_names_in_csv(cli, tmp_path: Path) -> None:
    table = tmp_path / "links.csv"
    table.write_text("determinant,strategy,strength\nSelf-eficacy,Tailor strategies,0.1\n")
    result = cli("import-links", table, "-o", tmp_path / "l.yaml", *IMPORT, "--base", IMPORT_BASE)
    expect(result, 1, f"{table}:2:1:", "Self-eficacy", "did you mean")
    assert not (tmp_path / "l.yaml").exists()


def test_bad_values_in_ratings_csv(cli, tmp_path: Path) -> None:
    ratings = tmp_path / "team.csv"
    ratings.write_text("rater,determinant,importance,changeability\nAna,tdf.knowledge,inf,3\nBen,tdf.knowlege,2,2\n")
    result = cli("select", SCOPE, "--base", CAT, "--ratings", ratings)
    expect(result, 1, f"{ratings}:2:3: importance must be a whole number from 1 to 5 (got 'inf')",
           f"{ratings}:3:2:", "tdf.knowlege")


def test_usage_errors_exit_2_without_traceback(cli) -> None:
    for args in (["select", SCOPE, "--nope"], ["list", "nonsense"], ["select", SCOPE, "--top", "-1"],
                 ["report", SCOPE], ["frobnicate"]):
        result = cli(*args)
        assert result.code == 2 and "Traceback" not in result.err, (args, result.err)
        assert result.err.strip().splitlines()[-1].startswith("Error: "), (args, result.err)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    scope = tmp_path / "scope.yaml"
    scope.write_text("title: [\n")
    args = ["select", str(scope), "--base", str(CAT)]
    plain = subprocess.run([sys.executable, "-m", "strategease", *args], capture_output=True, text=True)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr and plain.stderr.startswith("error: ")
    debug = subprocess.run([sys.executable, "-m", "strategease", "--debug", *args], capture_output=True, text=True)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "UsageError" in debug.stderr


# --------------------------------------------------------------------------- writing: refusal, directory, disk full


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_existing_output_is_not_overwritten_without_force(cli, tmp_path: Path, name: str, writer: str) -> None:
    target = tmp_path / "existing.out"
    target.write_bytes(b"keep me\n")
    result = cli(*_args(WRITERS[name], target=target))
    expect(result, 2, f"{target}: file exists; not overwriting (pass --force to replace it)")
    assert target.read_bytes() == b"keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.out"]


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_directory_given_as_output(cli, tmp_path: Path, name: str) -> None:
    target = tmp_path / "dir.out"
    target.mkdir()
    expect(cli(*_args(WRITERS[name], target=target)), 2, f"{target}: is a directory")


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_missing_output_directory(cli, tmp_path: Path, name: str) -> None:
    target = tmp_path / "nope" / "x.out"
    expect(cli(*_args(WRITERS[name], target=target)), 2, f"{tmp_path / 'nope'}: output directory does not exist")


@pytest.mark.parametrize("name", sorted([*WRITERS, "ratings-sheet"]))
@pytest.mark.parametrize("ending", ["/", "/.", "/.."])
def test_output_name_that_names_a_directory(cli, tmp_path: Path, name: str, ending: str) -> None:
    """'-o newdir/' is refused as typed (Path would drop the '/' and write a file called 'newdir');
    no directory is created and nothing is written."""
    template = WRITERS.get(name) or ["ratings-sheet", str(SCOPE), "--base", str(CAT), "-o", "{target}"]
    target = f"{tmp_path / 'newdir'}{ending}"
    result = cli(*[part.replace("{target}", target) for part in template])
    expect(result, 2, f"{target}: names a directory, expected an output file path (add the file's name")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(params=["O_TMPFILE", "named-temporary"])
def writer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with each way of writing atomically: an unnamed file (Linux) and the portable
    named temporary file."""
    import strategease.outputs as outputs

    if request.param == "O_TMPFILE":
        if not hasattr(os, "O_TMPFILE"):
            pytest.skip("no O_TMPFILE here")
    else:
        monkeypatch.setattr(outputs, "_unnamed_file", lambda directory: None)
    return str(request.param)


@pytest.mark.parametrize("name", sorted(WRITERS))
@pytest.mark.parametrize("existing", [False, True])
def test_disk_full_while_writing(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                 existing: bool, writer: str) -> None:
    import strategease.outputs as outputs

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)
    target = tmp_path / "out.file"
    if existing:
        target.write_bytes(b"old\n")
    result = cli(*_args(WRITERS[name], target=target), *(["--force"] if existing else []))
    expect(result, 2, f"{target}: cannot write output: disk full")
    assert result.err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out.file"] if existing else [])
    if existing:
        assert target.read_bytes() == b"old\n"


@pytest.fixture
def tiny_fs() -> Path:
    """A 32 KiB tmpfs (root only; skipped where mounting is not allowed)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount = Path(tempfile.mkdtemp(prefix="strategease-tinyfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def test_disk_full_for_real(cli, tiny_fs: Path, writer: str) -> None:
    """A Word report (~40 KB) does not fit a 32 KiB file system: one line, exit 2, nothing left."""
    target = tiny_fs / "report.docx"
    result = cli("report", SCOPE, "--base", CAT, "-o", target)
    expect(result, 2, f"{target}: cannot write output: disk full")
    assert list(tiny_fs.iterdir()) == []
    (tiny_fs / "report.docx").write_bytes(b"old\n")
    result = cli("report", SCOPE, "--base", CAT, "-o", target, "--force")
    expect(result, 2, "disk full")
    assert [p.name for p in tiny_fs.iterdir()] == ["report.docx"] and target.read_bytes() == b"old\n"


@pytest.mark.parametrize("ext", [".md", ".html", ".docx", ".json"])
def test_report_not_overwritten_without_force(cli, tmp_path: Path, ext: str, writer: str) -> None:
    target = tmp_path / f"report{ext}"
    target.write_bytes(b"an earlier report\n")
    result = cli("report", SCOPE, "--base", CAT, "-o", target)
    expect(result, 2, f"{target}: file exists; not overwriting (pass --force to replace it)")
    assert target.read_bytes() == b"an earlier report\n"
    assert cli("report", SCOPE, "--base", CAT, "-o", target, "--force").code == 0
    assert target.read_bytes() != b"an earlier report\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_file_appearing_meanwhile_is_not_replaced(tmp_path: Path, writer: str, monkeypatch) -> None:
    """Without --force, a file that appears between the check and the write is left alone."""
    import strategease.outputs as outputs
    from strategease.errors import UsageError

    target = tmp_path / "out.txt"
    real_fsync = os.fsync

    def appear(fd: int) -> None:
        real_fsync(fd)
        if not target.exists():
            target.write_bytes(b"someone else's\n")

    monkeypatch.setattr(outputs.os, "fsync", appear)
    with pytest.raises(UsageError, match="file exists"):
        outputs.write_atomic(target, b"mine\n")
    assert target.read_bytes() == b"someone else's\n" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_kill_during_write_keeps_old_report(tmp_path: Path) -> None:
    """SIGKILL a report run replacing an existing file (--force) at many moments around the
    write: the file is always either the old one, byte for byte, or the complete new one, and
    no partial or temporary file is ever left. The moment of the kill homes in on the end of
    the run (where the write happens): earlier after a run that finished, later after one that
    did not."""
    import random

    attempts = int(os.environ.get("STRATEGEASE_KILL_ATTEMPTS", "16"))
    target = tmp_path / "report.docx"
    args = [sys.executable, "-m", "strategease", "report", str(SCOPE), "--base", str(CAT), "-o", str(target),
            "--force"]
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    edge = time.perf_counter() - started
    new = target.read_bytes()
    old = b"an earlier report\n" * 500
    rng = random.Random(8)
    outcomes = {"old": 0, "new": 0}
    for _ in range(attempts):
        target.write_bytes(old)
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(edge * rng.uniform(0.85, 1.05))
        proc.kill()
        finished = proc.wait() == 0
        edge *= 0.96 if finished else 1.03
        data = target.read_bytes()
        assert data in (old, new), "a kill left a partial report"
        assert [p.name for p in tmp_path.iterdir()] == ["report.docx"], "a kill left a temporary file"
        outcomes["new" if data == new else "old"] += 1
    assert sum(outcomes.values()) == attempts


# --------------------------------------------------------------------------- Ctrl-C

INTERRUPT_POINTS: dict[str, tuple[list[str], str]] = {
    # command: (arguments, the function to interrupt, as module:attribute)
    "validate": (["validate", str(CAT)], "strategease.catalogue.load:load_catalogue"),
    "list": (["list", "strategies", "--base", str(CAT)], "strategease.catalogue.browse:list_entries"),
    "show": (["show", "eric.build-a-coalition", "--base", str(CAT)], "strategease.catalogue.browse:show_entry"),
    "search": (["search", "coalition", "--base", str(CAT)], "strategease.catalogue.browse:search"),
    "schema": (["schema"], "strategease.catalogue.schema:catalogue_schema_text"),
    "select": (["select", str(SCOPE), "--base", str(CAT)], "strategease.selection.scoring:select"),
    "init": (["init"], "strategease.selection.scope:example_scope_text"),
    "report": (["report", str(SCOPE), "--base", str(CAT), "-o", "{out}"], "strategease.render.report:render"),
    "import-links": (["import-links", str(LONG_CSV), "-o", "{out}", *IMPORT, "--base", str(IMPORT_BASE)],
                     "strategease.catalogue.importer:read_table"),
    "diff": (["diff", str(CAT), str(CAT)], "strategease.catalogue.diff:diff_catalogues"),
}


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, point: str, how: Callable[[], None]) -> None:
    import importlib

    module_name, attribute = point.split(":")
    module = importlib.import_module(module_name)

    def interrupted(*args: object, **kwargs: object) -> None:
        how()

    monkeypatch.setattr(module, attribute, interrupted)


def _raise_keyboard_interrupt() -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("name", sorted(INTERRUPT_POINTS))
@pytest.mark.parametrize("how", [_raise_keyboard_interrupt, lambda: signal.raise_signal(signal.SIGINT)],
                         ids=["KeyboardInterrupt", "SIGINT"])
def test_interrupted_exits_130(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                               how: Callable[[], None]) -> None:
    args, point = INTERRUPT_POINTS[name]
    out = tmp_path / "out.md"
    out.write_bytes(b"old\n")
    _interrupt_at(monkeypatch, point, how)
    result = cli(*[a.replace("{out}", str(out)) for a in args], *(["--force"] if "{out}" in args else []))
    assert (result.code, result.err) == (130, "error: interrupted\n")
    assert out.read_bytes() == b"old\n" and [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_interrupt_is_not_swallowed_by_broad_handlers(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupt inside a custom template (whose errors are caught and reported as template
    errors) still ends the run as interrupted."""
    import jinja2

    template = tmp_path / "t.md.j2"
    template.write_text("{{ report.title }}\n")

    def interrupted(*args: object, **kwargs: object) -> str:
        signal.raise_signal(signal.SIGINT)
        return ""

    monkeypatch.setattr(jinja2.Template, "generate", interrupted)
    result = cli("report", SCOPE, "--base", CAT, "-o", tmp_path / "r.md", "--template", template)
    assert (result.code, result.err) == (130, "error: interrupted\n")


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by process PID (Linux /proc), robust to a busy machine unlike wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sigint_while_busy(args: list[str], after_cpu: float) -> subprocess.CompletedProcess[str]:
    """Start strategease and send SIGINT once it has used AFTER_CPU seconds of CPU (well past start-up,
    when its handler is installed: the command is then reading, parsing or computing)."""
    env = {**os.environ, "NO_COLOR": "1", "STRATEGEASE_NO_CACHE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "strategease", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while proc.poll() is None and _cpu_seconds(proc.pid) < after_cpu:
        assert time.monotonic() < deadline, "the command never got busy"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_in_a_subprocess(tmp_path: Path) -> None:
    """SIGINT to a real process while it waits for input, parses a large catalogue, computes."""
    # 1. waiting for input: init --interactive reading its answers from a pipe that stays silent
    env = {**os.environ, "NO_COLOR": "1", "STRATEGEASE_NO_CACHE": "1"}
    out = tmp_path / "scope.yaml"
    waiting = subprocess.Popen([sys.executable, "-m", "strategease", "init", str(out), "--interactive"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    assert waiting.stderr is not None
    waiting.stderr.read(1)  # it has started asking its questions (on stderr)
    time.sleep(0.5)
    waiting.send_signal(signal.SIGINT)
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130 and err.endswith("error: interrupted\n"), err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == []
    # 2. busy parsing a large catalogue (several seconds of work): validate
    big = tmp_path / "big.yaml"
    entries = "".join(f"  - {{id: s{i}, citation: Source number {i}, kind: curated}}\n" for i in range(120_000))
    big.write_text(f"sources:\n{entries}")
    result = _sigint_while_busy(["validate", str(big)], 1.0)
    assert (result.returncode, result.stderr) == (130, "error: interrupted\n"), result.stderr[-2000:]
    # 3. busy in a long computation: select --stability 100000 (tens of seconds), at a random moment
    import random

    result = _sigint_while_busy(["select", str(ROOT / "examples" / "delirium-scope.yaml"), "--stability", "100000",
                                 "--format", "json"], random.Random().uniform(1.0, 2.5))
    assert (result.returncode, result.stderr, result.stdout) == (130, "error: interrupted\n", ""), result.stderr


# --------------------------------------------------------------------------- digit strings Python will not convert


def test_overlong_numbers_are_errors_not_crashes(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """int() refuses more than 4300 digits and str.isdigit() accepts '²': neither may crash a command."""
    digits = "1" * 5000
    table = tmp_path / "links.csv"
    table.write_text(f"determinant,strategy,strength,n_respondents\ncfir1.self-efficacy,eric.tailor-strategies,0.3,"
                     f"{digits}\n")
    result = cli("import-links", table, "-o", tmp_path / "l.yaml", *IMPORT, "--base", IMPORT_BASE)
    expect(result, 1, f"{table}:2:4: n_respondents must be a whole number of at least 1")
    assert len(result.err) < 300
    scope = tmp_path / "scope.yaml"
    scope.write_bytes(SCOPE.read_bytes().replace(b"importance: 5", b"importance: " + digits.encode()))
    expect(cli("select", scope, "--base", CAT), 2, f"{scope}:10:", "too long")
    for value in ("²", digits):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        expect(cli("report", SCOPE, "--base", CAT, "-o", tmp_path / "r.md"), 2, "SOURCE_DATE_EPOCH")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    from strategease import console

    for value in ("²", digits):
        monkeypatch.setenv("STRATEGEASE_WIDTH", value)
        console.out.cache_clear()
        assert cli("list", "frameworks", "--base", CAT).code == 0


def test_interactive_answers_that_look_like_digits() -> None:
    from strategease.cli.interactive import Prompter

    answers = iter(["²", "1" * 5000, "٣", "4"])
    said: list[str] = []
    prompter = Prompter(read=lambda: next(answers, None), write=said.append)
    assert prompter.number("Importance?", 1, 5) == 4
    assert sum("whole number from 1 to 5" in line for line in said) == 3


# --------------------------------------------------------------------------- docs/limits.md


def test_docs_limits_match_the_code() -> None:
    """docs/limits.md states the limits the code enforces (and the README links to it)."""
    from strategease.catalogue import importer, yamlio
    from strategease.catalogue import load as catalogue
    from strategease.selection.scope import Scope

    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    assert f"{yamlio.MAX_BYTES // 2**20} MiB ({yamlio.MAX_BYTES:,} bytes)" in doc
    assert f"over the {yamlio.MAX_BYTES}-byte limit" in doc
    assert f"at most {yamlio.MAX_DEPTH} levels" in doc and f"nesting deeper than {yamlio.MAX_DEPTH} levels" in doc
    assert f"{catalogue.MAX_ENTRIES:,} (`catalogue.MAX_ENTRIES`" in doc
    assert f"{importer.MAX_BYTES // 2**20} MiB ({importer.MAX_BYTES:,} bytes)" in doc
    assert f"{importer.MAX_CELLS:,}, blank ones included" in doc
    assert f"more than {importer.MAX_CELLS:,} cells" in doc
    limits = {m.__class__.__name__: m for m in Scope.model_fields["determinants"].metadata}
    assert f"| determinants | {limits['MinLen'].min_length}–{limits['MaxLen'].max_length} |" in doc
    assert "(docs/limits.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- exit without the teardown


@pytest.mark.parametrize("setup", ["", "import atexit; atexit.register(lambda: print('atexit ran', flush=True))"])
def test_exit_code_and_output_survive_the_fast_exit(setup: str) -> None:
    """The console script ends without the interpreter's teardown only when nothing waits for it: the output and
    the exit code are those of a normal exit, and a registered atexit callback still runs."""
    code = f"import sys; {setup + '; ' if setup else ''}from strategease.cli.app import main; main()"
    ok = subprocess.run([sys.executable, "-c", code, "select", str(SCOPE), "--base", str(CAT), "--format", "json"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and '"strategies"' in ok.stdout
    assert ok.stdout.endswith("}\natexit ran\n" if setup else "}\n")  # whole, and the callback ran last
    bad = subprocess.run([sys.executable, "-c", code, "select", str(SCOPE), "--base", str(CAT), "--top", "x"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "--top" in bad.stderr


def test_a_profiler_still_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "select.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "strategease", "select",
                           str(SCOPE), "--base", str(CAT), "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0 and out.stat().st_size > 0
