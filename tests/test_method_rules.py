"""Rules added to method default on 2026-12-01 (docs/scoring.md §2a, §2b, §3, §5), through the installed CLI on a
small catalogue whose scores can be worked out by hand (tests/examples/select/v3/catalogue.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CAT = str(ROOT / "tests" / "examples" / "select" / "v3" / "catalogue.yaml")


def _select(cli: Any, tmp_path: Path, barriers: list[str], actor_type: str = "deliverers") -> dict[str, Any]:
    doc = {"title": "Test", "change": {"actor": "Someone", "action": "Act", "actor_type": [actor_type]},
           "determinants": [{"id": d, "kind": "barrier", "importance": 5, "changeability": 5} for d in barriers]}
    scope = tmp_path / "scope.yaml"
    scope.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    got = cli("select", scope, "--base", CAT, "--format", "json", "--top", "0")
    assert got.code == 0, got.err
    return json.loads(got.out)  # type: ignore[no-any-return]


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in doc["strategies"]}


def _term(doc: dict[str, Any], sid: str, det: str) -> dict[str, Any]:
    return next(c for c in _by_id(doc)[sid]["contributions"] if c["determinant"] == det)


def test_a_type_of_how_discounts_the_named_remedy_only_half(cli, tmp_path: Path) -> None:
    """fn-a (skills 1 + memory through a function, relative 0.6) is placed first. It counts 0.36 of a
    strategy-equivalent on memory for other routes through a type of HOW, but only 0.18 for memory's direct
    links: record (a direct primary link) keeps 0.7 ** 0.18 of its value, not 0.7 ** 0.36; fn-b, reached through
    the function only, is discounted by everything placed above (0.36 + 1 + 1)."""
    doc = _select(cli, tmp_path, ["tdf.memory", "tdf.skills"])
    order = [s["id"] for s in doc["strategies"]]
    assert order[:4] == ["eric.fn-a", "eric.record", "eric.remind", "eric.fn-b"]
    assert _term(doc, "eric.record", "tdf.memory")["novelty"] == pytest.approx(0.7 ** 0.18, abs=1e-6)
    assert _term(doc, "eric.remind", "tdf.memory")["novelty"] == pytest.approx(0.7 ** 1.18, abs=1e-6)
    assert _term(doc, "eric.fn-b", "tdf.memory")["novelty"] == pytest.approx(0.7 ** 2.36, abs=1e-6)


def test_a_determinants_own_link_wins_over_its_crosswalks(cli, tmp_path: Path) -> None:
    """Policies and laws grades accreditation secondary itself; its crosswalk's primary link is not counted."""
    doc = _select(cli, tmp_path, ["cfir2.policies"])
    accreditation = _term(doc, "eric.accreditation", "cfir2.policies")
    assert (accreditation["via"], accreditation["strength"], accreditation["relative"]) == ("direct", 0.25, 0.5)
    assert "own link preferred to crosswalk:cfir1.policy" in accreditation["note"]
    payment = _term(doc, "eric.payment", "cfir2.policies")  # no own link: the crosswalk counts in full
    assert (payment["via"], payment["strength"]) == ("crosswalk:cfir1.policy", 0.5)
    assert [s["id"] for s in doc["strategies"]][0] == "eric.payment"


def test_a_crosswalk_split_over_two_constructs_counts_less(cli, tmp_path: Path) -> None:
    doc = _select(cli, tmp_path, ["cfir2.both"])
    assert {sid: _term(doc, sid, "cfir2.both")["strength"] for sid in _by_id(doc)} == {
        "eric.accreditation": 0.4, "eric.payment": 0.4, "eric.consensus": 0.4}


def test_a_subconstructs_crosswalk_counts_as_a_part_of_the_construct(cli, tmp_path: Path) -> None:
    """A subconstruct (Funding) is part of the construct its parent corresponds to (Available resources): that
    construct's remedies (equipment) fit it less exactly than its own (new funding), as for a split crosswalk."""
    doc = _select(cli, tmp_path, ["cfir2.laws"])
    payment = _term(doc, "eric.payment", "cfir2.laws")
    assert (payment["via"], payment["strength"]) == ("crosswalk:cfir1.policy", 0.4)


def test_a_patients_scope_does_not_count_the_setting_for_their_own_barriers(cli, tmp_path: Path) -> None:
    doc = _select(cli, tmp_path, ["tdf.memory", "tdf.environment"], actor_type="recipients")
    record = _by_id(doc)["eric.record"]
    assert [c["determinant"] for c in record["contributions"]] == ["tdf.environment"]
    assert any("not counted for the recipients' own barriers" in w for w in doc["warnings"])
    # the same strategy for staff counts the memory barrier too: a record prompt is in their working environment
    staff = _select(cli, tmp_path, ["tdf.memory", "tdf.environment"])
    assert {c["determinant"] for c in _by_id(staff)["eric.record"]["contributions"]} == {"tdf.memory",
                                                                                      "tdf.environment"}


def test_involving_patients_is_ranked_when_the_patients_must_change(cli, tmp_path: Path) -> None:
    doc = _select(cli, tmp_path, ["tdf.memory", "tdf.environment"], actor_type="recipients")
    assert "eric.involve-patients" in _by_id(doc)
    assert "eric.involve-patients" not in {f["id"] for f in doc["foundation"]}
    # not reached by any barrier: it stays on the checklist
    unreached = _select(cli, tmp_path, ["tdf.environment"], actor_type="recipients")
    assert "eric.involve-patients" in {f["id"] for f in unreached["foundation"]}
    # a process strategy for patients in a staff scope is aimed at other actors, never ranked
    staff = _select(cli, tmp_path, ["tdf.memory"])
    assert "eric.involve-patients" not in _by_id(staff)


def test_a_note_naming_the_recipients_in_a_staff_scope_suggests_a_determinant_that_names_them(cli,
                                                                                             tmp_path: Path) -> None:
    def warnings(note: str | None, actor_type: str = "deliverers") -> list[str]:
        det: dict[str, Any] = {"id": "tdf.memory", "kind": "barrier", "importance": 5, "changeability": 5}
        if note is not None:
            det["note"] = note
        doc = {"title": "Test", "change": {"actor": "Nurses", "action": "Act", "actor_type": [actor_type]},
               "determinants": [det]}
        scope = tmp_path / "scope.yaml"
        scope.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        got = cli("select", scope, "--base", CAT, "--format", "json", "--top", "0")
        assert got.code == 0, got.err
        out = json.loads(got.out)
        assert "eric.involve-patients" in {s["id"] for s in out.get("other_actors") or []} or actor_type != "deliverers"
        return [w for w in out["warnings"] if "barrier notes say the recipients take part" in w]

    hint = warnings("Busy nurses forget, and patients often ask to skip the check")
    assert len(hint) == 1 and "'patients often ask' in tdf.memory" in hint[0] and "add a barrier" in hint[0]
    assert warnings("Busy nurses forget at night") == []  # the note names no recipients
    assert warnings("Nurses forget when many patients are admitted at night") == []  # patients as the work's object
    assert warnings(None) == []
    assert warnings("Patients forget their doses", actor_type="recipients") == []  # the recipients are the actor
    # a word pattern, tried on notes as teams write them: the recipients acting (past tenses, contractions,
    # reluctance) give the hint; things named after them, and people who are not recipients, do not
    for note in ("Patients refused the test and families expected a scan", "Parents are often reluctant",
                 "Mothers don\u2019t say how they feel", "Service users say no to the group"):
        assert len(warnings(note)) == 1, note
    for note in ("Patient records do not show the score", "Parents evening does not leave time",
                 "Residents do not know the protocol", "The user interface does not prompt it",
                 "Client files do not have a field for it"):
        assert warnings(note) == [], note
