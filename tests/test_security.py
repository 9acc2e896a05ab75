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

