"""How terminal tables are drawn, in one place for every command (select, compare, list, search, explain).

A :class:`Grid` is a titled table of rows. It is drawn as a Rich table when every column fits at its
narrowest (its longest word, or its longest id: ids are never wrapped or cut), and otherwise as a
stacked layout, one block per row, with every value on its own labelled line. Nothing is cropped:
a verdict, a reason or an id is printed whole at any width.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


class Named(NamedTuple):
    """A cell showing a name with its id on the line below (the id is never wrapped)."""

    name: str
    id: str


Cell = str | Named
GAP = 3
INDENT = "    "
SHORT = 24
"""Values up to this length share one line in the stacked layout ('kind: barrier · imp: 4 · chg: 3')."""
"""Characters between two columns of the wide table (padding, rule, padding)."""


@dataclass
class Col:
    header: str
    right: bool = False
    head: bool = False
    """Part of a row's heading in the stacked layout (e.g. rank and strategy); other columns become labelled lines."""
    dim: bool = False


@dataclass
class Grid:
    title: str
    cols: list[Col]
    rows: list[list[Cell]] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)
    lines: bool = False
    """Separate rows with a rule (useful when cells hold several lines)."""

    def add(self, *cells: Cell, bold: bool = False) -> None:
        if bold:
            self.bold_rows.add(len(self.rows))
        self.rows.append(list(cells))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.narrowest() > options.max_width:
            yield self.stacked()
            return
        lines = self.plain_lines(options.max_width) if console.color_system is None else None
        if lines is None:
            yield self.wide()
            return
        from rich.text import Text

        yield Text("\n".join(lines), no_wrap=True, overflow="ignore")

    def narrowest(self) -> int:
        """The narrowest the wide table can be without splitting a word or an id: every column at its
        longest word, plus one space of padding on each inner side of a column and one for the rule."""
        widths = [max([len(col.header), *(_narrowest(row[i]) for row in self.rows if i < len(row))])
                  for i, col in enumerate(self.cols)]
        return sum(widths) + GAP * (len(widths) - 1)

    def plain_lines(self, max_width: int) -> list[str] | None:
        """The wide table's lines exactly as Rich draws them without styles (a console with no colour system: a
        pipe, a file, ``TERM=dumb``), when nothing in it needs Rich's layout: every column fits at its widest,
        the title fits on one line, and every cell line is plain printable text that starts and ends with a
        character other than a blank (so Rich's measure, wrap and justify leave it as it is); else None.

        Rich's layout of a table costs ~0.2 ms a cell (~60 ms for a ``select`` table of 50 determinants); this
        is the same text, column for column, in a few hundred microseconds. ``tests/test_layout.py`` checks that
        the two agree.
        """
        n = len(self.cols)
        found = [[_cell_lines(col.header) for col in self.cols],
                 *([_cell_lines(c) for c in row[:n]] + [[""]] * (n - len(row)) for row in self.rows)]
        heads, *cells = [[lines for lines in row if lines is not None] for row in found]
        if any(len(row) != n for row in [heads, *cells]):
            return None
        widths = [max(len(line) for row in [heads, *cells] for line in row[i]) for i in range(n)]
        total = sum(widths) + GAP * (len(widths) - 1)
        title = _cell_lines(self.title)
        if total > max_width or title is None or len(title) != 1 or len(title[0]) > total:
            return None
        gap = " " * GAP

        def row_lines(row: list[list[str]]) -> list[str]:
            """A row's lines: each cell justified in its column, shorter cells padded below with blanks."""
            return [gap.join((lines[k] if k < len(lines) else "").rjust(w) if col.right
                             else (lines[k] if k < len(lines) else "").ljust(w)
                             for lines, w, col in zip(row, widths, self.cols, strict=True))
                    for k in range(max(len(lines) for lines in row))]

        out = [title[0].ljust(total), *row_lines(heads), "\u2500" * total]
        separate = self.lines and any(isinstance(c, Named) for row in self.rows for c in row)
        for r, row in enumerate(cells):
            if r and separate:
                out.append(" " * total)
            out += row_lines(row)
        return out

    # ------------------------------------------------------------------ the two layouts

    def wide(self) -> Any:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text(self.title), title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                      show_edge=False, pad_edge=False, show_lines=self.lines and any(
                          isinstance(c, Named) for row in self.rows for c in row))
        for i, col in enumerate(self.cols):
            cells = [row[i] for row in self.rows if i < len(row)]
            table.add_column(Text(col.header), justify="right" if col.right else "left",
                             min_width=max([len(col.header), *(_narrowest(c) for c in cells)]),
                             overflow="fold")
        for r, row in enumerate(self.rows):
            style = "bold" if r in self.bold_rows else ""
            table.add_row(*[_wide_cell(c, style, col.dim) for c, col in zip(row, self.cols, strict=False)])
        return table

    def stacked(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        parts: list[Any] = [Text(self.title, style="bold")]
        heads = [i for i, c in enumerate(self.cols) if c.head] or [0]
        if not self.rows:
            return Group(*parts)
        for r, row in enumerate(self.rows):
            style = "bold" if r in self.bold_rows else ""
            heading = Text()
            ids: list[str] = []
            for i in heads:
                cell = row[i] if i < len(row) else ""
                text, the_id = (cell.name, cell.id) if isinstance(cell, Named) else (cell, None)
                if text:
                    heading.append((" " if heading.plain else "") + text, style="bold")
                if the_id:
                    ids.append(the_id)
            parts += [Text(""), heading, *(_id_line(i) for i in ids)]
            short: list[Any] = []
            longs: list[Any] = []
            for i, col in enumerate(self.cols):
                cell = row[i] if i < len(row) else ""
                if i in heads or not cell:
                    continue
                if isinstance(cell, Named):
                    longs += [_indented(Text.assemble((f"{col.header}: ", "dim"), (cell.name, style))),
                              _id_line(cell.id)]
                elif len(cell) <= SHORT:
                    short.append(Text.assemble((f"{col.header}: ", "dim"), (cell, style)))
                else:
                    longs.append(_indented(Text.assemble((f"{col.header}: ", "dim"), (cell, style))))
            parts += ([_indented(Text(" · ").join(short))] if short else []) + longs
        return Group(*parts)


def _id_line(entry_id: str) -> Any:
    """An id on its own indented line; never wrapped or cut (it runs past a narrow terminal instead)."""
    from rich.text import Text

    return Text(INDENT + entry_id, style="dim", no_wrap=True, overflow="ignore")


def _indented(text: Any) -> Any:
    from rich.padding import Padding

    return Padding(text, (0, 0, 0, len(INDENT)))


def _narrowest(cell: Cell) -> int:
    """The narrowest a cell can be without splitting a word or an id."""
    if isinstance(cell, Named):
        return max(len(cell.id), *(len(w) for w in cell.name.split() or [""]))
    return max((len(w) for w in cell.split()), default=0)


def _cell_lines(cell: Cell) -> list[str] | None:
    """A cell's lines if each is plain printable text without blanks at either end (its width is then its
    length, and Rich draws it as it is), else None."""
    lines = [cell.name, cell.id] if isinstance(cell, Named) else cell.split("\n")
    for line in lines:
        if line and not (line.isprintable() and line.isascii() and line[0] != " " and line[-1] != " "):
            return None
    return lines


def _wide_cell(cell: Cell, style: str, dim: bool) -> Any:
    from rich.text import Text

    if isinstance(cell, Named):
        return Text.assemble((cell.name, "bold"), "\n", (cell.id, "dim"))
    return Text(cell, style=style or ("dim" if dim else ""))


