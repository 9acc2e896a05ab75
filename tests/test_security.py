"""Hostile inputs from issue #14: nothing on disk runs code, nothing endless hangs or crashes.

Templates see data, not objects; the cache holds data, in a private directory; every input is
read with a byte budget and must be a regular file; OS conditions are one-line exit-2 errors;
``-o`` refuses devices and FIFOs and streams to stdout.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "report"
CATALOGUE = GOLDEN / "catalogue.yaml"
SCOPE = GOLDEN / "scope.yaml"
MARKER = "strategease-pwned"


def _run(*args: str | Path, timeout: float = 60, env: dict[str, str] | None = None,
         stdout: int | None = subprocess.PIPE,
         stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """The installed CLI in its own process (for what an in-process run cannot show: hangs, fds)."""
    full = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "strategease", *map(str, args)], stdout=stdout,
                          stderr=subprocess.PIPE, stdin=stdin, text=True, timeout=timeout, env=full, check=False)


class _Payload:
    """Unpickling this touches a marker file: the proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


# --------------------------------------------------------------------------- templates


def _template(tmp_path: Path, body: str, name: str = "t.md.j2") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body", [
    "{{ report.__class__.parse_raw(data, proto='pickle', allow_pickle=True) }}",
    "{{ report.parse_raw(data, proto='pickle', allow_pickle=True) }}",
    "{{ selection.parse_file(path, proto='pickle', allow_pickle=True) }}",
    "{{ report.strategies[0].__class__.parse_file(path) }}",
    "{{ report.model_validate_json('{}') }}",
    "{% for s in report.strategies %}{{ s.parse_raw(data, proto='pickle', allow_pickle=True) }}{% endfor %}",
])
def test_template_cannot_reach_pydantic_methods(cli, tmp_path: Path, body: str) -> None:
    marker = tmp_path / MARKER
    evil = tmp_path / "evil.pickle"
    evil.write_bytes(pickle.dumps(_Payload(marker)))
    tpl = _template(tmp_path, "{% set data = " + repr(evil.read_bytes().decode("latin-1")) + " %}"
                    "{% set path = " + repr(str(evil)) + " %}" + body + "\n")
    out = tmp_path / "r.md"
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", out, "--template", tpl)
    assert r.code == 2, r.err
    assert r.err.count("\n") == 1 and r.err.startswith("error: ") and "Traceback" not in r.err
    assert not marker.exists() and not out.exists()


def test_template_sees_fields_as_data(cli, tmp_path: Path) -> None:
    tpl = _template(tmp_path, "{{ report.title }}|{{ report.strategies | length }}|{{ selection.method }}|"
                              "{{ selection.stability is none }}\n")
    out = tmp_path / "r.md"
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", out, "--template", tpl)
    assert r.code == 0, r.err
    title, count, method, absent = out.read_text().strip().split("|")
    assert title and int(count) > 0 and method and absent == "True"


@pytest.mark.parametrize("body", [
    "{{ 'x' * 10**9 }}",
    "{{ 9**(9**9) }}",
    "{{ [1] * 10**9 }}",
    "{{ 'x' | center(10**9) }}",
    "{{ '%*s' % (10**9, 'x') }}",
    "{{ '{:>1000000000}'.format('x') }}",
    "{{ '{:>{w}}'.format('x', w=10**9) }}",
    "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s | length }}{% endmacro %}{{ f('xxxxxxxx', 60) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ 'y' * 1000 }}{% endfor %}{% endfor %}",
])
def test_runaway_template_ends_with_exit_1(tmp_path: Path, body: str) -> None:
    tpl = _template(tmp_path, body + "\n")
    out = tmp_path / "r.md"
    start = time.monotonic()
    r = _run("report", SCOPE, "--base", CATALOGUE, "-o", out, "--template", tpl, timeout=60)
    assert time.monotonic() - start < 40
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "template stopped" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_silent_nested_loops_hit_the_time_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tpl = _template(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    start = time.monotonic()
    r = _run("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "r.md", "--template", tpl, timeout=60)
    assert time.monotonic() - start < 40
    assert r.returncode == 1 and "took over" in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_include_through_a_symlink_out_of_the_directory_is_refused(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET\n")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "leak.j2").symlink_to(secret)
    (folder / "part.j2").write_text("inside {{ report.title }}\n")
    ok = _template(folder, '{% include "part.j2" %}\n')
    out = tmp_path / "ok.md"
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", out, "--template", ok)
    assert r.code == 0, r.err
    assert "inside" in out.read_text()
    bad = _template(folder, '{% include "leak.j2" %}\n', "bad.md.j2")
    out = tmp_path / "bad.md"
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", out, "--template", bad)
    assert r.code == 2 and "outside the template's directory" in r.err and r.err.count("\n") == 1, r.err
    assert not out.exists()
    dots = _template(folder, '{% include "../secret.txt" %}\n', "dots.md.j2")
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "dots.md", "--template", dots)
    assert r.code == 2 and "TOP-SECRET" not in r.out + r.err


def test_template_that_is_a_device_or_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "t.md.j2"
    os.mkfifo(fifo)
    for tpl in (fifo, Path("/dev/zero")):
        r = _run("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "r.md", "--template", tpl, timeout=30)
        assert r.returncode == 2 and "expected a template file" in r.stderr, r.stderr



# --------------------------------------------------------------------------- bounded reads


IMPORT_BASE = ROOT / "tests" / "examples" / "import" / "base.yaml"
IMPORT = ("--source-citation", "Example survey 2026", "--from-framework", "cfir1", "--to-framework", "eric")


@pytest.mark.parametrize(("what", "args"), [
    ("scope", ["select", "{dev}", "--base", str(CATALOGUE)]),
    ("catalogue", ["select", str(SCOPE), "--base", "{dev}"]),
    ("layer", ["validate", str(CATALOGUE), "--catalogue", "{dev}"]),
    ("ratings", ["select", str(SCOPE), "--base", str(CATALOGUE), "--ratings", "{dev}"]),
    ("import", ["import-links", "{dev}", "-o", "{tmp}/l.yaml", *IMPORT, "--base", str(IMPORT_BASE)]),
])
@pytest.mark.parametrize("dev", ["/dev/zero", "/dev/urandom", "fifo", "directory"])
def test_endless_or_odd_inputs_are_refused_at_once(tmp_path: Path, what: str, args: list[str], dev: str) -> None:
    if dev == "fifo":
        dev = str(tmp_path / "input")
        os.mkfifo(dev)  # nobody ever writes: reading it would block for ever
    elif dev == "directory":
        dev = str(tmp_path)
    start = time.monotonic()
    r = _run(*[a.format(dev=dev, tmp=tmp_path) for a in args], timeout=30, env={"STRATEGEASE_NO_CACHE": "1"})
    assert time.monotonic() - start < 25
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and dev in r.stderr and "Traceback" not in r.stderr
    assert ("is a device" in r.stderr or "is a FIFO" in r.stderr or "is a directory" in r.stderr
            or "no catalogue files" in r.stderr), r.stderr


def test_a_file_growing_past_the_budget_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategease import inputs
    from strategease.errors import UsageError

    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 101)
    with pytest.raises(UsageError, match="over the 100-byte limit"):
        inputs.read_bytes(path, limit=100)
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))
    with pytest.raises(UsageError, match="longer than the 100-byte limit"):  # st_size lies: still bounded
        inputs.read_bytes(path, limit=100)
    assert inputs.read_bytes(path, limit=101) == b"x" * 101


# --------------------------------------------------------------------------- OS conditions are user errors


def test_output_streams_that_fail_are_one_line_exit_2(tmp_path: Path) -> None:
    args = ("list", "strategies", "--base", CATALOGUE)
    with open("/dev/full", "w") as full:
        r = _run(*args, stdout=full.fileno())
    assert (r.returncode, r.stderr) == (2, "error: standard output: cannot write: no space left on the device\n")
    closed = subprocess.run([sys.executable, "-c", "import os, sys, runpy; os.close(1); sys.argv = ['strategease', "
                             + ", ".join(repr(str(a)) for a in args) + "]; runpy.run_module('strategease', "
                             "run_name='__main__')"], capture_output=False, stderr=subprocess.PIPE, text=True,
                            timeout=60, check=False)
    assert closed.returncode == 2 and closed.stderr.count("\n") == 1 and "standard output" in closed.stderr, \
        closed.stderr


def test_broken_pipe_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "strategease", "schema"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "0"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader went away before the output was written
    err = proc.stderr.read()
    assert proc.wait(60) == 2 and err == "error: standard output: cannot write: broken pipe (the reader closed it)\n"


@pytest.mark.parametrize("case", ["long-input", "long-output", "file-as-parent", "denied-parent"])
def test_path_problems_are_one_line_exit_2(cli, tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    long = "a" * 300
    if case == "long-input":
        r = cli("select", tmp_path / f"{long}.yaml", "--base", CATALOGUE)
        words = "file name is too long"
    elif case == "long-output":
        r = cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / f"{long}.md")
        words = "file name is too long"
    elif case == "file-as-parent":
        (tmp_path / "file").write_text("x")
        r = cli("select", tmp_path / "file" / "scope.yaml", "--base", CATALOGUE)
        words = "is a file, not a directory"
    else:
        real = os.open
        locked = tmp_path / "locked"

        def denied(path: object, *args: object, **kwargs: object) -> int:
            if str(path).startswith(str(locked)):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", denied)
        r = cli("select", locked / "scope.yaml", "--base", CATALOGUE)
        words = "permission denied"
    assert r.code == 2 and words in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err, r.err


def test_out_of_memory_is_one_line_exit_2(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategease.catalogue import load as catalogue

    def exhausted(*args: object, **kwargs: object) -> object:
        raise MemoryError

    monkeypatch.setattr(catalogue, "parse_yaml", exhausted)
    monkeypatch.setenv("STRATEGEASE_NO_CACHE", "1")
    r = cli("list", "strategies", "--base", CATALOGUE)
    assert r.code == 2 and r.err.startswith("error: out of memory") and r.err.count("\n") == 1


# --------------------------------------------------------------------------- outputs


@pytest.mark.parametrize("target", ["/dev/null", "fifo", "socket"])
def test_output_never_replaces_a_device_fifo_or_socket(tmp_path: Path, target: str) -> None:
    import socket

    holder = None
    if target == "fifo":
        target = str(tmp_path / "r.md")
        os.mkfifo(target)
    elif target == "socket":
        target = str(tmp_path / "r.md")
        holder = socket.socket(socket.AF_UNIX)
        holder.bind(target)
    try:
        before = os.stat(target)
        r = _run("report", SCOPE, "--base", CATALOGUE, "-o", target, "--force", "--format", "markdown", timeout=60)
        assert r.returncode == 2 and "refusing to write over it, even with --force" in r.stderr, r.stderr
        after = os.stat(target)
        assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    finally:
        if holder is not None:
            holder.close()


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_output_to_stdout_streams_the_text(tmp_path: Path, name: str) -> None:
    r = _run("report", SCOPE, "--base", CATALOGUE, "-o", name, "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Implementation strategies") and r.stderr == ""
    r = _run("report", SCOPE, "--base", CATALOGUE, "-o", name, "--format", "docx")
    assert r.returncode == 2 and "cannot be streamed" in r.stderr and r.stdout == ""


def test_output_modes_follow_the_umask_and_keep_an_existing_mode(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    old = os.umask(0o027)
    try:
        assert cli("report", SCOPE, "--base", CATALOGUE, "-o", out).code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o640
    out.chmod(0o604)
    assert cli("report", SCOPE, "--base", CATALOGUE, "-o", out, "--force").code == 0
    assert out.stat().st_mode & 0o777 == 0o604


def test_stale_temporary_siblings_are_cleaned(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    stale = tmp_path / ".r.md.k1ll3d_w.tmp"
    fresh = tmp_path / ".r.md.inprogress.tmp"
    other = tmp_path / ".other.md.abc.tmp"
    for path in (stale, fresh, other):
        path.write_text("partial")
    os.utime(stale, (time.time() - 3600,) * 2)
    os.utime(other, (time.time() - 3600,) * 2)
    assert cli("report", SCOPE, "--base", CATALOGUE, "-o", out).code == 0
    assert not stale.exists() and fresh.exists() and other.exists()


def test_format_contradicting_the_extension_is_refused(cli, tmp_path: Path) -> None:
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "plan.pdf", "--format", "html")
    assert r.code == 2 and "'.pdf' does not match --format html" in r.err
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "plan.json", "--format", "markdown")
    assert r.code == 2 and "does not match" in r.err
    assert not list(tmp_path.iterdir())
    assert cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "plan.txt", "--format", "markdown").code == 0


def test_docs_state_these_limits() -> None:
    from strategease.catalogue import cache
    from strategease.render import template_sandbox

    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    assert f"integers over {template_sandbox.MAX_INT_BITS:,} bits" in doc
    assert f"over {template_sandbox.MAX_WIDTH:,} (`MAX_WIDTH`)" in doc
    assert f"({template_sandbox.MAX_OUTPUT:,} characters, `template_sandbox.MAX_OUTPUT`)" in doc
    assert f"at most {template_sandbox.MAX_SECONDS:g} seconds of rendering" in doc
    assert f"unused for {cache.MAX_AGE_DAYS} days" in doc
    assert f"at most {cache.MAX_TOTAL_BYTES // 2**20} MiB (`cache.MAX_TOTAL_BYTES`)" in doc
    assert f"at most {cache.MAX_ENTRY_BYTES // 2**30} GiB" in doc
