"""Render a :class:`~strategease.render.document.ReportDoc` to bytes: one renderer per format, in a registry.

* ``markdown`` and ``html`` use Jinja2 templates shipped in ``strategease/render/templates`` (or a
  consultant's own with ``--template``), in a *sandboxed* environment with ``StrictUndefined``.
  HTML autoescapes; Markdown escapes every printed value with :func:`md_escape` (through the
  environment's ``finalize``), so catalogue or scope text can never become markup in either —
  a template opts out only by marking a value with the ``md_raw`` filter.
* ``pdf`` prints the HTML (and its print stylesheet) with WeasyPrint, an optional extra.
* ``docx`` builds a Word document with python-docx (:mod:`strategease.render.docx`), then rewrites
  the zip deterministically.
* ``xlsx`` is a workbook to fill in: strategies, bundle, specification and APEASE sheets
  (:mod:`strategease.render.sheets`).
* ``json`` is ``{"selection": <the select result>, "report": <the sections>}``.

Every renderer is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategease.errors import UsageError
from strategease.render.document import (
    APEASE_CRITERIA,
    PART_BREAKS,
    SECTION_NUMBERS,
    SECTION_TITLES,
    TO_DECIDE,
    ReportDoc,
    join_names,
    num,
)
from strategease.render.effects import EFFECTS_CAVEAT_LOWER
from strategease.render.figures import ink, shade
from strategease.selection.result import OPTIONAL_SECTIONS, SelectionResult

if TYPE_CHECKING:
    import jinja2

FORMATS = ("markdown", "html", "docx", "pdf", "xlsx", "json")
EXTENSIONS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".xlsx": "xlsx",
    ".json": "json",
}
BRIEF_FORMATS = ("markdown", "html", "docx", "pdf")
PAPERS = {"a4": "A4", "letter": "letter"}
"""--paper values and their CSS page size; A4 is the default (ISO 216, used outside North America)."""
LANGUAGE = "en-GB"
"""The reports' language (British English spelling), set in HTML ``lang`` and Word's ``w:lang``."""
TEMPLATE_FORMATS = ("markdown", "html", "pdf")
SHIPPED_TEMPLATES = {"markdown": "report.md.j2", "html": "report.html.j2", "pdf": "report.html.j2"}
FIXED_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the earliest time a zip entry can carry
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class RenderOptions:
    template: Path | None = None
    source_date_epoch: int | None = None
    brief: bool = False  # the two-page executive version (markdown, html, docx, pdf)
    paper: str = "a4"  # a4 | letter (html print stylesheet, pdf, docx)


def infer_format(path: Path) -> str | None:
    """The output format implied by PATH's extension, or None when it implies none."""
    return EXTENSIONS.get(path.suffix.lower())


OTHER_FORMATS = frozenset({".pdf", ".doc", ".odt", ".rtf", ".txt", ".csv", ".tsv", ".xls", ".xlsx", ".ods", ".ppt",
                           ".pptx", ".odp", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".zip", ".yaml", ".yml", ".xml",
                           ".tex", ".epub"})
"""Extensions of well-known formats no report is written in: naming the output so contradicts --format."""


def check_extension(path: Path, fmt: str) -> None:
    """Refuse an output name whose extension says another format (``-o plan.pdf --format html``,
    ``-o plan.json --format markdown``); no extension or one of no known format (``.out``),
    standard output (``-``), and ``.txt`` for Markdown are fine. A Word document is not streamed
    to standard output."""
    from strategease.outputs import is_stdout

    if is_stdout(path):
        binary = {"docx": ("a Word document", ".docx"), "pdf": ("a PDF", ".pdf"), "xlsx": ("a workbook", ".xlsx")}
        if fmt in binary:
            what, ext = binary[fmt]
            raise UsageError(f"{what} cannot be streamed to standard output", path=str(path),
                             hint=f"give a file name ending in {ext}")
        return
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS and suffix not in OTHER_FORMATS or EXTENSIONS.get(suffix) == fmt \
            or (fmt == "markdown" and suffix == ".txt"):
        return
    wanted = ", ".join(ext for ext, name in EXTENSIONS.items() if name == fmt)
    raise UsageError(f"the extension '{path.suffix}' does not match --format {fmt}", path=str(path),
                     hint=f"name the file with {wanted}, or choose the --format its extension says")


# --------------------------------------------------------------------------- text safety

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LINE_START = (
    re.compile(r"^(#{1,6})(?=\s|$)"),
    re.compile(r"^([-+])(?=\s|$)"),
    re.compile(r"^([-=])(?=[-=]*$)"),
)
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def strip_xml_invalid(text: str) -> str:
    """Drop characters that XML 1.0 (and so Word) cannot hold: C0 controls but tab/newline, etc."""
    return _XML_INVALID.sub("", text)


class MdSafe(str):
    """Text already safe to place in Markdown (escaped, or markup the template means to emit)."""

    __slots__ = ()


def md_escape(value: object) -> MdSafe:
    """Make any value inert inline Markdown text.

    Backslash-escapes the characters that start code, emphasis, links/images, tables and
    strikethrough (`` \\ ` * _ [ ] | ~ ``); turns ``<`` and ``>`` into ``&lt;``/``&gt;`` (so no raw
    HTML or autolink can form, in every Markdown dialect) and a would-be entity's ``&`` into
    ``&amp;``; collapses line breaks and runs of whitespace into one space (a value cannot start
    a new block or break a table row); and escapes what would start a block at the beginning
    (``#``, ``-``/``+`` lists, ``1.`` lists, ``---``/``===`` underlines).
    """
    if isinstance(value, MdSafe):
        return value
    if value is None:
        return MdSafe("")
    text = num(value) if isinstance(value, float) else str(value)
    text = _WHITESPACE.sub(" ", strip_xml_invalid(text))
    text = _MD_ENTITY.sub("&amp;", text)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    for pattern in _MD_LINE_START:
        text = pattern.sub(r"\\\1", text)
    text = _MD_ORDERED.sub(r"\1\\\2", text)
    return MdSafe(text)


def _md_raw(value: object) -> MdSafe:
    return MdSafe("" if value is None else str(value))


def _percent(value: float) -> str:
    return num(value) + "%"


# --------------------------------------------------------------------------- templates


def _environment(fmt: str, custom: Path | None) -> jinja2.Environment:
    import jinja2

    from strategease.render.template_sandbox import DirectoryLoader, ReportEnvironment

    shipped = jinja2.PackageLoader("strategease.render", "templates")
    loader: jinja2.BaseLoader = shipped
    if custom is not None:
        loader = jinja2.ChoiceLoader([
            DirectoryLoader(custom.parent, custom.name),
            shipped,
            jinja2.PrefixLoader({"strategease": shipped}),
        ])
    html = fmt == "html"
    env = ReportEnvironment(
        loader=loader,
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        finalize=None if html else md_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(num=num, names=join_names, shade=shade, ink=ink, percent=_percent, md=md_escape,
                       md_raw=_md_raw)
    return env


def _template_error(exc: BaseException, custom: Path) -> UsageError:
    """Point at the template file and line where rendering failed."""
    import jinja2

    path: str | None = None
    line: int | None = None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path, line = exc.filename or exc.name, exc.lineno
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            # Jinja rewrites tracebacks so that template frames carry the template's file and line.
            if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
                path, line = frame.filename, frame.lineno
    if path is None:
        path = str(custom)
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: '{exc.name}'"
    elif isinstance(exc, jinja2.TemplateError):
        message = exc.message or type(exc).__name__
    else:
        message = f"{type(exc).__name__}: {exc}"
    kind = "syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "error"
    return UsageError(f"template {kind}: {message}", path=path, line=line,
                      hint="fix the template, or drop --template to use the shipped one")


def _render_template(fmt: str, doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    import jinja2

    from strategease.render.template_sandbox import TemplateBudget, plain, read_template, render

    custom = options.template
    if custom is not None:
        read_template(custom)  # a missing, unreadable, oversized or non-regular file: one line, exit 2
    fmt = "html" if fmt == "pdf" else fmt
    env = _environment(fmt, custom)
    from markupsafe import Markup

    from strategease.render.figures import logic_model_svg

    selection = plain(result)
    for key in OPTIONAL_SECTIONS:  # absent sections are null in templates, as on the model
        selection.setdefault(key, None)
    context: dict[str, Any] = {  # data only: no model, class or method is reachable from a template
        "report": plain(doc),
        "selection": selection,
        "titles": dict(SECTION_TITLES),
        "numbers": dict(SECTION_NUMBERS),
        "breaks": list(PART_BREAKS),
        "brief": options.brief,
        "paper": plain(PAPERS[options.paper]),
        "language": LANGUAGE,
        "figures": {"logic_model": Markup(logic_model_svg(doc.logic_model)) if fmt == "html" else ""},
        "to_decide": plain(TO_DECIDE),
        "effects_caveat": plain(EFFECTS_CAVEAT_LOWER),
        "csp": CSP,
    }
    name = custom.name if custom is not None else SHIPPED_TEMPLATES[fmt]
    try:
        text = render(env.get_template(name), context)
    except TemplateBudget:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure inside a consultant's template is a usage error
        if custom is None:
            raise
        if isinstance(exc, jinja2.TemplateNotFound) and exc.name == name:
            raise UsageError("template file not found", path=str(custom)) from None
        raise _template_error(exc, custom) from None
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def render_markdown(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    return _render_template("markdown", doc, result, options)


def render_html(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    return _render_template("html", doc, result, options)


# --------------------------------------------------------------------------- JSON


def report_json(doc: ReportDoc, result: SelectionResult) -> dict[str, Any]:
    return {"selection": result.model_dump(mode="json"), "report": doc.model_dump(mode="json")}


def render_json(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    return (json.dumps(report_json(doc, result), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- PDF


def render_pdf(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    """The HTML report (shipped or ``--template``) printed to PDF by WeasyPrint, with its print stylesheet.

    WeasyPrint is an optional extra (``pip install 'strategease[pdf]'``); without it this is a usage
    error (exit 2) saying so. The PDF's metadata (title, author, dates) come from the HTML's head.
    """
    html = _render_template("html", doc, result, options)
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: the Python package is there but Pango is not
        detail = "" if isinstance(exc, ImportError) else f" ({exc})"
        raise UsageError("writing PDF needs WeasyPrint, an optional extra" + detail,
                         hint="pip install 'strategease[pdf]' (on Debian/Ubuntu also: apt-get install "
                              "libpango-1.0-0 libpangoft2-1.0-0), or write .html and print it to PDF") from None
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html.decode("utf-8"), base_url=None)
    data: bytes = document.write_pdf(uncompressed_pdf=False)
    return data


# --------------------------------------------------------------------------- Word and spreadsheets


def render_docx(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    from strategease.render.docx import render_docx as word

    return word(doc, result, options)


def render_xlsx(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    from strategease.render.sheets import report_workbook

    return report_workbook(doc, options.source_date_epoch)


def deterministic_zip(data: bytes, epoch: int = FIXED_EPOCH) -> bytes:
    """Rewrite a zip with sorted entries ([Content_Types].xml first), fixed times and attributes."""
    import datetime as dt

    when = dt.datetime.fromtimestamp(max(epoch, FIXED_EPOCH), tz=dt.UTC)
    date_time = (min(when.year, 2107), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


# --------------------------------------------------------------------------- registry

Renderer = Callable[[ReportDoc, SelectionResult, RenderOptions], bytes]
RENDERERS: dict[str, Renderer] = {
    "markdown": render_markdown,
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
    "xlsx": render_xlsx,
    "json": render_json,
}


def render(fmt: str, doc: ReportDoc, result: SelectionResult, options: RenderOptions | None = None) -> bytes:
    """Render DOC in FMT. A custom template applies to the template formats only."""
    opts = options or RenderOptions()
    if fmt not in RENDERERS:
        raise UsageError(f"unknown report format '{fmt}'", hint="use one of: " + ", ".join(FORMATS))
    if opts.template is not None and fmt not in TEMPLATE_FORMATS:
        raise UsageError(f"--template applies to markdown, html and pdf reports, not {fmt}",
                         hint="drop --template or choose --format markdown|html|pdf")
    if opts.brief and fmt not in BRIEF_FORMATS:
        raise UsageError(f"--brief applies to {', '.join(BRIEF_FORMATS)} reports, not {fmt}",
                         hint="drop --brief, or choose one of those formats")
    if opts.paper not in PAPERS:
        raise UsageError(f"unknown paper size '{opts.paper}'", hint="use a4 or letter")
    return RENDERERS[fmt](doc, result, opts)


__all__ = ["APEASE_CRITERIA", "EXTENSIONS", "FORMATS", "RENDERERS", "RenderOptions", "deterministic_zip",
           "infer_format", "md_escape", "render", "strip_xml_invalid"]
