"""Import a table of links (CSV) as a catalogue layer ("bring your own evidence").

Two shapes are read:

* **long** — one link per row, with a header naming the columns: the *from* column
  (``determinant``, ``from``, ``barrier``, ``construct``, …), the *to* column (``strategy``,
  ``to``, ``function``, …) and ``strength`` (or ``percent``, ``%``, …); optionally
  ``n_respondents`` (or ``n``);
* **wide** — a matrix: the first column holds determinant names, the header row strategy names,
  each cell a value (blank = no link, ``0`` = an explicit link of strength 0), like a CSV export
  of the CFIR–ERIC matching tool. A matrix written the other way round (strategies down the
  side) is recognised when its names resolve better that way.

The shape is detected from the header (a *from* and a *to* column name mean long) unless given.
Values are read on one scale for the whole file: **percentages** if any value carries a ``%``
sign or is greater than 1, **fractions** (0–1) otherwise; a ``%`` sign always means percent.
Names are matched to catalogue ids in the link kind's sections (and the given frameworks):
exactly by id or name, then ignoring case and punctuation (``&`` reads as ``and``).

The core (:func:`parse_table`, :func:`build_import`, :func:`render_overlay`) never prints; file
reading is in :func:`read_table`. Errors: an unreadable or malformed file (not UTF-8, ragged
rows, broken quoting) is a :class:`UsageError` (exit 2); content problems (no rows, a value
that is not a number or out of range, unmatched names, duplicate pairs) are collected and
raised together as :class:`ManyErrors` of :class:`InputInvalid` (exit 1).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from strategease.catalogue import models as m
from strategease.catalogue.load import LINK_ENDPOINTS, SINGULAR, Catalogue, shorten
from strategease.errors import InputInvalid, UsageError, one_or_many

MAX_BYTES = 32 * 1024 * 1024
MAX_CELLS = 1_000_000
MAX_SUGGESTIONS = 200  # distinct unmatched names per column that get a did-you-mean (Resolver.suggest)
"""Most cells a table may have (blank ones included): a 1000 x 1000 matrix, or 250,000 links in
a four-column long table. Bounds memory (a cell costs ~300 bytes) and time; see docs/limits.md."""
SHAPES = ("auto", "long", "wide")
SCALES = ("auto", "percent", "fraction")

_FROM_HEADERS = {"determinant", "determinant id", "from", "from id", "barrier", "cfir barrier", "construct",
                 "cfir construct", "domain", "tdf domain", "component", "challenge"}
_TO_HEADERS = {"strategy", "strategy id", "to", "to id", "eric strategy", "strategy name", "function",
               "intervention function"}
_STRENGTH_HEADERS = {"strength", "percent", "percentage", "percent endorsed", "endorsement", "endorsed",
                     "value", "%"}
_N_HEADERS = {"n", "n respondents", "respondents", "number of respondents"}


# --------------------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class Cell:
    """One CSV cell and where it is (1-based line of its record, 1-based field number)."""

    text: str
    line: int
    column: int


@dataclass
class Table:
    """A parsed CSV file: the header row and the data rows (blank rows dropped)."""

    path: str
    header: list[Cell]
    rows: list[list[Cell]]
    delimiter: str = ","
    sha256: str = ""  # of the file's bytes, as sha256sum prints it

    def error(self, cell: Cell, message: str, hint: str | None = None) -> InputInvalid:
        """An invalid-content error (exit 1) at CELL."""
        return InputInvalid(message, path=self.path, line=cell.line, column=cell.column, hint=hint)


def column_letter(column: int) -> str:
    """A spreadsheet column's letters: 1 → A, 27 → AA."""
    letters = ""
    while column > 0:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_table(path: Path) -> Table:
    """Read a CSV file (UTF-8, BOM allowed; ``,``, ``;`` or tab separated) into a :class:`Table`.

    Missing/unreadable file, binary data, invalid UTF-8, broken quoting or ragged rows raise
    :class:`UsageError` (exit 2), naming file:line.
    """
    from strategease.catalogue.yamlio import read_text

    text, sha256 = read_text(path, what="CSV file", kind="CSV", max_bytes=MAX_BYTES,
                     save_hint="export or save the file as 'CSV UTF-8'",
                     utf16_note=" (a spreadsheet's 'Unicode Text' export?)", binary_note=" (a spreadsheet?)",
                     binary_hint="export the sheet as CSV (UTF-8)")
    display = str(path)
    return parse_table(text, display, sha256)


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_table(text: str, path: str, sha256: str | None = None) -> Table:
    """Parse CSV text into a :class:`Table` (pure; see :func:`read_table` for the errors).

    SHA256 is that of the file's bytes (default: of the text as UTF-8)."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[Cell]] = []
    previous_end = 0
    cells = 0
    try:
        for values in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(value.strip() for value in values):
                continue  # blank line, or a row of empty cells as spreadsheets export them
            cells += len(values)
            if cells > MAX_CELLS:
                raise UsageError(f"the table has more than {MAX_CELLS:,} cells", path=path, line=start,
                                 hint="split it into smaller tables")
            records.append([Cell(value.strip(), start, index) for index, value in enumerate(values, 1)])
    except csv.Error as exc:
        raise UsageError(f"malformed CSV: {exc}", path=path, line=previous_end + 1,
                         hint="check the quoting from this line on") from None
    if not records:
        raise one_or_many([InputInvalid("the CSV file is empty", path=path, line=1,
                                  hint="the first row is a header, then one row per determinant or link")])
    header = records[0]
    while header and not header[-1].text:
        header = header[:-1]  # trailing empty columns, as spreadsheets export them
    rows: list[list[Cell]] = []
    for record in records[1:]:
        extra = record[len(header):]
        if len(record) < len(header) or any(cell.text for cell in extra):
            raise UsageError(f"ragged row: {len(record)} cells where the header has {len(header)}",
                             path=path, line=record[0].line,
                             hint="every row needs one cell per header column (leave cells blank, "
                                  "don't drop them)")
        rows.append(record[: len(header)])
    digest = sha256 if sha256 is not None else hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Table(path, header, rows, delimiter, digest)


# --------------------------------------------------------------------------- matching names


# British spellings read as their American forms (ERIC is written in American English; the CFIR-ERIC
# tool, Waltz 2019 and many UK papers write "adviser", "organise", "behaviour", "programme").
_SPELLINGS = {
    "adviser": "advisor", "advisers": "advisors", "organise": "organize", "organised": "organized",
    "organising": "organizing", "organisation": "organization", "organisations": "organizations",
    "organisational": "organizational", "behaviour": "behavior", "behaviours": "behaviors",
    "behavioural": "behavioral", "programme": "program", "programmes": "programs", "centre": "center",
    "centres": "centers", "utilise": "utilize", "utilisation": "utilization", "mobilise": "mobilize",
    "prioritise": "prioritize", "prioritisation": "prioritization", "standardise": "standardize",
    "modelling": "modeling", "counselling": "counseling", "colour": "color",
    "favour": "favor", "labour": "labor", "practise": "practice", "licence": "license", "judgement": "judgment",
    "optimise": "optimize", "recognise": "recognize", "emphasise": "emphasize", "specialised": "specialized",
}


@lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """Case-, punctuation- and spelling-insensitive form of a name or id: ``Reflecting & Evaluating``
    and ``reflecting-and-evaluating`` both become ``reflecting and evaluating``, and British spellings
    read as American ones (``Use an implementation adviser`` = ``Use an implementation advisor``)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    return " ".join(_SPELLINGS.get(w, w) for w in re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class Match:
    ids: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return len(self.ids) == 1


def _framework_of(entry_id: str, model: Any) -> str:
    return getattr(model, "framework", None) or entry_id.split(".", 1)[0]


class Resolver:
    """Resolves names written in a table to catalogue ids of one section (and framework)."""

    def __init__(self, cat: Catalogue, section: str, framework: str | None) -> None:
        self.section = section
        self.framework = framework
        self.entries: dict[str, Any] = {
            entry_id: model for entry_id, model in cat.section(section).items()
            if framework is None or _framework_of(entry_id, model) == framework
        }
        self._pool: dict[str, str] | None = None  # normalised name -> id, for suggest()
        self._suggested: dict[str, str | None] = {}
        self.by_name: dict[str, list[str]] = {}
        self.by_norm: dict[str, list[str]] = {}
        for entry_id, model in self.entries.items():
            self.by_name.setdefault(model.name, []).append(entry_id)
            aliases = getattr(model, "aliases", None) or []
            for alias in aliases:
                self.by_name.setdefault(alias, []).append(entry_id)
            keys = {normalise(model.name), normalise(entry_id), normalise(entry_id.split(".", 1)[-1]),
                    *(normalise(a) for a in aliases)}
            for key in keys:
                self.by_norm.setdefault(key, []).append(entry_id)

    def resolve(self, name: str) -> Match:
        """Exactly by id; else by name, exactly or ignoring case and punctuation. A name found in
        more than one framework is ambiguous even if one spelling is exact (CFIR 2.0 writes
        'Reflecting & Evaluating' as the CFIR-ERIC tool does for CFIR 1.0)."""
        if name in self.entries:
            return Match((name,))
        found = self.by_norm.get(normalise(name))
        if found is None:
            return Match(())
        loose = sorted(set(found))
        exact = self.by_name.get(name, [])
        frameworks = {_framework_of(i, self.entries[i]) for i in loose}
        if len(exact) == 1 and len(frameworks) == 1:
            return Match((exact[0],))
        return Match(tuple(loose))

    def suggest(self, name: str) -> str | None:
        """The closest entry, as ``'Name' (id)``, or None. Suggestions are worked out for the first
        MAX_SUGGESTIONS distinct names only (each compares the name with every entry's); later
        ones get None, so a table of 100,000 unknown names costs seconds, not minutes."""
        key = normalise(name)
        if key in self._suggested:
            return self._suggested[key]
        if len(self._suggested) >= MAX_SUGGESTIONS:
            return None
        if self._pool is None:
            self._pool = {normalise(model.name): entry_id for entry_id, model in self.entries.items()}
        close = difflib.get_close_matches(key, list(self._pool), n=1, cutoff=0.6)
        entry_id = self._pool[close[0]] if close else None
        found = f"'{self.entries[entry_id].name}' ({entry_id})" if entry_id else None
        self._suggested[key] = found
        return found

    @property
    def what(self) -> str:
        noun = SINGULAR.get(self.section, self.section)
        return f"{self.framework} {noun}" if self.framework else noun


def _unresolved(name: str, match: Match, resolver: Resolver, everywhere: Resolver | None,
                anywhere: Anywhere, role: str) -> tuple[str, str]:
    """Message and hint for a name that did not resolve to exactly one id."""
    if match.ids:
        frameworks = sorted({_framework_of(i, resolver.entries[i]) for i in match.ids})
        flag = "--from-framework" if role == "from" else "--to-framework"
        hint = (f"pass {flag} {' or '.join(frameworks)}, or write the id" if len(frameworks) > 1
                else "write the id instead of the name")
        return f"{resolver.what} '{name}' is ambiguous: it matches {', '.join(match.ids)}", hint
    message = f"{resolver.what} '{name}' matches no catalogue entry"
    if everywhere is not None:
        other = everywhere.resolve(name)
        if other.ids:
            fw = _framework_of(other.ids[0], everywhere.entries[other.ids[0]])
            return message, f"'{name}' is {other.ids[0]} in framework '{fw}'; check --{role}-framework"
    found = anywhere.find(name)
    if found:
        return message, f"'{name}' is the {found}; check the column and --kind"
    suggestion = resolver.suggest(name)
    if suggestion:
        return message, f"did you mean {suggestion}?"
    flag = f" --framework {resolver.framework}" if resolver.framework else ""
    return message, f"see 'strategease list {resolver.section}{flag}' for the names"


class Anywhere:
    """Resolvers over whole sections, built once per import: where a name that matched nothing in
    its column is looked up, to say what it is instead."""

    def __init__(self, cat: Catalogue) -> None:
        self.resolvers = [(section, Resolver(cat, section, None))
                          for section in ("determinants", "functions", "strategies")]

    def find(self, name: str) -> str | None:
        for section, resolver in self.resolvers:
            hit = resolver.resolve(name)
            if hit.ids:
                return f"{SINGULAR[section]} {hit.ids[0]}"
        return None


# --------------------------------------------------------------------------- building links


@dataclass(frozen=True)
class ImportedLink:
    from_: str
    to: str
    strength: float
    n_respondents: int | None
    line: int
    column: int
    written: str  # the cell as written, e.g. "56" or "56%"


@dataclass
class ImportOptions:
    kind: m.LinkKind = m.LinkKind.addresses
    evidence: m.Evidence = m.Evidence.survey_of_experts
    source_citation: str = ""
    source_id: str | None = None
    from_framework: str | None = None
    to_framework: str | None = None
    shape: str = "auto"
    scale: str = "auto"
    skip_unmatched: bool = False


@dataclass
class ImportResult:
    """What an import produced: the links, the source entry, and what was skipped."""

    path: str
    shape: str  # "long" | "wide"
    scale: str  # "percent" | "fraction"
    transposed: bool
    kind: m.LinkKind
    evidence: m.Evidence
    source: m.Source
    write_source: bool
    links: list[ImportedLink] = field(default_factory=list)
    skipped: list[tuple[str, InputInvalid]] = field(default_factory=list)  # (what was left out, why)
    reweighted: int = 0  # links that already exist in the catalogue (same from, to, kind)


def _header_role(cell: Cell) -> str | None:
    raw = cell.text.strip().casefold()
    key = "%" if raw == "%" else normalise(raw.replace("_", " "))
    for role, names in (("from", _FROM_HEADERS), ("to", _TO_HEADERS), ("strength", _STRENGTH_HEADERS),
                        ("n", _N_HEADERS)):
        if key in names:
            return role
    return None


def detect_shape(table: Table) -> str:
    roles = {_header_role(cell) for cell in table.header}
    return "long" if {"from", "to"} <= roles else "wide"


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _number(cell: Cell, delimiter: str) -> tuple[float | None, bool, str | None]:
    """(value, has_percent_sign, error) for one cell; (None, False, None) when blank."""
    text = cell.text.replace("\u00a0", "").replace(" ", "")
    if not text:
        return None, False, None
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if delimiter != "," and "," in text and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as European spreadsheets write it
    if not _NUMBER.match(text):
        return None, percent, f"not a number: '{shorten(cell.text)}'"
    value = float(text)
    if not math.isfinite(value):
        return None, percent, f"not a number: '{shorten(cell.text)}'"
    return value, percent, None


@dataclass
class _Pending:
    from_: str
    to: str
    cell: Cell
    n_cell: Cell | None = None


def _scale(table: Table, cells: Iterable[Cell], requested: str) -> tuple[str, dict[Cell, float],
                                                                        list[InputInvalid]]:
    """Parse the value cells and decide the scale; return fractions 0-1 by cell, and errors."""
    parsed: dict[Cell, tuple[float, bool]] = {}
    errors: list[InputInvalid] = []
    for cell in cells:
        value, percent, problem = _number(cell, table.delimiter)
        if problem:
            errors.append(table.error(cell, problem, "write a percentage (56 or 56%), a fraction (0.56), "
                                 "or leave the cell blank for no link"))
        elif value is not None:
            parsed[cell] = (value, percent)
    scale = requested
    if scale == "auto":
        scale = "percent" if any(pct or value > 1 for value, pct in parsed.values()) else "fraction"
    out: dict[Cell, float] = {}
    for cell, (value, pct) in parsed.items():
        as_percent = pct or scale == "percent"
        top = 100.0 if as_percent else 1.0
        if value < 0 or value > top:
            unit = "a percentage (0-100)" if as_percent else "a fraction (0-1)"
            hint = ("read as a fraction because of --scale fraction" if not as_percent
                    else "values are read as percentages because some are over 1 or carry a % sign"
                    if requested == "auto" else None)
            errors.append(table.error(cell, f"value {cell.text} is out of range for {unit}", hint))
            continue
        out[cell] = round(value / 100.0, 6) if as_percent else value
    return scale, out, errors


def _n_value(table: Table, cell: Cell | None, errors: list[InputInvalid]) -> int | None:
    if cell is None or not cell.text:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", cell.text) or int(cell.text) < 1:
        errors.append(table.error(cell, f"n_respondents must be a whole number of at least 1, not "
                                          f"'{shorten(cell.text)}'"))
        return None
    return int(cell.text)


def _resolvers(cat: Catalogue, options: ImportOptions) -> tuple[Resolver, Resolver, Resolver, Resolver]:
    from_section, to_section = LINK_ENDPOINTS[options.kind]
    for flag, fw in (("--from-framework", options.from_framework), ("--to-framework", options.to_framework)):
        if fw is not None and fw not in cat.frameworks and not any(
                entry_id.startswith(fw + ".") for entry_id in cat.all_ids()):
            from strategease.catalogue.load import did_you_mean

            raise UsageError(f"{flag}: unknown framework '{fw}'",
                             hint=did_you_mean(fw, cat.frameworks) or
                             f"frameworks are: {', '.join(sorted(cat.frameworks))}")
    return (Resolver(cat, from_section, options.from_framework), Resolver(cat, to_section, options.to_framework),
            Resolver(cat, from_section, None), Resolver(cat, to_section, None))


def _resolve_names(table: Table, cells: Sequence[Cell], resolver: Resolver, everywhere: Resolver,
                   anywhere: Anywhere, role: str) -> tuple[dict[Cell, str], list[InputInvalid]]:
    found: dict[Cell, str] = {}
    problems: list[InputInvalid] = []
    for cell in cells:
        if not cell.text:
            problems.append(table.error(cell, f"empty {resolver.what} name", "write a name or an id"))
            continue
        match = resolver.resolve(cell.text)
        if match.ok:
            found[cell] = match.ids[0]
        else:
            message, hint = _unresolved(cell.text, match, resolver,
                                        everywhere if resolver.framework else None, anywhere, role)
            problems.append(table.error(cell, message, hint))
    return found, problems


def _long(table: Table, cat: Catalogue, options: ImportOptions
          ) -> tuple[list[_Pending], list[InputInvalid], list[InputInvalid], bool]:
    roles: dict[str, int] = {}
    errors: list[InputInvalid] = []
    for index, cell in enumerate(table.header):
        role = _header_role(cell)
        if role is None:
            continue
        if role in roles:
            errors.append(table.error(cell, f"two '{role}' columns: '{table.header[roles[role]].text}' and "
                                              f"'{cell.text}'", "keep one"))
        else:
            roles[role] = index
    missing = [r for r in ("from", "to", "strength") if r not in roles]
    if missing:
        names = {"from": "determinant (or from)", "to": "strategy (or to)", "strength": "strength (or percent)"}
        raise one_or_many([table.error(table.header[0], "a long-form table needs the columns "
                             + ", ".join(names[r] for r in ("from", "to", "strength"))
                             + f"; missing: {', '.join(names[r] for r in missing)}",
                             "name the columns in the header row, or pass --shape wide for a matrix")])
    from_res, to_res, from_all, to_all = _resolvers(cat, options)
    anywhere = Anywhere(cat)
    pending: list[_Pending] = []
    unmatched: list[InputInvalid] = []
    for row in table.rows:
        from_cell, to_cell = row[roles["from"]], row[roles["to"]]
        ids: dict[str, str] = {}
        problems: list[InputInvalid] = []
        for role, cell, res, every in (("from", from_cell, from_res, from_all), ("to", to_cell, to_res, to_all)):
            found, probs = _resolve_names(table, [cell], res, every, anywhere, role)
            if cell in found:
                ids[role] = found[cell]
            problems.extend(probs)
        if problems:
            unmatched.extend(problems)
            continue
        n_cell = row[roles["n"]] if "n" in roles else None
        pending.append(_Pending(ids["from"], ids["to"], row[roles["strength"]], n_cell))
    return pending, errors, unmatched, False


def _wide(table: Table, cat: Catalogue, options: ImportOptions
          ) -> tuple[list[_Pending], list[InputInvalid], list[InputInvalid], bool]:
    from_res, to_res, from_all, to_all = _resolvers(cat, options)
    anywhere = Anywhere(cat)
    heads = table.header[1:]
    sides = [row[0] for row in table.rows]
    if not heads:
        raise one_or_many([table.error(table.header[0], "a matrix needs strategy names in the header row after "
                             "the first column", "or pass --shape long with determinant, strategy and "
                             "strength columns")])
    head_ids, head_bad = _resolve_names(table, heads, to_res, to_all, anywhere, "to")
    side_ids, side_bad = _resolve_names(table, sides, from_res, from_all, anywhere, "from")
    transposed = False
    if head_bad or side_bad:  # maybe strategies run down the side and determinants across?
        t_head_ids, t_head_bad = _resolve_names(table, heads, from_res, from_all, anywhere, "from")
        t_side_ids, t_side_bad = _resolve_names(table, sides, to_res, to_all, anywhere, "to")
        if len(t_head_bad) + len(t_side_bad) < len(head_bad) + len(side_bad):
            transposed = True
            head_ids, head_bad, side_ids, side_bad = t_head_ids, t_head_bad, t_side_ids, t_side_bad
    errors: list[InputInvalid] = []
    for cells, ids in ((heads, head_ids), (sides, side_ids)):
        first_by_id: dict[str, Cell] = {}
        for cell in cells:
            entry_id = ids.get(cell)
            if entry_id is None:
                continue
            if entry_id in first_by_id:
                other = first_by_id[entry_id]
                errors.append(table.error(cell, f"'{cell.text}' is {entry_id}, like '{other.text}' at "
                                     f"{table.path}:{other.line}:{other.column}", "keep one of them"))
                del ids[cell]
            else:
                first_by_id[entry_id] = cell
    pending: list[_Pending] = []
    for row in table.rows:
        side_id = side_ids.get(row[0])
        if side_id is None:
            continue
        for head, cell in zip(heads, row[1:], strict=True):
            head_id = head_ids.get(head)
            if head_id is None or not cell.text:
                continue
            from_id, to_id = (head_id, side_id) if transposed else (side_id, head_id)
            pending.append(_Pending(from_id, to_id, cell))
    return pending, errors, head_bad + side_bad, transposed


SCALE_WORDS = {"percent": "percentages", "fraction": "fractions (0-1)"}
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def derive_source_id(citation: str, existing: dict[str, m.Source]) -> str:
    """A source key from a citation (``Waltz TJ, … 2019`` -> ``waltz2019``), avoiding clashes."""
    word = re.match(r"[a-z]+", normalise(citation))
    year = _YEAR.search(citation)
    base = (word.group(0).lower() if word else "imported") + (year.group(0) if year else "")
    base = base if re.match(r"^[a-z]", base) else "imported-links"
    candidate, counter = base, 1
    while candidate in existing and not _same_citation(existing[candidate].citation, citation):
        candidate = f"{base}-import" if counter == 1 else f"{base}-import-{counter}"
        counter += 1
    return candidate


def _same_citation(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _source(cat: Catalogue, options: ImportOptions) -> tuple[m.Source, bool]:
    citation = " ".join(options.source_citation.split())
    if not citation:
        raise UsageError("--source-citation is empty", hint="cite where the numbers come from")
    source_id = options.source_id or derive_source_id(citation, cat.sources)
    if not re.match(m.KEY_PATTERN, source_id) or len(source_id) > 80:
        raise UsageError(f"--source-id '{source_id}' is not a valid source key",
                         hint="use lower-case words joined by '-', '_' or '.', e.g. 'waltz2019-matrix'")
    existing = cat.sources.get(source_id)
    if existing is not None and not _same_citation(existing.citation, citation):
        raise UsageError(f"--source-id '{source_id}' already names a source with another citation "
                         f"('{existing.citation[:80]}')",
                         hint="choose a new --source-id, or omit it to have one made from the citation")
    try:
        source = m.Source(id=source_id, citation=citation)
    except ValueError as exc:
        raise UsageError(f"--source-citation: {exc}") from None
    return source, existing is None


def build_import(table: Table, cat: Catalogue, options: ImportOptions) -> ImportResult:
    """Turn a parsed table into links between catalogue ids (pure).

    Raises :class:`ManyErrors` (exit 1) listing every problem when a name does not resolve
    (unless ``skip_unmatched``), a value is not a number or out of range, or a pair repeats.
    """
    source, write_source = _source(cat, options)
    shape = options.shape if options.shape != "auto" else detect_shape(table)
    if not table.rows:
        raise one_or_many([InputInvalid("the CSV file has a header but no rows", path=table.path,
                                  line=table.header[0].line if table.header else 1)])
    builder = _long if shape == "long" else _wide
    pending, errors, unmatched, transposed = builder(table, cat, options)
    skipped: list[tuple[str, InputInvalid]] = []
    if unmatched and options.skip_unmatched:
        header_line = table.header[0].line
        for err in unmatched:
            if shape == "wide" and err.line == header_line:
                what = f"column {column_letter(err.column or 1)}"
            else:
                what = f"row {err.line}"
            skipped.append((what, err))
    else:
        errors.extend(unmatched)
    scale, values, value_errors = _scale(table, [p.cell for p in pending], options.scale)
    errors.extend(value_errors)
    links: list[ImportedLink] = []
    seen: dict[tuple[str, str], Cell] = {}
    for item in pending:
        if item.cell not in values:  # blank (long form only), or already reported as a bad value
            if not item.cell.text:
                errors.append(table.error(item.cell, f"missing strength for {item.from_} -> {item.to}",
                                     "every row of a long table needs a value"))
            continue
        key = (item.from_, item.to)
        if key in seen:
            first = seen[key]
            errors.append(table.error(item.cell, f"link {item.from_} -> {item.to} is given twice (first at "
                                 f"{table.path}:{first.line}:{first.column})", "keep one value per pair"))
            continue
        seen[key] = item.cell
        if item.from_ == item.to:
            errors.append(table.error(item.cell, f"a link cannot point to itself ({item.from_})"))
            continue
        n = _n_value(table, item.n_cell, errors)
        links.append(ImportedLink(item.from_, item.to, values[item.cell], n, item.cell.line,
                                  item.cell.column, item.cell.text))
    if errors:
        raise one_or_many(errors)
    if not links:
        raise one_or_many([InputInvalid("no links to import" + (" (every name was skipped)" if skipped else
                                  " (every cell is blank)"), path=table.path, line=1,
                                  hint="check the names and values")])
    existing = {(lk.from_, lk.to) for lk in cat.links if lk.kind is options.kind}
    result = ImportResult(table.path, shape, scale, transposed, options.kind, options.evidence, source,
                          write_source, links, skipped)
    result.reweighted = sum((lk.from_, lk.to) in existing for lk in links)
    return result


# --------------------------------------------------------------------------- writing the layer


def render_overlay(result: ImportResult, *, digest: str | None = None) -> str:
    """The catalogue layer as YAML text (deterministic; links in the table's order).

    Every link field is written, nulls included, so that a link that re-weights a shipped one
    replaces it whole when layers merge (no stale ``n_respondents``, bounds, ``grade`` or note).
    """
    import yaml

    name = Path(result.path).name
    header = [
        f"# Catalogue layer written by 'strategease import-links' from {name}",
        f"# ({result.shape} table, values read as {SCALE_WORDS[result.scale]}"
        + (", matrix transposed" if result.transposed else "") + f"; {len(result.links)} link(s)"
        + (f", {result.reweighted} of them re-weighting existing links" if result.reweighted else "") + ").",
    ]
    if digest:
        header.append(f"# sha256 of {name}: {digest}")
    header.append("# Use it with: strategease validate --catalogue THIS_FILE; strategease select SCOPE "
                  "--catalogue THIS_FILE")
    doc: dict[str, Any] = {}
    if result.write_source:
        doc["sources"] = [result.source.model_dump(mode="json", exclude_none=True)]
    doc["links"] = [
        {
            "from": lk.from_,
            "to": lk.to,
            "kind": result.kind.value,
            "strength": lk.strength,
            "strength_lower": None,
            "strength_lower_source": None,
            "strength_upper": None,
            "grade": None,
            "n_respondents": lk.n_respondents,
            "evidence": result.evidence.value,
            "source": result.source.id,
            "rationale": None,
            "note": f"imported from {name} line {lk.line}, column {lk.column} "
                    f"({column_letter(lk.column)}): {lk.written}",
        }
        for lk in result.links
    ]
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return "\n".join(header) + "\n" + body


def verify_overlay(text: str, base: Sequence[Path] | None, layers: Sequence[Path]) -> None:
    """Load TEXT as one more layer over base + layers and raise if the result is invalid.

    A guard: an import that resolves every name should always validate. It is a second, uncached load (about
    half of the command's time on the shipped catalogue, mostly re-reading its YAML) because the loader is the one
    home of what makes a layer valid: links merge field by field with a same-key link below, each field meets the
    schema, references resolve, text is safe. Checking the layer against the catalogue already in memory would
    need a second copy of those rules.
    """
    import tempfile

    from strategease.catalogue.load import load_catalogue

    with tempfile.TemporaryDirectory(prefix="strategease-import-") as tmp:
        overlay = Path(tmp) / "overlay.yaml"
        overlay.write_text(text, encoding="utf-8")
        _, report = load_catalogue(base or None, [*layers, overlay])
    if report.errors:
        raise one_or_many([InputInvalid(f"the written layer would not validate: {f.entry or ''} {f.message}",
                                  hint=f.hint) for f in report.errors])


def skipped_lines(result: ImportResult) -> list[str]:
    return [f"skipped {what}: {err}" for what, err in result.skipped]


__all__ = ["Cell", "ImportOptions", "ImportResult", "ImportedLink", "Resolver", "Table",
           "build_import", "derive_source_id", "detect_shape", "normalise", "parse_table", "read_table",
           "render_overlay", "verify_overlay"]
