"""Note cues (docs/scoring.md §4, selection/cues.py): a barrier's note naming a missing thing or place counts the
equipment strategy's secondary direct link from that barrier as primary; through the installed CLI on the shipped
catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from strategease.selection.cues import THINGS, note_cue

ROOT = Path(__file__).resolve().parent.parent
EQUIPMENT = "eric.change-physical-structure-and-equipment"


def _select(cli: Any, tmp_path: Path, det: str, note: str | None, kind: str = "barrier",
            method: str = "default") -> dict[str, Any]:
    entry: dict[str, Any] = {"id": det, "kind": kind, "importance": 5, "changeability": 5}
    if note is not None:
        entry["note"] = note
    doc = {"title": "Cue", "change": {"actor": "Ward nurses", "action": "Sit patients out of bed on day one",
                                      "actor_type": ["deliverers"]},
           "determinants": [entry]}
    scope = tmp_path / "scope.yaml"
    scope.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    got = cli("select", scope, "--format", "json", "--top", "0", "--method", method)
    assert got.code == 0, got.err
    return json.loads(got.out)  # type: ignore[no-any-return]


def _term(doc: dict[str, Any], det: str) -> dict[str, Any] | None:
    for s in doc["strategies"]:
        if s["id"] == EQUIPMENT:
            return next((c for c in s["contributions"] if c["determinant"] == det), None)
    return None


@pytest.mark.parametrize("det", ["tdf.environmental-context-and-resources", "comb.physical-opportunity",
                                 "cfir1.available-resources"])
def test_a_note_naming_a_missing_thing_counts_the_equipment_link_in_full(cli, tmp_path: Path, det: str) -> None:
    cued = _term(_select(cli, tmp_path, det, "Too few hoists and frames on the ward"), det)
    plain = _term(_select(cli, tmp_path, det, "No time in a ten-minute slot"), det)
    bare = _term(_select(cli, tmp_path, det, None), det)
    assert cued is not None and plain is not None and bare is not None
    # the secondary direct link counts 0.25; the primary function route (0.3) then beats it
    assert (cued["via"], cued["strength"]) == ("direct", 0.5)
    assert plain["strength"] == bare["strength"] < 0.5
    assert "the note names 'hoists' (a missing thing or place): counted as primary" in cued["note"]
    assert "note names" not in plain["note"]


def test_a_cue_lifts_the_strategy_in_the_ranking(cli, tmp_path: Path) -> None:
    det = "tdf.environmental-context-and-resources"
    rank = {note: [s["id"] for s in _select(cli, tmp_path, det, note)["strategies"]].index(EQUIPMENT)
            for note in ("Rapid tests run out for weeks", "Caseloads are high")}
    assert rank["Rapid tests run out for weeks"] < rank["Caseloads are high"]


@pytest.mark.parametrize(("note", "word"), [
    ("Rapid tests run out for weeks", "run out"), ("Too few validated monitors", "monitors"),
    ("No placebo devices for newer inhalers", "devices"), ("Varnish is not stocked in every surgery", "stocked"),
    ("No room big enough at the right times", "room"), ("Old phones", "phones"), ("Leaking masks", "masks"),
    ("Nurses run out of time", None), ("No one monitors adherence", None), ("Patients forget the tablet", None),
    ("Tight time frames", None), ("Pay scales are low", None), ("Bed pressures", None), ("Committee chairs", None),
    ("Staff phone in sick", None), ("A supply of trained staff", None), ("Caseloads are high", None)])
def test_the_words_name_things_not_time_or_staff(note: str, word: str | None) -> None:
    got = note_cue(EQUIPMENT, "tdf.environmental-context-and-resources", note)
    assert got == (None if word is None else f"the note names '{word}' (a missing thing or place): counted as primary")


def test_every_word_is_listed_in_the_method_document() -> None:
    text = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert all(f"`{w}`" in text for w in THINGS)


@pytest.mark.parametrize("det", ["tdf.memory-attention-and-decision-processes", "cfir2.available-resources"])
def test_a_cue_leaves_other_barriers_and_crosswalks_alone(cli, tmp_path: Path, det: str) -> None:
    """Only the three broad resource barriers' own direct links are raised: not a memory barrier's link, not one
    reached through CFIR 2.0 Available resources' crosswalk to CFIR 1.0."""
    cued = _select(cli, tmp_path, det, "Staff forget to check the monitors; too few hoists")
    plain = _select(cli, tmp_path, det, None)
    assert "note names" not in json.dumps(cued)
    assert [(s["id"], s["score"]) for s in cued["strategies"]] == [(s["id"], s["score"]) for s in plain["strategies"]]


def test_a_cue_never_touches_a_facilitators_levers(cli, tmp_path: Path) -> None:
    det = "tdf.environmental-context-and-resources"
    cued = _select(cli, tmp_path, det, "New hoists arrived", kind="facilitator")
    plain = _select(cli, tmp_path, det, None, kind="facilitator")
    assert cued["build_on"] and cued["build_on"] == plain["build_on"]


def test_a_cue_never_touches_a_primary_link_a_facilitator_or_cfir_eric(cli, tmp_path: Path) -> None:
    # CFIR 2.0 Materials & equipment grades equipment primary already: the cue adds nothing
    det = "cfir2.materials-equipment"
    term = _term(_select(cli, tmp_path, det, "No hoists"), det)
    assert term is not None and "note names" not in term["note"]
    # a facilitator scores nothing, cue or not
    doc = _select(cli, tmp_path, "tdf.environmental-context-and-resources", "New hoists arrived", kind="facilitator")
    assert "note names" not in json.dumps(doc) and all(s["id"] != EQUIPMENT for s in doc["strategies"])
    # the matching tool's method reads no note
    with_cue = _select(cli, tmp_path, "cfir1.available-resources", "No hoists", method="cfir-eric")
    without = _select(cli, tmp_path, "cfir1.available-resources", None, method="cfir-eric")
    assert [(s["id"], s["score"]) for s in with_cue["strategies"]] == [(s["id"], s["score"])
                                                                         for s in without["strategies"]]
