"""The Jinja2 environment that renders report templates, a consultant's own included.

A template received from someone else must not be able to do more than lay out the report:

* it sees **data, not objects**: the context is plain JSON-like data (dicts, lists, strings,
  numbers, booleans, None — see :func:`plain`), so no Pydantic model, class or method is reachable
  (``parse_raw``/``parse_file`` once unpickled bytes and read files); ``x.name`` on a dict is
  the key ``name``, never a dict method;
* it runs in Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`, and its arithmetic
  is sandboxed too: ``**``, ``*``, ``+`` and ``%`` refuse results beyond :data:`MAX_INT_BITS` bits or
  :data:`MAX_OUTPUT` characters, filters and ``str.format`` refuse widths and counts over
  :data:`MAX_WIDTH`, calls and ``namespace`` attributes refuse strings or lists over the output
  budget;
* a render has a **budget**: at most :data:`MAX_OUTPUT` characters of output and
  :data:`MAX_SECONDS` seconds (a timer, where the process can set one) — a runaway template ends
  with :class:`TemplateBudget` (exit 1, one line);
* ``{% include %}``/``{% extends %}``/``{% import %}`` read only regular files inside the
  template's own directory (a symlink that leaves it is refused) of at most
  :data:`MAX_TEMPLATE_BYTES`, or the shipped templates.
"""

from __future__ import annotations

import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from strategease.errors import InputInvalid

MAX_OUTPUT = 32 * 1024 * 1024
"""Characters a render may produce (and the size of any one string or list it may build)."""
MAX_SECONDS = 10.0
"""Wall-clock seconds a render may take."""
MAX_INT_BITS = 4096
"""Bits of an integer that arithmetic in a template may produce (about 1,200 decimal digits)."""
MAX_WIDTH = 1_000_000
"""Largest count or width a filter or ``str.format`` accepts (``center``, ``indent``, ``%*s``…)."""
MAX_TEMPLATE_BYTES = 1024 * 1024
"""Largest template file (the one given with ``--template`` and any it includes)."""

_BIG_WIDTH = re.compile(r"\d{7,}")


class TemplateBudget(InputInvalid):
    """A template went over its render budget (output, time, or the size of a value): exit 1."""


def plain(value: Any) -> Any:
    """VALUE as JSON-like data: a Pydantic model as a dict of its fields (every field, a null one
    included, as the template saw it on the model), an enum as its value, tuples as lists, dict
    keys as strings. Anything else (a class, a function) is refused rather than handed over."""
    from enum import Enum

    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)  # an exact str, whatever subclass it was
    if value is None or isinstance(value, (int, float)):  # bool is an int
        return value
    raise TypeError(f"not plain data: {type(value).__name__}")


def _refuse(what: str) -> TemplateBudget:
    return TemplateBudget(f"template stopped: {what}",
                          hint="templates lay out the report; keep loops, numbers and strings small")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 0


def _check_value(value: Any) -> Any:
    if _size(value) > MAX_OUTPUT:
        raise _refuse(f"a value of {_size(value):,} items is over the {MAX_OUTPUT:,} limit")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _refuse(f"a number over {MAX_INT_BITS} bits")
    return value


def _check_width(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_WIDTH:
            raise _refuse(f"a count or width of {arg:,} is over the {MAX_WIDTH:,} limit")
        _check_value(arg)


def _guard_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """FUNC refusing oversized arguments (the piped value may be any size the budget allows)."""
    import functools

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # pass_context/pass_environment filters get that first; the value piped in comes next
        skip = 2 if getattr(func, "jinja_pass_arg", None) is not None else 1
        _check_width(args[skip:], kwargs)
        for arg in args[:skip]:
            _check_value(arg)
        return _check_value(func(*args, **kwargs))

    return guarded


class _BoundedNamespace(Namespace):
    """``namespace()`` whose attributes cannot hold values over the budget (a string doubled in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_value(value))


def _namespace(*args: Any, **kwargs: Any) -> _BoundedNamespace:
    for value in (*args, *kwargs.values()):
        _check_value(value)
    return _BoundedNamespace(*args, **kwargs)


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with data-only attribute lookup and bounded arithmetic."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _guard_filter(func) for name, func in self.filters.items()}
        self.globals["namespace"] = _namespace

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):  # data: x.name is the key 'name', never a dict method
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _int(left) and _int(right) and right > 0 and abs(left) > 1:
            if right * math.log2(abs(left)) > MAX_INT_BITS:
                raise _refuse(f"{left} ** {right} would have over {MAX_INT_BITS} bits")
        elif operator == "*":
            for seq, count in ((left, right), (right, left)):
                if _size(seq) and _int(count) and _size(seq) * count > MAX_OUTPUT:
                    raise _refuse(f"a value of {_size(seq) * count:,} items is over the {MAX_OUTPUT:,} limit")
            if _int(left) and _int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _refuse(f"a number over {MAX_INT_BITS} bits")
        elif operator == "+" and _size(left) + _size(right) > MAX_OUTPUT:
            raise _refuse(f"a value of {_size(left) + _size(right):,} items is over the {MAX_OUTPUT:,} limit")
        elif operator == "%" and isinstance(left, str):
            if _BIG_WIDTH.search(left):
                raise _refuse(f"a format width over {MAX_WIDTH:,}")
            _check_width(right if isinstance(right, tuple) else (right,), {})
        return _check_value(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        for value in (*args, *kwargs.values()):
            _check_value(value)
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        spec: str = value.__self__

        def guarded(*args: Any, **kwargs: Any) -> str:
            if _BIG_WIDTH.search(spec):
                raise _refuse(f"a format width over {MAX_WIDTH:,}")
            _check_width(args, kwargs)
            for arg in (*args, *kwargs.values()):
                if isinstance(arg, dict):
                    _check_width(tuple(arg.values()), {})
            return _check_value(wrapped(*args, **kwargs))  # type: ignore[no-any-return]

        return guarded


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class TemplateRefused(jinja2.TemplateError):
    """An include the loader will not read (not a :class:`jinja2.TemplateNotFound`, which a
    :class:`jinja2.ChoiceLoader` would swallow to try the shipped templates)."""


class DirectoryLoader(jinja2.BaseLoader):
    """Templates from one directory only: regular files whose real path stays inside it.

    MAIN (the file given with ``--template``) is read as named, wherever a symlink to it points:
    the user chose it. Anything it includes must be a regular file inside the directory.
    """

    def __init__(self, directory: Path, main: str) -> None:
        self.directory = os.path.realpath(directory)
        self.main = main

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        path = os.path.join(self.directory, *pieces)
        if template != self.main:
            real = os.path.realpath(path)
            if os.path.commonpath([real, self.directory]) != self.directory:
                raise TemplateRefused(f"'{template}' leads outside the template's directory; refused")
        text = read_template(Path(path), missing=jinja2.TemplateNotFound(template))
        return text, path, lambda: True


def read_template(path: Path, *, missing: Exception | None = None) -> str:
    """A template file's text: a regular UTF-8 file of at most :data:`MAX_TEMPLATE_BYTES`."""
    from strategease.errors import UsageError
    from strategease.inputs import read_bytes

    try:
        data = read_bytes(path, what="template file", limit=MAX_TEMPLATE_BYTES)
    except UsageError:
        if missing is not None and not os.path.lexists(path):
            raise missing from None
        raise
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError("template is not valid UTF-8 text", path=str(path)) from None


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`TemplateBudget` in the main thread once SECONDS have passed (a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _refuse(f"rendering took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render TEMPLATE within the budget (output size and time)."""
    parts: list[str] = []
    total = 0
    start = time.monotonic()
    with _deadline(MAX_SECONDS):
        for chunk in template.generate(context):
            total += len(chunk)
            if total > MAX_OUTPUT:
                raise _refuse(f"the output is over {MAX_OUTPUT:,} characters")
            if time.monotonic() - start > MAX_SECONDS:
                raise _refuse(f"rendering took over {MAX_SECONDS:g} s")
            parts.append(chunk)
    return "".join(parts)


__all__ = ["MAX_OUTPUT", "MAX_SECONDS", "DirectoryLoader", "ReportEnvironment", "SecurityError", "TemplateBudget",
           "plain", "read_template", "render"]
