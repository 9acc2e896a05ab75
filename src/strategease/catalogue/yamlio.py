"""Strict, safe YAML reading that remembers where every mapping key and list item came from.

* Uses PyYAML's C loader when available (the pure-Python one otherwise).
* Only plain YAML types: custom tags such as ``!!python/object`` are refused.
* Aliases/anchors are refused (they are never needed in catalogues or scopes and are the
  vector of "billion laughs" expansion attacks); so are merge keys (``<<``).
* Duplicate mapping keys are errors (PyYAML would silently keep the last one).
* A UTF-8 BOM and CRLF line ends are accepted; other encodings get a clear message.
* Size and nesting depth are bounded (see ``MAX_BYTES`` and ``MAX_DEPTH``; docs/limits.md).
* Built for large catalogues: equal short scalars share one object and positions are packed
  into one array per document (``PosDict.pos_of``, ``PosList.pos_of``, ``.start``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from array import array
from collections.abc import Callable, Iterator
from operator import indexOf
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from strategease.errors import UsageError

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader

    _BYTE_OFFSETS = True  # libyaml reports a reader error's position in UTF-8 bytes
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    _BYTE_OFFSETS = False

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64


# Positions are packed as (line - 1) << 32 | (column - 1) in one array per document, which holds
# each container's block: its own start, then one entry per key (in insertion order) or item. A
# container keeps only that array and the index of its block (a tuple per key cost ~1 KB a link).


def _unpack(packed: int) -> tuple[int, int]:
    return (packed >> 32) + 1, (packed & 0xFFFFFFFF) + 1


class _Positioned:
    """Where a container built by :func:`parse_yaml` starts; its positions live in the document's array."""

    __slots__ = ()
    _marks: array[int]
    _at: int

    @property
    def start(self) -> tuple[int, int]:
        try:
            return _unpack(self._marks[self._at])
        except AttributeError:  # not built by parse_yaml
            return (1, 1)


class PosDict(_Positioned, dict):  # type: ignore[type-arg]
    """A dict that knows the (line, column) of itself and of each of its keys (1-based).

    Positions describe the document as parsed: adding or removing keys would misplace them.
    """

    __slots__ = ("_marks", "_at")

    def pos_of(self, key: Any) -> tuple[int, int] | None:
        """Where KEY is written, or None if it is not a key here."""
        try:
            return _unpack(self._marks[self._at + 1 + indexOf(self, key)])
        except (ValueError, AttributeError):
            return None

    def key_positions(self) -> Iterator[tuple[Any, tuple[int, int]]]:
        """Each key with where it is written, in order."""
        marks, at = self._marks, self._at + 1
        for index, key in enumerate(self):
            yield key, _unpack(marks[at + index])


class PosList(_Positioned, list):  # type: ignore[type-arg]
    """A list that knows the (line, column) of itself and of each item (1-based).

    Positions describe the document as parsed: adding or removing items would misplace them.
    """

    __slots__ = ("_marks", "_at")

    def pos_of(self, index: int) -> tuple[int, int] | None:
        """Where item INDEX (0-based, not negative) is written, or None if there is no such item."""
        if not 0 <= index < len(self):
            return None
        try:
            return _unpack(self._marks[self._at + 1 + index])
        except AttributeError:
            return None


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _AliasRefused(yaml.MarkedYAMLError):
    pass


class _TooDeep(yaml.MarkedYAMLError):
    pass


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The C (or pure-Python) safe parser; documents are built from its events by :func:`_build`."""


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    try:
        return loader.construct_yaml_int(node)  # type: ignore[no-any-return]
    except ValueError:  # Python refuses to convert more than 4300 decimal digits
        raise yaml.constructor.ConstructorError(
            None, None, f"a number with {len(str(node.value))} characters is too long", node.start_mark
        ) from None


# --------------------------------------------------------------------------- building from events
# Documents are built straight from the parser's events, without PyYAML's intermediate node tree:
# at 10^5 links this halves the time and cuts peak memory by two thirds. Nesting depth is counted
# while building, so "too deep" names its line and column.

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_NO_KEY = object()
_SHARED_LEN = 200  # longer scalars (descriptions, notes) are rarely repeated: not worth a lookup


def _build(loader: _Loader) -> Any:
    """Build PosDict/PosList/scalars straight from parser events (no node tree)."""
    get: Callable[[], Any] = loader.get_event
    get()  # stream start
    if loader.check_event(StreamEndEvent):
        return None
    get()  # document start
    constructors = loader.yaml_constructors
    resolve = loader.resolve
    marks: array[int] = array("Q")  # the document's positions, a block per container (see PosDict)
    stack: list[tuple[Any, list[int]]] = []  # the enclosing open containers with their blocks so far
    top: Any = None  # the innermost open container
    block: list[int] = []  # its start, then the position of each key or item so far
    key: Any = _NO_KEY  # a key of TOP waiting for its value
    # Equal short scalars share one object (keys, ids and vocabulary words repeat on every entry):
    # plain ones map their text to the value already resolved and constructed, quoted ones to one str.
    plain: dict[str, Any] = {}
    quoted: dict[str, str] = {}
    value: Any
    while True:
        ev = get()
        cls = ev.__class__
        if cls is ScalarEvent:
            text = ev.value
            tag = ev.tag
            if tag is None and ev.implicit[0]:
                value = plain.get(text, _NO_KEY)
                if value is _NO_KEY:
                    value = _scalar(loader, ev, resolve(yaml.ScalarNode, text, ev.implicit), constructors)
                    if len(text) <= _SHARED_LEN:
                        plain[text] = value
            elif tag is None:  # quoted: always a string
                value = quoted.setdefault(text, text) if len(text) <= _SHARED_LEN else text
            else:
                if tag == "!":
                    tag = resolve(yaml.ScalarNode, text, ev.implicit)
                value = _scalar(loader, ev, tag, constructors)
            if top is None:
                root = value
                break
            if top.__class__ is PosList:
                top.append(value)
                mark = ev.start_mark
                block.append(mark.line << 32 | mark.column)
            elif key is _NO_KEY:
                mark = ev.start_mark
                if value in top:
                    raise _duplicate(top, block, value, mark)
                key = value
                block.append(mark.line << 32 | mark.column)
            else:
                top[key] = value
                key = _NO_KEY
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            mark = ev.start_mark
            if ev.tag not in (None, "!", _MAP if cls is MappingStartEvent else _SEQ):
                raise yaml.constructor.ConstructorError(
                    None, None, f"could not determine a constructor for the tag {ev.tag!r}", mark)
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
            value = PosDict() if cls is MappingStartEvent else PosList()
            value._marks = marks
            packed = mark.line << 32 | mark.column
            if top is not None:
                if top.__class__ is PosList:
                    top.append(value)
                    block.append(packed)
                elif key is _NO_KEY:
                    raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain scalar", mark)
                else:
                    top[key] = value
                    key = _NO_KEY
            stack.append((top, block))
            top = value
            block = [packed]
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            top._at = len(marks)
            marks.fromlist(block)
            value = top
            top, block = stack.pop()
            if top is None:
                root = value
                break
        elif cls is AliasEvent:
            raise _AliasRefused(None, None, "YAML anchors and aliases are not supported", ev.start_mark)
        else:
            raise yaml.parser.ParserError(None, None, f"unexpected {cls.__name__}", ev.start_mark)
    get()  # document end
    if not loader.check_event(StreamEndEvent):
        nxt: Any = loader.peek_event()
        raise yaml.composer.ComposerError(None, None, "a second document starts here; a file holds one document",
                                          nxt.start_mark)
    return root


def _duplicate(mapping: PosDict, block: list[int], key: Any, mark: Any) -> _DuplicateKey:
    line = _unpack(block[1 + indexOf(mapping, key)])[0]
    return _DuplicateKey(None, None, f"duplicate key {key!r} (first defined on line {line})", mark)


def _scalar(loader: _Loader, ev: Any, tag: str, constructors: dict[Any, Any]) -> Any:
    """The value of scalar event EV with TAG (merge keys and unknown tags are refused)."""
    if tag == _STR:
        return ev.value
    if tag == _MERGE:
        raise _AliasRefused(None, None, "YAML merge keys (<<) and aliases are not supported", ev.start_mark)
    ctor = _construct_int if tag == "tag:yaml.org,2002:int" else constructors.get(tag)
    if ctor is None:
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {tag!r}", ev.start_mark)
    return ctor(loader, yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style))


class TextFile(NamedTuple):
    """A text file's decoded content and the SHA-256 of its bytes."""

    text: str
    sha256: str


class RawFile(NamedTuple):
    """A file's bytes, not decoded yet, and their SHA-256."""

    data: bytes
    sha256: str


def read_raw(path: Path, *, what: str = "file", max_bytes: int | None = None) -> RawFile:
    """Read a file's bytes and their SHA-256 (what ``sha256sum`` prints), without decoding them: a cached
    catalogue needs only the hash. The file is read by :func:`strategease.inputs.read_bytes`: a regular file
    only, never more than the byte budget (``MAX_BYTES`` unless ``max_bytes`` is given)."""
    from strategease.inputs import read_bytes

    data = read_bytes(path, what=what, limit=MAX_BYTES if max_bytes is None else max_bytes)
    return RawFile(data, hashlib.sha256(data).hexdigest())


def read_hash(path: Path, *, what: str = "file", max_bytes: int | None = None) -> str:
    """The SHA-256 of a file's bytes, as :func:`read_raw` gives it, without holding the bytes (a cache hit needs
    nothing else: :func:`strategease.inputs.read_sha256`)."""
    from strategease.inputs import read_sha256

    return read_sha256(path, what=what, limit=MAX_BYTES if max_bytes is None else max_bytes)


def read_text(path: Path, *, what: str = "file", kind: str = "YAML", max_bytes: int | None = None,
              save_hint: str = "save the file as UTF-8", utf16_note: str = "", binary_note: str = "",
              binary_hint: str | None = None) -> TextFile:
    """Read a UTF-8 text file (BOM allowed) with friendly errors for the usual I/O problems; also
    return the SHA-256 of its bytes as read (what ``sha256sum`` prints, a BOM included).

    The file is read by :func:`read_raw` and decoded by :func:`decode_text`. Shared by YAML and CSV
    readers; KIND names the expected text, the notes and hints adapt the
    messages (e.g. a spreadsheet's UTF-16 or binary export instead of CSV).
    """
    return decode_text(read_raw(path, what=what, max_bytes=max_bytes), path, kind=kind, save_hint=save_hint,
                       utf16_note=utf16_note, binary_note=binary_note, binary_hint=binary_hint)


def decode_text(raw: RawFile, path: Path, *, kind: str = "YAML", save_hint: str = "save the file as UTF-8",
                utf16_note: str = "", binary_note: str = "", binary_hint: str | None = None) -> TextFile:
    """The text of RAW (read from PATH) as UTF-8 (BOM allowed), or a one-line error naming PATH (see
    :func:`read_text`)."""
    display = str(path)
    data = raw.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageError(f"is UTF-16 text{utf16_note}, expected UTF-8", path=display, hint=save_hint)
    if b"\x00" in data[:8192]:
        raise UsageError(f"looks like a binary file{binary_note}, expected {kind} text", path=display,
                         hint=binary_hint)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError("is not valid UTF-8 text", path=display, line=line, hint=save_hint) from None
    return TextFile(text, raw.sha256)


def read_stdin(*, what: str = "document") -> TextFile:
    """Read UTF-8 text from stdin (for a PATH given as '-'), with the same limit and messages as files."""
    import sys

    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UsageError(f"{what} on stdin is over the {MAX_BYTES}-byte limit", path="<stdin>")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError("is not valid UTF-8 text", path="<stdin>", line=line) from None
    return TextFile(text, hashlib.sha256(data).hexdigest())


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Composing a large YAML document creates millions of acyclic objects; with the collector on,
    its repeated full scans make parsing several times slower (10 s instead of 1.7 s for 100k
    links). Nothing built here forms cycles, so pausing is safe; the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was just built is long-lived: move it out of the collector's sight so the next
            # automatic full collection does not rescan it (a 0.3 s pause at 10^5 links).
            gc.freeze()
            gc.enable()


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document into PosDict/PosList/scalars; raise UsageError on bad YAML."""
    loader = _Loader(text)
    try:
        with gc_paused():
            data = _build(loader)
    except _DuplicateKey as exc:
        raise _usage_from_mark(exc, path, text, "rename or remove one of them") from None
    except _AliasRefused as exc:
        raise _usage_from_mark(exc, path, text, "write the value out in full") from None
    except _TooDeep as exc:
        raise _too_deep(exc, path) from None
    except yaml.constructor.ConstructorError as exc:
        if exc.problem and "could not determine a constructor" in exc.problem:
            tag = exc.problem.split("tag", 1)[-1].strip()
            exc.problem = f"custom YAML tag {tag} is not allowed"
            raise _usage_from_mark(exc, path, text, "use plain YAML values") from None
        raise _usage_from_mark(exc, path, text, "fix the YAML") from None
    except yaml.MarkedYAMLError as exc:
        if exc.problem and "maximum nesting depth" in exc.problem:  # libyaml's own limit (1000)
            raise _too_deep(exc, path) from None
        raise _usage_from_mark(exc, path, text, "fix the YAML syntax") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a control character
        at = exc.position
        before = text.encode("utf-8")[:at].decode("utf-8", "ignore") if _BYTE_OFFSETS else text[:at]
        char = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        raise UsageError(f"malformed YAML: {exc.reason} (character #x{char:04x})", path=path,
                         line=before.count("\n") + 1, column=len(before) - before.rfind("\n"),
                         hint="remove the character or write it as an escape in a double-quoted string") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"malformed YAML: {exc}", path=path) from None
    finally:
        loader.dispose()
    return data


def _too_deep(exc: yaml.MarkedYAMLError, path: str) -> UsageError:
    mark = exc.problem_mark
    return UsageError(f"nesting deeper than {MAX_DEPTH} levels", path=path,
                      line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
                      hint="flatten the document")


def _usage_from_mark(exc: yaml.MarkedYAMLError, path: str, text: str, hint: str) -> UsageError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "malformed YAML"
    if exc.context and exc.problem and not isinstance(exc, (_DuplicateKey, _AliasRefused)):
        problem = f"{exc.problem} ({exc.context})"
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    plain = _common_mistake(exc, text, line, col)
    if plain is not None:
        problem, hint = plain
        message = problem
    else:
        message = f"malformed YAML: {problem}"
    return UsageError(message, path=path, line=line, column=col, hint=hint).with_excerpt(text)  # type: ignore[return-value]


def _common_mistake(exc: yaml.MarkedYAMLError, text: str, line: int | None, col: int | None) -> tuple[str, str] | None:
    """The usual YAML mistakes in plain words (message, hint), or None for the parser's own wording."""
    problem = exc.problem or ""
    source = text.splitlines()[line - 1] if line and 0 < line <= len(text.splitlines()) else ""
    if "\t" in source[: (col or 1)] or "\t" in source[:1] or (
            "cannot start any token" in problem and source.lstrip(" ").startswith("\t")):
        return ("malformed YAML: a tab character in the indentation",
                "YAML indents with spaces only; replace the tab with spaces")
    if "mapping values are not allowed" in problem:
        key, _, value = source.partition(": ")
        quoted = f'{key.strip()}: "{value.strip()}"' if value else 'key: "text: with a colon"'
        return ("malformed YAML: a ': ' inside a value starts a new key",
                f"put the value in quotes, e.g. {quoted}")
    if ("did not find expected '-' indicator" in problem or "did not find expected key" in problem
            or "expected <block end>" in problem):
        return ("malformed YAML: this line's indentation does not match the lines above",
                "indent a key like the other keys of its entry: same column, spaces only")
    return None


def yaml_typed(value: Any) -> str | None:
    """What YAML made of an unquoted VALUE where text was expected (``the boolean false`` for
    ``NO``, ``the date 2024-01-31``, ``the number .nan``), or None if VALUE is not such a scalar."""
    import datetime
    import math

    if isinstance(value, bool):
        return (f"the boolean {str(value).lower()} (unquoted yes, no, on, off, true and false are "
                "booleans in YAML)")
    if isinstance(value, datetime.date):
        return f"the {'timestamp' if isinstance(value, datetime.datetime) else 'date'} {value.isoformat()}"
    if isinstance(value, float) and not math.isfinite(value):
        return "the number " + (".nan" if math.isnan(value) else ".inf" if value > 0 else "-.inf")
    if isinstance(value, (int, float)):
        text = str(value)
        return f"the number {text if len(text) <= 40 else text[:39] + '…'}"
    return None


def typed_text_error(where: str, value: Any) -> tuple[str, str] | None:
    """Message and hint for a YAML-typed VALUE given where text was expected (see :func:`yaml_typed`)."""
    if value is None:
        return f"{where}: expected text, but the value is empty (null)", "write the text after the colon"
    typed = yaml_typed(value)
    if typed is None:
        return None
    return (f"{where}: expected text, but YAML read the unquoted value as {typed}",
            "put the value in quotes to keep it as text")


def kind_of(value: Any) -> str:
    """What a parsed value is, in YAML's words for containers ('mapping', 'list', 'null')."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "null" if value is None else type(value).__name__


def position(data: Any, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
    """Best (line, column) for a location path (keys and indexes) inside parsed data."""
    best: tuple[int | None, int | None] = getattr(data, "start", (None, None))
    node = data
    for part in loc:
        if not (isinstance(node, PosDict) and part in node
                or isinstance(node, PosList) and isinstance(part, int) and 0 <= part < len(node)):
            break
        best = node.pos_of(part) or best
        node = node[part]
    return best
