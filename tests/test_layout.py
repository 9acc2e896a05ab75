"""Terminal layout never loses meaning: at 60, 80 and 120 columns no id is split and no verdict is cut;
tables switch to a stacked layout rather than cropping; stderr of a plain select is one short line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

EXAMPLE = "examples/delirium-scope.yaml"
SCOPE_B = "tests/examples/stability/close-call.yaml"
TEST_CATALOGUE = "tests/examples/select/catalogue.yaml"
WIDTHS = (60, 80, 120)


def _run(width: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STRATEGEASE_WIDTH", "COLUMNS")}
    env.update(COLUMNS=str(width), NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "strategease", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(_run(200, *args, "--format", "json").stdout)  # type: ignore[no-any-return]


def _assert_whole(ids: list[str], text: str) -> None:
    tokens = set(re.findall(r"[a-z0-9][a-z0-9._-]*", text))
    for entry_id in ids:
        assert entry_id in tokens, f"id {entry_id} is split or missing"


@pytest.mark.parametrize("width", WIDTHS)
def test_select_keeps_ids_and_verdicts_whole(width: int) -> None:
    args = ("select", EXAMPLE, "--stability", "60")
    doc = _json(*args)
    text = _run(width, *args).stdout
    ids = [s["id"] for s in doc["strategies"]] + [d["id"] for d in doc["determinants"]]
    ids += [b["id"] for b in doc["bundle"]["strategies"]]
    _assert_whole(ids, text)
    words = set(re.findall(r"[A-Za-z]+", text))
    for row in doc["stability"]["strategies"]:
        for reason in row.get("reasons", []):
            assert set(re.findall(r"[A-Za-z]+", reason)) <= words, f"reason cut: {reason}"
    for verdict in ("stable", "matrix", "curated", "survey"):
        assert verdict in words
    assert not re.search(r"\b(UNSTA|stabl|curat|matri)\b", text)
    assert all(line == line.rstrip() for line in text.splitlines()), "trailing padding in a pipe"
    if width < 120:
        assert re.search(r"^1 \S", text, re.M), "stacked layout: one block per strategy, headed by its rank"


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_and_list_keep_ids_whole(width: int) -> None:
    doc = _json("compare", EXAMPLE, SCOPE_B, "--base", TEST_CATALOGUE)
    text = _run(width, "compare", EXAMPLE, SCOPE_B, "--base", TEST_CATALOGUE).stdout
    _assert_whole([r["id"] for r in doc["rows"]], text)
    listed = json.loads(_run(200, "list", "strategies", "--format", "json").stdout)
    text = _run(width, "list", "strategies").stdout
    _assert_whole([r["id"] for r in listed], text)


def test_wide_terminal_draws_a_table() -> None:
    text = _run(240, "select", EXAMPLE).stdout
    assert "─" * 20 in text and "score" in text


def test_plain_select_stderr_fits_in_five_lines() -> None:
    done = _run(80, "select", EXAMPLE)
    assert 0 < len(done.stderr.splitlines()) <= 5, done.stderr
    assert "--verbose" in done.stderr
    verbose = _run(80, "select", EXAMPLE, "--verbose").stderr
    assert "warning:" in verbose and "note:" in verbose
    assert _run(80, "select", EXAMPLE, "--quiet").stderr == ""


def test_score_has_a_scale_and_the_bundle_says_why_it_differs() -> None:
    text = _run(120, "select", EXAMPLE).stdout
    assert re.search(r"0\.\d+ \(\d+ %\)", text)
    assert "share = score ÷ the scope's barrier weight" in text
    # the note appears exactly when the bundle differs from the top 5 (checked on two scopes, one that differs)
    differs = []
    for scope in (EXAMPLE, "examples/worked/gp-antibiotic-prescribing.yaml"):
        doc = _json("select", scope)
        other = {s["id"] for s in doc["strategies"][:5]} != {b["id"] for b in doc["bundle"]["strategies"]}
        assert ("is not in the bundle:" in _run(120, "select", scope).stdout) == other, scope
        differs.append(other)
    assert any(differs)


def test_explain_accepts_a_rank_number() -> None:
    by_rank = _run(100, "select", EXAMPLE, "--explain", "1").stdout
    first = _json("select", EXAMPLE)["strategies"][0]["id"]
    assert by_rank == _run(100, "select", EXAMPLE, "--explain", first).stdout


def _render(grid: object, width: int, plain: bool) -> str:
    """GRID as the stdout console draws it without colour (a pipe), through the plain path or through Rich."""
    import io

    from rich.console import Console

    from strategease.render import layout

    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False, emoji=False)
    keep = layout.Grid.plain_lines
    try:
        if not plain:
            layout.Grid.plain_lines = lambda self, max_width: None  # type: ignore[method-assign]
        with console.capture() as captured:
            console.print(grid, crop=False)
    finally:
        layout.Grid.plain_lines = keep  # type: ignore[method-assign]
    return captured.get()


def _random_grid(rng: object) -> object:
    import random

    from strategease.render.layout import Col, Grid, Named

    assert isinstance(rng, random.Random)
    plain = ["a", "bb", "score", "Environment", "syna.det-00604", "0.32", "4", "barrier", "x" * 30, "", "two  spaces",
             "::cmd", "Audit & feedback (ERIC)", "line\nbreak"]
    odd = ["ü", "–", " lead", "trail ", "tab\there", "\x1b[31m", "中文"]
    words = plain * 6 + odd

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))

    cols = [Col(rng.choice(["#", "strategy", "kind", "imp", "weight", "a long header name", ""]),
                right=rng.random() < 0.4, head=rng.random() < 0.3) for _ in range(rng.randint(1, 6))]
    grid = Grid(rng.choice(["Determinants", "Ranked strategies (10 shown)", "T", "a title " * 8]), cols,
                lines=rng.random() < 0.7)
    for _ in range(rng.randint(0, 6)):
        n = rng.randint(max(0, len(cols) - 1), len(cols))
        grid.add(*[Named(text(), rng.choice(words)) if rng.random() < 0.3 else text() for _ in range(n)],
                 bold=rng.random() < 0.2)
    return grid


def test_plain_tables_are_drawn_exactly_as_rich_draws_them() -> None:
    """Grid.plain_lines (a table that fits, on a console without colour) gives Rich's text byte for byte; whatever
    it does not know how to draw (wide characters, blanks at the ends of a cell, a title wider than the table)
    is left to Rich."""
    import random

    from strategease.render.layout import Grid

    rng = random.Random(5)
    drawn = 0
    for _ in range(800):
        grid = _random_grid(rng)
        width = rng.choice([20, 40, 60, 80, 100, 200])
        assert isinstance(grid, Grid)
        drawn += grid.narrowest() <= width and grid.plain_lines(width) is not None
        assert _render(grid, width, plain=True) == _render(grid, width, plain=False)
    assert drawn > 80  # the plain path was taken often enough to be tested
