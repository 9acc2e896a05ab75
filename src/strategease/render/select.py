"""Renderers for selection results: one function per ``--format`` value, found through registries.

``RENDERERS[fmt](result)`` renders a whole :class:`SelectionResult`; ``EXPLAINERS[fmt](result,
strategy, citations)`` renders the itemised breakdown of one strategy. A renderer returns either
text (written to stdout verbatim) or a Rich renderable (printed through the stdout console, so it
honours ``NO_COLOR`` and ``STRATEGEASE_WIDTH``). :func:`stderr_lines` gives the status lines
(uncovered determinants, warnings, coverage notes) for formats that cannot carry them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from strategease.fmt import num, pct
from strategease.render.effects import EFFECTS_CAVEAT, effect_lines
from strategease.render.layout import Col, Grid, Named
from strategease.selection.result import (
    BuildsOnPick,
    Contribution,
    RatedDeterminant,
    SelectionResult,
    Spread,
    StrategyOut,
)
from strategease.selection.stability import CONTENDER_SHARE, shown, verdict

if TYPE_CHECKING:
    from rich.console import RenderableType

Renderer = Callable[[SelectionResult], Any]
Explainer = Callable[[SelectionResult, StrategyOut, Mapping[str, str], Sequence[Mapping[str, Any]]], Any]
"""An explainer gets the result, the strategy, citations by source key and the strategy's published effects."""


# --------------------------------------------------------------------------- shared bits


def _num(value: float | None, digits: int = 3) -> str:
    """Compact number (see :func:`strategease.fmt.num`); empty when missing, as tables leave the cell blank."""
    return num(value, digits, missing="")


def _pct(value: float | None) -> str:
    return "" if value is None else _num(value, 2)


def _is_cfir_eric(result: SelectionResult) -> bool:
    return result.method == "cfir-eric"


def _coverage_pct(result: SelectionResult) -> str:
    b = result.bundle
    if b is None or b.total_weight <= 0:
        return ""
    return pct(b.covered_weight / b.total_weight)


def _names(result: SelectionResult) -> dict[str, str]:
    names = {d.id: d.name for d in result.determinants}
    names.update({f.id: f.name for f in result.functions})
    return names


def stderr_summary(result: SelectionResult) -> list[str]:
    """At most two lines for stderr after the results: what the scope's determinants rest on, and a count
    of what concerns this scope with how to see it (``--verbose``)."""
    lines = [result.evidence_basis.summary] if result.evidence_basis is not None else []
    bits = []
    if result.uncovered:
        bits.append(f"{len(result.uncovered)} determinant(s) not covered")
    if result.warnings:
        bits.append(f"{len(result.warnings)} warning(s)")
    if result.coverage_notes:
        bits.append(f"{len(result.coverage_notes)} catalogue note(s) on this scope's frameworks")
    if bits:
        lines.append(", ".join(bits) + " — see them with --verbose")
    return lines


def stderr_lines(result: SelectionResult) -> list[str]:
    """Status lines for stderr (``--verbose``): uncovered determinants, warnings, coverage notes."""
    lines = []
    names = _names(result)
    if result.evidence_basis is not None:
        lines.append(result.evidence_basis.summary)
    if result.uncovered:
        lines.append("uncovered: " + ", ".join(f"{names.get(d, d)} ({d})" for d in result.uncovered))
    lines.extend(f"warning: {w}" for w in result.warnings)
    lines.extend(f"note: {n}" for n in result.coverage_notes)
    return lines


def _md_item(line: str) -> str:
    """A Markdown list item; a leading '[x] ' or '[ ] ' stays a task-list checkbox, the rest is escaped."""
    if line[:4] in ("[x] ", "[ ] "):
        return f"- {line[:4]}{_md(line[4:])}"
    return f"- {_md(line)}"


NO_LEVER = ("no strategy for this scope's actors is linked to it directly (a type of HOW is too broad to say what "
            "builds on a strength): discuss with the team how to draw on it")


BUILDS_ON_NOTE = ("B = builds-on pick: a strategy that uses an important facilitator, listed after the barrier "
                  "picks; it adds no coverage and displaces no barrier pick ('strategease docs scoring', §6).")


def sentence(text: str) -> str:
    """A note as a sentence: capital first letter, a closing full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def builds_on_label(pick: BuildsOnPick) -> str:
    """'builds on: Social Influences' (every facilitator the pick uses, most important first)."""
    return "builds on: " + "; ".join(f.name for f in pick.facilitators)


def builds_on_rows(result: SelectionResult) -> list[tuple[str, BuildsOnPick]]:
    """The bundle's builds-on picks with their codes (B1, B2, …), in the bundle's order."""
    b = result.bundle
    return [(f"B{i}", p) for i, p in enumerate(b.builds_on or [], 1)] if b is not None else []


def bundle_role(result: SelectionResult, strategy_id: str) -> str | None:
    """How a strategy is in the bundle, in words ('bundle pick 2 of 5 (gain …)', 'builds-on pick B1 of the bundle
    (builds on: …)'), or None when it is not: :func:`bundle_role_json` written out."""
    role = bundle_role_json(result, strategy_id)
    if role is None or result.bundle is None:
        return None
    if role["role"] == "barrier-pick":
        return f"bundle pick {role['pick']} of {len(result.bundle.strategies)} (gain {_num(role['gain'])})"
    pick = next(p for code, p in builds_on_rows(result) if code == role["pick"])
    return f"builds-on pick {role['pick']} of the bundle ({builds_on_label(pick)}; adds no coverage)"


def bundle_role_json(result: SelectionResult, strategy_id: str) -> dict[str, Any] | None:
    """How a strategy is in the bundle, for ``--explain --format json``: ``{"role": "barrier-pick", "pick": 2,
    "gain": …}`` or ``{"role": "builds-on", "pick": "B1", "facilitators": [ids]}``; None when it is not."""
    b = result.bundle
    if b is None:
        return None
    for i, item in enumerate(b.strategies, 1):
        if item.id == strategy_id:
            return {"role": "barrier-pick", "pick": i, "gain": item.gain}
    for code, pick in builds_on_rows(result):
        if pick.id == strategy_id:
            return {"role": "builds-on", "pick": code, "facilitators": [f.determinant for f in pick.facilitators]}
    return None


def method_sections(result: SelectionResult) -> list[tuple[str, list[str]]]:
    """The sections method ``default`` adds beside the ranking, as (title, lines) for every text format:
    who the change is about, ties, the structural check, what to build on, the foundation checklist,
    strategies aimed at other actors and strategies that are part of the change. Empty ones are left out."""
    out: list[tuple[str, list[str]]] = []
    names = _names(result)
    fit = result.actor_fit
    if fit is not None and fit.actor_type:
        lines = [f"actor type: {', '.join(fit.actor_type)}; strategies aimed at {', '.join(fit.admitted)} are ranked"]
        lines += [f"{actor} admitted because the scope names {', '.join(names.get(d, d) for d in dets)}"
                  for actor, dets in sorted(fit.named.items())]
        out.append(("Who must change", lines))
    if result.tie_groups:
        out.append(("Ties (equal scores: choose among these with APEASE)",
                    [f"ranks {g.ranks[0]}–{g.ranks[1]} at {_num(g.score)}: {', '.join(g.strategies)}"
                     for g in result.tie_groups]))
    sc = result.structural_check
    if sc is not None and sc.flagged:
        out.append((f"Rests on one curated link (structural check of the top {sc.top_k}, "
                    f"{sc.links_checked} curated links left out one at a time)",
                    [f"rank {f.rank} {f.name} ({f.id}): without {f.link} it "
                     + (f"falls to rank {f.rank_without}" if f.rank_without else "is no longer ranked")
                     for f in sc.flagged]))
    picked = {(f.determinant, p.id): code for code, p in builds_on_rows(result) for f in p.facilitators}
    for b in result.build_on or []:
        out.append((f"Build on: {b.name} (facilitator, adds no points)",
                    [f"{lv.name} ({lv.id}), via {lv.via}"
                     + (f" — in the bundle as builds-on pick {picked[b.determinant, lv.id]}"
                        if (b.determinant, lv.id) in picked else "") for lv in b.strategies]
                    or [NO_LEVER]))
    if result.foundation:
        out.append(("Foundation checklist (implementation-process strategies every plan needs; not ranked)",
                    [f"[{'x' if f.in_place else ' '}] {f.name} ({f.id})" for f in result.foundation]))
    if result.other_actors:
        by_sector = any(a.sectors for a in result.other_actors)
        out.append((f"Aimed at other actors{' or sectors' if by_sector else ''} (not ranked, never bundled)",
                    [f"{a.name} ({a.id}): acts on {', '.join(a.targets)}"
                     + (f"; needs {', '.join(a.sectors)}" if a.sectors else "")
                     + f"; reached from {', '.join(names.get(d, d) for d in a.determinants)}"
                     for a in result.other_actors]))
    if result.part_of_change:
        out.append(("Part of the change (the innovation itself; not recommended)",
                    [f"{p.name} ({p.id})" for p in result.part_of_change]))
    return out


# --------------------------------------------------------------------------- table (Rich)


EVIDENCE_SHORT = {"survey-of-experts": "survey", "systematic-review": "review", "published-matrix": "matrix",
                  "secondary-report": "secondary", "seed-document": "seed", "curated": "curated"}


def _short_evidence(values: list[str]) -> str:
    return ", ".join(EVIDENCE_SHORT.get(v, v) for v in values)


def _total_weight(result: SelectionResult) -> float:
    """The weight a score can reach: the barriers' (facilitators add no points in method default)."""
    return sum(d.weight for d in result.determinants if d.weight is not None and d.kind == "barrier")


def _score_cell(result: SelectionResult, score: float | None) -> str:
    """A score with its plain scale: its share of the scope's barrier weight (docs/scoring.md)."""
    total = _total_weight(result)
    if score is None or total <= 0:
        return _num(score)
    return f"{_num(score)} ({pct(score / total, 0)})"


def table(result: SelectionResult) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    names = _names(result)
    parts: list[Any] = []
    header = Text()
    header.append(result.scope.title, style="bold")
    header.append(f"\nscope {result.scope.path} · method {result.method}")
    header.append(f"\ncatalogue {result.catalogue.name} {result.catalogue.version}")
    parts.append(header)

    dets = Grid("Determinants", [Col("determinant", head=True), Col("kind"), Col("imp", right=True),
                                 Col("chg", right=True), Col("weight", right=True)], lines=True)
    for d in result.determinants:
        dets.add(Named(d.name, d.id), d.kind, _num(d.importance), _num(d.changeability), _num(d.weight))
    parts.append(dets)
    if result.team_ratings is not None:
        parts.append(_team_table(result))
    if result.partners is not None:
        parts.append(_partners_table(result))

    if result.functions:
        how = " · ".join(f"{f.name} {_num(f.score)}" for f in result.functions)
        parts.append(Text.assemble(("Types of HOW (intervention functions): ", "bold"), how))

    cfir = _is_cfir_eric(result)
    cols = [Col("#", right=True, head=True), Col("strategy", head=True)]
    cols += ([Col("cum %", right=True), Col("L1", right=True), Col("L2", right=True)] if cfir
             else [Col("score", right=True)])
    cols += [Col("addresses")] + ([] if cfir else [Col("functions")]) + [Col("evidence")]
    ranked = Grid(f"Ranked strategies ({len(result.strategies)} shown)", cols, lines=True)
    for s in result.strategies:
        addresses = "; ".join(names.get(d, d) for d in s.determinants)
        if cfir:
            ranked.add(str(s.rank), Named(s.name, s.id), _pct(s.cumulative_percent), str(s.level1 or 0),
                       str(s.level2 or 0), addresses, _short_evidence(s.evidence))
        else:
            ranked.add(str(s.rank), Named(s.name, s.id), _score_cell(result, s.score), addresses,
                       "; ".join(names.get(f, f) for f in s.functions), _short_evidence(s.evidence))
    if not result.strategies:
        parts.append(Text("No strategy is reached from this scope's determinants.", style="bold"))
    else:
        parts.append(ranked)
        if not cfir:
            parts.append(Text(f"share = score ÷ the scope's barrier weight ({_num(_total_weight(result))}); "
                              "100 % would be full strength on every determinant. Each score is what the strategy "
                              "adds beyond those ranked above it, so the list covers every barrier "
                              "('strategease docs scoring').", style="dim"))

    if result.already_in_place:
        placed = " · ".join(f"{s.name} ({s.id}) {_num(s.score)}" for s in result.already_in_place)
        parts.append(Text.assemble(("Already in place: ", "bold"), placed))
    for title, lines in method_sections(result):
        parts.append(Text(title + "\n", style="bold") + Text("\n".join(lines)))

    b = result.bundle
    if b is not None:
        bundle = Grid(f"Suggested bundle (greedy coverage, up to {b.size})",
                      [Col("pick", right=True, head=True), Col("strategy", head=True), Col("gain", right=True),
                       Col("covers")], lines=True)
        for i, item in enumerate(b.strategies, start=1):
            bundle.add(str(i), Named(item.name, item.id), _num(item.gain),
                       "; ".join(names.get(d, d) for d in item.covers))
        parts.append(bundle)
        summary = (f"Covered weight {_num(b.covered_weight)} of {_num(b.total_weight)} ({_coverage_pct(result)})"
                   + (f"; not covered: {', '.join(b.uncovered)}" if b.uncovered else ""))
        why = bundle_differences(result)
        parts.append(Text(summary + ("\n" + "\n".join(why) if why else "")))
        if b.builds_on:
            levers = Grid("Building on strengths (after the barrier picks)",
                          [Col("pick", head=True), Col("strategy", head=True), Col("uses")], lines=True)
            for code, pick in builds_on_rows(result):
                levers.add(code, Named(pick.name, pick.id), builds_on_label(pick))
            parts.append(levers)
        lines = ([BUILDS_ON_NOTE] if b.builds_on else []) + [sentence(n)
                                                              for n in b.builds_on_notes or []]
        if lines:
            parts.append(Text("\n".join(lines)))
    if result.stability is not None:
        parts.append(_stability_table(result))
    parts.append(Text(f"Evidence: survey = % of experts endorsing; review = a systematic review (e.g. Cochrane EPOC); "
                      f"matrix = published table; secondary = later report, no number; seed = seed documents; "
                      f"curated = this project's judgement.\n"
                      f"Explain a score: strategease select {result.scope.path} --explain ID (or a rank number)",
                      style="dim"))
    return Group(*_spaced(parts))


def bundle_differences(result: SelectionResult) -> list[str]:
    """Why the bundle differs from the top of the ranking: for each strategy ranked within the bundle's size
    but not picked, which picks already reach its determinants (the bundle maximises coverage, not rank)."""
    b = result.bundle
    if b is None or not b.strategies:
        return []
    names = _names(result)
    picked = {item.id for item in b.strategies}
    reached: dict[str, list[str]] = {}
    for item in b.strategies:
        for d in item.covers:
            reached.setdefault(d, []).append(item.name)
    lines = []
    for s in result.strategies[: len(b.strategies)]:
        if s.id in picked:
            continue
        by: dict[str, list[str]] = {}
        left = []
        for d in s.determinants:
            if d in reached:
                by.setdefault(reached[d][0], []).append(names.get(d, d))
            else:
                left.append(names.get(d, d))
        if by and not left:
            reason = "its determinants are already reached by " + "; ".join(
                f"{who} ({', '.join(ds)})" for who, ds in by.items())
        elif by:
            reason = (f"once the picks are in, it adds less than they do (only {', '.join(left)} is not reached "
                      "by them)")
        else:
            reason = "the picks add more coverage"
        lines.append(f"Rank {s.rank} {s.name} is not in the bundle: {reason}.")
    return lines


def _team_title(result: SelectionResult) -> str:
    tr = result.team_ratings
    assert tr is not None
    raters = ", ".join(r.name + (f" ({r.role})" if r.role else "") for r in tr.raters)
    return f"Team ratings ({tr.aggregate} of {len(tr.raters)} rater(s): {raters})"


def _spread_text(s: Spread) -> str:
    if s.n == 0 or s.aggregate is None:
        return "not rated"
    text = _num(s.aggregate, 2)
    if s.n > 1:
        text += f" ({s.min}–{s.max}, IQR {_num(s.iqr, 2)})"
    return text


def _agreement(d: RatedDeterminant) -> str:
    if d.disagreement:
        return "DISCUSS: " + "; ".join(d.reasons)
    if d.raters < 2:
        return "one rater"
    return "agree" if all((s.range or 0) <= 1 for s in (d.importance, d.changeability)) else "some spread"


def _team_rows(result: SelectionResult) -> list[list[str]]:
    tr = result.team_ratings
    assert tr is not None
    return [[d.id, d.name + ("" if d.in_scope else " [added]"), str(d.raters), _spread_text(d.importance),
             _spread_text(d.changeability), _agreement(d)] for d in tr.determinants]


TEAM_HEADERS = ["id", "determinant", "raters", "importance", "changeability", "agreement"]


def _team_table(result: SelectionResult) -> Any:
    from rich.console import Group
    from rich.text import Text

    tr = result.team_ratings
    assert tr is not None
    tbl = Grid(_team_title(result), [Col("determinant", head=True), Col("raters", right=True), Col("importance"),
                                     Col("changeability"), Col("agreement")], lines=True)
    for row in _team_rows(result):
        det_id, name, raters, imp, chg, agreement = row
        tbl.add(Named(name, det_id), raters, imp, chg, agreement, bold=agreement.startswith("DISCUSS"))
    note = Text(f"Values: {tr.aggregate} (min–max, interquartile range). Flag rule: {tr.rule}.", style="dim")
    return Group(tbl, note)


PARTNER_HEADERS = ["partner", "type", "role", "involvement"]
STATUS_WORDS = {"present": "at the table", "missing": "MISSING", "informed-only": "only informed"}


def _partner_rows(result: SelectionResult) -> list[list[str]]:
    pa = result.partners
    assert pa is not None
    return [[p.name, p.type, p.role or "", p.involvement or "not stated"] for p in pa.partners]


def _need_lines(result: SelectionResult) -> list[str]:
    pa = result.partners
    assert pa is not None
    names = _names(result)
    lines = []
    for n in pa.needs:
        who = f" ({', '.join(n.partners)})" if n.partners else ""
        dets = ", ".join(names.get(d, d) for d in n.determinants)
        lines.append(f"{n.type}: {STATUS_WORDS.get(n.status, n.status)}{who}, for {dets}")
    return lines


def _partners_table(result: SelectionResult) -> Any:
    from rich.console import Group
    from rich.text import Text

    pa = result.partners
    assert pa is not None
    parts: list[Any] = []
    if pa.partners:
        tbl = Grid(f"Partners at the table ({len(pa.partners)})",
                   [Col(head, head=i == 0) for i, head in enumerate(PARTNER_HEADERS)])
        for row in _partner_rows(result):
            tbl.add(*row)
        parts.append(tbl)
    else:
        parts.append(Text("Partners at the table: none listed", style="bold"))
    lines = _need_lines(result)
    if lines:
        parts.append(Text("Partner types the determinants concern\n", style="bold")
                     + Text("\n".join(lines)))
    extra = [*pa.notes, *(f"push-only strategy while partners co-create: {p.name} ({p.id})" for p in pa.push_only)]
    if extra:
        parts.append(Text("\n".join(extra), style="dim"))
    return Group(*_spaced(parts))


"""Stability rows shown besides the unperturbed top k and bundle: in the top k or bundle in this share of runs."""
STABILITY_HEADERS = ["rank", "strategy", "in top k", "in bundle", "rank in runs", "stability"]


def _stability_title(result: SelectionResult) -> str:
    st = result.stability
    assert st is not None
    return (f"Ranking stability ({st.runs} runs, seed {st.seed}: weights ±{_num(st.weight_jitter)} point, "
            f"links ±{_num(st.link_jitter * 100)} %; top k = {st.top_k})")


def _share(share: float) -> str:
    return pct(share)


def _stability_rows(result: SelectionResult) -> list[list[str]]:
    st = result.stability
    assert st is not None
    rows = []
    for r in st.strategies:
        if not shown(r):
            continue
        ranks = "" if r.rank_median is None else f"{_num(r.rank_median)} ({r.rank_min}–{r.rank_max})"
        mark = verdict(r)
        if r.unstable:  # the terminal's emphasis; the words are stability.verdict's
            mark = "UNSTABLE" + mark[len("unstable"):]
        base = str(r.baseline_rank) if r.baseline_rank is not None else "–"
        if r.in_baseline_bundle:
            base += " (bundle)"
        rows.append([base, r.name, r.id, _share(r.top_share), _share(r.bundle_share), ranks, mark])
    return rows


def _stability_note(result: SelectionResult) -> str:
    st = result.stability
    assert st is not None
    return (f"Unstable = in the unperturbed top {st.top_k} or bundle but there in fewer than "
            f"{_num(st.threshold * 100)} % of runs; contenders reach the top {st.top_k} or the bundle in at least "
            f"{_num(CONTENDER_SHARE * 100)} % of runs. Model: {st.model}.")


def _stability_table(result: SelectionResult) -> Any:
    from rich.console import Group
    from rich.text import Text

    tbl = Grid(_stability_title(result), [Col("rank", right=True, head=True), Col("strategy", head=True),
                                          Col("in top k", right=True), Col("in bundle", right=True),
                                          Col("rank in runs"), Col("stability")], lines=True)
    for base, name, sid, top, bundle, ranks, mark in _stability_rows(result):
        tbl.add(base, Named(name, sid), top, bundle, ranks, mark, bold=mark.startswith("UNSTABLE"))
    return Group(tbl, Text(_stability_note(result), style="dim"))


def _spaced(parts: list[Any]) -> list[Any]:
    from rich.text import Text

    out: list[Any] = []
    for i, part in enumerate(parts):
        if i:
            out.append(Text(""))
        out.append(part)
    return out


# --------------------------------------------------------------------------- json, csv, markdown


def as_json(result: SelectionResult) -> str:
    return result.model_dump_json(indent=2) + "\n"


CSV_COLUMNS = ("rank", "id", "name", "framework", "cluster", "score", "cumulative_percent", "level1", "level2",
               "determinants", "functions", "evidence", "importance", "feasibility", "bundle_pick", "tie_group",
               "rests_on", "builds_on")


def as_csv(result: SelectionResult) -> str:
    """One row per ranked strategy; list cells joined by ';'. Columns are stable (``CSV_COLUMNS``)."""
    picks: dict[str, int | str] = {item.id: i for i, item in enumerate(result.bundle.strategies, 1)} \
        if result.bundle else {}
    picks.update({p.id: code for code, p in builds_on_rows(result)})  # B1, B2, …: builds-on picks
    ties = {sid: f"{g.ranks[0]}-{g.ranks[1]}" for g in result.tie_groups or [] for sid in g.strategies}
    rests: dict[str, list[str]] = {}
    for f in result.structural_check.flagged if result.structural_check else []:
        rests.setdefault(f.id, []).append(f.link)
    levers: dict[str, list[str]] = {}
    for b in result.build_on or []:
        for lv in b.strategies:
            levers.setdefault(lv.id, []).append(b.determinant)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in result.strategies:
        writer.writerow([s.rank, s.id, _text_cell(s.name), s.framework, s.cluster or "", _cell(s.score),
                         _cell(s.cumulative_percent), _cell(s.level1), _cell(s.level2), ";".join(s.determinants),
                         ";".join(s.functions), ";".join(s.evidence), _cell(s.importance), _cell(s.feasibility),
                         picks.get(s.id, ""), ties.get(s.id, ""), ";".join(rests.get(s.id, [])),
                         ";".join(levers.get(s.id, []))])
    return buf.getvalue()


def _text_cell(text: str) -> str:
    """Neutralise spreadsheet formulas: text starting with = + - @ (or tab/CR) gets a leading apostrophe.

    Ids, numbers and frameworks are pattern-checked; names come from catalogues and may be hostile
    (OWASP "CSV injection").
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(value: float | int | None) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


_MD_MARK = re.compile(r"([\\`*_~\[\]|#])")
_MD_BULLET = re.compile(r"^([-+])(?=\s|$)")
_MD_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
_MD_CODE = re.compile(r"\\`([a-z0-9][a-z0-9.\-]*)\\`")


def _md(text: object) -> str:
    """Catalogue or scope text made inert in a Markdown table cell or list item: one line (every
    kind of line break collapsed, so no new block can start), no raw HTML or autolinks (``<``,
    ``>`` and ``&`` as entities), and every character that starts emphasis, strikethrough, code,
    links, images, headings or breaks a table row (`` \\ ` * _ ~ [ ] | # ``) backslash-escaped; a
    leading list marker is escaped too. Only code spans this module writes around ids
    (`` `eric.audit` ``: lower-case letters, digits, ``.`` and ``-``) stay code."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_BULLET.sub(r"\\\1", _MD_ORDERED.sub(r"\1\\\2", _MD_MARK.sub(r"\\\1", text)))
    return _MD_CODE.sub(r"`\1`", text)


def _code(text: str) -> str:
    """TEXT as a Markdown code span (shown literally), whatever backticks it holds."""
    text = " ".join(text.split())
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def as_markdown(result: SelectionResult) -> str:
    sc = result.scope
    cfir = _is_cfir_eric(result)
    out = [f"# Implementation strategies: {_md(sc.title)}", ""]
    out.append(f"Method `{result.method}` · catalogue {_md(result.catalogue.name)} {result.catalogue.version} "
               f"(`{result.catalogue.content_hash[:12]}`) · scope {_code(sc.path)} (`{sc.content_hash[:12]}`) · "
               f"strategease {result.tool_version}")
    out += ["", "## The change", ""]
    out += [f"- **{k}**: {_md(v)}" for k, v in sc.change.items()]
    if sc.levels:
        out.append(f"- **levels**: {', '.join(sc.levels)}")
    out += ["", "## Determinants", ""]
    out += _md_table(["id", "name", "kind", "importance", "changeability", "weight", "resolved via"],
                     [[d.id, d.name, d.kind, _num(d.importance), _num(d.changeability), _num(d.weight),
                       ", ".join(d.resolved_via)] for d in result.determinants], right={3, 4, 5})
    if result.team_ratings is not None:
        tr = result.team_ratings
        out += ["", f"## {_md(_team_title(result))}", ""]
        out += _md_table(TEAM_HEADERS, _team_rows(result), right={2})
        out += ["", f"Values: {tr.aggregate} (min–max, interquartile range). Flag rule: {_md(tr.rule)}."]
    if result.partners is not None:
        pa = result.partners
        out += ["", "## Partners at the table", ""]
        if pa.partners:
            out += _md_table(PARTNER_HEADERS, _partner_rows(result))
        else:
            out.append("None listed.")
        if pa.needs:
            out += ["", "Partner types the determinants concern:", ""]
            out += [f"- {_md(line)}" for line in _need_lines(result)]
        extra = [*pa.notes, *(f"push-only strategy while partners co-create: {p.name} (`{p.id}`)"
                              for p in pa.push_only)]
        if extra:
            out += [""] + [f"- {_md(line)}" for line in extra]
    if result.functions:
        out += ["", "## Types of HOW (intervention functions)", ""]
        out += _md_table(["function", "score", "called for by"],
                         [[f"{f.name} (`{f.id}`)", _num(f.score), ", ".join(f.determinants)]
                          for f in result.functions], right={1})
    out += ["", "## Ranked strategies", ""]
    if not result.strategies:
        out.append("No strategy is reached from this scope's determinants.")
    elif cfir:
        out += _md_table(["rank", "strategy", "cumulative %", "level 1", "level 2", "addresses", "evidence"],
                         [[str(s.rank), f"{s.name} (`{s.id}`)", _pct(s.cumulative_percent), str(s.level1 or 0),
                           str(s.level2 or 0), ", ".join(s.determinants), ", ".join(s.evidence)]
                          for s in result.strategies], right={0, 2, 3, 4})
    else:
        out += _md_table(["rank", "strategy", "score", "addresses", "functions", "evidence"],
                         [[str(s.rank), f"{s.name} (`{s.id}`)", _num(s.score), ", ".join(s.determinants),
                           ", ".join(s.functions), ", ".join(s.evidence)] for s in result.strategies],
                         right={0, 2})
    if result.already_in_place:
        out += ["", "## Already in place", ""]
        out += [f"- {_md(s.name)} (`{s.id}`): score {_num(s.score)}" for s in result.already_in_place]
    for title, lines in method_sections(result):
        out += ["", f"## {_md(title)}", ""] + [_md_item(line) for line in lines]
    b = result.bundle
    if b is not None:
        out += ["", f"## Suggested bundle (greedy coverage, up to {b.size})", ""]
        out += _md_table(["pick", "strategy", "gain", "covers"],
                         [[str(i), f"{it.name} (`{it.id}`)", _num(it.gain), ", ".join(it.covers)]
                          for i, it in enumerate(b.strategies, 1)]
                         + [[code, f"{p.name} (`{p.id}`)", "", builds_on_label(p)]
                            for code, p in builds_on_rows(result)],
                         right={0, 2})
        out += ["", f"Covered weight {_num(b.covered_weight)} of {_num(b.total_weight)} ({_coverage_pct(result)})."]
        if b.uncovered:
            out.append(f"Not covered: {', '.join(b.uncovered)}.")
        if b.builds_on:
            out += ["", _md(BUILDS_ON_NOTE)]
        if b.builds_on_notes:
            out += ["", *(f"- {_md(sentence(n))}" for n in b.builds_on_notes)]
        for line in bundle_differences(result):
            out += ["", _md(line)]
    if result.stability is not None:
        out += ["", f"## {_md(_stability_title(result))}", ""]
        out += _md_table(STABILITY_HEADERS, [[base, f"{name} (`{sid}`)", *rest]
                                             for base, name, sid, *rest in _stability_rows(result)], right={2, 3})
        out += ["", _md(_stability_note(result))]
    if result.uncovered or result.warnings:
        out += ["", "## Warnings", ""]
        names = _names(result)
        out += [f"- uncovered: {_md(names.get(d, d))} (`{d}`)" for d in result.uncovered]
        out += [f"- {_md(w)}" for w in result.warnings]
    if result.coverage_notes:
        out += ["", "## Catalogue coverage notes", ""]
        out += [f"- {_md(n)}" for n in result.coverage_notes]
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Renderer] = {"table": table, "json": as_json, "csv": as_csv, "markdown": as_markdown}
"""One renderer per ``--format`` value (a test checks that every value has one)."""

CARRIES_WARNINGS = {"json", "markdown"}
"""Formats whose output includes the warnings; the others print them on stderr."""


# --------------------------------------------------------------------------- explain


def _score_line(s: StrategyOut, cfir: bool) -> str:
    if cfir:
        return (f"cumulative {_pct(s.cumulative_percent)} % · Level 1 for {s.level1 or 0} · "
                f"Level 2 for {s.level2 or 0} chosen barrier(s)")
    return f"score {_num(s.score, 6)}"


def _cited(c: Contribution, citations: Mapping[str, str]) -> list[str]:
    keys = [k.strip() for k in (c.source or "").split(";") if k.strip()]
    return [f"{k}: {citations.get(k, '(citation not in catalogue)')}" for k in keys]


def _where(result: SelectionResult, s: StrategyOut) -> str:
    if s in result.strategies:
        return f"rank {s.rank}"
    if s in result.already_in_place:
        return "already in place"
    return "not ranked"  # a builds-on pick reached from a facilitator only (levers.unranked_pick)


def explain_table(result: SelectionResult, s: StrategyOut, citations: Mapping[str, str],
                  effects: Sequence[Mapping[str, Any]] = ()) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    cfir = _is_cfir_eric(result)
    role = bundle_role(result, s.id)
    head = Text.assemble((s.name, "bold"), f"  ({s.id}, {_where(result, s)}, method {result.method})\n",
                         _score_line(s, cfir), f"\nIn the bundle: {role}" if role else "")
    v2 = not cfir
    tbl = Grid("Contributions (they add up to the score)",
               [Col("determinant", head=True), Col("via"), Col("strength", right=True),
                *((Col("relative", right=True), Col("novelty", right=True), Col("breadth", right=True)) if v2 else ()),
                Col("weight", right=True), Col("value", right=True), Col("rule")])
    for c in s.contributions:
        extra = (_num(c.relative, 6), _num(c.novelty, 6), _num(c.breadth, 6)) if v2 else ()
        tbl.add(c.determinant or f"({c.via})", c.via, _num(c.strength, 6), *extra, _num(c.weight, 6),
                _num(c.value, 6), c.rule)
    tbl.add("total", "", "", *(("", "", "") if v2 else ()), "", _num(s.score, 6), "", bold=True)
    parts: list[Any] = [head, tbl]
    notes = []
    for c in s.contributions:
        bits = [b for b in (c.evidence, f"source {c.source}" if c.source else None, c.note) if b]
        if bits:
            notes.append(f"{c.determinant or c.via}: {'; '.join(bits)}")
    if notes:
        parts.append(Text("Evidence and notes\n", style="bold") + Text("\n".join(notes)))
    if s.bounds:
        parts.append(Text("Known only as bounds (not counted)\n", style="bold") + Text("\n".join(s.bounds)))
    if effects:
        parts.append(Text("Published effectiveness (not part of the score)\n", style="bold")
                     + Text("\n".join([*effect_lines(effects), EFFECTS_CAVEAT])))
    sources = _sources(s, citations)
    if sources:
        parts.append(Text("Sources\n", style="bold") + Text("\n".join(sources)))
    return Group(*_spaced(parts))


def _sources(s: StrategyOut, citations: Mapping[str, str]) -> list[str]:
    seen: list[str] = []
    for c in s.contributions:
        for line in _cited(c, citations):
            if line not in seen:
                seen.append(line)
    return seen


def explain_json(result: SelectionResult, s: StrategyOut, citations: Mapping[str, str],
                 effects: Sequence[Mapping[str, Any]] = ()) -> str:
    doc: dict[str, Any] = {"method": result.method, "strategy": s.model_dump(mode="json"),
                           "citations": {k.split(": ", 1)[0]: k.split(": ", 1)[1] for k in _sources(s, citations)}}
    role = bundle_role_json(result, s.id)
    if role is not None:
        doc["bundle"] = role
    if effects:
        doc["effects"] = [dict(e) for e in effects]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


EXPLAIN_CSV_COLUMNS = ("strategy", "determinant", "via", "strength", "relative", "novelty", "breadth", "weight",
                       "value", "rule", "evidence", "source", "note")


def explain_csv(result: SelectionResult, s: StrategyOut, citations: Mapping[str, str],
                effects: Sequence[Mapping[str, Any]] = ()) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(EXPLAIN_CSV_COLUMNS)
    for c in s.contributions:
        writer.writerow([s.id, c.determinant or "", c.via, _cell(c.strength), _cell(c.relative), _cell(c.novelty),
                         _cell(c.breadth),
                         _cell(c.weight), _cell(c.value),
                         c.rule, c.evidence or "", c.source or "", _text_cell(c.note or "")])
    return buf.getvalue()


def explain_markdown(result: SelectionResult, s: StrategyOut, citations: Mapping[str, str],
                     effects: Sequence[Mapping[str, Any]] = ()) -> str:
    cfir = _is_cfir_eric(result)
    role = bundle_role(result, s.id)
    out = [f"## {_md(s.name)} (`{s.id}`)", "",
           f"{_where(result, s)} · method `{result.method}` · {_score_line(s, cfir)}"
           + (f" · in the bundle: {_md(role)}" if role else ""), ""]
    out += _md_table(["determinant", "via", "strength", "relative", "novelty", "breadth", "weight", "value", "rule",
                      "evidence", "note"],
                     [[c.determinant or "—", c.via, _num(c.strength, 6), _num(c.relative, 6), _num(c.novelty, 6),
                       _num(c.breadth, 6), _num(c.weight, 6), _num(c.value, 6), c.rule, c.evidence or "", c.note or ""]
                      for c in s.contributions]
                     + [["**total**", "", "", "", "", "", "", f"**{_num(s.score, 6)}**", "", "", ""]],
                     right={2, 3, 4, 5, 6, 7})
    if s.bounds:
        out += ["", "Known only as bounds (not counted):", ""] + [f"- {_md(b)}" for b in s.bounds]
    if effects:
        out += ["", "Published effectiveness (not part of the score):", ""]
        out += [f"- {_md(line)}" for line in effect_lines(effects)] + ["", _md(EFFECTS_CAVEAT)]
    sources = _sources(s, citations)
    if sources:
        out += ["", "Sources:", ""] + [f"- {_md(line)}" for line in sources]
    return "\n".join(out) + "\n"


EXPLAINERS: dict[str, Explainer] = {"table": explain_table, "json": explain_json, "csv": explain_csv,
                                    "markdown": explain_markdown}
