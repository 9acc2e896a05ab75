"""Renderers for scenario comparisons: one per ``--format`` value, in a registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strategease.fmt import num
from strategease.render.layout import Col, Grid, Named
from strategease.render.select import _md, _md_table
from strategease.selection.compare import Comparison, Row

ARROWS = {"enter": "↑ enters", "rise": "↑ rises", "same": "= same", "fall": "↓ falls", "leave": "↓ leaves",
          "outside": "outside top k"}


def _rank(value: int | None) -> str:
    return "–" if value is None else str(value)


def _move(r: Row) -> str:
    text = ARROWS[r.change]
    if r.change in ("rise", "fall") and r.a_rank is not None and r.b_rank is not None:
        text += f" {abs(r.a_rank - r.b_rank)}"
    return text


def _bundle(r: Row) -> str:
    if r.bundle_change == "enter":
        return "enters"
    if r.bundle_change == "leave":
        return "leaves"
    return "kept" if r.a_bundle and r.b_bundle else ""


def _cells(r: Row) -> list[str]:
    return [f"{_rank(r.a_rank)} → {_rank(r.b_rank)}", _move(r), f"{num(r.a_score)} → {num(r.b_score)}",
            _bundle(r)]


def _side_line(c: Comparison) -> tuple[str, str]:
    return (f"A: {c.a.label}" + (f" (scope {c.a.scope})" if c.a.ratings else ""),
            f"B: {c.b.label}" + (f" (scope {c.b.scope})" if c.b.ratings else ""))


def as_table(c: Comparison) -> Any:
    from rich.console import Group
    from rich.text import Text

    a, b = _side_line(c)
    head = Text.assemble(("Scenario comparison", "bold"), f" · method {c.method}\n{a}\n{b}\n", (c.summary(), "bold"))
    tbl = Grid(f"Top {c.top_k} and bundle, A → B", [Col("strategy", head=True), Col("rank"), Col("move"),
                                                      Col("score"), Col("bundle")], lines=True)
    for r in c.rows:
        tbl.add(Named(r.name, r.id), *_cells(r), bold=r.change in ("enter", "leave") or bool(r.bundle_change))
    parts: list[Any] = [head, Text(""), tbl]
    if c.weights:
        w = Grid("Determinant weights that differ", [Col("determinant", head=True), Col("A", right=True),
                                                      Col("B", right=True)], lines=True)
        for x in c.weights:
            w.add(Named(x.name, x.id), num(x.a), num(x.b))
        parts += [Text(""), w]
    return Group(*parts)


def stderr_summary(c: Comparison) -> str | None:
    """One line counting the warnings of one side only (``--verbose`` prints them)."""
    return f"{len(c.warnings)} warning(s) of one side only — see them with --verbose" if c.warnings else None


def as_json(c: Comparison) -> str:
    return c.model_dump_json(indent=2) + "\n"


def as_markdown(c: Comparison) -> str:
    a, b = _side_line(c)
    out = ["# Scenario comparison", "", f"Method `{c.method}` · {_md(a)} · {_md(b)}", "", f"**{_md(c.summary())}**", "",
           f"## Top {c.top_k} and bundle, A → B", ""]
    out += _md_table(["strategy", "rank A → B", "move", "score A → B", "bundle"],
                     [[f"{r.name} (`{r.id}`)", *_cells(r)] for r in c.rows])
    if c.weights:
        out += ["", "## Determinant weights that differ", ""]
        out += _md_table(["determinant", "A", "B"],
                         [[f"{x.name} (`{x.id}`)", num(x.a), num(x.b)] for x in c.weights], right={1, 2})
    if c.warnings:
        out += ["", "## Warnings of one side only", ""]
        out += [f"- {_md(w)}" for w in c.warnings]
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[Comparison], Any]] = {"table": as_table, "json": as_json, "markdown": as_markdown}
"""One renderer per ``compare --format`` value (a test checks every value has one)."""

CARRIES_WARNINGS = {"json", "markdown"}
"""Formats whose output includes the warnings; for the others they go to stderr."""
