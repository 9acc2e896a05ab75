"""The Word (.docx) report, built with python-docx: the same sections as the HTML, laid out for print.

* Paper A4 (default) or US Letter (``--paper``), margins 20 mm (A4) or 1 inch (Letter); tables as wide
  as the text, with column widths from their content (:func:`column_widths`) written to the table
  grid, each cell and the table (``w:tblW``), a fixed layout, and the header row repeated on every page.
* A cover block (client, prepared by, date, version), a table of contents (a ``TOC`` field, filled
  with the headings and updated by Word on opening), page numbers in the footer (``PAGE`` /
  ``NUMPAGES`` fields), page breaks only before the major parts.
* The logic model and the determinant × strategy matrix as pictures (PNG, :mod:`strategease.render.figures`).
* Document language (``en-GB``) and core properties (title, author, subject, dates from the report date).

The bytes are deterministic: the zip is rewritten with fixed times (:func:`deterministic_zip`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from strategease.render.document import (
    BRIEF_SECTIONS,
    PART_BREAKS,
    SECTION_TITLES,
    ReportDoc,
    join_names,
    num,
    section_heading,
)
from strategease.render.effects import EFFECTS_CAVEAT_LOWER
from strategease.render.report import strip_xml_invalid as t

if TYPE_CHECKING:
    from strategease.render.report import RenderOptions
    from strategease.selection.result import SelectionResult

LANGUAGE = "en-GB"
TWIPS_PER_MM = 1440 / 25.4
PAPERS: dict[str, tuple[float, float, float]] = {  # width, height, margin (mm)
    "a4": (210.0, 297.0, 20.0),
    "letter": (215.9, 279.4, 25.4),
}
MIN_CHARS = 4
"""The narrowest column, in characters (a code such as S1 plus padding)."""
MAX_WORD = 22
"""A word longer than this may wrap inside a column rather than widen it further."""
CHAR_UNITS = 100
"""Twips per character of 9-point table text, on average (for :func:`column_widths`)."""
MAX_NATURAL = 90
"""Above this many characters a cell will wrap anyway; longer texts do not widen the column further."""


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]], total: int) -> list[int]:
    """Column widths (in TOTAL's unit, summing to TOTAL) from the columns' content.

    Each column gets at least the width of its longest word (so no word is split, up to
    :data:`MAX_WORD` characters), and the rest of the width in proportion to how much more its
    longest cell needs: short columns (codes, numbers, yes/no) stay narrow, prose columns take the room.
    """
    columns = list(zip(header, *rows, strict=True))
    minimum, natural = [], []
    for cells in columns:
        words = [len(w) for text in cells for w in str(text).split()] or [1]
        low = max(MIN_CHARS, min(MAX_WORD, max(words)) + 1)
        minimum.append(low)
        natural.append(max(low, min(MAX_NATURAL, max(len(str(t)) for t in cells) + 1)))
    room = total / CHAR_UNITS
    if sum(natural) <= room:  # everything fits on one line: share the width as the content does
        shares = [float(n) for n in natural]
    elif sum(minimum) >= room:  # not even the longest words fit: keep their proportions
        shares = [float(m) for m in minimum]
    else:  # the longest word of each column, then what is left in proportion to what each still wants
        extra = [n - m for n, m in zip(natural, minimum, strict=True)]
        spare = room - sum(minimum)
        shares = [m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]
    scale = total / sum(shares)
    widths = [int(share * scale) for share in shares]
    widths[max(range(len(widths)), key=lambda i: widths[i])] += total - sum(widths)
    return widths


def render_docx(doc: ReportDoc, result: SelectionResult, options: RenderOptions) -> bytes:
    """A Word document with the same sections, headings and tables as the HTML; deterministic bytes."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    from strategease.render import figures
    from strategease.render.report import FIXED_EPOCH, deterministic_zip

    word = docx.Document()
    brief = options.brief
    width_mm, height_mm, margin_mm = PAPERS[options.paper]
    section = word.sections[0]
    section.page_width = Twips(round(width_mm * TWIPS_PER_MM))
    section.page_height = Twips(round(height_mm * TWIPS_PER_MM))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(round(margin_mm * TWIPS_PER_MM)))
    text_twips = round((width_mm - 2 * margin_mm) * TWIPS_PER_MM)
    normal = word.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    _set_language(word, qn, OxmlElement)

    def para(text: str, style: str | None = None, bold_lead: str | None = None) -> Any:
        p = word.add_paragraph(style=style)
        if bold_lead:
            p.add_run(t(bold_lead)).bold = True
        p.add_run(t(text))
        return p

    def table(header: list[str], rows: list[list[str]], *, header_row: bool = True) -> None:
        widths = column_widths(header, rows, text_twips)
        tbl = word.add_table(rows=1 if header_row else 0, cols=len(header))
        tbl.style = "Table Grid"
        tbl.autofit = False
        tbl_pr = tbl._tbl.tblPr
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            tbl_pr.append(tbl_w)
        tbl_w.set(qn("w:w"), str(text_twips))
        tbl_w.set(qn("w:type"), "dxa")
        for column, w in zip(tbl.columns, widths, strict=True):
            column.width = Twips(w)
        if header_row:
            first = tbl.rows[0]
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            first._tr.get_or_add_trPr().append(repeat)
            for cell, text in zip(first.cells, header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(t(text)).bold = True
        for row in rows:
            cells = tbl.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = t(text)
        for row_ in tbl.rows:
            for cell, w in zip(row_.cells, widths, strict=True):
                cell.width = Twips(w)
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(9)

    def heading(key: str) -> None:
        h = word.add_heading(t(SECTION_TITLES[key] if brief else section_heading(key)), level=1)
        if key in PART_BREAKS and not brief:
            h.paragraph_format.page_break_before = True

    def picture(png: bytes | None, caption: str) -> None:
        if png is None:
            return
        word.add_picture(io.BytesIO(png), width=Twips(text_twips))
        word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        para(caption, style="Caption")

    # ---- cover
    cover = doc.cover
    word.add_heading(t(doc.title), level=0)
    if brief:
        para("Executive summary")
    for label, value in (("Prepared for", cover.client), ("Prepared by", cover.prepared_by), ("Date", cover.date),
                         ("Version", cover.version)):
        if value:
            para(value, bold_lead=f"{label}: ")
    _footer_page_numbers(section, qn, OxmlElement)

    # ---- 1. summary and bundle
    heading("summary")
    for text in (doc.summary.change, doc.summary.determinants, doc.summary.bundle):
        para(text)
    word.add_heading(t("Proposed bundle"), level=2)
    if doc.bundle and doc.bundle.strategies:
        para(f"{len(doc.bundle.strategies)} strategies reach {num(doc.bundle.covered_percent)}% of the "
             f"determinant weight ({num(doc.bundle.covered_weight)} of {num(doc.bundle.total_weight)}).")
        table(["", "Strategy", "Adds", "Acts on"],
              [[b.code, b.name, num(b.gain), join_names(b.covers)] for b in doc.bundle.strategies])
        if doc.bundle.uncovered:
            para("Not yet addressed: " + join_names(doc.bundle.uncovered) + ".")
        if doc.bundle.builds_on:
            para("Then, building on strengths (listed after the bundle; they add no coverage and displace no pick "
                 "above):")
            table(["", "Strategy", "Builds on"],
                  [[b.code, b.name, join_names(b.builds_on or [])] for b in doc.bundle.builds_on])
        for note in doc.bundle.builds_on_notes:
            para(note)
    else:
        para("No bundle was computed.")

    if brief:
        _brief_rest(doc, heading, para, table, word)
    else:
        _contents(word, qn, OxmlElement)
        _full_rest(doc, heading, para, table, picture, word, figures)

    p = doc.provenance
    epoch = options.source_date_epoch if options.source_date_epoch is not None else FIXED_EPOCH
    if cover.date:
        stamp = dt.datetime.fromisoformat(cover.date)
    else:
        stamp = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
    core = word.core_properties
    core.title = t(doc.title)[:255]
    core.subject = "Implementation strategy report" + (f" for {t(cover.client)}" if cover.client else "")
    core.author = t(cover.prepared_by or "strategease")[:255]
    core.last_modified_by = core.author
    core.language = LANGUAGE
    core.version = t(cover.version or "")[:255]
    core.comments = f"strategease {p.tool_version}; catalogue {p.catalogue_version} {p.catalogue_hash[:12]}"
    core.revision = 1
    core.created = stamp
    core.modified = stamp
    core.last_printed = stamp
    _update_fields_on_open(word, qn, OxmlElement)
    buf = io.BytesIO()
    word.save(buf)
    return deterministic_zip(buf.getvalue(), epoch)


def _brief_rest(doc: ReportDoc, heading: Any, para: Any, table: Any, word: Any) -> None:
    assert set(BRIEF_SECTIONS) == {"summary", "determinants", "caveats"}
    heading("determinants")
    dets = sorted((d for g in doc.determinant_groups for d in g.determinants), key=lambda d: (-d.weight, d.id))
    table(["Determinant", "Kind", "Weight", "Framework"], [[d.name, d.kind, num(d.weight), d.framework_name]
                                                           for d in dets])
    if doc.team is not None and doc.team.disagreements:
        para(f"The team disagreed about {join_names(doc.team.disagreements)}: discuss before relying on the weights.")
    word.add_heading(t("Next steps"), level=2)
    for text in ("Specify each bundle strategy with the people who will deliver it: who, what, with whom, when, how "
                 "often, which implementation outcome it should move, and why (Proctor et al. 2013).",
                 "Check the bundle against affordability, practicability, effectiveness, acceptability, "
                 "side-effects and equity (APEASE).",
                 "Agree how you will know it worked, and when to look again."):
        para(text, style="List Number")
    heading("caveats")
    for text in doc.caveats.points:
        para(text, style="List Bullet")
    para("This is the two-page executive version; the full report adds the determinants' detail, the logic model, "
         "the ranking, the specification tables, the APEASE checklist and the itemised scores.")


def _full_rest(doc: ReportDoc, heading: Any, para: Any, table: Any, picture: Any, word: Any, figures: Any) -> None:
    heading("scope")
    table(["", ""], [[r.label, r.value] for r in doc.scope.change]
          + [["Levels", ", ".join(doc.scope.levels) or "not given"]], header_row=False)
    if doc.partners is not None:
        word.add_heading(t("Who is at the table"), level=2)
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

    heading("determinants")
    para("Weight = importance × changeability as rated "
         + ("by the team (see the team ratings below)" if doc.team else "in the scope") + " (higher matters more).")
    for group in doc.determinant_groups:
        word.add_heading(t(f"{group.family}: {join_names(group.frameworks)}"), level=2)
        table(["Determinant", "Kind", "Weight", "Notes"],
              [[d.name, d.kind, num(d.weight), _det_notes(d.note, d.found_via)] for d in group.determinants])
    if doc.team is not None:
        word.add_heading(t("Team ratings and agreement"), level=2)
        para(f"The weights use the {doc.team.aggregate} of the ratings given by {join_names(doc.team.raters)}. "
             f"Importance and changeability are shown as {doc.team.aggregate} (lowest–highest).")
        table(["Determinant", "Raters", "Importance", "Changeability", "Agreement", "Who said what"],
              [[r.name + (" (added from the ratings)" if r.added else ""), str(r.raters), r.importance,
                r.changeability, r.agreement, r.scores] for r in doc.team.rows])
        if doc.team.disagreements:
            para(f"To discuss before relying on the weights: {join_names(doc.team.disagreements)}. "
                 f"Rule: {doc.team.rule}.")

    heading("functions")
    if doc.functions:
        para("The determinants call for these intervention functions (Behaviour Change Wheel), most needed first:")
        table(["Type of HOW", "Score", "Called for by", "What it means"],
              [[f.name, num(f.score), join_names(f.determinants), f.description or ""] for f in doc.functions])
    else:
        para("No intervention functions were reached from the determinants in scope.")
    if doc.logic_model.rows:
        word.add_heading(t("Logic model"), level=2)
        picture(figures.logic_model_png(doc.logic_model), "Figure 1. Logic model. " + doc.logic_model.note)

    heading("strategies")
    if doc.strategies:
        para("Strategies ranked by how strongly they are linked to the determinants in scope, each place going to "
             "the strategy that adds most beyond those above it. The itemised scores are in Appendix A.")
        table(["Rank", "Strategy", "Score", "Acts on", "In bundle"],
              [[str(s.rank), s.name, num(s.score), join_names(s.addresses), "yes" if s.in_bundle else ""]
               for s in doc.strategies])
        picture(figures.matrix_png(doc.matrix),
                f"Figure 2. Determinants (rows; barriers red, facilitators green) × the {len(doc.matrix.columns)} "
                f"highest-ranked strategies (columns; bundle outlined in blue). Shading: the determinant's "
                f"contribution to the strategy's score, up to {num(doc.matrix.max_value)}.")
    else:
        para("No strategy in the catalogue is linked to the determinants in scope.")
    for note in doc.method_notes or []:
        word.add_heading(t(note.title), level=2)
        for line in note.lines:
            para(line, style="List Bullet")
    if doc.stability is not None:
        st = doc.stability
        word.add_heading(t("How stable is the ranking?"), level=2)
        para(f"The selection was repeated {st.runs} times with small changes to the weights and link strengths "
             f"(seed {st.seed}): {st.model}. A strategy in the top {st.top_k} or the bundle that stays there in "
             f"fewer than {st.threshold} of the runs is marked unstable.")
        table(["Rank", "Strategy", f"In top {st.top_k}", "In bundle", "Rank in runs", "Verdict"],
              [[r.baseline, r.name, r.in_top, r.in_bundle, r.ranks, r.verdict] for r in st.rows])

    heading("specifications")
    para("Each strategy is specified on Proctor et al.'s seven dimensions (2013). What the catalogue and the scope "
         "support is pre-filled; the rest is marked to decide.")
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

    heading("apease")
    para("Complete with the client: for each strategy in the bundle, judge each criterion "
         "(yes / no / unsure) and note why.")
    codes = [b.code for b in doc.apease.strategies]
    table(["Criterion", "Question", *codes],
          [[c.label, c.question, *["☐" for _ in codes]] for c in doc.apease.criteria])
    for b in doc.apease.strategies:
        para(f"{b.code}: {b.name}")

    heading("caveats")
    for text in doc.caveats.points:
        para(text, style="List Bullet")
    if doc.caveats.basis:
        word.add_heading("What this scope rests on", level=2)
        para(doc.caveats.basis_summary or "")
        table(["Determinant", "Strongest evidence behind its links"],
              [[b.determinant, b.basis] for b in doc.caveats.basis])

    heading("scores")
    if not doc.strategies:
        para("No strategy was scored.")
    for s in doc.strategies:
        para(f" (score {num(s.score)})", bold_lead=f"{s.rank}. {s.name}")
        for r in s.reasons:
            para(r.text, style="List Bullet")

    heading("sources")
    if doc.caveats.evidence:
        word.add_heading(t("Evidence behind the links"), level=2)
        table(["Kind of evidence", "Times used", "What it means"],
              [[e.kind, str(e.count), e.explanation] for e in doc.caveats.evidence])
    if doc.caveats.coverage or doc.caveats.warnings:
        word.add_heading(t("Notes on the catalogue and this scope"), level=2)
        for text in [*doc.caveats.warnings, *doc.caveats.coverage]:
            para(text, style="List Bullet")
    if doc.sources:
        word.add_heading(t("Sources"), level=2)
        table(["Key", "Citation", "Kind"],
              [[s.id, s.citation + (f" {s.url}" if s.url else ""), s.kind or ""] for s in doc.sources])
    p = doc.provenance
    word.add_heading(t("Provenance"), level=2)
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
    ], header_row=False)


def _det_notes(note: str | None, via: list[str]) -> str:
    parts = [note] if note else []
    if via:
        parts.append("found via " + join_names(via))
    return "; ".join(parts)


# --------------------------------------------------------------------------- fields and settings


def _field_runs(paragraph: Any, instruction: str, cached: str, qn: Any, element: Any, *, end: bool = True) -> None:
    """Append a complex field (begin, instruction, separate, CACHED result[, end]) to PARAGRAPH."""

    def run_with(child: Any) -> None:
        r = element("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = element("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = element("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    if cached:
        paragraph.add_run(cached)
    if end:
        _field_end(paragraph, qn, element)


def _field_end(paragraph: Any, qn: Any, element: Any) -> None:
    r = element("w:r")
    fld = element("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    r.append(fld)
    paragraph._p.append(r)


def _footer_page_numbers(section: Any, qn: Any, element: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field_runs(footer, "PAGE", "1", qn, element)
    footer.add_run(" of ")
    _field_runs(footer, "NUMPAGES", "1", qn, element)


def _contents(word: Any, qn: Any, element: Any) -> None:
    """A table of contents: a TOC field over headings 1–2, its cached result the section headings (Word
    refreshes it, with page numbers, when the document opens: see :func:`_update_fields_on_open`)."""
    title = word.add_paragraph(style="TOC Heading") if "TOC Heading" in [s.name for s in word.styles] else None
    if title is None:
        title = word.add_paragraph()
        title.add_run("Contents").bold = True
    else:
        title.add_run("Contents")
    keys = list(SECTION_TITLES)
    first = word.add_paragraph()
    _field_runs(first, 'TOC \\o "1-2" \\h \\z \\u', t(section_heading(keys[0])), qn, element, end=len(keys) == 1)
    for i, key in enumerate(keys[1:], 2):
        p = word.add_paragraph(t(section_heading(key)))
        if i == len(keys):
            _field_end(p, qn, element)


def _update_fields_on_open(word: Any, qn: Any, element: Any) -> None:
    settings = word.settings.element
    update = element("w:updateFields")
    update.set(qn("w:val"), "true")
    # schema order: updateFields comes before these (CT_Settings)
    later = {qn(f"w:{name}") for name in ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars",
                                           "rsids", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                                           "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
                                           "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
                                           "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                                           "listSeparator")}
    later.add("{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr")
    following = next((child for child in settings if child.tag in later), None)
    if following is None:
        settings.append(update)
    else:
        following.addprevious(update)


def _set_language(word: Any, qn: Any, element: Any) -> None:
    """The document's language for spelling and hyphenation (``w:lang`` in the default run properties)."""
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = element("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = element("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = element("w:rPr")
        rpr_default.append(rpr)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = element("w:lang")
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE)
    rpr.append(lang)


__all__ = ["LANGUAGE", "PAPERS", "column_widths", "render_docx"]
