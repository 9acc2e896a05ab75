"""`strategease compare`: two scopes, or one scope under two ratings files; rises, falls, entries, exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_CATALOGUE = ROOT / "tests" / "examples" / "select" / "catalogue.yaml"
BEFORE = ROOT / "tests" / "examples" / "compare" / "before.yaml"
AFTER = ROOT / "tests" / "examples" / "compare" / "after.yaml"
WORKSHOP = ROOT / "examples" / "workshop" / "scope.yaml"
STAFF = ROOT / "examples" / "workshop" / "ratings.csv"
PATIENTS = ROOT / "examples" / "workshop" / "ratings-patients.csv"
TWO_SCOPES = ("compare", BEFORE, AFTER, "--base", TEST_CATALOGUE, "--top", "3", "--bundle", "2")


def test_two_scopes_enter_leave_fall_and_bundle(cli) -> None:
    got = cli(*TWO_SCOPES, "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    moves = {r["id"]: (r["change"], r["a_rank"], r["b_rank"], r["bundle_change"]) for r in doc["rows"]}
    assert moves == {
        "eric.promote-adaptability": ("enter", None, 1, "enter"),  # not reached at all in A
        # B's second place: adaptability is covered, so the evaluation barrier's best strategy comes next
        "eric.audit-and-provide-feedback": ("fall", 1, 2, None),
        "eric.capture-and-share-local-knowledge": ("enter", 8, 3, None),
        "eric.develop-and-implement-tools-for-quality-monitoring": ("leave", 2, 5, "leave"),
        "eric.develop-and-organize-quality-monitoring-systems": ("leave", 3, 10, None),
    }
    assert [r["id"] for r in doc["rows"]][:3] == doc["b"]["top"]  # ordered by B's ranking, leavers last
    assert (doc["bundle_entered"], doc["bundle_left"], doc["bundle_kept"]) == (
        ["eric.promote-adaptability"], ["eric.develop-and-implement-tools-for-quality-monitoring"],
        ["eric.audit-and-provide-feedback"])
    assert doc["weights"] == [
        {"id": "cfir1.reflecting-and-evaluating", "name": "Reflecting and evaluating", "a": 1.0, "b": 0.4},
        {"id": "cfir1.adaptability", "name": "Adaptability", "a": None, "b": 1.0}]
    assert doc["counts"]["enter"] == 2 and doc["counts"]["leave"] == 2 and doc["counts"]["fall"] == 1


def test_reversed_comparison_mirrors_the_moves(cli) -> None:
    doc = json.loads(cli("compare", AFTER, BEFORE, "--base", TEST_CATALOGUE, "--top", "3", "--bundle", "2",
                         "--format", "json").out)
    moves = {r["id"]: r["change"] for r in doc["rows"]}
    assert moves["eric.audit-and-provide-feedback"] == "rise"
    assert moves["eric.promote-adaptability"] == "leave"
    assert moves["eric.develop-and-implement-tools-for-quality-monitoring"] == "enter"


def test_table_and_markdown(cli) -> None:
    got = cli(*TWO_SCOPES)
    assert got.code == 0, got.err
    assert "top 3: 2 enter, 1 fall, 2 leave; bundle: 1 in, 1 out" in got.out
    assert "↑ enters" in got.out and "↓ leaves" in got.out and "1 → 2" in got.out
    md = cli(*TWO_SCOPES, "--format", "markdown").out
    assert md.startswith("# Scenario comparison\n")
    assert "| Audit and provide feedback (`eric.audit-and-provide-feedback`) | 1 → 2 | ↓ falls 1 | 1.023 → 0.463 | " \
           "kept |" in md
    assert "| Promote adaptability (`eric.promote-adaptability`) | – → 1 | ↑ enters | – → 1 | enters |" in md


def test_one_scope_two_ratings_files(cli) -> None:
    got = cli("compare", WORKSHOP, "--ratings", STAFF, "--ratings", PATIENTS, "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    assert (doc["a"]["label"], doc["b"]["label"]) == (str(STAFF), str(PATIENTS))
    assert doc["a"]["ratings"] == str(STAFF) and doc["a"]["scope"] == doc["b"]["scope"]
    weights = {w["id"]: (w["a"], w["b"]) for w in doc["weights"]}
    assert weights["cfir2.engaging-innovation-recipients"] == (0.48, 0.8)  # the patients rate it higher
    assert any(w.startswith("A: raters disagree strongly on 'Available resources'") for w in doc["warnings"])
    assert doc["bundle_entered"] or doc["bundle_left"] or any(r["change"] != "same" for r in doc["rows"])


def test_same_inputs_same_output(cli) -> None:
    assert cli(*TWO_SCOPES, "--format", "json").out == cli(*TWO_SCOPES, "--format", "json").out


@pytest.mark.parametrize("args", [
    ("compare", BEFORE),
    ("compare", BEFORE, AFTER, WORKSHOP),
    ("compare", BEFORE, "--ratings", STAFF),
    ("compare", BEFORE, AFTER, "--ratings", STAFF, "--ratings", PATIENTS),
])
def test_wrong_number_of_scenarios_is_a_usage_error(cli, args: tuple[object, ...]) -> None:
    got = cli(*args, "--base", TEST_CATALOGUE)
    assert got.code == 2
    assert "compare needs two scopes, or one scope and two --ratings files" in got.err


def test_invalid_inputs_keep_their_exit_codes(cli, tmp_path: Path) -> None:
    assert cli("compare", BEFORE, tmp_path / "missing.yaml", "--base", TEST_CATALOGUE).code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("rater,determinant,importance,changeability\nA,tdf.knowledge,9,3\n", encoding="utf-8")
    got = cli("compare", BEFORE, "--ratings", bad, "--ratings", bad, "--base", TEST_CATALOGUE)
    assert got.code == 1 and "bad.csv:2:3: importance must be a whole number from 1 to 5" in got.err


def test_every_format_has_a_renderer() -> None:
    from strategease.cli.compare import CompareFormat
    from strategease.render.compare import RENDERERS

    assert {f.value for f in CompareFormat} == set(RENDERERS)
