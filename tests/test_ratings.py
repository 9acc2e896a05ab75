"""Team ratings (--ratings): reading, aggregation, agreement, disagreement flags, errors, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RATINGS = ROOT / "tests" / "examples" / "ratings"
INVALID = RATINGS / "invalid"
TEAM = RATINGS / "delirium-team.csv"
TEST_CATALOGUE = ROOT / "tests" / "examples" / "select" / "catalogue.yaml"
EXAMPLE = ROOT / "examples" / "delirium-scope.yaml"


@pytest.fixture(scope="module")
def cat() -> Any:
    from strategease.catalogue.load import require_valid

    return require_valid([TEST_CATALOGUE])


@pytest.fixture(scope="module")
def loaded(cat: Any) -> Any:
    from strategease.selection.scope import load_scope

    return load_scope(EXAMPLE, cat)


def _team(cat: Any, text: str, tmp_path: Path) -> Any:
    from strategease.selection.ratings import load_ratings

    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    return load_ratings(path, cat)


# --------------------------------------------------------------------------- aggregation


def test_median_replaces_the_scope_ratings_and_flags_disagreement(cat: Any, loaded: Any) -> None:
    from strategease.selection.ratings import load_ratings
    from strategease.selection.scoring import select

    team = load_ratings(TEAM, cat)
    res = select(cat, loaded, top=0, ratings=team)
    dets = {d.id: d for d in res.determinants}
    # available resources: importance 2, 5, 5 -> median 5; changeability 2, 2, 3 -> median 2
    assert (dets["cfir1.available-resources"].importance, dets["cfir1.available-resources"].changeability) == (5, 2)
    assert dets["cfir1.available-resources"].weight == 0.4
    # memory: changeability 3, (blank), 2 -> median of two values 2.5
    assert dets["tdf.memory-attention-and-decision-processes"].changeability == 2.5
    assert dets["tdf.memory-attention-and-decision-processes"].weight == pytest.approx(3 / 5 * 2.5 / 5)
    tr = res.team_ratings
    assert tr is not None
    assert [r.name for r in tr.raters] == ["Ana", "Ben", "Chi"]
    assert tr.disagreements == ["cfir1.available-resources"]
    flagged = next(d for d in tr.determinants if d.id == "cfir1.available-resources")
    assert flagged.importance.range == 3 and flagged.importance.iqr == 1.5
    assert flagged.reasons == ["importance: ratings range from 2 to 5"]
    assert [s.rater for s in flagged.scores] == ["Ana", "Ben", "Chi"]
    assert any("raters disagree strongly on 'Available resources'" in w for w in res.warnings)


def test_rated_but_not_in_scope_is_added_as_a_barrier(cat: Any, loaded: Any) -> None:
    from strategease.selection.ratings import load_ratings
    from strategease.selection.scoring import select

    res = select(cat, loaded, top=0, ratings=load_ratings(TEAM, cat))
    goals = next(d for d in res.determinants if d.id == "tdf.goals")
    assert goals.kind == "barrier" and goals.note == "added from team ratings"
    assert res.determinants[-1].id == "tdf.goals"  # after the scope's own determinants
    assert res.team_ratings is not None and res.team_ratings.added == ["tdf.goals"]
    assert any(re.search(r"'Goals' \(tdf\.goals\) is rated in .*delirium-team\.csv:16 but not listed in the scope; "
                         r"added as a barrier", w) for w in res.warnings)


def test_mean_option_and_unrated_determinants(cat: Any, loaded: Any, tmp_path: Path) -> None:
    from strategease.selection.scoring import select

    team = _team(cat, "rater,determinant,importance,changeability\nA,tdf.knowledge,1,5\nB,tdf.knowledge,2,5\n"
                      "C,tdf.knowledge,2,4\n", tmp_path)
    res = select(cat, loaded, top=0, ratings=team, aggregate="mean")
    knowledge = next(d for d in res.determinants if d.id == "tdf.knowledge")
    assert knowledge.importance == pytest.approx(5 / 3, abs=1e-6)
    assert knowledge.changeability == pytest.approx(14 / 3, abs=1e-6)
    # not rated: the scope's own values, with a warning
    resources = next(d for d in res.determinants if d.id == "cfir1.available-resources")
    assert (resources.importance, resources.changeability) == (4, 2)
    assert any("'Available resources' (cfir1.available-resources) was rated by nobody" in w for w in res.warnings)
    assert res.team_ratings is not None and res.team_ratings.aggregate == "mean"
    assert "cfir1.available-resources" in res.team_ratings.unrated


def test_iqr_rule_flags_a_split_team(cat: Any, loaded: Any, tmp_path: Path) -> None:
    from strategease.selection.ratings import disagreement, iqr, spread

    assert iqr([1, 1, 3, 3]) == 2.0  # quartiles 1 and 3 (inclusive interpolation)
    assert iqr([4]) == 0.0
    s = spread([2, 2, 4, 4], "median")  # range 2, IQR 2: flagged by the IQR rule alone
    assert s.range == 2 and s.iqr == 2.0 and s.aggregate == 3
    assert disagreement(s) == "the middle half of the ratings spans 2 points"
    assert disagreement(spread([3, 4, 4], "median")) is None


def test_scores_use_the_team_weights(cat: Any, loaded: Any) -> None:
    from strategease.selection.ratings import load_ratings
    from strategease.selection.scoring import select

    plain = select(cat, loaded, top=0)
    team = select(cat, loaded, top=0, ratings=load_ratings(TEAM, cat))
    assert [s.id for s in plain.strategies] != [s.id for s in team.strategies]
    for s in team.strategies:
        for c in s.contributions:
            if c.determinant is not None and c.weight is not None:
                det = next(d for d in team.determinants if d.id == c.determinant)
                assert c.weight == det.weight


def test_names_resolve_to_ids(cat: Any, tmp_path: Path) -> None:
    team = _team(cat, "Rater;Determinant;Importance;Changeability\nA;Memory, attention and decision processes;4;3\n",
                 tmp_path)
    assert team.rows[0].determinant == "tdf.memory-attention-and-decision-processes"


def test_same_inputs_same_json(cli) -> None:
    args = ("select", EXAMPLE, "--base", TEST_CATALOGUE, "--ratings", TEAM, "--format", "json")
    first, second = cli(*args), cli(*args)
    assert first.code == 0, first.err
    assert first.out == second.out
    doc = json.loads(first.out)
    assert doc["team_ratings"]["disagreements"] == ["cfir1.available-resources"]
    assert list(doc)[-1] == "team_ratings"
    # without --ratings the section is left out, not null
    assert "team_ratings" not in json.loads(cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--format",
                                                "json").out)


def test_table_and_markdown_show_agreement(cli) -> None:
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--ratings", TEAM, "--verbose")
    assert got.code == 0, got.err
    assert "Team ratings (median of 3 rater(s): Ana (ward sister)" in got.out
    assert "DISCUSS: importance:" in got.out and "one rater" in got.out
    assert "warning: raters disagree strongly on 'Available resources'" in got.err
    md = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--ratings", TEAM, "--format", "markdown").out
    assert "| cfir1.available-resources | Available resources | 3 | 5 (2–5, IQR 1.5) | 2 (2–3, IQR 0.5) | DISCUSS" \
        in md
    assert "| tdf.goals | Goals \\[added\\] | 1 | 4 | 3 | one rater |" in md


# --------------------------------------------------------------------------- invalid files


def _expectations(path: Path) -> tuple[int, list[str]]:
    text = path.with_suffix(".expect").read_text(encoding="utf-8")
    code = re.search(r"^# exit: (\d+)$", text, re.M)
    assert code, path
    return int(code.group(1)), re.findall(r"^# expect: (.+)$", text, re.M)


INVALID_FILES = sorted(INVALID.glob("*.csv"))


def test_invalid_folder_is_not_empty() -> None:
    assert len(INVALID_FILES) >= 6
    assert all(p.with_suffix(".expect").exists() for p in INVALID_FILES)


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_invalid_ratings(path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    code, expects = _expectations(path)
    monkeypatch.chdir(INVALID)
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--ratings", path.name)
    assert got.code == code, got.err
    assert got.out == ""
    for fragment in expects:
        assert fragment in got.err, f"{fragment!r} not in:\n{got.err}"
    assert "Traceback" not in got.err


def test_missing_ratings_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    got = cli("select", EXAMPLE, "--base", TEST_CATALOGUE, "--ratings", tmp_path / "nope.csv")
    assert got.code == 2 and "not found" in got.err


def test_report_accepts_ratings(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    got = cli("report", EXAMPLE, "--base", TEST_CATALOGUE, "--ratings", TEAM, "--aggregate", "mean", "-o", out)
    assert got.code == 0, got.err
    doc = json.loads(out.read_text())
    assert doc["selection"]["team_ratings"]["aggregate"] == "mean"
