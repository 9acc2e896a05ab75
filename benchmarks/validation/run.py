#!/usr/bin/env python3
"""Validation benchmark for strategease (issue #12, item 4). Reported, never pass/fail.

Fourteen parts:

1. **Published cases** (``benchmarks/validation/cases/*.yaml``): applications in which the authors coded their
   determinants (TDF, COM-B, CFIR) and named the implementation strategies they chose. For every case the runner
   builds a scope, runs the installed CLI (``strategease select SCOPE --format json --top 0 --method M``) for
   ``default`` and ``cfir-eric``, and computes recall@10 and recall@20 of the authors' choices. The baseline is a
   leave-one-out popularity ranking: the strategies chosen most often in the *other* cases (ties by id; strategies
   chosen nowhere else follow in id order). Cases whose strategies are themselves a catalogue source are flagged
   ``leakage`` and the means are shown with and without them.
2. **Held-out cases** (``benchmarks/validation/holdout/*.yaml``, same schema): published applications assembled
   on 2026-12-01 after the method had been tuned on the cases above, and never used for tuning. They are scored
   the same way and reported in a second table, "Held-out cases (not used for tuning)", with the same columns and
   means. Their popularity baseline is leave-one-out over *both* sets: for a held-out case, the strategies chosen
   most often in all other cases (the tuning cases and the other held-out cases; ties by id; strategies chosen
   nowhere else follow in id order). The baselines of the tuning cases are not touched: they still count only the
   other tuning cases, so the first table is the same with or without the held-out set.
3. **Held-out cases, second set** (``benchmarks/validation/holdout2/*.yaml``, same schema): published applications
   assembled on 2026-12-01 after the method change that followed the first held-out run, by a helper who changed
   no scoring, data or weights; never used for tuning. Reported in a third table, "Held-out cases, second set
   (assembled after the method change; not seen while tuning)", with the same columns and means. Their popularity
   baseline is leave-one-out over *all* sets: for a case of this set, the strategies chosen most often in all other
   cases (tuning, first held-out and the other second-set cases; ties by id; strategies chosen nowhere else follow
   in id order). The baselines of the first two tables are not touched (the first held-out set still counts tuning
   and first held-out cases only), so they are the same with or without this set. No case id or DOI may appear in
   two sets.
4. **Held-out cases, third set** (``benchmarks/validation/holdout3/*.yaml``, same schema): published applications
   assembled on 2026-12-01 by a helper who changed no scoring, data or weights, after the first two held-out sets had
   been seen while tuning; never used for tuning. Reported in a fourth table, "Held-out cases, third set (assembled
   2026-12-01; never used for tuning)", with the same columns and means. Their popularity baseline is leave-one-out
   over *all four* sets (tuning, first, second and the other third-set cases; ties by id; strategies chosen nowhere
   else follow in id order). The baselines of the first three tables are not touched, so they are the same with or
   without this set. No case id or DOI of this set may appear in any earlier set.
5. **Held-out cases, fourth set** (``benchmarks/validation/holdout4/*.yaml``, same schema): published applications
   assembled on the afternoon of 2026-12-01 by a helper who changed no scoring, data or weights, after the third set
   had been seen; never used for tuning. Reported in a fifth table, "Held-out cases, fourth set (assembled
   2026-12-01 afternoon; never used for tuning)", means only like the third set. Its popularity baseline is
   leave-one-out over *all five* sets; the baselines of the earlier tables are not touched. No case id or DOI of
   this set may appear in any earlier set.

   The held-out sets are one registry (``HELD_SETS``: folder, scopes folder, title, baseline pool, whether the set
   is blind), so loading, the disjointness check, scoring, the reports and the docs blocks run in one loop over the
   sets; a later set is added by one entry there. A blind set (the third and fourth) shows only its means in the
   text, Markdown and docs output; its per-case rows are in ``--json`` only (JSON key = folder name).
6. **Worked scopes** (``examples/worked/<name>.yaml`` with ``<name>.expected.yaml``): precision@10 against an
   expert's expected shortlist, implausible strategies in the top 10 and in the bundle, and the obvious misses
   (expected ``primary`` picks not in the top 10).
7. **Held-out worked scopes** (``benchmarks/validation/holdout_scopes/``, same two files per scope): the same
   figures, reported apart, for scopes whose expected lists were written blind (committed before any ``select``
   run on them) and are not used to tune the method; each obvious miss is shown with the rank where it appears.
8. **Held-out worked scopes, second set** (``benchmarks/validation/holdout_scopes2/``, same two files per scope):
   six more scopes in other settings and frameworks, written blind on 2026-12-01 by a helper who changed no
   scoring, data or weights (scope and expected list committed before any ``select`` run). It was kept blind
   until the afternoon of 2026-12-01, when its per-scope rows were read and drove catalogue changes (the third set
   below was written first, to take its place). Reported apart under "Held-out worked scopes, second set (written
   blind 2026-12-01; read and used for tuning that afternoon)": the text, Markdown and docs output show only its
   summary (mean precision@10, implausible strategies in top 10 and bundle, obvious misses, the issue's targets);
   the per-scope rows, with the missed strategies and their ranks, are in ``--json`` (JSON key
   ``holdout_worked2``). No scope name may appear in two sets of worked scopes.
9. **Held-out worked scopes, third set** (``benchmarks/validation/holdout_scopes3/``, same two files per scope):
   eight scopes in settings, actors and frameworks none of the earlier scopes covers, written blind on the
   afternoon of 2026-12-01 (scope and expected list committed before any ranking run on them) by a helper who
   changed no scoring, data or weights, while the second set was about to be used for tuning. Its aggregate was
   read once, blind, and recorded in docs/validation.md; then its per-scope rows were read and used for tuning
   (after the fourth set below had been started). Reported like the second set, as a summary only, under
   "Held-out worked scopes, third set (written blind 2026-12-01 afternoon; read once blind, then used for
   tuning)"; per-scope rows in ``--json`` (JSON key ``holdout_worked3``).
10. **Held-out worked scopes, fourth set** (``benchmarks/validation/holdout_scopes4/``, same two files per scope):
   eight more scopes in settings, actors and frameworks none of the earlier scopes covers, written blind late on
   the afternoon of 2026-12-01 (scope and expected list committed before any ranking run on them) by a helper who
   changed no scoring, data or weights, while the third set was about to be used for tuning. Its aggregate was
   read once, blind, and recorded in docs/validation.md; then its per-scope rows were read and used for tuning.
   Reported as a summary only under "Held-out worked scopes, fourth set (written blind 2026-12-01, late afternoon;
   read once blind, then used for tuning)"; per-scope rows in ``--json`` (JSON key ``holdout_worked4``).
11. **Held-out worked scopes, fifth set** (``benchmarks/validation/holdout_scopes5/``, same two files per scope):
   six scopes in settings, actors and frameworks none of the earlier scopes covers, written blind in the evening of
   2026-12-01 (scope and expected list committed before any ranking run on them) by a helper who changed no
   scoring, data or weights, after every earlier set had been used for tuning. Reported as a summary only under
   "Held-out worked scopes, fifth set (written blind 2026-12-01, evening; read twice blind as an aggregate, then
   used for tuning)"; per-scope rows in ``--json`` (JSON key ``holdout_worked5``). A second, independent rater's
   lists are in its ``second-rater/`` folder. Its aggregate was read at the end of one session and again at the
   start of the next (after the sixth set was written); then its per-scope rows were read and used for tuning.
12. **Held-out worked scopes, sixth set** (``benchmarks/validation/holdout_scopes6/``, same two files per scope):
   eight scopes in settings, actors and problems none of the earlier scopes covers (a school trust's leaders, adult
   social care, hospital de-implementation, lay health workers in a low-income country, health visiting, general
   practice, a police and mental-health partnership, patients at home), written blind at night on 2026-12-01
   (scope and lists committed before any ranking run on them) by a helper who changed no scoring, data or weights,
   after the fifth set had been read. Each expected list also judges every other strategy of the catalogue for its
   scope (``acceptable``; the rubric is in the set's README), so the set has judged precision@10 too. Reported as a
   summary only under "Held-out worked scopes, sixth set (written blind 2026-12-01, night; read once blind as an
   aggregate, then used for tuning)"; per-scope rows in ``--json`` (JSON key ``holdout_worked6``). Its aggregate
   was read once at the end of one session; at the start of the next (after the seventh set's scopes were written)
   its per-scope rows were read and used for tuning.
13. **Held-out worked scopes, seventh set** (``benchmarks/validation/holdout_scopes7/``, same two files per scope):
   eight scopes in settings, actors and problems none of the earlier scopes covers (orthopaedic trauma wards,
   community pharmacies, childcare centres' kitchens, community case management in a low-income country, acute
   psychiatric wards, patients with heart failure at home, a hospital, council and community-health partnership,
   county jails' leaders), written blind on 2026-12-01 after the sixth set had been read (scopes committed alone
   first, for a second rater; the first rater's lists committed before any ranking run on them) by a helper who
   changed no scoring, data or weights. Each expected list grades the whole catalogue under the sixth set's rubric
   (``acceptable`` included). Reported as a summary only under "Held-out worked scopes, seventh set (written blind
   2026-12-01, after the sixth set was read; read once blind as an aggregate, then used for tuning)"; per-scope rows
   in ``--json`` (JSON key ``holdout_worked7``). Its aggregate was read once at the end of one session; at the start
   of the next (after the eighth set's scopes were written) its per-scope rows were read and used for tuning.
14. **Held-out worked scopes, eighth set** (``benchmarks/validation/holdout_scopes8/``, same two files per scope):
   eight scopes in settings, actors and problems none of the earlier scopes covers (outpatient oncology, an
   emergency department, general practices, primary-school classrooms, home-based newborn care in rural India,
   patients with glaucoma at home, community sports clubs' committees, a fire and rescue service with an NHS falls
   service and a council), each naming its sector(s) (``change.sector``), written blind late in the evening of
   2026-12-01 (scopes committed alone first, for a second rater; the first rater's lists committed before any
   ranking run on them) by a helper who changed no scoring, data or weights. Each expected list grades the whole
   catalogue under the sixth set's rubric (``acceptable`` included). Reported as a summary only under "Held-out
   worked scopes, eighth set (written blind 2026-12-01, late evening; never used for tuning)"; per-scope rows in
   ``--json`` only (JSON key ``holdout_worked8``): reading them un-blinds the set.
   The summary-only sets are ``BLIND_SETS`` and share one code path (a later set is one more entry there);
   ``--no-holdout-scopes2`` ... ``--no-holdout-scopes8`` skip them. No scope name may appear in two sets of worked
   scopes (checked over every set present, run or skipped).

Every worked-scope set also reports a **scope-blind control**: the ten strategies chosen most often across all
published cases, scored like a top 10 on each scope. An expected list may add ``acceptable:`` (strategies its
rater would let stand in a top 10 without comment), and a set may hold further, independent raters' lists in
``<set>/second-rater/<name>.expected.yaml`` (same schema; ``RATER_DIRS``). Then the runner adds **judged
precision@10** (a top-10 strategy counts when some rater put it on their shortlist or their acceptable list and
no rater called it implausible) and, where a second rater exists, **agreement**: the share of the second rater's
shortlist on the first rater's, the ceiling a tool can expect against one expert's list; **shortlist precision@10**
(a top-10 strategy on some rater's own shortlist, none calling it implausible); and **consensus recall@10** (the
share of the strategies every rater shortlisted that the top 10 holds).

Usage (with the Python of the environment whose ``strategease`` you want to measure)::

    python benchmarks/validation/run.py                 # tables on stdout
    python benchmarks/validation/run.py --json          # machine output
    python benchmarks/validation/run.py --markdown FILE # the figures tables as Markdown
    python benchmarks/validation/run.py --write-docs    # refresh the generated blocks of docs/validation.md
    python benchmarks/validation/run.py --write-scopes  # (re)write scopes/<case>.yaml and scopes/<set>/<case>.yaml
                                                        # for every held-out set (holdout, holdout2 ... holdout4)
    python benchmarks/run.py --validation [...]         # the same, from the performance benchmark's entry point

Deterministic: files are read in name order, ties break by id, and no time or path of this machine enters the
output. Exit code 0 when everything ran, 2 on bad input or a failed CLI call.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = HERE / "cases"
HOLDOUT = HERE / "holdout"
HOLDOUT2 = HERE / "holdout2"
HOLDOUT3 = HERE / "holdout3"
HOLDOUT4 = HERE / "holdout4"
SCOPES = HERE / "scopes"
HOLDOUT_SCOPES = SCOPES / "holdout"
HOLDOUT2_SCOPES = SCOPES / "holdout2"
HOLDOUT3_SCOPES = SCOPES / "holdout3"
HOLDOUT4_SCOPES = SCOPES / "holdout4"
HOLDOUT2_TITLE = "Held-out cases, second set (assembled after the method change; not seen while tuning)"
HOLDOUT3_TITLE = "Held-out cases, third set (assembled 2026-12-01; never used for tuning)"
HOLDOUT4_TITLE = "Held-out cases, fourth set (assembled 2026-12-01 afternoon; never used for tuning)"
WORKED = ROOT / "examples" / "worked"
HOLDOUT_WORKED = HERE / "holdout_scopes"
HOLDOUT_WORKED2 = HERE / "holdout_scopes2"
HOLDOUT_WORKED3 = HERE / "holdout_scopes3"
HOLDOUT_WORKED4 = HERE / "holdout_scopes4"
HOLDOUT_WORKED5 = HERE / "holdout_scopes5"
HOLDOUT_WORKED6 = HERE / "holdout_scopes6"
HOLDOUT_WORKED7 = HERE / "holdout_scopes7"
HOLDOUT_WORKED8 = HERE / "holdout_scopes8"
DOC = ROOT / "docs" / "validation.md"
BIN = Path(sys.executable).parent
STRATEGEASE = str(BIN / ("strategease.exe" if os.name == "nt" else "strategease"))
METHODS = ("default", "cfir-eric")
KS = (10, 20)
CASE_KEYS = {"id", "citation", "short", "doi", "framework", "setting", "change", "level", "method_used", "determinants",
             "strategies", "how_read", "extraction", "leakage"}


class InputError(Exception):
    """A case or expected file is malformed (exit 2)."""


# --------------------------------------------------------------------------------------------- loading


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


@dataclass
class Case:
    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def chosen(self) -> list[str]:
        return sorted({s["id"] for s in self.data["strategies"]})

    @property
    def leakage(self) -> bool:
        return bool(self.data.get("leakage"))


@dataclass(frozen=True)
class HeldSet:
    """One set of held-out published cases: where its files live and how the reports name it.

    The sets are listed in the order they were assembled (``HELD_SETS``): a set may not reuse an id or DOI of any
    earlier set, and its popularity baseline counts the tuning cases, every earlier set and itself (leave-one-out)."""

    key: str  # folder name, JSON key and prefix of its generated docs blocks
    directory: Path
    scopes: Path  # where --write-scopes writes its scopes
    title: str  # section title in the text and Markdown reports
    what: str  # how the note under its figures table counts its cases
    pool: str  # which sets its leave-one-out baseline counts, as the reports say it
    blind: bool  # means only outside --json: per-case rows would un-blind the set


HELD_SETS = (
    HeldSet("holdout", HOLDOUT, HOLDOUT_SCOPES, "Held-out cases (not used for tuning)",
            "held-out cases (not used for tuning)", "both sets", blind=False),
    HeldSet("holdout2", HOLDOUT2, HOLDOUT2_SCOPES, HOLDOUT2_TITLE,
            "held-out cases of the second set (not seen while tuning)", "all sets", blind=False),
    HeldSet("holdout3", HOLDOUT3, HOLDOUT3_SCOPES, HOLDOUT3_TITLE,
            "held-out cases of the third set (never used for tuning)", "all four sets", blind=True),
    HeldSet("holdout4", HOLDOUT4, HOLDOUT4_SCOPES, HOLDOUT4_TITLE,
            "held-out cases of the fourth set (never used for tuning)", "all five sets", blind=True),
)
HELD_BLIND_NOTE = "Per-case rows only in --json: reading them un-blinds the set."


def load_cases(directory: Path = CASES, required: bool = True) -> list[Case]:
    """Case files of a directory in name order; ``required=False`` allows a missing or empty directory."""
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        data = _load_yaml(path)
        missing = sorted(k for k in ("id", "citation", "doi", "framework", "change", "determinants", "strategies",
                                     "how_read", "extraction") if k not in data)
        if missing:
            raise InputError(f"{path}: missing key(s) {', '.join(missing)}")
        unknown = sorted(set(data) - CASE_KEYS)
        if unknown:
            raise InputError(f"{path}: unknown key(s) {', '.join(unknown)}")
        ex = data["extraction"]
        if ex.get("completeness") not in ("full", "partial") or ex.get("certainty") not in ("high", "medium", "low"):
            raise InputError(f"{path}: extraction needs completeness full|partial and certainty high|medium|low")
        entry_keys = {"determinants": {"id", "kind", "label"}, "strategies": {"id", "as_reported", "mapping"}}
        for key, allowed in entry_keys.items():
            for item in data[key]:
                extra = sorted(set(item) - allowed) if isinstance(item, dict) else ["?"]
                if extra or "id" not in item:
                    raise InputError(f"{path}: {key} entry {item!r} has unknown keys {extra} (quote text with commas)")
        if path.stem != data["id"]:
            raise InputError(f"{path}: id {data['id']!r} must equal the file name")
        cases.append(Case(path, data))
    if not cases and required:
        raise InputError(f"{directory}: no case files")
    return cases


def check_disjoint(tuning: list[Case], holdout: list[Case]) -> None:
    """A held-out case may not reuse the id or the DOI of a case of an earlier set (it would not be unseen).

    ``tuning`` holds the cases of the earlier set(s); the message names their directories."""
    ids = {c.id for c in tuning}
    dois = {str(c.data["doi"]).lower() for c in tuning}
    clash = sorted(c.id for c in holdout if c.id in ids or str(c.data["doi"]).lower() in dois)
    if clash:
        where = holdout[0].path.parent if holdout else HOLDOUT
        earlier = ", ".join(sorted({f"{c.path.parent.name}/" for c in tuning})) or f"{CASES.name}/"
        raise InputError(f"{where}: case(s) whose id or DOI is also in {earlier}: {', '.join(clash)}")


def load_held_sets(tuning: list[Case]) -> list[list[Case]]:
    """The cases of every held-out set in ``HELD_SETS`` order (a missing folder gives an empty set), refusing a
    case whose id or DOI is already in the tuning cases or in an earlier set."""
    held: list[list[Case]] = []
    earlier = list(tuning)
    for hs in HELD_SETS:
        members = load_cases(hs.directory, required=False)
        check_disjoint(earlier, members)
        held.append(members)
        earlier += members
    return held


def case_scope(case: Case) -> dict[str, Any]:
    """The strategease scope a case stands for: its actor, action and coded determinants (weights left default)."""
    d = case.data
    change = {k: d["change"][k] for k in ("actor", "action", "actor_type") if k in d["change"]}
    scope: dict[str, Any] = {"title": f"Validation case {case.id}", "change": change}
    if d.get("level"):
        scope["level"] = list(d["level"])
    scope["determinants"] = [{"id": x["id"], "kind": x.get("kind", "barrier")} for x in d["determinants"]]
    return scope


def scope_text(case: Case) -> str:
    header = (f"# Built from benchmarks/validation/{case.path.parent.name}/{case.id}.yaml by"
              " benchmarks/validation/run.py --write-scopes; edit the case, not this file.\n")
    return header + yaml.safe_dump(case_scope(case), sort_keys=False, allow_unicode=True, width=110)


# --------------------------------------------------------------------------------------------- running


def run_cli(args: list[str]) -> Any:
    proc = subprocess.run([STRATEGEASE, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise InputError(f"strategease {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


@dataclass
class Selection:
    ranked: list[str]
    bundle: list[str]
    catalogue_hash: str = ""
    tool_version: str = ""


def select(scope_path: Path, method: str) -> Selection:
    out = run_cli(["select", str(scope_path), "--format", "json", "--top", "0", "--method", method])
    ranked = [s["id"] for s in sorted(out.get("strategies", []), key=lambda s: (s["rank"], s["id"]))]
    bundle_block = out.get("bundle") or {}
    # the plan's bundle: the barrier picks, then the builds-on picks (docs/scoring.md §6), which an expert reads too
    picks = [*bundle_block.get("strategies", []), *(bundle_block.get("builds_on") or [])]
    bundle = [s["id"] if isinstance(s, dict) else str(s) for s in picks]
    return Selection(ranked, bundle, (out.get("catalogue") or {}).get("content_hash", ""),
                     str(out.get("tool_version", "")))


def catalogue_ids() -> tuple[set[str], set[str]]:
    strategies = {s["id"] for s in run_cli(["list", "strategies", "--format", "json"])}
    determinants = {d["id"] for d in run_cli(["list", "determinants", "--format", "json"])}
    return strategies, determinants


def recall(chosen: list[str], ranked: list[str], k: int) -> float:
    top = set(ranked[:k])
    return sum(1 for s in chosen if s in top) / len(chosen)


def popularity_ranking(cases: list[Case], leave_out: str, universe: set[str]) -> list[str]:
    counts: dict[str, int] = {}
    for c in cases:
        if c.id == leave_out:
            continue
        for s in c.chosen:
            counts[s] = counts.get(s, 0) + 1
    return sorted(universe, key=lambda s: (-counts.get(s, 0), s))


def r3(x: float) -> float:
    return round(x + 0.0, 3)


def evaluate_cases(cases: list[Case], tmp: Path, pool: list[Case] | None = None) -> dict[str, Any]:
    """Recall per case and the means. The baseline of each case counts the strategies chosen in the *other* cases
    of ``pool`` (default: ``cases`` themselves, the tuning set's leave-one-out baseline)."""
    pool = cases if pool is None else pool
    strategies, determinants = catalogue_ids()
    rows = []
    meta: dict[str, str] = {}
    for case in cases:
        bad = sorted({s for s in case.chosen if s not in strategies}
                     | {d["id"] for d in case.data["determinants"] if d["id"] not in determinants})
        if bad:
            raise InputError(f"{case.path}: id(s) not in the installed catalogue: {', '.join(bad)}")
        scope_path = tmp / f"{case.id}.yaml"
        scope_path.write_text(scope_text(case), encoding="utf-8")
        row: dict[str, Any] = {
            "id": case.id, "doi": case.data["doi"], "framework": case.data["framework"],
            "n_determinants": len(case.data["determinants"]), "n_chosen": len(case.chosen),
            "completeness": case.data["extraction"]["completeness"],
            "certainty": case.data["extraction"]["certainty"], "leakage": case.leakage, "recall": {},
        }
        for method in METHODS:
            sel = select(scope_path, method)
            meta = {"tool_version": sel.tool_version, "catalogue_hash": sel.catalogue_hash}
            row["recall"][method] = {f"@{k}": r3(recall(case.chosen, sel.ranked, k)) for k in KS}
            row["recall"][method]["ranked"] = len(sel.ranked)
        base = popularity_ranking(pool, case.id, strategies)
        row["recall"]["baseline"] = {f"@{k}": r3(recall(case.chosen, base, k)) for k in KS}
        rows.append(row)

    def means(subset: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
        if not subset:
            return {}
        return {m: {f"@{k}": r3(sum(r["recall"][m][f"@{k}"] for r in subset) / len(subset)) for k in KS}
                for m in (*METHODS, "baseline")}

    return {"meta": meta, "cases": rows, "mean_all": means(rows),
            "mean_without_leakage": means([r for r in rows if not r["leakage"]]),
            "mean_cfir_without_leakage": means([r for r in rows if not r["leakage"]
                                                and r["framework"].startswith("cfir")]),
            "n_cases": len(rows), "n_leakage": sum(1 for r in rows if r["leakage"])}


# --------------------------------------------------------------------------------------------- worked scopes


def load_expected(path: Path) -> dict[str, Any]:
    data = _load_yaml(path)
    for key in ("expected", "implausible"):
        if not isinstance(data.get(key), list):
            raise InputError(f"{path}: '{key}' must be a list")
        for item in data[key]:
            extra = sorted(set(item) - {"id", "primary", "reason", "source"}) if isinstance(item, dict) else ["?"]
            if extra or "id" not in item:
                raise InputError(f"{path}: {key} entry {item!r} has unknown keys {extra} (quote text with commas)")
    if not isinstance(data.get("acceptable", []), list):
        raise InputError(f"{path}: 'acceptable' must be a list")
    for item in data.get("acceptable", []):
        if not isinstance(item, dict) or "id" not in item or set(item) - {"id", "reason", "source"}:
            raise InputError(f"{path}: acceptable entry {item!r} needs an id and may have only a reason and a source")
    seen: dict[str, str] = {}
    for key in ("expected", "acceptable", "implausible"):
        for item in data.get(key, []):
            if item["id"] in seen:
                raise InputError(f"{path}: '{item['id']}' is in both '{seen[item['id']]}' and '{key}'; keep one")
            seen[item["id"]] = key
    return data


RATER_DIRS = ("second-rater",)  # beside a set's expected lists: one folder per further, independent rater


def further_raters(scope_path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The lists of the raters after the first for this scope (``<set>/<rater dir>/<name>.expected.yaml``), each
    with its path."""
    paths = [scope_path.parent / d / f"{scope_path.stem}.expected.yaml" for d in RATER_DIRS]
    return [(p, load_expected(p)) for p in paths if p.exists()]


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {e["id"] for e in items}


def acceptable_pool(lists: list[dict[str, Any]], kinds: tuple[str, ...] = ("expected", "acceptable")) -> set[str]:
    """What some rater put in one of KINDS of their lists, less anything any rater calls implausible: a disputed
    strategy does not count. The default pool is what some rater would let stand in a top 10 (shortlist or
    acceptable list); ``("expected",)`` is what some rater shortlisted."""
    named = set().union(*(ids(x.get(kind, [])) for x in lists for kind in kinds))
    return named - set().union(*(ids(x["implausible"]) for x in lists))


def share(ten: list[str], wanted: set[str]) -> float:
    """The share of a top 10 found in WANTED."""
    return r3(sum(1 for s in ten if s in wanted) / 10)


def popular_ten(cases: list[Case], universe: set[str]) -> list[str]:
    """The ten strategies chosen most often across every published case: a scope-blind control list for the worked
    scopes (ties by id)."""
    return popularity_ranking(cases, "", universe)[:10]


def evaluate_worked(directory: Path = WORKED, ranks: bool = False,
                    popular: list[str] | None = None) -> list[dict[str, Any]]:
    """Score every scope in ``directory``; ``ranks`` adds ``miss_ranks`` (1-based rank of each obvious miss, or
    None when the method does not rank it at all).

    ``precision@10`` counts the top 10 on the first rater's shortlist. ``judged_precision@10`` counts it against
    the pool of every rater's shortlist and acceptable list (``acceptable_pool``); it is reported when a rater gave
    an acceptable list or a further rater exists (``judged``). With a further rater, ``second_rater_precision@10``
    scores that rater's own shortlist against the first rater's, as if it were a tool's top 10: how far two
    experts agree. ``popular`` (the ten most chosen strategies of the published cases) is scored the same way, as
    a scope-blind control."""
    strategies, _ = catalogue_ids()
    rows = []
    for scope_path in sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(".expected.yaml")):
        exp_path = scope_path.with_name(scope_path.stem + ".expected.yaml")
        if not exp_path.exists():
            raise InputError(f"{scope_path}: no sibling {exp_path.name}")
        exp = load_expected(exp_path)
        expected, implausible = ids(exp["expected"]), ids(exp["implausible"])
        primary = sorted(e["id"] for e in exp["expected"] if e.get("primary"))
        raters = [(exp_path, exp), *further_raters(scope_path)]
        for path, lst in raters:
            bad = sorted((ids(lst["expected"]) | ids(lst["implausible"]) | ids(lst.get("acceptable", [])))
                         - strategies)
            if bad:
                who = "" if path == exp_path else f" ({scope_path.stem} ({path.parent.name}))"
                raise InputError(f"{path}{who}: id(s) not in the installed catalogue: {', '.join(bad)}")
        lists = [lst for _, lst in raters]
        others = lists[1:]
        pool = acceptable_pool(lists)
        sel = select(scope_path, "default")
        top10 = sel.ranked[:10]
        rows.append({
            "name": scope_path.stem,
            "precision@10": share(top10, expected),
            "raters": len(lists),
            "judged": bool(others) or "acceptable" in exp,
            "judged_precision@10": share(top10, pool),
            "implausible_top10": [s for s in top10 if s in implausible],
            "implausible_bundle": [s for s in sel.bundle if s in implausible],
            "obvious_misses": [s for s in primary if s not in top10],
            "top10": top10,
            "bundle": sel.bundle,
        })
        if others:
            theirs = ids(others[0]["expected"])  # 10-11 strategies: the share of them on the first list
            rows[-1]["second_rater_precision@10"] = r3(len(theirs & expected) / len(theirs))
            named = acceptable_pool(lists, ("expected",))
            agreed = expected.intersection(*(ids(o["expected"]) for o in others))
            rows[-1]["shortlist_precision@10"] = share(top10, named)
            rows[-1]["consensus_recall@10"] = r3(len(agreed & set(top10)) / len(agreed)) if agreed else None
            if popular:
                rows[-1]["popular_shortlist_precision@10"] = share(popular, named)
        if popular:
            rows[-1]["popular_precision@10"] = share(popular, expected)
            rows[-1]["popular_judged_precision@10"] = share(popular, pool)
        if ranks:
            rows[-1]["miss_ranks"] = {s: (sel.ranked.index(s) + 1 if s in sel.ranked else None)
                                      for s in primary if s not in top10}
    return rows


# --------------------------------------------------------------------------------------------- rendering


def _f(x: float) -> str:
    return f"{x:.2f}"


def cases_table_md(cases: list[Case]) -> str:
    lines = ["| Case | Citation | DOI | Framework | Determinants | Strategies | Completeness | Certainty | Read |",
             "| --- | --- | --- | --- | ---: | ---: | --- | --- | --- |"]
    for c in cases:
        d = c.data
        cit = d.get("short") or d["citation"]
        lines.append(f"| {c.id}{' (leakage)' if c.leakage else ''} | {cit} | [{d['doi']}](https://doi.org/{d['doi']})"
                     f" | {d['framework']} | {len(d['determinants'])} | {len(c.chosen)} | "
                     f"{d['extraction']['completeness']} | {d['extraction']['certainty']} | "
                     f"{d['how_read'].split(' (')[0]} |")
    return "\n".join(lines)


def figures_md(res: dict[str, Any], held: HeldSet | None = None) -> str:
    """The recall table of the tuning cases (``held`` None) or of one held-out set; a blind set shows means only."""
    lines = ["| Case | n chosen | default @10 | default @20 | cfir-eric @10 | cfir-eric @20 | baseline @10 | "
             "baseline @20 |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in res["cases"] if not (held and held.blind) else ():  # blind sets: per-case rows only in --json
        rec = r["recall"]
        lines.append(f"| {r['id']}{' ‡' if r['leakage'] else ''} | {r['n_chosen']} | "
                     + " | ".join(_f(rec[m][f'@{k}']) for m in (*METHODS, "baseline") for k in KS) + " |")
    for label, key in (("**Mean, all cases**", "mean_all"), ("**Mean, without ‡**", "mean_without_leakage"),
                       ("**Mean, CFIR cases without ‡**", "mean_cfir_without_leakage")):
        if res[key]:
            lines.append(f"| {label} | | " + " | ".join(_f(res[key][m][f'@{k}']) for m in (*METHODS, "baseline")
                                                       for k in KS) + " |")
    lines.append("")
    meta = res["meta"]
    n_cfir = sum(1 for r in res["cases"] if r["framework"].startswith("cfir") and not r["leakage"])
    what = held.what if held else "cases"
    baseline = f"Baseline: leave-one-out popularity over all other cases of {held.pool}. " if held else ""
    lines.append(f"‡ leakage: the case's strategies are a source of the catalogue's CFIR-ERIC data. "
                 f"{res['n_cases']} {what}, {res['n_leakage']} with leakage, {n_cfir} CFIR cases without leakage. "
                 + baseline
                 + f"strategease {meta.get('tool_version', '')}, catalogue {meta.get('catalogue_hash', '')[:12]}.")
    return "\n".join(lines)


def worked_md(rows: list[dict[str, Any]]) -> str:
    lines = ["| Worked scope | precision@10 | implausible in top 10 | implausible in bundle | obvious misses |",
             "| --- | ---: | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['name']} | {_f(r['precision@10'])} | {', '.join(r['implausible_top10']) or '-'} | "
                     f"{', '.join(r['implausible_bundle']) or '-'} | {', '.join(r['obvious_misses']) or '-'} |")
    if rows:
        lines.append(f"| **Mean** | {_f(sum(r['precision@10'] for r in rows) / len(rows))} | "
                     f"{sum(len(r['implausible_top10']) for r in rows)} | "
                     f"{sum(len(r['implausible_bundle']) for r in rows)} | "
                     f"{sum(len(r['obvious_misses']) for r in rows)} |")
        if more := judged_sentences(holdout_summary(rows)):
            lines += ["", more]
    return "\n".join(lines)


def worked_lists_md(row: dict[str, Any], expected: dict[str, Any]) -> str:
    exp = {e["id"] for e in expected["expected"]}
    imp = {e["id"] for e in expected["implausible"]}

    def mark(s: str) -> str:
        return " ✓" if s in exp else (" ✗" if s in imp else "")
    lines = ["Top 10 (✓ on the expected shortlist, ✗ implausible):", ""]
    lines += [f"{i}. `{s}`{mark(s)}" for i, s in enumerate(row["top10"], 1)]
    lines += ["", "Bundle: " + (", ".join(f"`{s}`{mark(s)}" for s in row["bundle"]) or "(empty)")]
    lines += ["", f"precision@10 {_f(row['precision@10'])}; obvious misses: "
              + (", ".join(f"`{s}`" for s in row["obvious_misses"]) or "none")]
    return "\n".join(lines)


def _recall_table(res: dict[str, Any], per_case: bool = True) -> list[str]:
    out = [f"{'case':34} {'n':>3} " + " ".join(f"{m[:9]+'@'+str(k):>12}" for m in (*METHODS, "baseline") for k in KS)]
    for r in res["cases"] if per_case else ():
        out.append(f"{(r['id'] + (' ‡' if r['leakage'] else '')):34} {r['n_chosen']:>3} "
                   + " ".join(f"{r['recall'][m][f'@{k}']:>12.2f}" for m in (*METHODS, "baseline") for k in KS))
    for label, key in (("mean (all)", "mean_all"), ("mean (without ‡)", "mean_without_leakage"),
                       ("mean (CFIR cases, without ‡)", "mean_cfir_without_leakage")):
        if res[key]:
            out.append(f"{label:34} {'':>3} " + " ".join(f"{res[key][m][f'@{k}']:>12.2f}"
                                                       for m in (*METHODS, "baseline") for k in KS))
    return out


def text_report(res: dict[str, Any], worked: list[dict[str, Any]], *held: dict[str, Any] | None) -> str:
    """The text report; ``held`` are the results of the held-out sets in ``HELD_SETS`` order (None: set absent)."""
    out = ["Published cases: recall of the authors' chosen strategies", ""]
    out += _recall_table(res)
    out += ["", "‡ leakage: the case is a source of the catalogue's CFIR-ERIC data.", ""]
    for hs, h in zip(HELD_SETS, held, strict=False):  # a caller may pass only the first sets
        if h and h["cases"]:
            out += [hs.title, ""]
            out += _recall_table(h, per_case=not hs.blind)
            out += [HELD_BLIND_NOTE] if hs.blind else []
            out += ["", f"Baseline: leave-one-out popularity over all other cases of {hs.pool}.", ""]
    if worked:
        out.append("Worked scopes (method default)")
        out.append("")
        for r in worked:
            out.append(f"{r['name']:34} precision@10 {r['precision@10']:.2f}  implausible top10 "
                       f"{len(r['implausible_top10'])}  bundle {len(r['implausible_bundle'])}  misses "
                       f"{', '.join(r['obvious_misses']) or '-'}")
        if more := judged_sentences(holdout_summary(worked)):
            out.append(more)
    return "\n".join(out) + "\n"


_BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w.-]+) -->\n)(.*?)(<!-- /generated:(?P=name) -->)", re.S)


def write_docs(doc: Path, blocks: dict[str, str]) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    seen: list[str] = []

    def repl(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in blocks:
            return m.group(0)
        seen.append(name)
        return f"{m.group(1)}{blocks[name].rstrip()}\n{m.group(4)}"
    new = _BLOCK.sub(repl, text)
    tmp = doc.with_suffix(".md.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(doc)
    return seen


HOLDOUT_TITLE = "Held-out worked scopes (written blind; not used for tuning)"
TARGET_PRECISION = 0.75  # issue #12: mean precision@10 on checks the project has not seen
TARGET_MISSES = 1  # issue #12: at most one obvious miss per scope


def _misses_with_ranks(row: dict[str, Any]) -> list[str]:
    ranks = row.get("miss_ranks", {})
    return [f"{s} (rank {ranks[s]})" if ranks.get(s) else f"{s} (not ranked)" for s in row["obvious_misses"]]


def holdout_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The held-out figures against issue #12's targets (reported, never pass/fail)."""
    if not rows:
        return {}
    def mean(of: list[dict[str, Any]], key: str) -> float:
        return r3(sum(r[key] for r in of) / len(of))
    judged = [r for r in rows if r.get("judged")]
    paired = [r for r in rows if "second_rater_precision@10" in r]
    extra: dict[str, Any] = {}
    if judged:
        extra["judged"] = {"n_scopes": len(judged), **{f"mean_{k}": mean(judged, k) for k in (
            "judged_precision@10", "popular_judged_precision@10") if all(k in r for r in judged)}}
    if paired:
        agreed = [r for r in paired if r["consensus_recall@10"] is not None]
        extra["second_rater"] = {"n_scopes": len(paired),
                                 "mean_precision@10": mean(paired, "second_rater_precision@10"),
                                 "mean_tool_precision@10": mean(paired, "precision@10"),
                                 "mean_shortlist_precision@10": mean(paired, "shortlist_precision@10"),
                                 "mean_consensus_recall@10": mean(agreed, "consensus_recall@10") if agreed else None}
        if all("popular_shortlist_precision@10" in r for r in paired):
            extra["second_rater"]["mean_popular_shortlist_precision@10"] = mean(paired,
                                                                                "popular_shortlist_precision@10")
    if all("popular_precision@10" in r for r in rows):
        extra["mean_popular_precision@10"] = mean(rows, "popular_precision@10")
    overall = mean(rows, "precision@10")
    return {"n_scopes": len(rows), "mean_precision@10": overall, **extra,
            "implausible_top10": sum(len(r["implausible_top10"]) for r in rows),
            "implausible_bundle": sum(len(r["implausible_bundle"]) for r in rows),
            "obvious_misses": sum(len(r["obvious_misses"]) for r in rows),
            "targets": {"mean_precision@10": overall >= TARGET_PRECISION,
                        "at_most_one_miss_per_scope": all(len(r["obvious_misses"]) <= TARGET_MISSES for r in rows),
                        "no_implausible_in_bundle": all(not r["implausible_bundle"] for r in rows)}}


def judged_sentences(summary: dict[str, Any]) -> str:
    """The further figures of a set, in words: the scope-blind control, the judged precision and the agreement of
    two raters (empty when the set has none of them)."""
    out = []
    if "mean_popular_precision@10" in summary:
        out.append("The ten strategies chosen most often in the published cases, the same for every scope, score "
                   f"{_f(summary['mean_popular_precision@10'])} on the first rater's shortlists.")
    j = summary.get("judged")
    if j:
        control = (f"; the popular ten {_f(j['mean_popular_judged_precision@10'])}"
                   if "mean_popular_judged_precision@10" in j else "")
        out.append(f"Judged precision@10 (a top-10 strategy counts when some rater put it on their shortlist or "
                   f"would let it stand, and no rater called it implausible), over the {j['n_scopes']} scope(s) "
                   f"with such judgements: {_f(j['mean_judged_precision@10'])}{control}.")
    r2 = summary.get("second_rater")
    if r2:
        out.append(f"A second, independent rater's own shortlist, scored against the first rater's like a top 10, "
                   f"over {r2['n_scopes']} scope(s): {_f(r2['mean_precision@10'])} (the tool on the same scopes: "
                   f"{_f(r2['mean_tool_precision@10'])}).")
        control = (f" (the popular ten {_f(r2['mean_popular_shortlist_precision@10'])})"
                   if "mean_popular_shortlist_precision@10" in r2 else "")
        agreed = r2.get("mean_consensus_recall@10")
        out.append(f"The tool's top 10 on some rater's shortlist (none calling it implausible): "
                   f"{_f(r2['mean_shortlist_precision@10'])}{control}"
                   + (f"; share of the strategies both raters shortlisted that the top 10 holds: {_f(agreed)}."
                      if agreed is not None else "."))
    return " ".join(out)


def holdout_scopes_md(rows: list[dict[str, Any]]) -> str:
    lines = ["| Held-out scope | precision@10 | implausible in top 10 | implausible in bundle | "
             "obvious misses (rank) |", "| --- | ---: | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['name']} | {_f(r['precision@10'])} | {', '.join(r['implausible_top10']) or '-'} | "
                     f"{', '.join(r['implausible_bundle']) or '-'} | {', '.join(_misses_with_ranks(r)) or '-'} |")
    summary = holdout_summary(rows)
    if summary:
        lines.append(f"| **Mean** | {_f(summary['mean_precision@10'])} | {summary['implausible_top10']} | "
                     f"{summary['implausible_bundle']} | {summary['obvious_misses']} |")
        t = summary["targets"]

        def word(ok: bool) -> str:
            return "met" if ok else "not met"
        lines += ["", f"Issue #12 targets on these scopes: mean precision@10 ≥ {TARGET_PRECISION:.2f} "
                  f"{word(t['mean_precision@10'])}; at most {TARGET_MISSES} obvious miss per scope "
                  f"{word(t['at_most_one_miss_per_scope'])}; no implausible strategy in a bundle "
                  f"{word(t['no_implausible_in_bundle'])}."]
        if more := judged_sentences(summary):
            lines += ["", more]
    return "\n".join(lines)


def holdout_scopes_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    out = [HOLDOUT_TITLE + " (method default)", ""]
    for r in rows:
        out.append(f"{r['name']:34} precision@10 {r['precision@10']:.2f}  implausible top10 "
                   f"{len(r['implausible_top10'])}  bundle {len(r['implausible_bundle'])}  misses "
                   f"{', '.join(_misses_with_ranks(r)) or '-'}")
    s = holdout_summary(rows)
    out.append(f"{'mean':34} precision@10 {s['mean_precision@10']:.2f}  implausible top10 {s['implausible_top10']}"
               f"  bundle {s['implausible_bundle']}  misses {s['obvious_misses']}")
    if more := judged_sentences(s):
        out.append(more)
    return "\n".join(out) + "\n"


HOLDOUT2_WORKED_TITLE = ("Held-out worked scopes, second set (written blind 2026-12-01; read and used for tuning "
                         "that afternoon)")
HOLDOUT3_WORKED_TITLE = ("Held-out worked scopes, third set (written blind 2026-12-01 afternoon; read once blind, "
                         "then used for tuning)")
HOLDOUT4_WORKED_TITLE = ("Held-out worked scopes, fourth set (written blind 2026-12-01, late afternoon; read once "
                         "blind, then used for tuning)")
HOLDOUT5_WORKED_TITLE = ("Held-out worked scopes, fifth set (written blind 2026-12-01, evening; read twice blind as "
                         "an aggregate, then used for tuning)")
HOLDOUT6_WORKED_TITLE = ("Held-out worked scopes, sixth set (written blind 2026-12-01, night; read once blind as "
                         "an aggregate, then used for tuning)")
HOLDOUT7_WORKED_TITLE = ("Held-out worked scopes, seventh set (written blind 2026-12-01, after the sixth set was "
                         "read; read once blind as an aggregate, then used for tuning)")
HOLDOUT8_WORKED_TITLE = ("Held-out worked scopes, eighth set (written blind 2026-12-01, late evening; never used "
                         "for tuning)")
BLIND_NOTE = "Per-scope rows (missed strategies and their ranks) only in --json: reading them un-blinds the set."
SPENT_NOTE = ("Per-scope rows (missed strategies and their ranks) in --json. No longer blind: they were read on "
              "2026-12-01 afternoon, after the set's blind figure was recorded in docs/validation.md, and drove "
              "catalogue changes, so this set now measures fit, not generalisation.")


SPENT5_NOTE = ("Per-scope rows (missed strategies and their ranks) in --json. No longer blind: they were read on "
               "2026-12-01 at about 16:00 UTC, after the sixth set had been written and the set's aggregate recorded "
               "twice, and drove catalogue changes, so this set now measures fit, not generalisation.")


SPENT6_NOTE = ("Per-scope rows (missed strategies and their ranks) in --json. No longer blind: they were read on "
               "2026-12-01 at about 18:00 UTC, after the set's aggregate had been recorded once and the seventh set "
               "was being written, and drove catalogue changes, so this set now measures fit, not generalisation.")


SPENT7_NOTE = ("Per-scope rows (missed strategies and their ranks) in --json. No longer blind: they were read on "
               "2026-12-01 at about 20:20 UTC, after the set's aggregate had been recorded once and the eighth set "
               "was being written, and drove a method change (note cues), so this set now measures fit, not "
               "generalisation.")


@dataclass(frozen=True)
class BlindSet:
    """A set of held-out worked scopes kept blind: text, Markdown and docs show only its summary row; the per-scope
    rows are in ``--json`` only, under ``json_key``."""

    directory: Path
    title: str  # section title in text and Markdown output
    label: str  # first cell of the summary table
    json_key: str
    doc_block: str  # name of the generated block of docs/validation.md
    flag: str  # the --no-... option that skips the set
    note: str = BLIND_NOTE  # said under the summary row


BLIND_SETS = (
    BlindSet(HOLDOUT_WORKED2, HOLDOUT2_WORKED_TITLE, "Held-out scopes, second set", "holdout_worked2",
             "holdout2-worked", "no-holdout-scopes2", SPENT_NOTE),
    BlindSet(HOLDOUT_WORKED3, HOLDOUT3_WORKED_TITLE, "Held-out scopes, third set", "holdout_worked3",
             "holdout3-worked", "no-holdout-scopes3", SPENT_NOTE),
    BlindSet(HOLDOUT_WORKED4, HOLDOUT4_WORKED_TITLE, "Held-out scopes, fourth set", "holdout_worked4",
             "holdout4-worked", "no-holdout-scopes4", SPENT_NOTE),
    BlindSet(HOLDOUT_WORKED5, HOLDOUT5_WORKED_TITLE, "Held-out scopes, fifth set", "holdout_worked5",
             "holdout5-worked", "no-holdout-scopes5", SPENT5_NOTE),
    BlindSet(HOLDOUT_WORKED6, HOLDOUT6_WORKED_TITLE, "Held-out scopes, sixth set", "holdout_worked6",
             "holdout6-worked", "no-holdout-scopes6", SPENT6_NOTE),
    BlindSet(HOLDOUT_WORKED7, HOLDOUT7_WORKED_TITLE, "Held-out scopes, seventh set", "holdout_worked7",
             "holdout7-worked", "no-holdout-scopes7", SPENT7_NOTE),
    BlindSet(HOLDOUT_WORKED8, HOLDOUT8_WORKED_TITLE, "Held-out scopes, eighth set", "holdout_worked8",
             "holdout8-worked", "no-holdout-scopes8", BLIND_NOTE),
)


def check_worked_disjoint(*directories: Path) -> None:
    """No worked scope name may appear in two sets (a scope reused across sets is not held out)."""
    seen: dict[str, Path] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.expected.yaml")):
            name = path.name.removesuffix(".expected.yaml")
            if name in seen:
                raise InputError(f"{path}: scope '{name}' is also in {seen[name]}; rename it or drop one copy")
            seen[name] = directory


def blind_summary_md(rows: list[dict[str, Any]], blind: BlindSet) -> str:
    """A blind set as one summary table row and the targets: no per-scope rows."""
    s = holdout_summary(rows)
    if not s:
        return ""
    t = s["targets"]

    def word(ok: bool) -> str:
        return "met" if ok else "not met"
    return "\n".join([
        f"| {blind.label} | mean precision@10 | implausible in top 10 | implausible in bundle | "
        "obvious misses |", "| --- | ---: | ---: | ---: | ---: |",
        f"| {s['n_scopes']} scopes | {_f(s['mean_precision@10'])} | {s['implausible_top10']} | "
        f"{s['implausible_bundle']} | {s['obvious_misses']} |", "",
        f"Issue #12 targets on these scopes: mean precision@10 ≥ {TARGET_PRECISION:.2f} "
        f"{word(t['mean_precision@10'])}; at most {TARGET_MISSES} obvious miss per scope "
        f"{word(t['at_most_one_miss_per_scope'])}; no implausible strategy in a bundle "
        f"{word(t['no_implausible_in_bundle'])}. {blind.note}"] + (["", more] if (more := judged_sentences(s)) else []))


def blind_summary_text(rows: list[dict[str, Any]], blind: BlindSet) -> str:
    if not rows:
        return ""
    s = holdout_summary(rows)
    return (f"{blind.title} (method default)\n\n"
            f"{str(s['n_scopes']) + ' scopes, mean':34} precision@10 {s['mean_precision@10']:.2f}  implausible top10 "
            f"{s['implausible_top10']}  bundle {s['implausible_bundle']}  misses {s['obvious_misses']}\n"
            f"{blind.note}\n" + (f"{more}\n" if (more := judged_sentences(s)) else ""))


def holdout_docs_blocks(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Generated blocks of docs/validation.md for the held-out scopes: the table and one list per scope."""
    blocks = {"holdout-worked": holdout_scopes_md(rows)}
    for r in rows:
        exp = load_expected(HOLDOUT_WORKED / f"{r['name']}.expected.yaml")
        blocks[f"holdout-worked-{r['name']}"] = worked_lists_md(r, exp)
    return blocks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="strategease validation benchmark (see the module docstring).")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--markdown", type=Path, metavar="FILE", help="write the figures tables as Markdown to FILE")
    ap.add_argument("--write-docs", action="store_true", help="refresh the generated blocks of docs/validation.md")
    ap.add_argument("--write-scopes", action="store_true", help="write benchmarks/validation/scopes/<case>.yaml")
    ap.add_argument("--no-worked", action="store_true", help="skip the worked scopes")
    ap.add_argument("--no-holdout-scopes", action="store_true", help="skip the held-out worked scopes")
    for blind in BLIND_SETS:
        ap.add_argument(f"--{blind.flag}", action="store_true",
                        help=f"skip the {blind.label.lower()} (reported as a summary only)")
    args = ap.parse_args(argv)
    try:
        cases = load_cases()
        held_cases = load_held_sets(cases)
        if args.write_scopes:
            folders = [SCOPES, *(hs.scopes for hs in HELD_SETS)]
            for members, folder in zip([cases, *held_cases], folders, strict=True):
                if members:
                    folder.mkdir(exist_ok=True)
                for c in members:
                    (folder / f"{c.id}.yaml").write_text(scope_text(c), encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            res = evaluate_cases(cases, Path(tmp))
            held: list[dict[str, Any] | None] = []
            pool = list(cases)
            for members in held_cases:  # each set's baseline counts the tuning cases, earlier sets and itself
                pool = pool + members
                held.append(evaluate_cases(members, Path(tmp), pool=pool) if members else None)
        popular = popular_ten([*cases, *(c for members in held_cases for c in members)], catalogue_ids()[0])
        worked = [] if args.no_worked else evaluate_worked(popular=popular)
        holdout_worked = [] if args.no_holdout_scopes else evaluate_worked(HOLDOUT_WORKED, ranks=True,
                                                                           popular=popular)
        blind_sets = [b for b in BLIND_SETS if not getattr(args, b.flag.replace("-", "_")) and b.directory.is_dir()]
        # every set present, run or skipped: a name reused across sets is not held out
        check_worked_disjoint(WORKED, HOLDOUT_WORKED, *(b.directory for b in BLIND_SETS if b.directory.is_dir()))
        blind_rows = [(b, rows) for b in blind_sets
                      if (rows := evaluate_worked(b.directory, ranks=True, popular=popular))]
        result = {"cases": res, "worked": worked}
        result.update({hs.key: h for hs, h in zip(HELD_SETS, held, strict=True) if h})
        if holdout_worked:
            result["holdout_worked"] = {"scopes": holdout_worked, "summary": holdout_summary(holdout_worked)}
        for b, rows in blind_rows:
            result[b.json_key] = {"scopes": rows, "summary": holdout_summary(rows)}
        if args.json:
            sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
        else:
            sys.stdout.write(text_report(res, worked, *held))
            if holdout_worked:
                sys.stdout.write("\n" + holdout_scopes_text(holdout_worked))
            for b, rows in blind_rows:
                sys.stdout.write("\n" + blind_summary_text(rows, b))
        held_md = "".join(f"{hs.title}\n\n{figures_md(h, hs)}\n\n" for hs, h in zip(HELD_SETS, held, strict=True) if h)
        md = f"{figures_md(res)}\n\n{held_md}{worked_md(worked)}\n"
        if holdout_worked:
            md += f"\n{HOLDOUT_TITLE}\n\n{holdout_scopes_md(holdout_worked)}\n"
        for b, rows in blind_rows:
            md += f"\n{b.title}\n\n{blind_summary_md(rows, b)}\n"
        if args.markdown:
            args.markdown.write_text(md, encoding="utf-8")
        if args.write_docs:
            blocks = {"cases": cases_table_md(cases), "figures": figures_md(res), "worked": worked_md(worked)}
            for hs, members, h in zip(HELD_SETS, held_cases, held, strict=True):
                if h:
                    blocks[f"{hs.key}-cases"] = cases_table_md(members)
                    blocks[f"{hs.key}-figures"] = figures_md(h, hs)
            for r in worked:
                exp = load_expected(WORKED / f"{r['name']}.expected.yaml")
                blocks[f"worked-{r['name']}"] = worked_lists_md(r, exp)
            if holdout_worked:
                blocks.update(holdout_docs_blocks(holdout_worked))
            for b, rows in blind_rows:
                blocks[b.doc_block] = blind_summary_md(rows, b)
            seen = write_docs(DOC, blocks)
            sys.stderr.write(f"docs/validation.md: refreshed {len(seen)} generated block(s)\n")
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
