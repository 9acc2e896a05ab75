"""Builds-on picks (docs/scoring.md §6): after its barrier picks, the bundle lists one strategy per facilitator of
importance >= 3 — the first of its "Build on" list that is not in the bundle, not aimed at other actors, not part
of the change and not on the foundation checklist — marked with the facilitator(s) and outside coverage. Through
the installed CLI on a small catalogue (tests/examples/select/levers/catalogue.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from strategease.selection.levers import BUILDS_ON_MAX, BUILDS_ON_MIN_IMPORTANCE

ROOT = Path(__file__).resolve().parent.parent
CAT = str(ROOT / "tests" / "examples" / "select" / "levers" / "catalogue.yaml")
BARRIERS = [{"id": "tdf.knowledge", "kind": "barrier", "importance": 5, "changeability": 5},
            {"id": "tdf.memory", "kind": "barrier", "importance": 4, "changeability": 4}]


def _scope(tmp_path: Path, facilitators: list[dict[str, Any]], **extra: Any) -> Path:
    doc = {"title": "Test", "change": {"actor": "Nurses", "action": "Act", "actor_type": ["deliverers"]},
           "determinants": [*BARRIERS, *({"kind": "facilitator", **f} for f in facilitators)], **extra}
    path = tmp_path / f"scope-{len(list(tmp_path.glob('scope-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _json(cli: Any, scope: Path, *args: str) -> dict[str, Any]:
    got = cli("select", scope, "--base", CAT, "--format", "json", *args)
    assert got.code == 0, got.err
    return json.loads(got.out)  # type: ignore[no-any-return]


def _picks(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(p["id"], [f["determinant"] for f in p["facilitators"]]) for p in doc["bundle"]["builds_on"]]


def test_an_important_facilitator_adds_its_first_eligible_strategy_marked_as_such(cli, tmp_path: Path) -> None:
    """Social influences' strongest links are to families (aimed at patients, other actors in a nurses' scope) and
    champions; champions is the pick, and the families strategy is never one."""
    doc = _json(cli, _scope(tmp_path, [{"id": "tdf.social", "importance": 3}]))
    assert _picks(doc) == [("eric.champions", ["tdf.social"])]
    use = doc["bundle"]["builds_on"][0]["facilitators"][0]
    assert (use["name"], use["importance"], use["via"], use["strength"], use["source"], use["evidence"]) == (
        "Social influences", 3.0, "direct", 0.5, "fixture", "curated")
    assert doc["bundle"]["builds_on_notes"] == []
    table = cli("select", _scope(tmp_path, [{"id": "tdf.social"}]), "--base", CAT)
    assert table.code == 0
    assert "B1" in table.out and "builds on: Social influences" in table.out
    markdown = cli("select", _scope(tmp_path, [{"id": "tdf.social"}]), "--base", CAT, "--format", "markdown").out
    assert "| B1 | Champions (`eric.champions`) |  | builds on: Social influences |" in markdown
    assert "in the bundle as builds-on pick B1" in markdown  # the Build on section says which lever was used


def test_builds_on_picks_leave_the_barrier_picks_and_coverage_unchanged(cli, tmp_path: Path) -> None:
    without = _json(cli, _scope(tmp_path, []))
    with_levers = _json(cli, _scope(tmp_path, [{"id": "tdf.social", "importance": 5}, {"id": "tdf.optimism"}]))
    assert len(with_levers["bundle"]["builds_on"]) == 2
    for key in ("size", "strategies", "covered_weight", "total_weight", "uncovered"):
        assert with_levers["bundle"][key] == without["bundle"][key]
    assert [s["id"] for s in with_levers["strategies"]] == [s["id"] for s in without["strategies"]]
    assert without["bundle"]["builds_on"] == [] and without["bundle"]["builds_on_notes"] == []


def test_a_facilitator_below_the_threshold_adds_none(cli, tmp_path: Path) -> None:
    assert BUILDS_ON_MIN_IMPORTANCE == 3
    doc = _json(cli, _scope(tmp_path, [{"id": "tdf.social", "importance": 2}]))
    assert doc["bundle"]["builds_on"] == [] and doc["bundle"]["builds_on_notes"] == []
    assert doc["build_on"][0]["strategies"][0]["id"] == "eric.champions"  # still listed under "Build on"


def test_bundle_picks_and_the_foundation_checklist_are_skipped(cli, tmp_path: Path) -> None:
    """Optimism's list is Train (a barrier pick), Build a coalition (a process strategy no barrier names: the
    foundation checklist), then Team meetings: the pick."""
    doc = _json(cli, _scope(tmp_path, [{"id": "tdf.optimism", "importance": 3}]))
    assert [lv["id"] for lv in doc["build_on"][0]["strategies"]][:2] == ["eric.coalition", "eric.train"]
    assert "eric.coalition" in {f["id"] for f in doc["foundation"]}
    assert _picks(doc) == [("eric.meetings", ["tdf.optimism"])]


def test_a_strategy_that_is_part_of_the_change_is_skipped(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, [{"id": "tdf.social"}],
                   innovation={"name": "Champions scheme", "strategies": ["eric.champions"]})
    assert _picks(_json(cli, scope)) == [("eric.leaders", ["tdf.social"])]


def test_two_facilitators_with_the_same_first_pick_share_one_entry(cli, tmp_path: Path) -> None:
    """Goals (importance 4) and Social influences (3) both lead to champions: one entry naming both, most
    important first; Optimism (5) comes first of all."""
    doc = _json(cli, _scope(tmp_path, [{"id": "tdf.social"}, {"id": "tdf.goals", "importance": 4},
                                       {"id": "tdf.optimism", "importance": 5}]))
    assert _picks(doc) == [("eric.meetings", ["tdf.optimism"]), ("eric.champions", ["tdf.goals", "tdf.social"])]
    table = cli("select", _scope(tmp_path, [{"id": "tdf.social"}, {"id": "tdf.goals", "importance": 4}]),
                "--base", CAT).out
    assert "builds on: Goals; Social influences" in table


def test_a_function_route_fallback_gives_no_pick_and_says_so(cli, tmp_path: Path) -> None:
    doc = _json(cli, _scope(tmp_path, [{"id": "tdf.emotion"}]))
    assert doc["build_on"][0]["strategies"][0]["via"] == "function:bcw.modelling"
    assert doc["bundle"]["builds_on"] == []
    assert doc["bundle"]["builds_on_notes"] == [
        "no builds-on pick for Emotion: its 'Build on' list comes only through types of HOW (it has no direct "
        "link), too broad to say what builds on this strength; choose with the team"]
    table = cli("select", _scope(tmp_path, [{"id": "tdf.emotion"}]), "--base", CAT).out
    assert "No builds-on pick for Emotion" in " ".join(table.split())


def test_builds_on_picks_are_capped_by_the_bundle_size(cli, tmp_path: Path) -> None:
    """--bundle counts barrier picks; builds-on picks come in addition, at most min(BUILDS_ON_MAX, size)."""
    assert BUILDS_ON_MAX == 3
    scope = _scope(tmp_path, [{"id": "tdf.social", "importance": 4}, {"id": "tdf.optimism", "importance": 5}])
    one = _json(cli, scope, "--bundle", "1")
    assert len(one["bundle"]["strategies"]) == 1
    assert _picks(one) == [("eric.meetings", ["tdf.optimism"])]
    assert one["bundle"]["builds_on_notes"] == [
        "no builds-on pick for Social influences: the bundle lists at most 1 (its first would be Champions)"]
    assert _json(cli, scope, "--bundle", "0")["bundle"] is None  # no bundle, no builds-on picks


def test_the_json_field_is_deterministic_and_absent_for_cfir_eric(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, [{"id": "tdf.social"}, {"id": "tdf.goals", "importance": 4}])
    first = cli("select", scope, "--base", CAT, "--format", "json")
    second = cli("select", scope, "--base", CAT, "--format", "json")
    assert first.code == 0 and first.out == second.out
    cfir = _json(cli, scope, "--method", "cfir-eric")
    assert "builds_on" not in (cfir.get("bundle") or {}) and "builds_on_notes" not in (cfir.get("bundle") or {})


def test_explain_shows_the_pick(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, [{"id": "tdf.optimism"}])
    got = cli("select", scope, "--base", CAT, "--explain", "eric.meetings", "--format", "json")
    assert got.code == 0, got.err  # reached from a facilitator only, yet explained: it is in the bundle
    doc = json.loads(got.out)
    assert doc["bundle"] == {"role": "builds-on", "pick": "B1", "facilitators": ["tdf.optimism"]}
    term = doc["strategy"]["contributions"][0]
    assert (term["determinant"], term["rule"], term["value"], doc["strategy"]["score"]) == (
        "tdf.optimism", "builds-on", 0.0, 0.0)
    table = cli("select", scope, "--base", CAT, "--explain", "eric.meetings").out
    assert "not ranked" in table and "builds-on pick B1" in " ".join(table.split())
    pick1 = json.loads(cli("select", scope, "--base", CAT, "--explain", "1", "--format", "json").out)
    assert pick1["bundle"]["role"] == "barrier-pick" and pick1["bundle"]["pick"] == 1
    # a strategy neither ranked nor picked is still refused
    assert cli("select", scope, "--base", CAT, "--explain", "eric.peer").code == 2


def test_a_facilitator_whose_every_strategy_is_taken_gets_a_note_naming_why(cli, tmp_path: Path) -> None:
    scope = _scope(tmp_path, [{"id": "tdf.optimism"}], constraints={"exclude": ["eric.meetings"]})
    doc = _json(cli, scope)
    assert doc["bundle"]["builds_on"] == []
    assert doc["bundle"]["builds_on_notes"] == [
        "no builds-on pick for Optimism: Build a coalition is on the foundation checklist; Train is already in the "
        "bundle"]


def test_the_report_shows_the_pick_in_every_format(cli, tmp_path: Path) -> None:
    """Summary, bundle, one specification and one APEASE column per builds-on pick (Markdown, HTML, Word, Excel)."""
    import docx
    import openpyxl

    scope = _scope(tmp_path, [{"id": "tdf.social"}, {"id": "tdf.goals", "importance": 4}])
    paths = {ext: tmp_path / f"plan.{ext}" for ext in ("md", "html", "docx", "xlsx", "json")}
    for path in paths.values():
        got = cli("report", scope, "--base", CAT, "-o", path, "--date", "2026-12-01")
        assert got.code == 0, got.err
    md = paths["md"].read_text(encoding="utf-8")
    assert "| B1 | Champions | Goals, Social influences |" in md
    assert "After these, the plan builds on what already helps: Champions (on Goals and Social influences)" in md
    assert "### B1. Champions" in md and "| S1 | S2 | B1 |" in md
    html = paths["html"].read_text(encoding="utf-8")
    assert "<tr><td>B1</td><td>Champions</td><td>Goals, Social influences</td></tr>" in html
    word = docx.Document(str(paths["docx"]))
    assert ["B1", "Champions", "Goals, Social influences"] in [[c.text for c in row.cells]
                                                                   for t in word.tables for row in t.rows]
    sheet = openpyxl.load_workbook(paths["xlsx"])["Bundle"]
    assert ["B1", "Champions", "eric.champions"] in [[c.value for c in row][:3] for row in sheet.iter_rows()]
    report = json.loads(paths["json"].read_text(encoding="utf-8"))["report"]
    assert [(b["code"], b["builds_on"]) for b in report["bundle"]["builds_on"]] == [
        ("B1", ["Goals", "Social influences"])]
    assert [s["code"] for s in report["specifications"]] == ["S1", "S2", "B1"]


def test_in_a_patients_scope_a_checklist_strategy_aimed_at_the_patients_may_be_built_on(cli, tmp_path: Path) -> None:
    """When the patients must change, involving them and their family is what is done with the actor (the §2b
    exception): a supportive family's checklist strategy is picked; in a staff scope it is aimed at other actors."""
    skills = {"id": "tdf.skills", "kind": "barrier", "importance": 5, "changeability": 5}
    support = {"id": "tdf.support", "kind": "facilitator", "importance": 4}
    doc = {"title": "Patients", "change": {"actor": "Patients", "action": "Act", "actor_type": ["recipients"]},
           "determinants": [skills, support]}
    path = tmp_path / "patients.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    got = _json(cli, path)
    assert [b["id"] for b in got["bundle"]["strategies"]] == ["eric.families"]
    assert "eric.involve" in {f["id"] for f in got["foundation"]}
    assert _picks(got) == [("eric.involve", ["tdf.support"])]
    doc["change"]["actor_type"] = ["deliverers"]
    doc["determinants"] = [*BARRIERS, support]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert _picks(_json(cli, path)) == []


def test_a_strategy_that_changes_money_or_rules_is_never_a_builds_on_pick(cli, tmp_path: Path) -> None:
    """An outside incentive is built on by what people do with it: the fee-for-service listing its links lead
    with is skipped (it re-creates the strength), and the next strategy of its list is the pick."""
    doc = _json(cli, _scope(tmp_path, [{"id": "tdf.reinforcement", "importance": 4}]))
    assert _picks(doc) == [("eric.meetings", ["tdf.reinforcement"])]
    only = _json(cli, _scope(tmp_path, [{"id": "tdf.reinforcement", "importance": 4}],
                             constraints={"exclude": ["eric.meetings"]}))
    assert _picks(only) == []
    assert any("a change of money or rules" in note for note in only["bundle"]["builds_on_notes"])
