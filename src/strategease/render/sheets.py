"""Spreadsheets (openpyxl): the workshop ratings sheet, reading ratings back from ``.xlsx``, and the
report as a workbook to fill in.

* :func:`ratings_sheet` lays out a scope's determinants for a workshop: one row per rater and
  determinant, with the determinant's name, kind and the scope's note for reference, empty
  importance and changeability cells (1–5, checked by the spreadsheet) and a note column; an
  *Instructions* sheet says what to do. As CSV it is the same table without the instructions.
* :func:`read_xlsx_table` reads the *Ratings* sheet (else the first sheet) into the same
  :class:`~strategease.catalogue.importer.Table` a CSV gives, so the ratings checks are shared; its errors
  name ``file:sheet:cell`` (e.g. ``team.xlsx:Ratings:H7``) where a CSV's name ``file:line:column``.
* :func:`report_workbook` writes the report's strategies, bundle, specification and APEASE sheets,
  with empty columns for the team's decisions, plus an *About* sheet (cover and provenance).

Workbooks are deterministic: fixed document dates and a zip rewritten with fixed times.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strategease.catalogue.workbook import (  # noqa: F401 - the reader's names, for the writers and callers
    MAX_BYTES,
    MAX_CELLS,
    RATINGS_SHEET,
    SheetError,
    SheetTable,
    column_letter,
    read_xlsx_table,
)
from strategease.errors import UsageError

if TYPE_CHECKING:
    from strategease.catalogue.load import Catalogue
    from strategease.render.document import ReportDoc
    from strategease.selection.scope import Scope

RATING_COLUMNS = ("rater", "role", "organisation", "determinant", "determinant name", "kind", "scope note",
                  "importance", "changeability", "note")
"""The workshop sheet's columns; ``determinant name``, ``kind`` and ``scope note`` are for reference and
ignored when the sheet is read back."""
MAX_RATERS = 200

INSTRUCTIONS = (
    "How to fill in this sheet",
    "",
    "1. On the Ratings sheet, each rater has one row per determinant. Replace R1, R2, … by each rater's name "
    "or code, and fill in role and organisation (optional) on every row.",
    "2. Importance: how much the determinant matters for this change, from 1 (hardly) to 5 (decisive).",
    "3. Changeability: how far strategies within reach could change it, from 1 (hardly) to 5 (readily).",
    "4. Leave a cell blank for no opinion; use the note column for why. Do not change the determinant column "
    "(the id); the name, kind and scope note columns are there for reference only.",
    "5. To rate a determinant the scope does not list, add a row with its id: it is added as a barrier.",
    "6. Save the workbook (.xlsx, or CSV UTF-8) and run: strategease select SCOPE --ratings FILE, or "
    "strategease report SCOPE --ratings FILE -o plan.html",
    "",
    "The team's median ratings become the weights (--aggregate mean for the mean); strong disagreement "
    "(a range of 3 points or more, or an interquartile range of 2 or more, on either question) is flagged "
    "for discussion.",
)


# --------------------------------------------------------------------------- the workshop sheet


@dataclass(frozen=True)
class SheetRow:
    rater: str
    determinant: str
    name: str
    kind: str
    scope_note: str


def rater_names(raters: str) -> list[str]:
    """``--raters``: a number N (R1 … RN) or names separated by commas."""
    text = raters.strip()
    if text.isascii() and text.isdigit():
        count = int(text)
        if not 1 <= count <= MAX_RATERS:
            raise UsageError(f"--raters must be from 1 to {MAX_RATERS}, not {count}",
                             hint="give a number of raters or their names, e.g. --raters 'Ana, Ben, Chi'")
        return [f"R{i}" for i in range(1, count + 1)]
    names = [" ".join(n.split()) for n in text.split(",")]
    names = [n for n in names if n]
    if not names:
        raise UsageError("--raters is empty", hint="give a number of raters or their names, e.g. --raters 'Ana, Ben'")
    seen: set[str] = set()
    for n in names:
        if n.casefold() in seen:
            raise UsageError(f"--raters names '{n}' twice", hint="give each rater once")
        seen.add(n.casefold())
    if len(names) > MAX_RATERS:
        raise UsageError(f"--raters names more than {MAX_RATERS} raters")
    return names


def sheet_rows(scope: Scope, cat: Catalogue, raters: Sequence[str]) -> list[SheetRow]:
    """One row per rater and scope determinant, raters in the order given, determinants in the scope's."""
    rows = []
    for rater in raters:
        for d in scope.determinants:
            entry = cat.determinants.get(d.id)
            rows.append(SheetRow(rater, d.id, entry.name if entry is not None else d.id, d.kind.value,
                                 " ".join((d.note or "").split())))
    return rows


def ratings_csv(rows: Sequence[SheetRow]) -> bytes:
    """The workshop table as CSV; free text that a spreadsheet would run as a formula gets an apostrophe,
    as in ``select --format csv``."""
    from strategease.render.select import _text_cell as text

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RATING_COLUMNS)
    for r in rows:
        writer.writerow([text(r.rater), "", "", r.determinant, text(r.name), r.kind, text(r.scope_note), "", "", ""])
    return out.getvalue().encode("utf-8")


def ratings_workbook(rows: Sequence[SheetRow], title: str, epoch: int | None) -> bytes:
    """The workshop workbook: *Ratings* (to fill in) and *Instructions*."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = RATINGS_SHEET
    _append(ws, list(RATING_COLUMNS))
    for r in rows:
        _append(ws, [r.rater, None, None, r.determinant, r.name, r.kind, r.scope_note or None, None, None, None])
    last = len(rows) + 1
    check = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True,
                           showErrorMessage=True, errorTitle="1 to 5",
                           error="A whole number from 1 (low) to 5 (high); leave blank for no opinion.")
    ws.add_data_validation(check)
    check.add(f"H2:I{max(2, last)}")
    ws["H1"].comment = Comment("How much it matters for the change: 1 (hardly) to 5 (decisive).", "strategease")
    ws["I1"].comment = Comment("How far strategies within reach could change it: 1 (hardly) to 5 (readily).",
                               "strategease")
    _style_table(ws, [14, 16, 18, 34, 34, 11, 50, 12, 14, 40], wrap_columns=(5, 7, 10))
    guide = wb.create_sheet("Instructions")
    _append(guide, [f"Workshop ratings: {title}"])
    for line in INSTRUCTIONS:
        _append(guide, [line])
    guide.column_dimensions["A"].width = 120
    from openpyxl.styles import Alignment, Font

    guide["A1"].font = Font(bold=True, size=13)
    guide["A2"].font = Font(bold=True)
    for row in guide.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    return _save(wb, title=f"Workshop ratings: {title}", epoch=epoch)


# --------------------------------------------------------------------------- the report as a workbook


def report_workbook(doc: ReportDoc, epoch: int | None) -> bytes:
    """The report's tables to work on: Strategies, Bundle, Specification, APEASE, and About."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from strategease.render.document import join_names, num, section_heading

    wb = Workbook()
    ws = wb.active
    ws.title = "Strategies"
    _append(ws, ["Rank", "Strategy", "Id", "Score", "Acts on", "In bundle", "Cluster"])
    for s in doc.strategies:
        _append(ws, [s.rank, s.name, s.id, s.score, join_names(s.addresses), "yes" if s.in_bundle else "",
                   s.cluster or ""])
    _style_table(ws, [7, 44, 40, 9, 60, 10, 30], wrap_columns=(2, 5))

    ws = wb.create_sheet("Bundle")
    _append(ws, ["Code", "Strategy", "Id", "Adds", "Acts on"])
    if doc.bundle:
        for b in doc.bundle.strategies:
            _append(ws, [b.code, b.name, b.id, b.gain, join_names(b.covers)])
        for b in doc.bundle.builds_on:  # after the barrier picks: no coverage
            _append(ws, [b.code, b.name, b.id, "", "builds on: " + join_names(b.builds_on or [])])
        _append(ws, [])
        _append(ws, ["", f"Reaches {num(doc.bundle.covered_percent)}% of the determinant weight "
                       f"({num(doc.bundle.covered_weight)} of {num(doc.bundle.total_weight)})."])
        if doc.bundle.uncovered:
            _append(ws, ["", "Not yet addressed: " + join_names(doc.bundle.uncovered) + "."])
        if doc.bundle.builds_on:
            _append(ws, ["", "B = builds-on pick: uses a facilitator; adds no coverage and displaces no pick above."])
        for note in doc.bundle.builds_on_notes:
            _append(ws, ["", note])
    _style_table(ws, [7, 44, 40, 9, 70], wrap_columns=(2, 5))

    ws = wb.create_sheet("Specification")
    _append(ws, ["Code", "Strategy", "Dimension", "Pre-filled, or the question to answer", "Status", "Decision"])
    for spec in doc.specifications:
        for d in spec.dimensions:
            _append(ws, [spec.code, spec.name, d.label, d.value or d.prompt, d.status, None])
    _style_table(ws, [7, 34, 24, 70, 12, 50], wrap_columns=(2, 4, 6))

    ws = wb.create_sheet("APEASE")
    _append(ws, ["Code", "Strategy", "Criterion", "Question", "Judgement", "Why"])
    for b in doc.apease.strategies:
        for c in doc.apease.criteria:
            _append(ws, [b.code, b.name, c.label, c.question, None, None])
    judged = DataValidation(type="list", formula1='"yes,no,unsure"', allow_blank=True)
    ws.add_data_validation(judged)
    judged.add(f"E2:E{max(2, ws.max_row)}")
    _style_table(ws, [7, 34, 20, 56, 12, 50], wrap_columns=(2, 4, 6))

    ws = wb.create_sheet("About")
    p, cover = doc.provenance, doc.cover
    for label, value in (("Report", doc.title), ("Prepared for", cover.client), ("Prepared by", cover.prepared_by),
                         ("Date", cover.date), ("Version", cover.version),
                         ("Catalogue", f"{p.catalogue_name} {p.catalogue_version}"),
                         ("Catalogue content hash", p.catalogue_hash), ("Scope file", p.scope_path),
                         ("Scope file hash", p.scope_hash), ("Selection method", p.method),
                         ("Team ratings", f"{p.ratings_path} ({p.ratings_hash})" if p.ratings_path else None),
                         ("Tool", f"strategease {p.tool_version}"),
                         ("Itemised scores and sources", "in the full report: " + section_heading("scores") + ", "
                          + section_heading("sources"))):
        if value:
            _append(ws, [label, value])
    _style_table(ws, [26, 90], wrap_columns=(2,), header=False)
    return _save(wb, title=doc.title, epoch=epoch, author=cover.prepared_by, date=cover.date)


# --------------------------------------------------------------------------- shared


def _append(ws: Any, values: Sequence[Any]) -> None:
    """Append a row of values as data: text is never read as a formula ('=…'), and characters XML
    cannot hold are dropped."""
    from strategease.render.report import strip_xml_invalid

    ws.append([strip_xml_invalid(v) if isinstance(v, str) else v for v in values])
    for c in ws[ws.max_row]:
        if isinstance(c.value, str) and c.data_type == "f":
            c.data_type = "s"


def _style_table(ws: Any, widths: Sequence[int], wrap_columns: Sequence[int] = (), header: bool = True) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[column_letter(i)].width = w
    for row in ws.iter_rows(min_row=1):
        for c in row:
            c.alignment = Alignment(wrap_text=c.column in wrap_columns, vertical="top")
    if header:
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="F3F5F8")
        ws.freeze_panes = "A2"
    else:
        for c in ws["A"]:
            c.font = Font(bold=True)


def _save(wb: Any, *, title: str, epoch: int | None, author: str | None = None, date: str | None = None) -> bytes:
    import datetime as dt
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    from strategease.render.report import FIXED_EPOCH, deterministic_zip, strip_xml_invalid

    seconds = epoch if epoch is not None else FIXED_EPOCH
    stamp = (dt.datetime.fromisoformat(date) if date
             else dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(tzinfo=None))
    props = wb.properties
    props.title = strip_xml_invalid(title)[:255]
    props.creator = strip_xml_invalid(author or "strategease")[:255]
    props.lastModifiedBy = props.creator
    props.language = "en-GB"
    props.created = stamp
    props.modified = stamp
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # not openpyxl's save_workbook, which stamps the current time
    return deterministic_zip(buf.getvalue(), seconds)


__all__ = ["RATING_COLUMNS", "SheetError", "SheetTable", "rater_names", "ratings_csv", "ratings_workbook",
           "read_xlsx_table", "report_workbook", "sheet_rows"]
