"""`list`, `show`, `search` and `schema` on the shipped and example catalogues."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES, ROOT

MINIMAL = EXAMPLES / "catalogues" / "valid" / "minimal.yaml"


def _json(cli, *args: str) -> list[dict]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_shipped_catalogue_counts(cli) -> None:
    strategies = _json(cli, "list", "strategies")
    assert sum(1 for s in strategies if s["framework"] == "eric") == 73
    assert all("cluster" in s for s in strategies if s["framework"] == "eric")
    determinants = _json(cli, "list", "determinants")
    by_fw: dict[str, list[dict]] = {}
    for d in determinants:
        by_fw.setdefault(d["framework"], []).append(d)
    assert len([d for d in by_fw["tdf"] if d["tier"] == "domain"]) == 14
    assert len([d for d in by_fw["comb"] if d["tier"] == "component"]) == 6
    cfir1_barriers = [d for d in by_fw["cfir1"] if "not a matching-tool barrier" not in (d.get("note") or "")]
    assert len(cfir1_barriers) == 39
    assert len([d for d in by_fw["cfir2"] if d["tier"] == "construct"]) == 48
    assert len(by_fw["partnering"]) >= 9
    assert len(_json(cli, "list", "functions")) == 9


def test_every_link_names_a_known_source() -> None:
    from strategease.catalogue.load import load_catalogue

    cat, report = load_catalogue()
    assert not report.errors
    assert cat.links
    for link in cat.links:
        assert link.source in cat.sources
        assert link.evidence


def test_no_invented_ratings() -> None:
    """Ratings exist only where the reference data publishes them (24 of 73)."""
    from strategease.catalogue.load import load_catalogue

    cat, _ = load_catalogue()
    rated = [s for s in cat.strategies.values()
             if s.framework == "eric" and s.ratings and s.ratings.importance is not None]
    assert len(rated) == 24


def test_list_filters_by_framework(cli) -> None:
    rows = _json(cli, "list", "determinants", "--framework", "tdf")
    assert {r["framework"] for r in rows} == {"tdf"}
    result = cli("list", "determinants", "--framework", "tdff")
    assert result.code == 2
    assert "did you mean 'tdf'?" in result.err


def test_show_includes_links_with_sources(cli) -> None:
    doc = _json(cli, "show", "eric.audit-and-provide-feedback")
    assert doc["kind"] == "strategy"
    assert doc["links_in"], "the strategy should be reachable"
    assert all("source" in lk and "citation" in lk for lk in doc["links_in"])
    assert doc["defined_at"].startswith(str(ROOT / "data")) or "strategies.yaml" in doc["defined_at"]


def test_show_unknown_id_suggests(cli) -> None:
    result = cli("show", "tdf.knowlege")
    assert result.code == 2
    assert "did you mean 'tdf.knowledge'?" in result.err


def test_show_table_renders(cli) -> None:
    result = cli("show", "tdf.knowledge")
    assert result.code == 0
    assert "Knowledge" in result.out and "links out" in result.out


def test_search_finds_by_word(cli) -> None:
    hits = _json(cli, "search", "feedback")
    assert "eric.audit-and-provide-feedback" in [h["id"] for h in hits]
    assert cli("search", "zzzz-no-such-thing").code == 0


def test_custom_catalogue_option(cli) -> None:
    rows = _json(cli, "list", "strategies", "--base", str(MINIMAL))
    assert [r["id"] for r in rows] == ["eric.conduct-educational-meetings", "eric.access-new-funding"]


def test_invalid_catalogue_blocks_browsing(cli) -> None:
    result = cli("list", "strategies", "--base", str(EXAMPLES / "catalogues" / "invalid" / "dangling-link.yaml"))
    assert result.code == 1
    assert "dangling-link.yaml:" in result.err


def test_shipped_schema_is_current(cli) -> None:
    result = cli("schema")
    assert result.code == 0
    shipped = (ROOT / "schema" / "catalogue.schema.json").read_text(encoding="utf-8")
    assert result.out == shipped, "schema/catalogue.schema.json is stale: run 'strategease schema -o ...'"


def test_schema_accepts_the_shipped_catalogue() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((ROOT / "schema" / "catalogue.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("determinants.yaml", "strategies.yaml"):
        doc = yaml.safe_load((ROOT / "data" / name).read_text())
        assert [e.message for e in validator.iter_errors(doc)] == [], name
    # the schema is strict like the models: a misspelt key is rejected
    bad = {"strategies": [{"id": "eric.x", "name": "X", "framework": "eric", "source": "s", "descripton": "typo"}]}
    assert any("descripton" in e.message for e in validator.iter_errors(bad))


def test_schema_output_refuses_overwrite(cli, tmp_path) -> None:
    target = tmp_path / "s.json"
    target.write_text("keep")
    result = cli("schema", "-o", target)
    assert result.code == 2
    assert "--force" in result.err
    assert target.read_text() == "keep"
    assert cli("schema", "-o", target, "--force").code == 0
    assert json.loads(target.read_text())["title"] == "strategease catalogue file"


def test_every_command_has_help_with_example(cli) -> None:
    import typer.main

    from strategease.cli.app import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help and "Example" in command.help, f"'{name}' help lacks an example"


def test_show_prints_emoji_codes_literally(cli, tmp_path) -> None:
    layer = tmp_path / "layer.yaml"
    layer.write_text("strategies:\n  - id: eric.audit-and-provide-feedback\n"
                     "    note: 'check :warning: and :thumbs_up: before use'\n", encoding="utf-8")
    result = cli("show", "eric.audit-and-provide-feedback", "--catalogue", layer)
    assert result.code == 0
    assert ":warning: and :thumbs_up:" in result.out


def test_search_text_that_looks_like_markup_is_shown_as_written(cli) -> None:
    result = cli("search", "[/x]")
    assert result.code == 0
    assert "[/x]" in result.out


def test_unknown_tier_is_a_usage_error(cli) -> None:
    result = cli("list", "determinants", "--tier", "nope")
    assert result.code == 2 and "'nope' is not one of" in result.err
    assert _json(cli, "list", "determinants", "--tier", "domain")
