"""Catalogue layers: add, override field by field, retire, conflicts, errors named by layer."""

from __future__ import annotations

import json

from conftest import EXAMPLES

from strategease.catalogue.load import load_catalogue

BASE = EXAMPLES / "catalogues" / "valid" / "minimal.yaml"
LAYERS = EXAMPLES / "overlays"


def test_layer_adds_and_overrides_field_by_field() -> None:
    cat, report = load_catalogue([BASE], [LAYERS / "org-layer.yaml"])
    assert not report.errors, [f.text() for f in report.errors]
    meetings = cat.strategies["eric.conduct-educational-meetings"]
    assert meetings.description == "Monthly ward meetings run by the practice educator."
    assert meetings.name == "Conduct educational meetings"  # untouched fields stay
    assert "org.pocket-card" in cat.strategies
    link = next(lk for lk in cat.links if lk.to == "eric.access-new-funding")
    assert link.strength == 0.7 and link.n_respondents == 20  # re-weighted, rest kept
    assert cat.overridden_by["eric.conduct-educational-meetings"][0].startswith(str(LAYERS / "org-layer.yaml"))
    assert any("local strategy" in note.note for note in cat.meta.coverage)


def test_retired_entry_is_withdrawn_and_its_links_dropped() -> None:
    cat, report = load_catalogue([BASE], [LAYERS / "org-layer.yaml", LAYERS / "retire-layer.yaml"])
    assert not report.errors
    assert "eric.access-new-funding" not in cat.strategies
    assert cat.retired["eric.access-new-funding"] == ("strategies", "org.pocket-card")
    assert all(lk.to != "eric.access-new-funding" for lk in cat.links)
    warning = next(f for f in report.warnings if f.rule == "retired-reference")
    assert "point it at 'org.pocket-card'" in (warning.hint or "")


def test_conflicting_layers_warn_and_later_wins() -> None:
    cat, report = load_catalogue([BASE], [LAYERS / "org-layer.yaml", LAYERS / "conflict-layer.yaml"])
    assert cat.strategies["eric.conduct-educational-meetings"].description == "Weekly huddles instead."
    conflict = next(f for f in report.warnings if f.rule == "layer-conflict")
    assert conflict.path.endswith("conflict-layer.yaml")
    assert "org-layer.yaml" in conflict.message


def test_error_names_the_layer_it_comes_from(cli) -> None:
    result = cli("validate", BASE, "--catalogue", LAYERS / "broken-layer.yaml")
    assert result.code == 1
    assert f"{LAYERS / 'broken-layer.yaml'}:3:5:" in result.out
    assert "unknown key 'descripton'" in result.out


def test_validate_layer_against_shipped_base(cli, tmp_path) -> None:
    layer = tmp_path / "org.yaml"
    layer.write_text("strategies:\n  - id: eric.use-capitated-payments\n    retired: true\n"
                     "    replaced_by: eric.use-other-payment-schemes\n")
    result = cli("validate", "--catalogue", layer, "--format", "json")
    doc = json.loads(result.out)
    assert doc["counts"]["retired"] == 1
    assert result.code == 0


def test_layer_in_browse_commands(cli) -> None:
    result = cli("list", "strategies", "--base", BASE, "--catalogue", LAYERS / "org-layer.yaml", "--format", "json")
    assert result.code == 0
    assert "org.pocket-card" in [row["id"] for row in json.loads(result.out)]
