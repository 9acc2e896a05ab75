"""Team ratings: several people rate the scope's determinants; their ratings become the weights.

A ratings file is a CSV table (UTF-8; ``,``, ``;`` or tab separated) or an ``.xlsx`` workbook (its
*Ratings* sheet, else its first; ``strategease ratings-sheet`` writes one to fill in), one row per
rater and determinant::

    rater,role,organisation,determinant,importance,changeability
    Ana,ward sister,City Hospital,tdf.knowledge,4,3
    Ben,nurse,City Hospital,tdf.knowledge,5,3

Columns (header names ignore case, spaces and ``_``): ``rater``, ``determinant`` (an id, or a
catalogue name when it names exactly one determinant), ``importance`` and ``changeability``
(whole numbers 1–5; a blank cell means "no opinion" on that question) are required; ``role``,
``organisation`` (or ``organization``) and ``note`` are optional; the workshop sheet's reference
columns ``determinant name``, ``kind`` and ``scope note`` are ignored.

Aggregation (:func:`aggregate`): per determinant and question, the **median** of the raters'
values (``--aggregate mean`` for the mean) replaces the scope's rating, so the weight
``w_d = (importance / 5) × (changeability / 5)`` is the team's. Agreement is shown per
determinant and question as the range (max − min) and the interquartile range (IQR, quartiles by
linear interpolation between the sorted values, as in ``statistics.quantiles(method="inclusive")``).
**Strong disagreement** — flagged for discussion — is a range of at least
:data:`DISAGREE_RANGE` (3) points *or* an IQR of at least :data:`DISAGREE_IQR` (2) points on
either question: on a five-point scale, someone says "low" (1–2) where someone else says "high"
(4–5), or the middle half of the team is two points apart.

Determinants: an id not in the catalogue is an error (with a did-you-mean); a determinant the
team rated but the scope does not list is **added to the scope as a barrier**, with a warning
(a workshop often surfaces a new barrier; add it to the scope file as a facilitator if it is
one); a scope determinant nobody rated keeps the scope's own ratings, with a warning.

Errors: an unreadable or malformed file (missing, not UTF-8, ragged rows, broken quoting) is a
:class:`UsageError` (exit 2); content problems (missing or unknown columns, unknown
determinants, values out of range, a rater rating the same determinant twice) are collected
and raised together, each naming ``file:line:column`` — ``file:sheet:cell`` in a workbook (exit 1).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from strategease.catalogue.importer import Cell, Resolver, Table, normalise, read_table
from strategease.catalogue.load import SINGULAR, Catalogue, did_you_mean, retired_hint, retired_message
from strategease.errors import InputInvalid, one_or_many
from strategease.selection.result import RatedDeterminant, RaterOut, RaterScore, Spread, TeamRatingsOut
from strategease.selection.scope import Kind, LoadedScope, Scope, ScopeDeterminant

DISAGREE_RANGE = 3
"""Strong disagreement: max − min of one question's ratings is at least this many points."""
DISAGREE_IQR = 2.0
"""Strong disagreement: the interquartile range of one question's ratings is at least this."""
DECIMALS = 6

REQUIRED = ("rater", "determinant", "importance", "changeability")
OPTIONAL = ("role", "organisation", "note")
REFERENCE = ("determinant name", "kind", "scope note")
"""Columns of the workshop sheet (``strategease ratings-sheet``) that are there to read, not rated: ignored."""
_ALIASES = {"organization": "organisation", "org": "organisation", "comment": "note", "notes": "note",
            "name": "rater", "determinant id": "determinant", "id": "determinant"}
QUESTIONS = ("importance", "changeability")


class Aggregate(StrEnum):
    median = "median"
    mean = "mean"


@dataclass(frozen=True)
class RatingRow:
    """One rater's ratings of one determinant, and the line they came from."""

    rater: str
    determinant: str
    importance: int | None
    changeability: int | None
    role: str | None
    organisation: str | None
    note: str | None
    line: int


@dataclass(frozen=True)
class TeamRatings:
    """A checked ratings file."""

    path: str
    content_hash: str
    rows: tuple[RatingRow, ...]
    sheet: str | None = None  # the workbook sheet the ratings came from (None for CSV)

    def where(self, line: int) -> str:
        """Where a row is: ``file:line``, or ``file:sheet:A<row>`` in a workbook."""
        return f"{self.path}:{self.sheet}:A{line}" if self.sheet else f"{self.path}:{line}"


# --------------------------------------------------------------------------- reading


def _column_key(text: str) -> str:
    key = normalise(text.replace("_", " "))
    return _ALIASES.get(key, key)


def _columns(table: Table) -> tuple[dict[str, int], list[InputInvalid]]:
    errors: list[InputInvalid] = []
    found: dict[str, int] = {}
    known = (*REQUIRED, *OPTIONAL)
    for index, cell in enumerate(table.header):
        key = _column_key(cell.text)
        if key in REFERENCE:
            continue
        if key in found:
            errors.append(table.error(cell, f"column '{cell.text}' appears twice", "keep one"))
        elif key in known:
            found[key] = index
        else:
            hint = did_you_mean(key, known) or "columns are: " + ", ".join(known)
            errors.append(table.error(cell, f"unknown column '{cell.text}'", hint))
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        first = table.header[0] if table.header else Cell("", 1, 1)
        errors.append(table.error(Cell(first.text, first.line, 1), f"missing column(s): {', '.join(missing)}",
                                  "the header needs rater, determinant, importance and changeability (role, "
                                  "organisation and note are optional)"))
    return found, errors


def _value(table: Table, cell: Cell, question: str) -> tuple[int | None, InputInvalid | None]:
    text = cell.text.strip()
    if not text:
        return None, None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = None
    if number is None or not 1 <= number <= 5 or number != int(number):  # range first: inf, nan
        return None, table.error(cell, f"{question} must be a whole number from 1 to 5 (got '{text}')",
                          "1 = low, 5 = high; leave the cell blank for no opinion")
    return int(number), None


def _determinant(table: Table, cell: Cell, cat: Catalogue, resolver: Resolver) -> tuple[str | None,
                                                                                         InputInvalid | None]:
    text = cell.text.strip()
    if not text:
        return None, table.error(cell, "the determinant is blank", "write a determinant id such as tdf.knowledge")
    if text in cat.determinants:
        return text, None
    match = resolver.resolve(text)
    if match.ok:
        return match.ids[0], None
    if match.ids:
        return None, table.error(cell, f"determinant '{text}' is ambiguous: it matches {', '.join(match.ids)}",
                          "write the id instead of the name")
    if text in cat.retired:
        return None, table.error(cell, f"determinant {retired_message(cat, text)}", retired_hint(cat, text))
    other = cat.entity(text)
    if other is not None:
        kind = SINGULAR.get(other[0], other[0])
        return None, table.error(cell, f"'{text}' is a {kind}, not a determinant",
                          "rate determinants (barriers and facilitators) only")
    hint = did_you_mean(text, cat.determinants)
    if hint is None:
        suggestion = resolver.suggest(text)
        hint = f"did you mean {suggestion}?" if suggestion else "see 'strategease list determinants'"
    return None, table.error(cell, f"unknown determinant '{text}'", hint)


def parse_ratings(table: Table, cat: Catalogue) -> list[RatingRow]:
    """Check a parsed ratings table against the catalogue; raise every problem at once (exit 1)."""
    columns, errors = _columns(table)
    if errors:
        raise one_or_many(errors)
    resolver = Resolver(cat, "determinants", None)
    rows: list[RatingRow] = []
    seen: dict[tuple[str, str], int] = {}

    def cell(record: list[Cell], key: str) -> Cell | None:
        return record[columns[key]] if key in columns else None

    for record in table.rows:
        rater_cell = record[columns["rater"]]
        rater = " ".join(rater_cell.text.split())
        if not rater:
            errors.append(table.error(rater_cell, "the rater is blank", "name or code each rater (e.g. R1)"))
        det_id, problem = _determinant(table, record[columns["determinant"]], cat, resolver)
        if problem:
            errors.append(problem)
        values: dict[str, int | None] = {}
        for question in QUESTIONS:
            values[question], problem = _value(table, record[columns[question]], question)
            if problem:
                errors.append(problem)
        imp_cell, chg_cell = record[columns["importance"]], record[columns["changeability"]]
        if not imp_cell.text.strip() and not chg_cell.text.strip():
            errors.append(table.error(imp_cell, "the row rates nothing: importance and changeability are both "
                                                "blank", "give at least one rating, or delete the row"))
        if not rater or det_id is None:
            continue
        key = (rater.casefold(), det_id)
        if key in seen:
            errors.append(table.error(rater_cell, f"rater '{rater}' rates '{det_id}' twice (first on line "
                                                  f"{seen[key]})", "keep one row per rater and determinant"))
            continue
        seen[key] = rater_cell.line
        extra = {k: (c.text.strip() or None) if (c := cell(record, k)) else None for k in OPTIONAL}
        rows.append(RatingRow(rater, det_id, values["importance"], values["changeability"], extra["role"],
                              extra["organisation"], extra["note"], rater_cell.line))
    if errors:
        raise one_or_many(errors)
    if not rows:
        message, hint = "the ratings file has a header but no ratings", "add one row per rater and determinant"
        problem = (table.error(Cell("", 1, 1), message, hint) if getattr(table, "sheet", None)
                   else InputInvalid(message, path=table.path, line=1, hint=hint))
        raise one_or_many([problem])
    return rows


XLSX_SUFFIXES = (".xlsx", ".xlsm")


def load_ratings(path: Path, cat: Catalogue) -> TeamRatings:
    """Read and check a ratings CSV, or the *Ratings* sheet of an ``.xlsx`` workbook (see the module
    docstring for the columns and the errors; a workbook's errors name file:sheet:cell)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        from strategease.catalogue.workbook import read_xlsx_table

        table = read_xlsx_table(path)
    else:
        table = read_table(path)
    rows = parse_ratings(table, cat)
    return TeamRatings(str(path), table.sha256, tuple(rows), getattr(table, "sheet", None))


# --------------------------------------------------------------------------- aggregating


def _r(x: float) -> float:
    return round(x, DECIMALS)


def iqr(values: Sequence[float]) -> float:
    """Interquartile range with linear interpolation between sorted values (0 for fewer than 2)."""
    if len(values) < 2:
        return 0.0
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return _r(q3 - q1)


def spread(values: Sequence[int], how: Aggregate) -> Spread:
    """Aggregate and agreement of one question's ratings."""
    if not values:
        return Spread(n=0, aggregate=None, min=None, max=None, range=None, iqr=None)
    centre = statistics.median(values) if how is Aggregate.median else statistics.fmean(values)
    return Spread(n=len(values), aggregate=_r(centre), min=min(values), max=max(values),
                  range=max(values) - min(values), iqr=iqr(values))


def disagreement(s: Spread) -> str | None:
    """Why the spread counts as strong disagreement, or None."""
    if s.range is not None and s.range >= DISAGREE_RANGE:
        return f"ratings range from {s.min} to {s.max}"
    if s.iqr is not None and s.iqr >= DISAGREE_IQR:
        return f"the middle half of the ratings spans {s.iqr:g} points"
    return None


RULE = (f"strong disagreement: on importance or changeability, a range (max − min) of {DISAGREE_RANGE} "
        f"points or more, or an interquartile range of {DISAGREE_IQR:g} points or more (1–5 scale)")


@dataclass(frozen=True)
class AppliedRatings:
    """A scope with the team's weights, the summary for the output, and warnings."""

    loaded: LoadedScope
    summary: TeamRatingsOut
    warnings: list[str]


def aggregate(ratings: TeamRatings, loaded: LoadedScope, cat: Catalogue,
              how: Aggregate | str = Aggregate.median) -> AppliedRatings:
    """Replace the scope's importance and changeability by the team's (pure; deterministic).

    Scope determinants keep their order; rated determinants missing from the scope are added
    after them as barriers, in the order of the file. The result's ``content_hash`` stays the
    scope file's; the ratings file's hash is in the summary.
    """
    how = Aggregate(how)
    scope = loaded.scope
    by_det: dict[str, list[RatingRow]] = {}
    for row in ratings.rows:
        by_det.setdefault(row.determinant, []).append(row)
    in_scope = [d.id for d in scope.determinants]
    added = [d for d in by_det if d not in set(in_scope)]
    warnings: list[str] = []
    new_dets: list[ScopeDeterminant] = []
    rated: list[RatedDeterminant] = []

    def name(det_id: str) -> str:
        return cat.determinants[det_id].name if det_id in cat.determinants else det_id

    entries = [*scope.determinants,
               *(ScopeDeterminant(id=d, kind=Kind.barrier, note="added from team ratings") for d in added)]
    for entry in entries:
        rows = sorted(by_det.get(entry.id, []), key=lambda r: (r.rater.casefold(), r.rater))
        if not rows:
            warnings.append(f"'{name(entry.id)}' ({entry.id}) was rated by nobody in {ratings.path}; the scope's "
                            f"importance {entry.importance} and changeability {entry.changeability} are used")
            new_dets.append(entry)
            continue
        spreads = {q: spread([v for r in rows if (v := getattr(r, q)) is not None], how) for q in QUESTIONS}
        values = {q: spreads[q].aggregate if spreads[q].aggregate is not None else getattr(entry, q)
                  for q in QUESTIONS}
        for q in QUESTIONS:
            if spreads[q].n == 0:
                warnings.append(f"nobody rated the {q} of '{name(entry.id)}' ({entry.id}); the scope's "
                                f"{getattr(entry, q)} is used")
        reasons = [f"{q}: {why}" for q in QUESTIONS if (why := disagreement(spreads[q]))]
        # model_construct: team aggregates may be fractional (a median of 3.5, a mean of 3.33), which the
        # scope file's whole-number ratings do not allow; everything downstream reads them as numbers.
        new_dets.append(ScopeDeterminant.model_construct(
            id=entry.id, kind=entry.kind, importance=values["importance"], changeability=values["changeability"],
            note=entry.note))
        rated.append(RatedDeterminant(
            id=entry.id, name=name(entry.id), in_scope=entry.id in set(in_scope), raters=len(rows),
            importance=spreads["importance"], changeability=spreads["changeability"],
            disagreement=bool(reasons), reasons=reasons,
            scores=[RaterScore(rater=r.rater, importance=r.importance, changeability=r.changeability, note=r.note)
                    for r in rows]))
    for det_id in added:
        first = by_det[det_id][0]
        warnings.append(f"'{name(det_id)}' ({det_id}) is rated in {ratings.where(first.line)} but not listed in "
                        "the scope; added as a barrier (add it to the scope file to make it a facilitator or "
                        "to keep it)")
    flagged = [r for r in rated if r.disagreement]
    for r in flagged:
        warnings.append(f"raters disagree strongly on '{r.name}' ({r.id}): {'; '.join(r.reasons)}; discuss "
                        "before relying on its weight")
    raters: dict[str, RaterOut] = {}
    for row in ratings.rows:
        key = row.rater.casefold()
        if key not in raters:
            raters[key] = RaterOut(name=row.rater, role=row.role, organisation=row.organisation, ratings=0)
        raters[key].ratings += 1
    summary = TeamRatingsOut(
        path=ratings.path, content_hash=ratings.content_hash, aggregate=how.value, rule=RULE,
        raters=sorted(raters.values(), key=lambda r: (r.name.casefold(), r.name)),
        determinants=rated, added=added, unrated=[d.id for d in entries if d.id not in by_det],
        disagreements=[r.id for r in flagged])
    new_scope = Scope.model_construct(**{**dict(scope), "determinants": new_dets})
    return AppliedRatings(LoadedScope(new_scope, loaded.path, loaded.content_hash), summary, warnings)


__all__ = ["Aggregate", "AppliedRatings", "DISAGREE_IQR", "DISAGREE_RANGE", "RULE", "RatingRow", "TeamRatings",
           "aggregate", "disagreement", "iqr", "load_ratings", "parse_ratings", "spread"]
