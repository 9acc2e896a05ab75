"""The validation benchmark's inputs stay usable: every worked scope and published-case scope runs through
``select``, and every strategy or determinant id they name exists in the shipped catalogue.

The benchmark itself (benchmarks/validation/run.py) is reported, never pass/fail; this only guards its data
against catalogue renames and scope-schema changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKED = sorted(p for p in (ROOT / "examples" / "worked").glob("*.yaml") if not p.name.endswith(".expected.yaml"))
CASES = sorted((ROOT / "benchmarks" / "validation" / "cases").glob("*.yaml"))
CASE_SCOPES = sorted((ROOT / "benchmarks" / "validation" / "scopes").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalogue_ids() -> tuple[set[str], set[str]]:
    from strategease.cli.app import run

    def ids(kind: str) -> set[str]:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert run(["list", kind, "--format", "json"]) == 0
        return {item["id"] for item in json.loads(buf.getvalue())}

    return ids("strategies"), ids("determinants")


def test_there_are_enough_inputs() -> None:
    assert len(WORKED) >= 6
    assert len(CASES) >= 15
    assert {p.stem for p in CASE_SCOPES} == {p.stem for p in CASES}, "run benchmarks/validation/run.py --write-scopes"


@pytest.mark.parametrize("scope", WORKED + CASE_SCOPES, ids=lambda p: p.stem)
def test_scope_selects(cli, scope: Path) -> None:
    res = cli("select", scope, "--top", "3", "--format", "json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["strategies"], "no strategy ranked"


@pytest.mark.parametrize("expected", sorted((ROOT / "examples" / "worked").glob("*.expected.yaml")),
                         ids=lambda p: p.stem)
def test_expected_ids_exist(expected: Path, catalogue_ids: tuple[set[str], set[str]]) -> None:
    data = yaml.safe_load(expected.read_text(encoding="utf-8"))
    named = {e["id"] for e in data["expected"] + data["implausible"]}
    assert named <= catalogue_ids[0], sorted(named - catalogue_ids[0])
    assert any(e.get("primary") for e in data["expected"])


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_ids_exist(case: Path, catalogue_ids: tuple[set[str], set[str]]) -> None:
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    strategies = {s["id"] for s in data["strategies"]}
    determinants = {d["id"] for d in data["determinants"]}
    assert strategies <= catalogue_ids[0], sorted(strategies - catalogue_ids[0])
    assert determinants <= catalogue_ids[1], sorted(determinants - catalogue_ids[1])
    assert data["extraction"]["completeness"] in ("full", "partial")
    assert data["extraction"]["certainty"] in ("high", "medium", "low")
