"""The catalogue cache's format: a validated (Catalogue, Report) as plain JSON data.

Nothing read back can run code: the file is JSON (numbers, strings, lists, mappings), and the
classes it is rebuilt into are fixed here, never named by the file. Rebuilding checks every
value against its field's type (string, number, boolean, enum member, nested model, list of
those), so a damaged or forged entry fails to decode (and the catalogue is loaded from its files)
instead of producing objects of the wrong kind. Models are rebuilt without running Pydantic
validation again (they were validated before they were stored, and each entry is authenticated,
see :mod:`strategease.catalogue.cache`): that is what keeps a cached ``select`` at 10^5 links fast.

Layout (column-major, so a table of 10^5 links is a handful of long lists): every string is
stored once in ``strings`` and referred to by index; each model class has a table of columns,
one per field in declaration order, plus the index of each row's set of given fields; a nested
model is the index of its row in its class's table. The links' table lists the links grouped by
their ``from``, as ``links_from`` does (``links`` gives the row of each link of ``Catalogue.links``,
in file order). A long list of integers (indexes, line
numbers) is stored packed, ``{"packed": [width, BYTES]}``: little-endian signed integers of
WIDTH bytes, which decode to exactly those integers without the JSON parser reading each one; a long list of
floats (and None) is stored as ``{"doubles": BYTES}``, little-endian IEEE 754 doubles with None as a NaN. The
packed bytes themselves follow the JSON document (format 6, :func:`pack_payload`): BYTES is written
``{"bin": [offset, length]}`` into them and read back as a view of the entry, not a copy. (Format 5 wrote them in
hexadecimal inside the JSON, base64 before: the JSON parser then scanned 10^6 hexadecimal digits and
``bytes.fromhex`` turned them into bytes, ~15 % of a cached load at 10^5 links, for an entry twice the size.)
The links' long columns are checked when the entry is read and converted a slice at a time, as their links are
first built (:class:`_Lazy`, :class:`_LinkRows`).
"""

from __future__ import annotations

import json
import sys
import types
import typing
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from enum import Enum
from functools import partial
from itertools import accumulate, chain, islice, repeat
from typing import Any, Union

from pydantic import BaseModel

from strategease.catalogue import models as m
from strategease.catalogue.findings import Finding, Report, Severity
from strategease.catalogue.load import ENTRY_MODELS, Catalogue, Origin

FORMAT = 6
# Nested classes first: a table may refer only to rows of a table decoded before it.
MODELS: tuple[type[BaseModel], ...] = (m.CoverageNote, m.Ratings, m.Effect, m.CatalogueMeta, *ENTRY_MODELS.values())
SECTIONS = tuple(name for name in ENTRY_MODELS if name != "links")
if MODELS[-1] is not m.Link:  # links are decoded last, and lazily (_LinkRows)
    raise TypeError("strategease.catalogue.cache_codec expects the links' table last")
CATALOGUE_FIELDS = frozenset({"meta", *ENTRY_MODELS, "origins", "link_origins", "files", "content_hash", "links_from",
                              "links_to", "layers", "layer_names", "retired", "overridden_by", "retired_at",
                              "base_files", "invalid"})
FINDING_FIELDS = ("path", "line", "column", "severity", "rule", "message", "entry", "hint")

_new = object.__new__
_set = object.__setattr__
# Pydantic keeps these in slots: their descriptors set them faster than object.__setattr__.
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class DecodeError(ValueError):
    """The data is not a cache entry of this format and shape."""


# --------------------------------------------------------------------------- field kinds

# ("str"|"int"|"float"|"bool",) | ("enum", cls) | ("model", cls) | ("list", kind) | ("opt", kind)
Kind = tuple[Any, ...]


def _kind(annotation: Any) -> Kind:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"cannot cache a field of type {annotation!r}")
        return ("opt", _kind(args[0]))
    if origin is list:
        return ("list", _kind(typing.get_args(annotation)[0]))
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return ("enum", annotation)
        if issubclass(annotation, BaseModel):
            return ("model", annotation)
        if annotation in (str, int, float, bool):
            return (annotation.__name__,)
    raise TypeError(f"cannot cache a field of type {annotation!r}")


_KINDS: dict[type[BaseModel], list[tuple[str, Kind]]] = {}


def _fields(cls: type[BaseModel]) -> list[tuple[str, Kind]]:
    known = _KINDS.get(cls)
    if known is None:
        known = _KINDS[cls] = [(name, _kind(info.annotation)) for name, info in cls.model_fields.items()]
    return known


# --------------------------------------------------------------------------- encoding


class _Encoder:
    def __init__(self) -> None:
        self.strings: list[str] = []
        self.index: dict[str, int] = {}
        for cls in MODELS:  # enum values first: short indexes for the columns that repeat them
            for _, kind in _fields(cls):
                while kind[0] in ("opt", "list"):
                    kind = kind[1]
                if kind[0] == "enum":
                    for member in kind[1]:
                        self.s(member.value)
        self.rows: dict[type[BaseModel], list[BaseModel]] = {cls: [] for cls in MODELS}
        self.row_of: dict[int, int] = {}  # id(model) -> its row in its class's table
        self.order: dict[type[BaseModel], list[int]] = {}  # a table written in another order than registered

    def s(self, text: str) -> int:
        at = self.index.get(text)
        if at is None:
            at = self.index[text] = len(self.strings)
            self.strings.append(text)
        return at

    def add(self, model: BaseModel) -> int:
        """Register MODEL (and the models nested in it, first) as a row of its class's table."""
        at = self.row_of.get(id(model))
        if at is not None:
            return at
        for name, kind in _fields(type(model)):
            self._register_nested(kind, getattr(model, name))
        rows = self.rows[type(model)]
        at = self.row_of[id(model)] = len(rows)
        rows.append(model)
        return at

    def _register_nested(self, kind: Kind, value: Any) -> None:
        if value is None:
            return
        if kind[0] == "model":
            self.add(value)
        elif kind[0] in ("opt", "list"):
            for item in value if kind[0] == "list" else [value]:
                self._register_nested(kind[1], item)

    def value(self, kind: Kind, value: Any) -> Any:
        tag = kind[0]
        if tag == "str":
            return self.s(value)
        if tag == "enum":
            return self.s(value.value)
        if tag == "model":
            return self.row_of[id(value)]
        if tag == "opt":
            return None if value is None else self.value(kind[1], value)
        if tag == "list":
            return [self.value(kind[1], v) for v in value]
        return value

    def reorder(self, cls: type[BaseModel], order: list[int]) -> None:
        """Write CLS's table in ORDER (a permutation of its registered rows): row k is registered row ORDER[k]."""
        rows = self.rows[cls]
        if sorted(order) != list(range(len(rows))):
            raise TypeError(f"not an order of the {cls.__name__} table")
        self.order[cls] = order
        self.row_of.update(zip(map(id, map(rows.__getitem__, order)), range(len(order)), strict=True))

    def table(self, cls: type[BaseModel]) -> dict[str, Any]:
        rows = self.rows[cls]
        order = self.order.get(cls)

        def ordered(column: list[Any]) -> list[Any]:
            # values are read in registration order (the models lie in memory in that order), then put in ORDER
            return column if order is None else list(map(column.__getitem__, order))

        sets: dict[frozenset[str], int] = {}
        set_of = ordered([sets.setdefault(frozenset(row.__pydantic_fields_set__), len(sets)) for row in rows])
        columns = [_stored(ordered([self.value(kind, getattr(row, name)) for row in rows]), kind)
                   for name, kind in _fields(cls)]
        return {"n": len(rows), "sets": [sorted(s) for s in sets], "set_of": _pack(_same(set_of, ("int",))),
                "columns": columns}


def _stored(column: list[Any], kind: Kind) -> Any:
    """A table's column as it is written: one value for all rows (:func:`_same`), else packed when long (floats
    by :func:`_pack_doubles`, integers and indexes by :func:`_pack`), else the plain list."""
    column = _same(column, kind)
    optional = kind[0] == "opt"
    if (kind[1] if optional else kind)[0] == "float":
        return _pack_doubles(column, optional)
    return _pack(column, optional)


def _same(column: list[Any], kind: Kind) -> Any:
    """COLUMN, or ``{"same": value}`` when every row holds one value that is not a list (a
    shared list could be changed through one row)."""
    if len(column) > 1 and kind[0] != "list" and (kind[0] != "opt" or kind[1][0] != "list"):
        first = column[0]
        if all(v == first and type(v) is type(first) for v in column):
            return {"same": first}
    return column


# width in bytes -> the array typecode of a signed integer of that size
_CODES = {array(code).itemsize: code for code in "bhilq"}
PACK_FROM = 32
"""Lists of integers at least this long are stored packed (shorter ones stay plain JSON lists)."""


def _pack(column: Any, optional: bool = False) -> Any:
    """COLUMN as ``{"packed": [width, bytes]}`` when it is a long list of integers, else unchanged.

    An OPTIONAL column of integers that are not negative and None (an optional string's index, say) is stored
    as ``{"optional": [width, bytes]}``: each integer plus one, and 0 for None.
    """
    if type(column) is not list or len(column) < PACK_FROM:
        return column
    types = set(map(type, column))
    tag = "packed"
    if optional and types == {int, type(None)} and min(v for v in column if v is not None) >= 0:
        column, tag = [0 if v is None else v + 1 for v in column], "optional"
    elif not types <= {int}:
        return column
    lo, hi = min(column), max(column)
    for width, code in sorted(_CODES.items()):
        if -(1 << (8 * width - 1)) <= lo and hi < 1 << (8 * width - 1):
            packed = array(code, column)
            if sys.byteorder == "big":
                packed.byteswap()
            return {tag: [width, packed.tobytes()]}
    return column  # beyond 64 bits: plain JSON


_NAN = float("nan")


def _pack_doubles(column: Any, optional: bool) -> Any:
    """A long COLUMN of floats (and None, when OPTIONAL) as ``{"doubles": bytes}``: little-endian IEEE 754
    doubles, None stored as a NaN; else unchanged (short, other types, or a NaN of its own). The JSON parser
    then reads one string instead of 10^5 numbers (a third of a cached load's parsing at 10^5 links)."""
    if type(column) is not list or len(column) < PACK_FROM:
        return column
    if not set(map(type, column)) <= ({float, type(None)} if optional else {float}):
        return column
    if any(v != v for v in column if v is not None):
        return column
    packed = array("d", [_NAN if v is None else v for v in column])
    if sys.byteorder == "big":
        packed.byteswap()
    return {"doubles": packed.tobytes()}


def _unpack_doubles(col: Any) -> array[float]:
    """The floats a ``{"doubles": bytes}`` column holds, as an array (None still NaN); DecodeError otherwise."""
    _need(len(col) == 1 and type(col["doubles"]) in _BYTES, "a column of doubles")
    values = array("d")
    values.frombytes(col["doubles"])  # a ragged size: ValueError
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _floats(values: Sequence[float], optional: bool) -> list[float | None]:
    """Doubles as floats, NaN read as None when OPTIONAL (a required column holding a NaN: DecodeError)."""
    if optional:
        return [None if v != v else v for v in values]
    floats: list[float | None] = list(values)
    _need(not any(v != v for v in floats), "a value is missing")
    return floats


def _unpack(col: Any) -> list[Any]:
    """The list of integers a packed column holds (a plain list as it is); DecodeError otherwise."""
    if type(col) is list:
        return col  # type: ignore[no-any-return]
    return _unpack_array(col).tolist()


def _unpack_array(col: Any) -> array[int]:
    """The integers a packed column holds, as an array (not yet Python integers); DecodeError otherwise."""
    _need(type(col) is dict and len(col) == 1 and type(col.get("packed")) is list, "a column is not a list")
    spec = col["packed"]
    _need(len(spec) == 2 and type(spec[0]) is int and spec[0] in _CODES and type(spec[1]) in _BYTES, "a packed column")
    values = array(_CODES[spec[0]])
    values.frombytes(spec[1])  # a ragged size: ValueError
    if sys.byteorder == "big":
        values.byteswap()
    return values


def encode(key: str, cat: Catalogue, report: Report) -> bytes:
    """(CAT, REPORT) as JSON bytes; TypeError when a class has changed in a way this format
    does not know (then nothing is cached)."""
    if ({f.name for f in dataclass_fields(Catalogue)} != CATALOGUE_FIELDS
            or Origin._fields != ("path", "line", "column")):
        raise TypeError("the catalogue's shape changed: update strategease.catalogue.cache_codec")
    if tuple(f.name for f in dataclass_fields(Finding)) != FINDING_FIELDS:
        raise TypeError("the finding's shape changed: update strategease.catalogue.cache_codec")
    enc = _Encoder()
    s = enc.s
    if cat.meta is not None:
        enc.add(cat.meta)
    sections: dict[str, list[int]] = {}
    for name in SECTIONS:
        section: dict[str, BaseModel] = cat.section(name)
        if any(type(model) is not ENTRY_MODELS[name] for model in section.values()):
            raise TypeError(f"section {name} holds a model of another class")
        rows = [enc.add(model) for model in section.values()]
        if rows != list(range(len(rows))):
            raise TypeError(f"section {name} shares its class's table")
        sections[name] = _pack([s(k) for k in section])
    # the links' table in links_from order (a node's links are one run of rows: see _LinkRows), then any link
    # links_from does not hold; "links" gives each position of cat.links its row
    for link in cat.links:
        enc.add(link)
    by_from = list(map(enc.add, chain.from_iterable(cat.links_from.values())))  # rows (registered above, as a rule)
    listed = set(by_from)
    enc.reorder(m.Link, list(dict.fromkeys(by_from)) + [i for i in range(len(enc.rows[m.Link])) if i not in listed])
    doc = {
        "format": FORMAT,
        "key": key,
        "meta": None if cat.meta is None else enc.row_of[id(cat.meta)],
        "sections": sections,
        "links": _pack([enc.row_of[id(link)] for link in cat.links]),
        "origins": [_pack(col) for col in ([s(k) for k in cat.origins], [s(o.path) for o in cat.origins.values()],
                    [o.line for o in cat.origins.values()], [o.column for o in cat.origins.values()])],
        "link_origins": [_pack(col) for col in ([s(o.path) for o in cat.link_origins],
                                                [o.line for o in cat.link_origins],
                                                [o.column for o in cat.link_origins])],
        "links_from": _index_lists(enc, cat.links_from),
        "links_to": _index_lists(enc, cat.links_to),
        "files": [s(f) for f in cat.files],
        "content_hash": s(cat.content_hash),
        "layers": [s(f) for f in cat.layers],
        "layer_names": [s(f) for f in cat.layer_names],
        "retired": [[s(k) for k in cat.retired], [s(v[0]) for v in cat.retired.values()],
                    [None if v[1] is None else s(v[1]) for v in cat.retired.values()]],
        "overridden_by": [[s(k) for k in cat.overridden_by], [[s(x) for x in v] for v in cat.overridden_by.values()]],
        "retired_at": [[s(k) for k in cat.retired_at], [s(o.path) for o in cat.retired_at.values()],
                       [o.line for o in cat.retired_at.values()], [o.column for o in cat.retired_at.values()]],
        "base_files": [s(f) for f in cat.base_files],
        "invalid": [[s(k) for k in cat.invalid], [s(v) for v in cat.invalid.values()]],
        "report": {
            "files": [s(f) for f in report.files],
            "findings": [[s(f.path) for f in report.findings], [f.line for f in report.findings],
                         [f.column for f in report.findings], [s(f.severity.value) for f in report.findings],
                         [s(f.rule) for f in report.findings], [s(f.message) for f in report.findings],
                         [None if f.entry is None else s(f.entry) for f in report.findings],
                         [None if f.hint is None else s(f.hint) for f in report.findings]],
            "counts": [[s(k) for k in report.counts], list(report.counts.values())],
        },
    }
    doc["tables"] = {cls.__name__: enc.table(cls) for cls in MODELS}
    doc["strings"] = enc.strings
    return pack_payload(doc)


_BYTES = (bytes, memoryview)
_LENGTH_DIGITS = 16  # the payload starts with the JSON document's length in bytes, in decimal digits


def pack_payload(doc: dict[str, Any]) -> bytes:
    """DOC as an entry's payload: its length, the JSON document, then the bytes of its packed columns, each
    written into the document as ``{"bin": [offset, length]}`` (offsets from the end of the document)."""
    binary = bytearray()

    def place(value: Any) -> dict[str, list[int]]:
        if type(value) is not bytes:
            raise TypeError(f"{type(value).__name__} is not JSON data")
        at = len(binary)
        binary.extend(value)
        return {"bin": [at, len(value)]}

    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=place).encode("utf-8")
    return b"%0*d" % (_LENGTH_DIGITS, len(text)) + text + binary


def parse_payload(payload: bytes | memoryview) -> Any:
    """The document of a payload written by :func:`pack_payload`, each ``{"bin": [offset, length]}`` read back as
    a view of PAYLOAD's bytes (no copy); ValueError (or DecodeError) when it is not one."""
    view = memoryview(payload)
    length = bytes(view[:_LENGTH_DIGITS])
    _need(len(length) == _LENGTH_DIGITS and length.isdigit(), "not a payload")
    end = _LENGTH_DIGITS + int(length)
    _need(end <= len(view), "a truncated payload")
    binary = view[end:]

    def bytes_of(obj: dict[str, Any]) -> Any:
        if len(obj) != 1 or "bin" not in obj:
            return obj
        at = obj["bin"]
        _need(type(at) is list and len(at) == 2 and all(type(x) is int and x >= 0 for x in at)
              and at[0] + at[1] <= len(binary), "packed bytes out of range")
        return binary[at[0]:at[0] + at[1]]

    # as json.loads decodes bytes, without a copy first; only the few mappings (tables, columns) reach the hook
    return json.loads(str(view[_LENGTH_DIGITS:end], "utf-8", "surrogatepass"), object_hook=bytes_of)


def _index_lists(enc: _Encoder, index: Mapping[str, list[m.Link]]) -> list[Any]:
    """[keys, the number of links of each key, the links' rows one key after another]."""
    return [_pack([enc.s(k) for k in index]), _pack([len(links) for links in index.values()]),
            _pack([enc.row_of[id(link)] for links in index.values() for link in links])]


# --------------------------------------------------------------------------- decoding


def _split(items: list[Any], lengths: list[int]) -> list[list[Any]]:
    """ITEMS cut into consecutive lists of LENGTHS (which add up to len(ITEMS))."""
    it = iter(items)
    return [list(islice(it, k)) for k in lengths]


def _need(condition: bool, what: str) -> None:
    if not condition:
        raise DecodeError(what)


def _typed(col: Any, want: type, optional: bool = False) -> list[Any]:
    """COL (unpacked), once every value is checked to be of type WANT exactly (or None when OPTIONAL).

    The types are gathered by C-level loops (``set(map(type, col))``): a column of 10^5 values is
    checked without a Python-level step per value.
    """
    if type(col) is dict and want is int:
        return _unpack(col)  # a packed column holds integers only
    col = _unpack(col)
    found = set(map(type, col))
    if optional:
        found.discard(type(None))
    if not found <= {want}:
        raise DecodeError(f"a {want.__name__} was expected")
    return col  # type: ignore[no-any-return]


def _ints(col: Any, optional: bool = False) -> list[Any]:
    return _typed(col, int, optional)


def _int_seq(col: Any) -> Sequence[int]:
    """The integers of a column: as an array when packed (a long column of indexes that is only sliced and
    checked, never turned into 10^5 Python integers at once, nor held as them), else the checked list."""
    return _unpack_array(col) if type(col) is dict else _ints(col)


_tuple_new = tuple.__new__


def _origins(paths: list[str], lines: Any, columns: Any) -> list[Origin]:
    """Origin tuples, built by C-level calls (``Origin(...)`` is a Python-level function per call)."""
    lines, columns = _ints(lines), _ints(columns)
    _need(len(paths) == len(lines) == len(columns), "origins are ragged")
    return list(map(_tuple_new, repeat(Origin, len(paths)), zip(paths, lines, columns, strict=True)))


class _Decoder:
    def __init__(self, doc: dict[str, Any]) -> None:
        strings = doc["strings"]
        _need(type(strings) is list, "strings")
        _typed(strings, str)
        self.S: list[str] = strings
        self.rows: dict[type[BaseModel], list[BaseModel]] = {}

    def strs(self, col: Any, optional: bool = False) -> list[Any]:
        S = self.S  # noqa: N806
        col = _unpack(col)
        # a non-integer index raises TypeError; a negative one still names a string of the table
        if optional:
            return [None if i is None else S[i] for i in col]
        return list(map(S.__getitem__, col))

    def column(self, kind: Kind, col: Any, n: int | None = None) -> list[Any]:
        if type(col) is dict and "same" in col and n is not None and kind[0] != "list":  # N rows alike (_same)
            return self.column(kind, [col["same"]]) * n
        tag = kind[0]
        opt = tag == "opt"
        inner = kind[1] if opt else kind
        tag = inner[0]
        if type(col) is dict and "optional" in col:  # integers + 1, 0 for None (see _pack)
            _need(opt and len(col) == 1 and tag in ("str", "int", "enum", "model"), "an optional column")
            shifted = _unpack({"packed": col["optional"]})
            if tag in ("str", "model"):  # C-level lookups in a copy of the table with None in front
                table = [None, *(self.S if tag == "str" else self.rows[inner[1]])]
                return list(map(table.__getitem__, shifted))
            if tag == "int":
                value_of = {v: None if v == 0 else v - 1 for v in set(shifted)}
            else:
                members = inner[1]._value2member_map_
                value_of = {v: None if v == 0 else members[self.S[v - 1]] for v in set(shifted)}
            return list(map(value_of.__getitem__, shifted))
        if type(col) is dict and "doubles" in col:
            _need(tag == "float", "a column of doubles")
            return _floats(_unpack_doubles(col), opt)
        col = _unpack(col)
        if tag == "str":
            return self.strs(col, opt)
        if tag in ("int", "float", "bool"):
            return _typed(col, {"int": int, "float": float, "bool": bool}[tag], opt)
        if tag == "enum":
            members = inner[1]._value2member_map_
            S = self.S  # noqa: N806
            # each distinct index is looked up once (a column of 10^5 links repeats a handful)
            member_of = {v: None if v is None else members[S[v]] for v in set(col)}
            if not opt and None in member_of:
                raise DecodeError("a value is missing")
            return list(map(member_of.__getitem__, col))
        if tag == "model":
            rows = self.rows[inner[1]]
            if opt:
                return [None if v is None else rows[v] for v in col]
            return list(map(rows.__getitem__, col))
        if tag == "list":
            _need(not opt, "optional lists are not cached")
            if set(map(type, col)) <= {list}:  # as written: one conversion of all items, then split per row
                return _split(self.column(inner[1], list(chain.from_iterable(col))), list(map(len, col)))
            return [self.column(inner[1], v) for v in col]
        raise DecodeError(f"unknown kind {tag}")

    def lazy_column(self, kind: Kind, col: Any, n: int) -> list[Any] | _Lazy:
        """Like :meth:`column`, but a packed column of strings, integers, enum members or floats is only checked
        here (every index in range, every enum value known: one pass over its distinct values) and converted a
        slice at a time when its rows are built (:class:`_Lazy`): the links' table, of which a ``select`` reads
        about a fifth."""
        opt = kind[0] == "opt"
        inner = kind[1] if opt else kind
        tag = inner[0]
        if type(col) is not dict or tag not in ("str", "int", "enum", "float"):
            return self.column(kind, col, n)
        if "doubles" in col and tag == "float":
            doubles = _unpack_doubles(col)
            if not opt:
                _floats(doubles, opt)  # a required column must not hold a NaN
            return _Lazy(doubles, partial(_floats, optional=opt))
        values: Sequence[int]  # an array: a slice is turned into Python values when its rows are built
        if "packed" in col and not opt:
            values = _unpack_array(col)
        elif "optional" in col and opt:
            values = _unpack_array({"packed": col["optional"]})  # integers + 1, 0 for None (see _pack)
        else:
            return self.column(kind, col, n)
        distinct = set(values)
        lo, hi = (min(distinct), max(distinct)) if distinct else (0, 0)
        _need(lo >= 0, "a negative index")
        if tag == "str":
            table = [None, *self.S] if opt else self.S
            _need(hi < len(table), "a string index is out of range")
            return _Lazy(values, partial(map, table.__getitem__))
        if tag == "enum":
            members, S = inner[1]._value2member_map_, self.S  # noqa: N806
            # each distinct index is looked up once (a column of 10^5 links repeats a handful)
            member_of = ({v: None if v == 0 else members[S[v - 1]] for v in distinct} if opt
                         else {v: members[S[v]] for v in distinct})
            return _Lazy(values, partial(map, member_of.__getitem__))
        return _Lazy(values, _shifted_ints if opt else list)

    def table(self, cls: type[BaseModel], data: Any) -> list[BaseModel]:
        rows = _make(*self.columns(cls, data))
        self.rows[cls] = rows
        return rows

    def columns(self, cls: type[BaseModel], data: Any, lazy: bool = False
                ) -> tuple[type[BaseModel], list[str], list[Any], Any]:
        """A table's columns, every value checked and converted: (class, field names, columns, fields sets);
        with LAZY, long packed columns and the fields sets are converted when read (:meth:`lazy_column`)."""
        _need(type(data) is dict, "a table is not a mapping")
        n = data["n"]
        fields = _fields(cls)
        columns = data["columns"]
        _need(type(n) is int and type(columns) is list and len(columns) == len(fields), f"table {cls.__name__}")
        names = [name for name, _ in fields]
        sets = []
        for given in data["sets"]:
            _need(type(given) is list and all(type(x) is str and x in cls.model_fields for x in given), "field sets")
            frozen = frozenset(given)
            shared = m._LIVE_FIELD_SETS.get(frozen)
            if shared is None:
                shared = m._LIVE_FIELD_SETS[frozen] = set(frozen)
            sets.append(shared)
        set_of: list[set[str]] | _Lazy
        if lazy and type(data["set_of"]) is dict and "packed" in data["set_of"]:
            which = _unpack_array(data["set_of"])
            distinct = set(which)
            _need(not distinct or (min(distinct) >= 0 and max(distinct) < len(sets)), "field sets")
            set_of = _Lazy(which, partial(map, sets.__getitem__))
        else:
            set_of = list(map(sets.__getitem__, _ints(self.column(("int",), data["set_of"], n))))
        values = [self.lazy_column(kind, col, n) if lazy else self.column(kind, col, n)
                  for (_, kind), col in zip(fields, columns, strict=True)]
        _need(all(len(col) == n for col in values) and len(set_of) == n, f"table {cls.__name__} is ragged")
        return cls, names, values, set_of


def _make(cls: type[BaseModel], names: list[str], values: list[list[Any]], set_of: list[set[str]]) -> list[BaseModel]:
    """Models of CLS from checked columns, without validating again (see the module's docstring)."""
    return _make_rows(cls, names, values, set_of)


_DICT_MAKERS: dict[tuple[str, ...], Callable[..., dict[str, Any]]] = {}


def _dict_maker(names: list[str]) -> Callable[..., dict[str, Any]]:
    """A function of one value per name, in order, that returns ``{name: value, ...}``.

    It is written out for the field names of a model class (``def make(v0, v1): return {"from_": v0, "to": v1}``),
    as :mod:`dataclasses` writes ``__init__``: a dict display with constant keys is built at its final size in one
    step, ~1.5× faster than ``dict(zip(names, values))`` (a tuple per pair, and resizes on the way), which was
    most of the cost of building the links a ``select`` reads. NAMES are a class's field names (code, never read
    from a cache entry), checked to be identifiers before they are written into the source.
    """
    key = tuple(names)
    maker = _DICT_MAKERS.get(key)
    if maker is None:
        if not all(type(name) is str and name.isidentifier() for name in names):
            raise TypeError(f"field names that are not identifiers: {names!r}")
        params = ", ".join(f"v{i}" for i in range(len(names)))
        body = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
        namespace: dict[str, Any] = {}
        exec(f"def make({params}):\n    return {{{body}}}\n", {"__builtins__": {}}, namespace)  # noqa: S102
        maker = _DICT_MAKERS[key] = namespace["make"]
    return maker


def _make_rows(cls: type[BaseModel], names: list[str], columns: Sequence[Iterable[Any]],
               set_of: list[set[str]]) -> list[BaseModel]:
    """Models of CLS from checked columns (one per field, in field order) and the rows' sets of given fields."""
    n = len(set_of)
    # C-level loops (map) rather than a Python loop per row: 10^5 links are rebuilt in a blink
    rows: list[BaseModel] = list(map(_new, repeat(cls, n)))
    dicts = map(_dict_maker(names), *columns) if columns else map(dict, repeat((), n))
    deque(map(_set, rows, repeat("__dict__", n), dicts), maxlen=0)
    deque(map(_set_fields_set, rows, set_of), maxlen=0)
    deque(map(_set_extra, rows, repeat(None, n)), maxlen=0)
    deque(map(_set_private, rows, repeat(None, n)), maxlen=0)
    return rows


class _Lazy:
    """A checked packed column (its integers, or an array of doubles) whose values are converted a slice at a
    time: CONVERT turns a slice, or the rows gathered by :meth:`take`, into an iterable of the values."""

    def __init__(self, values: Sequence[Any], convert: Callable[[Sequence[Any]], Iterable[Any]]) -> None:
        self.values, self.convert = values, convert

    def __len__(self) -> int:
        return len(self.values)

    def cut(self, lo: int, hi: int) -> list[Any]:
        return list(self.convert(self.values[lo:hi]))

    def take(self, rows: Iterable[int]) -> list[Any]:
        return list(self.convert(list(map(self.values.__getitem__, rows))))


def _shifted_ints(values: Sequence[int]) -> list[int | None]:
    """An optional integer column packed as value + 1, 0 for None (see :func:`_pack`)."""
    return [None if v == 0 else v - 1 for v in values]


def _cut(column: list[Any] | _Lazy, lo: int, hi: int) -> list[Any]:
    """Rows LO to HI of a column, as values."""
    return column.cut(lo, hi) if isinstance(column, _Lazy) else column[lo:hi]


def _take(column: list[Any] | _Lazy, rows: Sequence[int]) -> list[Any]:
    """The values of a column at ROWS."""
    return column.take(rows) if isinstance(column, _Lazy) else list(map(column.__getitem__, rows))


class _LinkRows:
    """The links of a cached catalogue, each model built on first use (and then shared).

    Every value was checked when the entry was decoded; only the models are deferred. A ``select``
    reads the links of a few dozen determinants and the functions they call for (at 10^5 links,
    about a fifth), so most are never built: building them all was most of a cached load, and
    freeing them at exit most of the rest. The table holds the links grouped by their ``from``
    (as ``links_from`` lists them; ORDER gives the catalogue's file order), so the links of one node
    are one run of rows, cut out of each column by slicing: no per-row gathering, and the values read
    lie side by side in memory.
    """

    def __init__(self, cls: type[BaseModel], names: list[str], values: list[Any], set_of: list[set[str]] | _Lazy,
                 order: Sequence[int]) -> None:
        self.cls, self.names, self.columns, self.set_of, self.order = cls, names, values, set_of, order
        self.rows: list[BaseModel | None] = [None] * len(set_of)
        self.missing = len(set_of)

    def _made(self, lo: int, hi: int) -> list[BaseModel]:
        """New models of rows LO to HI."""
        return _make_rows(self.cls, self.names, [_cut(col, lo, hi) for col in self.columns],
                          _cut(self.set_of, lo, hi))

    def build(self, at: Sequence[int]) -> list[m.Link]:
        """The links at rows AT (valid indexes, checked when decoded), building those not built yet."""
        rows = self.rows
        if at and rows[at[0]] is None:  # a node's links, none built yet: one run of rows (the usual first read)
            lo, hi = at[0], at[-1] + 1
            if hi - lo == len(at) and rows[lo:hi].count(None) == len(at) and list(at) == list(range(lo, hi)):
                made = rows[lo:hi] = self._made(lo, hi)
                self.missing -= len(at)
                return made  # type: ignore[return-value]
        todo = [i for i in dict.fromkeys(at) if rows[i] is None]
        if todo:
            lo, hi = todo[0], todo[-1] + 1
            if hi - lo == len(todo) and todo == list(range(lo, hi)):  # one run of rows
                rows[lo:hi] = self._made(lo, hi)
            else:
                made = _make_rows(self.cls, self.names, [_take(col, todo) for col in self.columns],
                                  _take(self.set_of, todo))
                deque(map(rows.__setitem__, todo, made), maxlen=0)
            self.missing -= len(todo)
        return list(map(rows.__getitem__, at))  # type: ignore[arg-type]

    def all(self) -> list[m.Link]:
        """Every link, in the catalogue's order."""
        if self.missing == len(self.rows):  # none built yet: in one pass
            self.rows = self._made(0, len(self.rows))  # type: ignore[assignment]
            self.missing = 0
        return self.build(self.order)


class LinkIndexMap(Mapping[str, list[m.Link]]):
    """``Catalogue.links_from`` / ``links_to`` of a cached catalogue: id -> its links, built on first use.

    KEYS[i] has the COUNTS[i] links whose rows follow one another in ROWS_OF (checked when decoded); a key's
    rows are cut out of ROWS_OF only when it is asked for (a ``select`` asks for a few hundred of 10^3–10^4).
    """

    def __init__(self, rows: _LinkRows, keys: list[str], counts: list[int], rows_of: Sequence[int]) -> None:
        self._rows = rows
        self._rows_of = rows_of
        # key -> (start, n); the running sums have one more item than COUNTS (their total)
        self._index = dict(zip(keys, zip(accumulate(counts, initial=0), counts, strict=False), strict=True))
        self._built: dict[str, list[m.Link]] = {}

    def __getitem__(self, key: str) -> list[m.Link]:
        got = self._built.get(key)
        if got is None:
            start, n = self._index[key]
            got = self._built[key] = self._rows.build(self._rows_of[start:start + n])
        return got

    def get(self, key: str, default: Any = None) -> Any:
        got = self._built.get(key)
        if got is not None:
            return got
        return self[key] if key in self._index else default

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class CachedCatalogue(Catalogue):
    """A catalogue decoded from the cache: its links (:class:`_LinkRows`) and the links' origins (only
    messages about the files use them) are built on first use."""

    _link_rows: _LinkRows | None = None
    _link_origins: tuple[list[str], Sequence[int], Sequence[int], Sequence[int]] | None = None

    @property  # type: ignore[override]
    def links(self) -> list[m.Link]:
        if self._link_rows is not None:
            self.__dict__["links"] = self._link_rows.all()
            self._link_rows = None
        return self.__dict__["links"]  # type: ignore[no-any-return]

    @links.setter
    def links(self, value: list[m.Link]) -> None:
        self.__dict__["links"] = value
        self._link_rows = None

    @property  # type: ignore[override]
    def link_origins(self) -> list[Origin]:
        if self._link_origins is not None:
            strings, paths, lines, columns = self._link_origins
            self.__dict__["link_origins"] = _origins(list(map(strings.__getitem__, paths)), list(lines), list(columns))
            self._link_origins = None
        return self.__dict__["link_origins"]  # type: ignore[no-any-return]

    @link_origins.setter
    def link_origins(self, value: list[Origin]) -> None:
        self.__dict__["link_origins"] = value
        self._link_origins = None


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise DecodeError("an index was expected")
    return value  # type: ignore[no-any-return]


def decode(blob: bytes | memoryview, key: str) -> tuple[Catalogue, Report]:
    """Rebuild (Catalogue, Report) from BLOB (UTF-8 JSON); :class:`DecodeError` for anything unexpected."""
    try:
        doc = parse_payload(blob)
        return _decode(doc, key)
    except DecodeError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise DecodeError(f"{type(exc).__name__}: {exc}") from None


def _decode(doc: Any, key: str) -> tuple[Catalogue, Report]:
    _need(type(doc) is dict and doc.get("format") == FORMAT and doc.get("key") == key, "not an entry for this key")
    dec = _Decoder(doc)
    S = dec.S  # noqa: N806
    tables = doc["tables"]
    _need(type(tables) is dict, "tables")
    for cls in MODELS[:-1]:
        dec.table(cls, tables[cls.__name__])
    cls, names, values, set_of = dec.columns(m.Link, tables["Link"], lazy=True)
    n_links = len(set_of)
    order = _int_seq(doc["links"])  # the row of each link of Catalogue.links
    _need(not order or (min(order) >= 0 and max(order) < n_links), "links")
    link_rows = _LinkRows(cls, names, values, set_of, order)
    cat = CachedCatalogue()
    meta = doc["meta"]
    if meta is not None:
        cat.meta = dec.rows[m.CatalogueMeta][_int(meta)]  # type: ignore[assignment]
    sections = doc["sections"]
    for name in SECTIONS:
        keys = dec.strs(sections[name])
        rows = dec.rows[ENTRY_MODELS[name]]
        _need(len(keys) == len(rows), f"section {name}")
        cat.section(name).update(zip(keys, rows, strict=True))
    cat._link_rows = link_rows
    for name in ("links_from", "links_to"):
        keys, counts, rows_of = doc[name]
        keys, counts, rows_of = dec.strs(keys), _ints(counts), _int_seq(rows_of)
        # checked now: a link is built later, when nothing may fail any more
        _need(not rows_of or (min(rows_of) >= 0 and max(rows_of) < n_links), name)
        _need(len(keys) == len(counts) and (not counts or min(counts) >= 0) and sum(counts) == len(rows_of), name)
        setattr(cat, name, LinkIndexMap(link_rows, keys, counts, rows_of))
    keys, paths, lines, columns = doc["origins"]
    cat.origins = dict(zip(dec.strs(keys), _origins(dec.strs(paths), lines, columns), strict=True))
    # checked now, built on first use (only messages about the files read them), when nothing may fail
    paths, lines, columns = (_ints(col) if type(col) is list else _unpack_array(col) for col in doc["link_origins"])
    _need(len(paths) == len(lines) == len(columns) == len(order), "link origins")
    _need(not paths or (min(paths) >= -len(S) and max(paths) < len(S)), "link origins")
    cat._link_origins = (S, paths, lines, columns)
    cat.files = dec.strs(doc["files"])
    cat.content_hash = S[_int(doc["content_hash"])]
    cat.layers = dec.strs(doc["layers"])
    cat.layer_names = dec.strs(doc["layer_names"])
    keys, sections_of, replaced = doc["retired"]
    cat.retired = dict(zip(dec.strs(keys), zip(dec.strs(sections_of), dec.strs(replaced, True), strict=True),
                           strict=True))
    keys, where = doc["overridden_by"]
    _need(type(where) is list, "overridden_by")
    cat.overridden_by = dict(zip(dec.strs(keys), [dec.strs(w) for w in where], strict=True))
    keys, paths, lines, columns = doc["retired_at"]
    cat.retired_at = dict(zip(dec.strs(keys), _origins(dec.strs(paths), lines, columns), strict=True))
    cat.base_files = dec.strs(doc["base_files"])
    keys, where_invalid = doc["invalid"]
    cat.invalid = dict(zip(dec.strs(keys), dec.strs(where_invalid), strict=True))

    data = doc["report"]
    report = Report(files=dec.strs(data["files"]))
    path, line, column, severity, rule, message, entry, hint = data["findings"]
    severities = [Severity(x) for x in dec.strs(severity)]
    report.findings = list(map(Finding, dec.strs(path), _ints(line), _ints(column), severities, dec.strs(rule),
                               dec.strs(message), dec.strs(entry, True), dec.strs(hint, True)))
    _need(len(report.findings) == len(path) == len(hint), "findings")
    keys, counts = data["counts"]
    report.counts = dict(zip(dec.strs(keys), _ints(counts), strict=True))
    return cat, report
