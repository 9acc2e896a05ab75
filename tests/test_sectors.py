"""Sector fit (docs/scoring.md §2a): a strategy that needs one sector's machinery is set apart in a scope of
another sector, through the installed CLI on a two-strategy catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

CATALOGUE = {
    "catalogue": {"name": "sector test", "version": "1.0"},
    "sources": [{"id": "t", "citation": "Test source.", "kind": "curated"}],
    "frameworks": [{"id": "x", "name": "Test framework", "source": "t"}],
    "determinants": [{"id": "x.money", "name": "Money", "framework": "x", "tier": "domain", "source": "t"}],
    "strategies": [
        {"id": "x.formulary", "name": "Put it on the formulary", "framework": "x", "source": "t",
         "targets": ["organisation"], "sectors": ["health-care"], "sectors_rationale": "Health care's."},
        {"id": "x.budget", "name": "Find budget", "framework": "x", "source": "t", "targets": ["organisation"]},
    ],
    "links": [
        {"from": "x.money", "to": "x.formulary", "kind": "addresses", "evidence": "curated", "source": "t",
         "grade": "primary", "rationale": "Listing pays for it."},
        {"from": "x.money", "to": "x.budget", "kind": "addresses", "evidence": "curated", "source": "t",
         "grade": "secondary", "rationale": "Money pays for it."},
    ],
}


def _select(cli: Any, tmp_path: Path, sector: list[str] | None, fmt: str = "json") -> Any:
    cat = tmp_path / "catalogue.yaml"
    cat.write_text(yaml.safe_dump(CATALOGUE, sort_keys=False), encoding="utf-8")
    change: dict[str, Any] = {"actor": "Head teachers", "action": "Adopt a policy", "actor_type": ["leaders"]}
    if sector is not None:
        change["sector"] = sector
    scope = tmp_path / "scope.yaml"
    scope.write_text(yaml.safe_dump({"title": "T", "change": change, "determinants": [
        {"id": "x.money", "kind": "barrier"}]}, sort_keys=False), encoding="utf-8")
    got = cli("select", scope, "--catalogue", cat, "--format", fmt, "--top", "0")
    assert got.code == 0, got.err
    return json.loads(got.out) if fmt == "json" else got.out


def test_a_strategy_of_another_sector_is_set_apart_not_ranked(cli, tmp_path: Path) -> None:
    doc = _select(cli, tmp_path, ["education"])
    assert [s["id"] for s in doc["strategies"]] == ["x.budget"]
    apart = {a["id"]: a for a in doc["other_actors"]}
    assert apart["x.formulary"]["sectors"] == ["health-care"]
    assert "x.formulary" not in {b["id"] for b in (doc.get("bundle") or {}).get("strategies", [])}
    text = _select(cli, tmp_path, ["education"], fmt="markdown")
    assert "Aimed at other actors or sectors" in text and "needs health-care" in text


def test_the_same_sector_or_no_sector_filters_nothing(cli, tmp_path: Path) -> None:
    for sector in (["health-care"], ["education", "health-care"], None):
        doc = _select(cli, tmp_path, sector)
        assert [s["id"] for s in doc["strategies"]] == ["x.formulary", "x.budget"], sector
        assert not any("sectors" in a for a in doc.get("other_actors") or [])


def test_an_unknown_sector_is_refused_with_its_place(cli, tmp_path: Path) -> None:
    scope = tmp_path / "scope.yaml"
    scope.write_text("title: T\nchange:\n  actor: A\n  action: B\n  sector: [hospital]\ndeterminants:\n"
                     "  - {id: tdf.knowledge, kind: barrier}\n", encoding="utf-8")
    got = cli("check", scope)
    assert got.code == 1
    assert "scope.yaml:5:" in got.err and "sector" in got.err


def test_the_catalogue_build_knows_the_same_sectors_as_the_scope() -> None:
    import importlib.util
    import sys

    from strategease.vocab import Sector

    path = Path(__file__).resolve().parent.parent / "scripts" / "strategy_model.py"
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location("strategy_model_for_test", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    assert {x.value for x in Sector} == module.SECTORS
