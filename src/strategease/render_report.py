"""Render a :class:`~strategease.report.ReportDoc` to bytes: one renderer per format, in a registry.

* ``markdown`` and ``html`` use Jinja2 templates shipped in ``strategease/templates`` (or a
  consultant's own with ``--template``), in a *sandboxed* environment with ``StrictUndefined``.
  HTML autoescapes; Markdown escapes every printed value with :func:`md_escape` (through the
  environment's ``finalize``), so catalogue or scope text can never become markup in either —
  a template opts out only by marking a value with the ``md_raw`` filter.
* ``docx`` builds a Word document with python-docx, then rewrites the zip deterministically.
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

from strategease.effects import EFFECTS_CAVEAT_LOWER
from strategease.errors import UsageError
from strategease.report import APEASE_CRITERIA, SECTION_TITLES, TO_DECIDE, ReportDoc, join_names, num
from strategease.result import SelectionResult

if TYPE_CHECKING:
    import jinja2

FORMATS = ("markdown", "html", "docx", "json")
EXTENSIONS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".json": "json",
}
TEMPLATE_FORMATS = ("markdown", "html")
SHIPPED_TEMPLATES = {"markdown": "report.md.j2", "html": "report.html.j2"}
FIXED_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the earliest time a zip entry can carry
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class RenderOptions:
    template: Path | None = None
    source_date_epoch: int | None = None


def infer_format(path: Path) -> str | None:
    """The output format implied by PATH's extension, or None when it implies none."""
    return EXTENSIONS.get(path.suffix.lower())


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


def _shade(value: float, top: float) -> str:
    """A fill colour from white (0) to deep blue (the largest value), for the SVG matrix."""
    if top <= 0 or value <= 0:
        return "#ffffff"
    t = min(1.0, value / top)
    low, high = (255, 255, 255), (31, 78, 140)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high, strict=True))


def _ink(value: float, top: float) -> str:
    return "#ffffff" if top > 0 and value / top > 0.55 else "#1a1a1a"


def _percent(value: float) -> str:
    return num(value) + "%"


# --------------------------------------------------------------------------- templates


def _environment(fmt: str, custom: Path | None) -> jinja2.Environment:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    shipped = jinja2.PackageLoader("strategease", "templates")
    loader: jinja2.BaseLoader = shipped
    if custom is not None:
        loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(str(custom.parent)),
            shipped,
            jinja2.PrefixLoader({"strategease": shipped}),
        ])
    html = fmt == "html"
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        finalize=None if html else md_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(num=num, names=join_names, shade=_shade, ink=_ink, percent=_percent, md=md_escape,
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

    custom = options.template
    if custom is not None:
        if not custom.is_file():
            raise UsageError("template file not found", path=str(custom), hint="check the --template path")
        try:
            custom.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read template: {exc}", path=str(custom)) from None
    env = _environment(fmt, custom)
    context: dict[str, Any] = {
        "report": doc,
        "selection": result,
        "titles": dict(SECTION_TITLES),
        "to_decide": TO_DECIDE,
        "effects_caveat": EFFECTS_CAVEAT_LOWER,
        "csp": CSP,
    }
    name = custom.name if custom is not None else SHIPPED_TEMPLATES[fmt]
    try:
        text = env.get_template(name).render(context)
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


# --------------------------------------------------------------------------- Word


def render_docx(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    """A Word document with the same sections, headings and tables; deterministic bytes."""
    import datetime as dt

    import docx

    word = docx.Document()
    t = strip_xml_invalid

    def para(text: str, style: str | None = None, bold_lead: str | None = None) -> None:
        p = word.add_paragraph(style=style)
        if bold_lead:
            p.add_run(t(bold_lead)).bold = True
        p.add_run(t(text))

    def table(header: list[str], rows: list[list[str]]) -> None:
        tbl = word.add_table(rows=1, cols=len(header))
        tbl.style = "Table Grid"
        for cell, text in zip(tbl.rows[0].cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(t(text)).bold = True
        for row in rows:
            cells = tbl.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = t(text)

    def heading(key: str, number: int) -> None:
        word.add_heading(t(f"{number}. {SECTION_TITLES[key]}"), level=1)

    word.add_heading(t(doc.title), level=0)
    if doc.provenance.date:
        para(f"Date: {doc.provenance.date}")

    heading("summary", 1)
    for text in (doc.summary.change, doc.summary.determinants, doc.summary.bundle):
        para(text)

    heading("scope", 2)
    table(["", ""], [[r.label, r.value] for r in doc.scope.change]
          + [["Levels", ", ".join(doc.scope.levels) or "not given"]])
    if doc.partners is not None:
        word.add_heading("Who is at the table", level=2)
        if doc.partners.partners:
            table(["Partner", "Type", "Role", "Involvement"],
                  [[p.name, p.type, p.role, p.involvement] for p in doc.partners.partners])
        else:
            para("No partners are listed.")
        if doc.partners.needs:
            para("Partner types the chosen determinants concern:")
            table(["Partner type", "Status", "Partners", "For"],
                  [[n.type, n.status, join_names(n.partners), join_names(n.determinants)]
                   for n in doc.partners.needs])
        for text in doc.partners.notes:
            para(text, style="List Bullet")

    heading("determinants", 3)
    for group in doc.determinant_groups:
        word.add_heading(t(f"{group.family}: {join_names(group.frameworks)}"), level=2)
        table(["Determinant", "Kind", "Weight", "Notes"],
              [[d.name, d.kind, num(d.weight), _det_notes(d.note, d.found_via)] for d in group.determinants])

    if doc.team is not None:
        word.add_heading("Team ratings and agreement", level=2)
        para(f"The weights use the {doc.team.aggregate} of the ratings given by {join_names(doc.team.raters)}. "
             f"Importance and changeability are shown as {doc.team.aggregate} (lowest–highest).")
        table(["Determinant", "Raters", "Importance", "Changeability", "Agreement", "Who said what"],
              [[r.name + (" (added from the ratings)" if r.added else ""), str(r.raters), r.importance,
                r.changeability, r.agreement, r.scores] for r in doc.team.rows])
        if doc.team.disagreements:
            para(f"To discuss before relying on the weights: {join_names(doc.team.disagreements)}. "
                 f"Rule: {doc.team.rule}.")

    heading("functions", 4)
    if doc.functions:
        table(["Type of HOW", "Score", "Called for by", "What it means"],
              [[f.name, num(f.score), join_names(f.determinants), f.description or ""] for f in doc.functions])
    else:
        para("No intervention functions were reached from the determinants in scope.")

    heading("strategies", 5)
    if doc.strategies:
        table(["Rank", "Strategy", "Score", "In bundle"],
              [[str(s.rank), s.name, num(s.score), "yes" if s.in_bundle else ""] for s in doc.strategies])
        word.add_heading("Why each strategy scored as it did", level=2)
        for s in doc.strategies:
            para(f" (score {num(s.score)})", bold_lead=f"{s.rank}. {s.name}")
            for r in s.reasons:
                para(r.text, style="List Bullet")
    else:
        para("No strategy in the catalogue is linked to the determinants in scope.")
    word.add_heading("Proposed bundle", level=2)
    if doc.bundle and doc.bundle.strategies:
        para(f"{len(doc.bundle.strategies)} strategies reach {num(doc.bundle.covered_percent)}% of the "
             f"determinant weight ({num(doc.bundle.covered_weight)} of {num(doc.bundle.total_weight)}).")
        table(["", "Strategy", "Adds", "Covers"],
              [[b.code, b.name, num(b.gain), join_names(b.covers)] for b in doc.bundle.strategies])
        if doc.bundle.uncovered:
            para("Not yet addressed: " + join_names(doc.bundle.uncovered) + ".")
    else:
        para("No bundle was computed.")
    if doc.stability is not None:
        st = doc.stability
        word.add_heading("How stable is the ranking?", level=2)
        para(f"The selection was repeated {st.runs} times with small changes to the weights and link strengths "
             f"(seed {st.seed}): {st.model}. A strategy in the top {st.top_k} or the bundle that stays there in "
             f"fewer than {st.threshold} of the runs is marked unstable.")
        table(["Rank", "Strategy", f"In top {st.top_k}", "In bundle", "Rank in runs", "Verdict"],
              [[r.baseline, r.name, r.in_top, r.in_bundle, r.ranks, r.verdict] for r in st.rows])

    heading("specifications", 6)
    if not doc.specifications:
        para("There is no bundle to specify.")
    for spec in doc.specifications:
        word.add_heading(t(f"{spec.code}. {spec.name}"), level=2)
        table(["Dimension", "Specification", "Status"],
              [[d.label, d.value if d.value else f"To decide: {d.prompt}", d.status] for d in spec.dimensions])
        if spec.effects:
            para(f"Published effectiveness ({EFFECTS_CAVEAT_LOWER}):")
            for line in spec.effects:
                para(line, style="List Bullet")

    heading("apease", 7)
    para("Complete with the client: for each strategy in the bundle, judge each criterion "
         "(yes / no / unsure) and note why.")
    codes = [b.code for b in doc.apease.strategies]
    table(["Criterion", "Question", *codes],
          [[c.label, c.question, *["☐" for _ in codes]] for c in doc.apease.criteria])
    for b in doc.apease.strategies:
        para(f"{b.code}: {b.name}")

    heading("caveats", 8)
    if doc.caveats.basis:
        word.add_heading("What this scope rests on", level=2)
        para(doc.caveats.basis_summary or "")
        table(["Determinant", "Strongest evidence behind its links"],
              [[b.determinant, b.basis] for b in doc.caveats.basis])
    if doc.caveats.evidence:
        word.add_heading("Evidence behind the links", level=2)
        table(["Kind of evidence", "Times used", "What it means"],
              [[e.kind, str(e.count), e.explanation] for e in doc.caveats.evidence])
    word.add_heading("Reading the scores", level=2)
    for text in doc.caveats.general:
        para(text, style="List Bullet")
    if doc.caveats.uncovered:
        word.add_heading("Determinants no strategy addresses", level=2)
        for text in doc.caveats.uncovered:
            para(text, style="List Bullet")
    if doc.caveats.coverage or doc.caveats.warnings:
        word.add_heading("Coverage and warnings", level=2)
        for text in [*doc.caveats.coverage, *doc.caveats.warnings]:
            para(text, style="List Bullet")

    heading("sources", 9)
    if doc.sources:
        table(["Key", "Citation", "Kind"],
              [[s.id, s.citation + (f" {s.url}" if s.url else ""), s.kind or ""] for s in doc.sources])
    p = doc.provenance
    word.add_heading("Provenance", level=2)
    table(["", ""], [
        ["Catalogue", f"{p.catalogue_name} {p.catalogue_version}"],
        ["Catalogue content hash", p.catalogue_hash],
        ["Scope file", p.scope_path],
        ["Scope file hash", p.scope_hash],
        ["Selection method", p.method],
        ["Tool", f"strategease {p.tool_version}"],
        *([["Team ratings", f"{p.ratings_path} ({p.ratings_hash})"]] if p.ratings_path else []),
        *([["Stability seed", str(p.stability_seed)]] if p.stability_seed is not None else []),
        *([["Date", p.date]] if p.date else []),
    ])

    epoch = options.source_date_epoch if options.source_date_epoch is not None else FIXED_EPOCH
    stamp = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
    core = word.core_properties
    core.title = t(doc.title)[:255]
    core.subject = "Implementation strategy report"
    core.author = "strategease"
    core.last_modified_by = "strategease"
    core.comments = f"strategease {p.tool_version}; catalogue {p.catalogue_version} {p.catalogue_hash[:12]}"
    core.revision = 1
    core.created = stamp
    core.modified = stamp
    core.last_printed = stamp
    buf = io.BytesIO()
    word.save(buf)
    return deterministic_zip(buf.getvalue(), epoch)


def _det_notes(note: str | None, via: list[str]) -> str:
    parts = [note] if note else []
    if via:
        parts.append("found via " + join_names(via))
    return "; ".join(parts)


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
    "json": render_json,
}


def render(fmt: str, doc: ReportDoc, result: SelectionResult, options: RenderOptions | None = None) -> bytes:
    """Render DOC in FMT. A custom template applies to the template formats only."""
    opts = options or RenderOptions()
    if fmt not in RENDERERS:
        raise UsageError(f"unknown report format '{fmt}'", hint="use one of: " + ", ".join(FORMATS))
    if opts.template is not None and fmt not in TEMPLATE_FORMATS:
        raise UsageError(f"--template applies to markdown and html reports, not {fmt}",
                         hint="drop --template or choose --format markdown|html")
    return RENDERERS[fmt](doc, result, opts)


__all__ = ["APEASE_CRITERIA", "EXTENSIONS", "FORMATS", "RENDERERS", "RenderOptions", "deterministic_zip",
           "infer_format", "md_escape", "render", "strip_xml_invalid"]
