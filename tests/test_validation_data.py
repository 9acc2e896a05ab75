"""The validation benchmark's inputs stay usable: every worked scope and published-case scope runs through
``select``, and every strategy or determinant id they name exists in the shipped catalogue.

The benchmark itself (benchmarks/validation/run.py) is reported, never pass/fail; this only guards its data
against catalogue renames and scope-schema changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKED = sorted(p for p in (ROOT / "examples" / "worked").glob("*.yaml") if not p.name.endswith(".expected.yaml"))
CASES = sorted((ROOT / "benchmarks" / "validation" / "cases").glob("*.yaml"))
CASE_SCOPES = sorted((ROOT / "benchmarks" / "validation" / "scopes").glob("*.yaml"))
HOLDOUT = sorted((ROOT / "benchmarks" / "validation" / "holdout").glob("*.yaml"))
HOLDOUT_SCOPES = sorted((ROOT / "benchmarks" / "validation" / "scopes" / "holdout").glob("*.yaml"))
HOLDOUT2 = sorted((ROOT / "benchmarks" / "validation" / "holdout2").glob("*.yaml"))
HOLDOUT2_SCOPES = sorted((ROOT / "benchmarks" / "validation" / "scopes" / "holdout2").glob("*.yaml"))
HOLDOUT3 = sorted((ROOT / "benchmarks" / "validation" / "holdout3").glob("*.yaml"))
HOLDOUT3_SCOPES = sorted((ROOT / "benchmarks" / "validation" / "scopes" / "holdout3").glob("*.yaml"))
HOLDOUT4 = sorted((ROOT / "benchmarks" / "validation" / "holdout4").glob("*.yaml"))
HOLDOUT4_SCOPES = sorted((ROOT / "benchmarks" / "validation" / "scopes" / "holdout4").glob("*.yaml"))


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
    assert len(HOLDOUT) >= 10
    assert {p.stem for p in HOLDOUT_SCOPES} == {p.stem for p in HOLDOUT}, "run run.py --write-scopes"
    assert len(HOLDOUT2) >= 10
    assert {p.stem for p in HOLDOUT2_SCOPES} == {p.stem for p in HOLDOUT2}, "run run.py --write-scopes"
    assert len(HOLDOUT3) >= 10
    assert {p.stem for p in HOLDOUT3_SCOPES} == {p.stem for p in HOLDOUT3}, "run run.py --write-scopes"
    assert len(HOLDOUT4) >= 8
    assert {p.stem for p in HOLDOUT4_SCOPES} == {p.stem for p in HOLDOUT4}, "run run.py --write-scopes"


def test_holdout_files_validate_against_the_case_schema(runner: ModuleType) -> None:
    tuning = runner.load_cases(runner.CASES)
    holdout = runner.load_cases(runner.HOLDOUT)
    assert [c.path for c in holdout] == HOLDOUT
    runner.check_disjoint(tuning, holdout)  # no held-out case reuses a tuning id or DOI
    for case in holdout:
        assert set(case.data) == runner.CASE_KEYS, case.id
        assert case.chosen, case.id


def test_holdout2_files_validate_and_share_no_id_or_doi_with_the_other_sets(runner: ModuleType) -> None:
    tuning = runner.load_cases(runner.CASES)
    holdout = runner.load_cases(runner.HOLDOUT)
    holdout2 = runner.load_cases(runner.HOLDOUT2)
    assert [c.path for c in holdout2] == HOLDOUT2
    runner.check_disjoint(tuning + holdout, holdout2)
    everything = tuning + holdout + holdout2
    ids = [c.id for c in everything]
    assert len(ids) == len(set(ids))
    earlier_dois = {str(c.data["doi"]).lower() for c in tuning + holdout}
    assert not [c.id for c in holdout2 if str(c.data["doi"]).lower() in earlier_dois]
    for case in holdout2:
        assert set(case.data) == runner.CASE_KEYS, case.id
        assert case.chosen, case.id
        assert case.data["how_read"] and case.data["citation"], case.id


def test_holdout3_files_validate_and_share_no_id_or_doi_with_the_other_sets(runner: ModuleType) -> None:
    earlier = runner.load_cases(runner.CASES) + runner.load_cases(runner.HOLDOUT) + runner.load_cases(runner.HOLDOUT2)
    holdout3 = runner.load_cases(runner.HOLDOUT3)
    assert [c.path for c in holdout3] == HOLDOUT3
    runner.check_disjoint(earlier, holdout3)
    ids = [c.id for c in earlier + holdout3]
    assert len(ids) == len(set(ids))
    dois = [str(c.data["doi"]).lower() for c in holdout3]
    assert len(dois) == len(set(dois)), "one case per paper in the third set"
    for case in holdout3:
        assert set(case.data) == runner.CASE_KEYS, case.id
        assert case.chosen, case.id
        assert case.data["how_read"] and case.data["citation"], case.id


@pytest.mark.parametrize("earlier_set", ["CASES", "HOLDOUT", "HOLDOUT2"])
def test_holdout3_reusing_an_earlier_doi_is_refused(runner: ModuleType, tmp_path: Path, earlier_set: str) -> None:
    earlier = runner.load_cases(runner.CASES) + runner.load_cases(runner.HOLDOUT) + runner.load_cases(runner.HOLDOUT2)
    source = runner.load_cases(getattr(runner, earlier_set))[0]
    data = dict(source.data, id="copy-of-an-earlier-case")
    (tmp_path / "copy-of-an-earlier-case.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(runner.InputError, match="also in cases/, holdout/, holdout2/"):
        runner.check_disjoint(earlier, runner.load_cases(tmp_path))


def test_holdout3_baseline_counts_all_four_sets(runner: ModuleType, tmp_path: Path) -> None:
    def case(cid: str, chosen: list[str]) -> object:
        return runner.Case(tmp_path / f"{cid}.yaml", {"id": cid, "strategies": [{"id": s} for s in chosen]})

    tuning, held, second = [case("t1", ["eric.b"])], [case("h1", ["eric.b"])], [case("s1", ["eric.c"])]
    third = [case("u1", ["eric.a"]), case("u2", ["eric.c", "eric.d"])]
    universe = {"eric.a", "eric.b", "eric.c", "eric.d"}
    # u2 left out: b chosen twice (tuning, first held-out), a and c once each; d nowhere else
    assert runner.popularity_ranking(tuning + held + second + third, "u2", universe) == ["eric.b", "eric.a",
                                                                                         "eric.c", "eric.d"]
    # the second set's baseline does not count the third set
    assert runner.popularity_ranking(tuning + held + second, "s1", universe)[:2] == ["eric.b", "eric.a"]


def test_holdout3_is_reported_in_its_own_table(runner: ModuleType) -> None:
    res = {"cases": [{"id": "x1", "leakage": False, "n_chosen": 2, "framework": "tdf",
                      "recall": {m: {"@10": 0.5, "@20": 1.0} for m in (*runner.METHODS, "baseline")}}],
           "mean_all": {}, "mean_without_leakage": {}, "mean_cfir_without_leakage": {}, "n_cases": 1, "n_leakage": 0}
    text = runner.text_report({**res, "cases": []}, [], None, None, res)
    assert runner.HOLDOUT3_TITLE in text and "all four sets" in text
    md = runner.figures_md({**res, "meta": {}}, runner.HELD_SETS[2])
    assert "third set" in md and "all four sets" in md
    assert "| x1 |" not in md and "x1" not in text  # blind: means only outside --json


def test_held_sets_are_one_registry_in_assembly_order(runner: ModuleType) -> None:
    assert [hs.key for hs in runner.HELD_SETS] == ["holdout", "holdout2", "holdout3", "holdout4"]
    assert [hs.directory.name for hs in runner.HELD_SETS] == [hs.key for hs in runner.HELD_SETS]
    assert [hs.scopes.name for hs in runner.HELD_SETS] == [hs.key for hs in runner.HELD_SETS]
    assert [hs.blind for hs in runner.HELD_SETS] == [False, False, True, True]
    assert len({hs.title for hs in runner.HELD_SETS}) == 4
    assert runner.HELD_SETS[3].title == runner.HOLDOUT4_TITLE and runner.HELD_SETS[3].pool == "all five sets"


def test_holdout4_files_validate_and_share_no_id_or_doi_with_the_other_sets(runner: ModuleType) -> None:
    cases = runner.load_cases(runner.CASES)
    held = runner.load_held_sets(cases)  # refuses any id or DOI already in an earlier set
    holdout4 = held[3]
    assert [c.path for c in holdout4] == HOLDOUT4
    earlier = cases + held[0] + held[1] + held[2]
    ids = [c.id for c in earlier + holdout4]
    assert len(ids) == len(set(ids))
    dois = [str(c.data["doi"]).lower() for c in holdout4]
    assert len(dois) == len(set(dois)), "one case per paper in the fourth set"
    assert not set(dois) & {str(c.data["doi"]).lower() for c in earlier}
    for case in holdout4:
        assert set(case.data) == runner.CASE_KEYS, case.id
        assert case.chosen, case.id
        assert case.data["how_read"] and case.data["citation"], case.id
        assert all(s.get("mapping") == "ours" or "mapping" not in s for s in case.data["strategies"]), case.id


@pytest.mark.parametrize("earlier_set", ["CASES", "HOLDOUT", "HOLDOUT2", "HOLDOUT3"])
def test_holdout4_reusing_an_earlier_doi_is_refused(runner: ModuleType, tmp_path: Path, earlier_set: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A fourth-set file copying any earlier set's case (new id, same DOI) stops the runner before scoring."""
    source = runner.load_cases(getattr(runner, earlier_set))[0]
    data = dict(source.data, id="copy-of-an-earlier-case")
    folder = tmp_path / "holdout4"
    folder.mkdir()
    (folder / "copy-of-an-earlier-case.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    fourth = runner.HeldSet("holdout4", folder, tmp_path / "scopes", "t", "w", "all five sets", blind=True)
    monkeypatch.setattr(runner, "HELD_SETS", (*runner.HELD_SETS[:3], fourth))
    with pytest.raises(runner.InputError, match="also in cases/, holdout/, holdout2/, holdout3/"):
        runner.load_held_sets(runner.load_cases(runner.CASES))


def test_holdout4_baseline_counts_all_five_sets(runner: ModuleType, tmp_path: Path) -> None:
    def case(cid: str, chosen: list[str]) -> object:
        return runner.Case(tmp_path / f"{cid}.yaml", {"id": cid, "strategies": [{"id": s} for s in chosen]})

    earlier = [case("t1", ["eric.b"]), case("h1", ["eric.b"]), case("s1", ["eric.c"]), case("u1", ["eric.c"])]
    fourth = [case("v1", ["eric.a"]), case("v2", ["eric.d", "eric.c"])]
    universe = {"eric.a", "eric.b", "eric.c", "eric.d"}
    # v2 left out: b and c chosen twice each in the earlier sets (ties by id), a once by v1; d nowhere else
    assert runner.popularity_ranking(earlier + fourth, "v2", universe) == ["eric.b", "eric.c", "eric.a", "eric.d"]
    # the third set's baseline does not count the fourth set: a is chosen nowhere before it
    assert runner.popularity_ranking(earlier, "u1", universe) == ["eric.b", "eric.c", "eric.a", "eric.d"]


def test_holdout4_is_reported_means_only_in_its_own_table(runner: ModuleType) -> None:
    res = {"cases": [{"id": "v1", "leakage": False, "n_chosen": 2, "framework": "cfir1",
                      "recall": {m: {"@10": 0.5, "@20": 1.0} for m in (*runner.METHODS, "baseline")}}],
           "mean_all": {m: {"@10": 0.5, "@20": 1.0} for m in (*runner.METHODS, "baseline")},
           "mean_without_leakage": {}, "mean_cfir_without_leakage": {}, "n_cases": 1, "n_leakage": 0}
    empty = {**res, "cases": []}
    text = runner.text_report(empty, [], None, None, None, res)
    assert runner.HOLDOUT4_TITLE in text and "all five sets" in text and runner.HELD_BLIND_NOTE in text
    assert "v1" not in text and "mean (all)" in text
    assert runner.HOLDOUT3_TITLE not in text  # absent sets print nothing
    md = runner.figures_md({**res, "meta": {}}, runner.HELD_SETS[3])
    assert "fourth set" in md and "all five sets" in md and "**Mean, all cases**" in md and "v1" not in md


def test_holdout2_reusing_a_first_holdout_doi_is_refused(runner: ModuleType, tmp_path: Path) -> None:
    earlier = runner.load_cases(runner.CASES) + runner.load_cases(runner.HOLDOUT)
    first = runner.load_cases(runner.HOLDOUT)[0]
    data = dict(first.data, id="copy-of-a-first-holdout-case")
    (tmp_path / "copy-of-a-first-holdout-case.yaml").write_text(yaml.safe_dump(data, sort_keys=False),
                                                              encoding="utf-8")
    with pytest.raises(runner.InputError, match="also in cases/, holdout/"):
        runner.check_disjoint(earlier, runner.load_cases(tmp_path))


def test_holdout2_baseline_counts_all_sets(runner: ModuleType, tmp_path: Path) -> None:
    def case(cid: str, chosen: list[str]) -> object:
        return runner.Case(tmp_path / f"{cid}.yaml", {"id": cid, "strategies": [{"id": s} for s in chosen]})

    tuning, held = [case("t1", ["eric.b"])], [case("h1", ["eric.c"])]
    second = [case("s1", ["eric.a"]), case("s2", ["eric.c", "eric.d"])]
    universe = {"eric.a", "eric.b", "eric.c", "eric.d"}
    # s2 left out: a, b and c are chosen once each in the other cases of all three sets; ties by id
    assert runner.popularity_ranking(tuning + held + second, "s2", universe) == ["eric.a", "eric.b", "eric.c",
                                                                                  "eric.d"]
    # the first held-out set's baseline does not count the second set
    assert runner.popularity_ranking(tuning + held, "h1", universe)[:1] == ["eric.b"]


def test_holdout_schema_errors_are_caught(runner: ModuleType, tmp_path: Path) -> None:
    good = HOLDOUT[0].read_text(encoding="utf-8")
    (tmp_path / HOLDOUT[0].name).write_text(good + "reviewer: someone\n", encoding="utf-8")
    with pytest.raises(runner.InputError, match="unknown key"):
        runner.load_cases(tmp_path)
    tuning = runner.load_cases(runner.CASES)
    (tmp_path / HOLDOUT[0].name).unlink()
    (tmp_path / tuning[0].path.name).write_text(tuning[0].path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(runner.InputError, match="also in cases/"):
        runner.check_disjoint(tuning, runner.load_cases(tmp_path))


def test_holdout_baseline_counts_both_sets_and_leaves_the_case_out(runner: ModuleType, tmp_path: Path) -> None:
    def case(cid: str, chosen: list[str]) -> object:
        return runner.Case(tmp_path / f"{cid}.yaml", {"id": cid, "strategies": [{"id": s} for s in chosen]})

    tuning = [case("t1", ["eric.b"]), case("t2", ["eric.b", "eric.c"])]
    held = [case("h1", ["eric.c", "eric.a"]), case("h2", ["eric.c"])]
    universe = {"eric.a", "eric.b", "eric.c", "eric.d"}
    # h1 left out: c is chosen by t2 and h2 (2), b by t1 and t2 (2); ties by id; a and d chosen by no other case
    assert runner.popularity_ranking(tuning + held, "h1", universe) == ["eric.b", "eric.c", "eric.a", "eric.d"]
    # the tuning set's own baseline ignores the held-out cases
    assert runner.popularity_ranking(tuning, "t1", universe) == ["eric.b", "eric.c", "eric.a", "eric.d"]
    assert runner.popularity_ranking(tuning + held, "t1", universe)[0] == "eric.c"


@pytest.mark.parametrize("scope", WORKED + CASE_SCOPES + HOLDOUT_SCOPES + HOLDOUT2_SCOPES + HOLDOUT3_SCOPES
                         + HOLDOUT4_SCOPES, ids=lambda p: p.stem)
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


@pytest.mark.parametrize("case", CASES + HOLDOUT + HOLDOUT2 + HOLDOUT3 + HOLDOUT4, ids=lambda p: p.stem)
def test_case_ids_exist(case: Path, catalogue_ids: tuple[set[str], set[str]]) -> None:
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    strategies = {s["id"] for s in data["strategies"]}
    determinants = {d["id"] for d in data["determinants"]}
    assert strategies <= catalogue_ids[0], sorted(strategies - catalogue_ids[0])
    assert determinants <= catalogue_ids[1], sorted(determinants - catalogue_ids[1])
    assert data["extraction"]["completeness"] in ("full", "partial")
    assert data["extraction"]["certainty"] in ("high", "medium", "low")
