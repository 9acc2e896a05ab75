"""Further raters and acceptable lists in the validation benchmark's worked scopes.

A worked scope's expected list may add ``acceptable`` (strategies its rater would let stand in a top 10), and a
set may hold ``second-rater/<name>.expected.yaml`` lists written independently. The runner then reports a judged
precision@10 (against the pool of every rater's shortlist and acceptable list, less what any rater calls
implausible) and how far the second rater's shortlist agrees with the first's. These tests run the runner's
scoring through the installed CLI on a copied worked scope with made-up rater lists: they check the arithmetic,
not any real figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCOPE = ROOT / "examples" / "worked" / "ward-delirium-screening.yaml"


def _write(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _items(ids: list[str], primary: int = 0) -> list[dict[str, object]]:
    return [{"id": s, "primary": True} if i < primary else {"id": s} for i, s in enumerate(ids)]


def test_an_id_in_two_lists_of_one_rater_is_refused(runner: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "x.expected.yaml"
    _write(path, {"expected": _items(["eric.a"]), "acceptable": _items(["eric.a"]), "implausible": []})
    with pytest.raises(runner.InputError, match="'eric.a' is in both 'expected' and 'acceptable'"):
        runner.load_expected(path)
    _write(path, {"expected": [], "acceptable": [{"id": "eric.b", "primary": True}], "implausible": []})
    with pytest.raises(runner.InputError, match="acceptable entry"):
        runner.load_expected(path)


def test_a_strategy_any_rater_calls_implausible_is_not_acceptable(runner: ModuleType) -> None:
    first = {"expected": _items(["a", "b"]), "acceptable": _items(["c"]), "implausible": _items(["z"])}
    second = {"expected": _items(["b", "d"]), "acceptable": _items(["z"]), "implausible": _items(["c"])}
    assert runner.acceptable_pool([first]) == {"a", "b", "c"}
    assert runner.acceptable_pool([first, second]) == {"a", "b", "d"}


def test_judged_and_second_rater_figures_through_the_cli(runner: ModuleType, tmp_path: Path) -> None:
    shutil.copy(SCOPE, tmp_path / SCOPE.name)
    # the method's own top 10 on this scope, read from an unjudged run, fixes the made-up lists below
    _write(tmp_path / "ward-delirium-screening.expected.yaml",
           {"expected": _items(["eric.audit-and-provide-feedback"], primary=1), "implausible": []})
    plain = runner.evaluate_worked(tmp_path)[0]
    top10 = plain["top10"]
    assert plain["judged"] is False and plain["raters"] == 1
    assert plain["judged_precision@10"] == plain["precision@10"]  # nothing more to count without judgements
    first = {"expected": _items(top10[:2], primary=1), "acceptable": _items(top10[2:5]),
             "implausible": _items([top10[9]])}
    second = {"expected": _items([top10[0], top10[5], top10[6], top10[7]], primary=1),
              "acceptable": _items([top10[9]]), "implausible": _items([top10[4]])}
    _write(tmp_path / "ward-delirium-screening.expected.yaml", first)
    _write(tmp_path / "second-rater" / "ward-delirium-screening.expected.yaml", second)
    popular = [top10[0], top10[3], *[s for s in top10[10:]][:8]]
    row = runner.evaluate_worked(tmp_path, popular=popular)[0]
    assert row["raters"] == 2 and row["judged"] is True
    assert row["precision@10"] == 0.2  # top10[0:2] on the first shortlist
    # pool: first's 0-4 and second's 0,5,6,7,9, less 4 (second: implausible) and 9 (first: implausible)
    assert row["judged_precision@10"] == 0.7
    assert row["second_rater_precision@10"] == 0.25  # 1 of the second rater's 4 on the first's shortlist
    assert row["popular_precision@10"] == 0.1 and row["popular_judged_precision@10"] == 0.2
    # some rater's own shortlist: first's 0-1 and second's 0,5,6,7 (none implausible to the other) = 5 of the ten
    assert row["shortlist_precision@10"] == 0.5 and row["popular_shortlist_precision@10"] == 0.1
    assert row["consensus_recall@10"] == 1.0  # both shortlisted top10[0] only, and the top 10 holds it
    summary = runner.holdout_summary([row])
    assert summary["judged"] == {"n_scopes": 1, "mean_judged_precision@10": 0.7,
                                 "mean_popular_judged_precision@10": 0.2}
    assert summary["second_rater"] == {"n_scopes": 1, "mean_precision@10": 0.25, "mean_tool_precision@10": 0.2,
                                       "mean_shortlist_precision@10": 0.5, "mean_consensus_recall@10": 1.0,
                                       "mean_popular_shortlist_precision@10": 0.1}
    words = runner.judged_sentences(summary)
    assert "score 0.10 on the first rater's shortlists" in words
    assert "over the 1 scope(s) with such judgements: 0.70; the popular ten 0.20" in words
    assert "over 1 scope(s): 0.25 (the tool on the same scopes: 0.20)" in words
    assert "some rater's shortlist (none calling it implausible): 0.50 (the popular ten 0.10)" in words
    assert "that the top 10 holds: 1.00." in words


def test_a_further_rater_with_an_unknown_id_is_named(runner: ModuleType, tmp_path: Path) -> None:
    shutil.copy(SCOPE, tmp_path / SCOPE.name)
    _write(tmp_path / "ward-delirium-screening.expected.yaml",
           {"expected": _items(["eric.audit-and-provide-feedback"], primary=1), "implausible": []})
    _write(tmp_path / "second-rater" / "ward-delirium-screening.expected.yaml",
           {"expected": _items(["eric.no-such-strategy"]), "implausible": []})
    with pytest.raises(runner.InputError, match=r"ward-delirium-screening \(second-rater\).*eric.no-such-strategy"):
        runner.evaluate_worked(tmp_path)
