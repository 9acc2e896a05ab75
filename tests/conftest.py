"""Shared test helpers: run the CLI in-process with stable output settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("STRATEGEASE_WIDTH", "100")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    from strategease import console

    console.out.cache_clear()
    console.err.cache_clear()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Call ``cli(*args)`` to run strategease in-process; returns code, stdout, stderr."""
    from strategease.cli import run

    def _run(*args: str) -> Outcome:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return _run
