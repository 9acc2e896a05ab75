"""Shared test helpers: run the CLI in-process with stable output settings."""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("strategease-cache")


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch: pytest.MonkeyPatch, _cache_dir: Path) -> None:
    monkeypatch.setenv("STRATEGEASE_CACHE_DIR", str(_cache_dir))
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
    from strategease.cli.app import run

    def _run(*args: str) -> Outcome:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return _run


# --------------------------------------------------------------------------- hypothesis profiles for fuzzing
# The fuzz tests (tests/test_fuzz.py) take their settings from one of these profiles; other property
# tests keep their own settings. Default: a fixed, derandomised number of cases so CI stays fast and
# repeatable. By hand: STRATEGEASE_FUZZ=long (>= 10,000 cases over validate, select and report), or
# STRATEGEASE_FUZZ_EXAMPLES=N for N cases per fuzz test.
_FUZZ_EXAMPLES = os.environ.get("STRATEGEASE_FUZZ_EXAMPLES", "")
settings.register_profile(
    "strategease-fuzz", max_examples=int(_FUZZ_EXAMPLES or 60), deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck), print_blob=True)
settings.register_profile(
    "strategease-fuzz-long", max_examples=int(_FUZZ_EXAMPLES or 3400), deadline=None, derandomize=False,
    suppress_health_check=list(HealthCheck), print_blob=True)
FUZZ_PROFILE = "strategease-fuzz-long" if os.environ.get("STRATEGEASE_FUZZ") == "long" else "strategease-fuzz"


REPORT_GOLDEN = Path(__file__).resolve().parent / "golden" / "report"


@pytest.fixture(scope="session")
def report_catalogue():
    """The small catalogue the report goldens are built from (tests/golden/report/catalogue.yaml)."""
    from strategease.catalogue.load import require_valid

    return require_valid([REPORT_GOLDEN / "catalogue.yaml"])


@pytest.fixture(scope="session")
def report_selection():
    """The selection the report goldens render (tests/golden/report/selection.json)."""
    from strategease.selection.result import SelectionResult

    return SelectionResult.model_validate_json((REPORT_GOLDEN / "selection.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def runner() -> ModuleType:
    """benchmarks/validation/run.py, loaded as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("validation_run", ROOT / "benchmarks" / "validation" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
