"""Reading a table from an ``.xlsx`` workbook (openpyxl): the team's ratings, as a CSV gives them.

:func:`read_xlsx_table` reads the *Ratings* sheet (else the first sheet) into the same
:class:`~strategease.catalogue.importer.Table` a CSV gives, so the ratings checks are shared; its
errors name ``file:sheet:cell`` (e.g. ``team.xlsx:Ratings:H7``) where a CSV's name
``file:line:column``. The workshop sheet itself is written by :mod:`strategease.render.sheets`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strategease.catalogue.importer import Cell, Table, column_letter
from strategease.errors import InputInvalid, UsageError

RATINGS_SHEET = "Ratings"
MAX_BYTES = 20 * 1024 * 1024
MAX_CELLS = 1_000_000


# --------------------------------------------------------------------------- reading ratings from .xlsx


class SheetError(InputInvalid):
    """An invalid cell in a workbook: located as ``file:sheet:cell`` (e.g. ``team.xlsx:Ratings:H7``)."""

    def __init__(self, message: str, *, path: str, sheet: str, line: int, column: int, hint: str | None = None):
        super().__init__(message, path=path, line=line, column=column, hint=hint)
        self.sheet = sheet

    def where(self) -> str:
        return f"{self.path}:{self.sheet}:{column_letter(self.column or 1)}{self.line or 1}"


@dataclass
class SheetTable(Table):
    """A :class:`Table` read from a workbook sheet: its errors name the sheet and the cell."""

    sheet: str = RATINGS_SHEET

    def error(self, cell: Cell, message: str, hint: str | None = None) -> InputInvalid:
        return SheetError(message, path=self.path, sheet=self.sheet, line=cell.line, column=cell.column, hint=hint)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def read_xlsx_table(path: Path) -> Table:
    """The *Ratings* sheet (else the first sheet) of an ``.xlsx`` workbook as a :class:`Table`.

    Cell values are read (formulas as their last computed values); blank rows are dropped. A missing,
    unreadable or corrupt workbook is a :class:`UsageError` (exit 2).
    """
    import zipfile

    from strategease.errors import one_or_many

    display = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError("file not found", path=display, hint="check the --ratings path") from None
    except IsADirectoryError:
        raise UsageError("is a directory, expected an .xlsx file", path=display) from None
    except OSError as exc:
        raise UsageError(f"cannot read the workbook: {exc.strerror}", path=display) from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"the workbook is larger than {MAX_BYTES // (1024 * 1024)} MB", path=display)
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UsageError(f"not a readable .xlsx workbook ({type(exc).__name__})", path=display,
                         hint="save it from the spreadsheet as 'Excel Workbook (.xlsx)' or as CSV UTF-8") from None
    try:
        ws = wb[RATINGS_SHEET] if RATINGS_SHEET in wb.sheetnames else wb.worksheets[0]
        sheet = ws.title
        records: list[list[Cell]] = []
        cells = 0
        for line, values in enumerate(ws.iter_rows(values_only=True), 1):
            texts = [_text(v) for v in values]
            if not any(t.strip() for t in texts):
                continue
            cells += len(texts)
            if cells > MAX_CELLS:
                raise UsageError(f"the sheet has more than {MAX_CELLS:,} cells", path=f"{display}:{sheet}",
                                 hint="split it into smaller sheets")
            records.append([Cell(t.strip(), line, column) for column, t in enumerate(texts, 1)])
    finally:
        wb.close()
    digest = hashlib.sha256(data).hexdigest()
    if not records:
        raise one_or_many([SheetError("the sheet is empty", path=display, sheet=sheet, line=1, column=1,
                                      hint="the first row is a header, then one row per rater and determinant")])
    header = records[0]
    while header and not header[-1].text:
        header = header[:-1]
    width = len(header)
    rows = []
    for record in records[1:]:
        padded = record + [Cell("", record[0].line, c) for c in range(len(record) + 1, width + 1)]
        extra = [c for c in padded[width:] if c.text]
        if extra:
            raise one_or_many([SheetError("a value stands outside the table (no column header above it)",
                                          path=display, sheet=sheet, line=extra[0].line, column=extra[0].column,
                                          hint="move it into a column with a header, or delete it")])
        rows.append(padded[:width])
    return SheetTable(display, header, rows, ",", digest, sheet=sheet)
