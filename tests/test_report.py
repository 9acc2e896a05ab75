"""The report command (issue #4): sections, renderers, escaping, golden files, safety, determinism.

Renderer tests read a frozen, hand-checked selection result (``tests/golden/report/selection.json``)
with the small hostile catalogue next to it, so they do not move when scoring changes; the CLI
tests run the real ``select`` on the same catalogue and scope.

Regenerate the golden files after an intended change with::

    STRATEGEASE_UPDATE_GOLDEN=1 pytest tests/test_report.py
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from strategease.render.document import (
    SECTION_NUMBERS,
    SECTION_TITLES,
    TO_DECIDE,
    ReportDoc,
    build_report,
    section_heading,
)
from strategease.selection.result import SelectionResult

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
CATALOGUE = GOLDEN / "catalogue.yaml"
SCOPE = GOLDEN / "scope.yaml"
UPDATE = os.environ.get("STRATEGEASE_UPDATE_GOLDEN") == "1"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def doc(report_selection, report_catalogue) -> ReportDoc:
    return build_report(report_selection, report_catalogue)


def _render(fmt: str, doc: ReportDoc, result: SelectionResult, **options) -> bytes:
    from strategease.render.report import RenderOptions, render

    return render(fmt, doc, result, RenderOptions(**options))


def _golden(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(actual)
    assert path.exists(), f"missing golden file {path}; run with STRATEGEASE_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    assert actual.decode("utf-8") == expected.decode("utf-8"), (
        f"{name} differs from the golden file; if the change is intended, regenerate with "
        "STRATEGEASE_UPDATE_GOLDEN=1")


# --------------------------------------------------------------------------- the core


def test_sections_follow_the_issue_order(doc: ReportDoc) -> None:
    assert list(SECTION_TITLES) == ["summary", "scope", "determinants", "functions", "strategies",
                                    "specifications", "apease", "caveats", "scores", "sources"]
    assert doc.summary.change and doc.summary.determinants and doc.summary.bundle
    assert [r.key for r in doc.scope.change] == ["actor", "action", "context", "target", "time"]
    assert [g.family for g in doc.determinant_groups] == ["COM-B / TDF", "CFIR", "Partnering"]


def test_reasons_name_determinant_link_and_source(doc: ReportDoc) -> None:
    first = doc.strategies[0]
    reason = first.reasons[0]
    assert reason.determinant == "tdf.knowledge"
    assert "parent determinant Capability" in reason.link and "calls for Education" in reason.link
    assert "Source: test-src (published-matrix; curated)" in reason.text
    assert "contributes +0.32" in reason.text


def test_specification_prefills_what_the_data_supports(doc: ReportDoc) -> None:
    assert [s.code for s in doc.specifications] == ["S1", "S2"]
    dims = {d.key: d for d in doc.specifications[0].dimensions}
    assert list(dims) == ["actor", "action", "action_target", "temporality", "dose", "outcome", "justification"]
    assert dims["actor"].status == "pre-filled" and "Ward nurses" in (dims["actor"].value or "")
    assert dims["action_target"].value and "Knowledge" in dims["action_target"].value
    justification = dims["justification"].value or ""
    assert justification.startswith("Chosen because it acts on Knowledge") and "Appendix A" in justification
    assert "Source:" not in justification  # the machine breakdown lives in Appendix A, not in every table
    for key in ("action", "temporality", "dose", "outcome"):
        assert dims[key].status == TO_DECIDE and dims[key].value is None
    assert "Meetings that teach" in dims["action"].prompt  # the catalogue description as a starting point


def test_apease_and_caveats(doc: ReportDoc) -> None:
    assert [c.key for c in doc.apease.criteria] == ["affordability", "practicability", "effectiveness",
                                                    "acceptability", "side_effects", "equity"]
    assert [b.code for b in doc.apease.strategies] == ["S1", "S2"]
    kinds = {e.kind: e.count for e in doc.caveats.evidence}
    assert kinds == {"curated": 1, "published-matrix": 1, "seed-document": 1, "survey-of-experts": 1}
    assert doc.caveats.warnings  # echoed from the selection


def test_sources_and_provenance(doc: ReportDoc, report_selection: SelectionResult) -> None:
    assert [s.id for s in doc.sources] == ["test-src", "waltz-like"]
    p = doc.provenance
    assert (p.catalogue_version, p.catalogue_hash, p.scope_hash, p.tool_version) == (
        "2.1", report_selection.catalogue.content_hash, report_selection.scope.content_hash,
        report_selection.tool_version)
    assert p.date is None


def test_matrix_cells_sum_each_determinants_terms(doc: ReportDoc) -> None:
    m = doc.matrix
    assert [c.id for c in m.columns] == ["eric.conduct-educational-meetings", "eric.access-new-funding",
                                         "eric.build-a-coalition"]
    row = next(r for r in m.rows if r.determinant == "tdf.knowledge")
    assert row.cells == [0.32, 0.0, 0.0]
    assert m.max_value == 0.32


def test_report_without_bundle_or_catalogue(report_selection: SelectionResult) -> None:
    bare = report_selection.model_copy(update={"bundle": None})
    doc = build_report(bare)
    assert doc.bundle is None and doc.specifications == [] and doc.apease.strategies == []
    assert "No bundle was computed" in doc.summary.bundle
    for fmt in ("markdown", "html", "docx", "json"):
        assert _render(fmt, doc, bare)


def test_source_date_epoch_parsing() -> None:
    from strategease.errors import UsageError
    from strategease.render.document import parse_source_date_epoch, report_date

    assert parse_source_date_epoch(None) is None and parse_source_date_epoch("") is None
    assert report_date(parse_source_date_epoch("1700000000")) == "2023-11-14"
    for bad in ("yesterday", "-5", "1e9", "99999999999999999"):
        with pytest.raises(UsageError):
            parse_source_date_epoch(bad)


# --------------------------------------------------------------------------- registry


def test_every_format_has_a_renderer_and_extension() -> None:
    from strategease.cli.report import ReportFormat
    from strategease.render.report import EXTENSIONS, FORMATS, RENDERERS

    assert {f.value for f in ReportFormat} == set(FORMATS) == set(RENDERERS)
    assert set(EXTENSIONS.values()) == set(FORMATS)


def test_report_methods_mirror_scoring() -> None:
    from typing import get_type_hints

    from strategease.cli.report import report_cmd
    from strategease.selection.scoring import Method

    report_method = get_type_hints(report_cmd, include_extras=True)["method"].__origin__
    assert [m.value for m in report_method] == [m.value for m in Method]


# --------------------------------------------------------------------------- golden files


def test_markdown_golden(doc: ReportDoc, report_selection: SelectionResult) -> None:
    data = _render("markdown", doc, report_selection)
    _golden("report.md", data)
    text = data.decode("utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    numbered = [h.split(".", 1)[0] for h in headings if h != "## Contents"]
    assert numbered == [f"## {n}" for n in SECTION_NUMBERS.values()]  # the issue's order, appendices last
    assert report_selection.catalogue.content_hash in text  # reproducible: the catalogue hash is printed


def test_json_golden(doc: ReportDoc, report_selection: SelectionResult) -> None:
    data = _render("json", doc, report_selection)
    _golden("report.json", data)
    parsed = json.loads(data)
    assert list(parsed) == ["selection", "report"]
    assert parsed["selection"] == json.loads(report_selection.model_dump_json())  # the same object as select
    assert list(parsed["report"])[:4] == ["title", "cover", "summary", "scope"]


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize(("text", "expected"), [
    ("plain words", "plain words"),
    (HOSTILE, "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a | b", r"a \| b"),
    ("`code` *em* _u_ ~s~", r"\`code\` \*em\* \_u\_ \~s\~"),
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
    ("![img](http://x/y.png)", r"!\[img\](http://x/y.png)"),
    ("<http://example.org>", "&lt;http://example.org&gt;"),
    ("# heading", r"\# heading"),
    ("- item", r"\- item"),
    ("1. item", r"1\. item"),
    ("---", r"\---"),
    ("-0.5", "-0.5"),
    ("R&D &amp; more", "R&D &amp;amp; more"),
    ("line one\nline two\r\n\tthree", "line one line two three"),
    ("back\\slash", r"back\\slash"),
    ("bell\x07", "bell"),
    (None, ""),
    (0.125, "0.125"),
])
def test_md_escape(text: object, expected: str) -> None:
    from strategease.render.report import md_escape

    assert md_escape(text) == expected


def test_markdown_is_inert_when_rendered(doc: ReportDoc, report_selection: SelectionResult) -> None:
    """Render the Markdown report with a CommonMark+tables parser: hostile text stays text."""
    markdown_it = pytest.importorskip("markdown_it")
    text = _render("markdown", doc, report_selection).decode()
    assert "<script" not in text and "<img" not in text and "<em>" not in text
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # a pipe in a name does not break its table row: every strategy row keeps its 4 cells
    rows = re.findall(r"<tr>\s*<td[^>]*>\d+</td>(.*?)</tr>", html, flags=re.S)
    assert rows and all(r.count("<td") == 4 for r in rows)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_and_is_self_contained(doc: ReportDoc, report_selection: SelectionResult) -> None:
    html = _render("html", doc, report_selection).decode()
    parser = _Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "link" not in parser.tags
    assert not any(name.startswith("on") for name, _ in parser.attrs)
    assert not any(name == "src" or (name == "href" and not (value or "").startswith("#"))
                   for name, value in parser.attrs)  # only links within the document (the contents)
    text = "".join(parser.text)
    assert HOSTILE in text  # shown as text
    assert ("content", "default-src 'none'; style-src 'unsafe-inline'; img-src data:") in parser.attrs
    assert "<svg" in html and "@media print" in html
    for key in SECTION_TITLES:
        assert f'<section id="{key}"' in html


def test_docx_structure(doc: ReportDoc, report_selection: SelectionResult) -> None:
    import docx

    data = _render("docx", doc, report_selection)
    word = docx.Document(io.BytesIO(data))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == [section_heading(key) for key in SECTION_TITLES]
    assert word.paragraphs[0].style.name == "Title" and word.paragraphs[0].text == doc.title
    cells = {(t_i, r_i): [c.text for c in row.cells] for t_i, t in enumerate(word.tables)
             for r_i, row in enumerate(t.rows)}
    assert ["Actor (who)", "Ward nurses | night shift"] in cells.values()
    assert ["2", HOSTILE, "0.16", "Available resources | *bold* [link](javascript:alert(1))", "yes"] in cells.values()
    assert any(row[0] == "Dose" and row[1].startswith("To decide:") and row[2] == TO_DECIDE
               for row in cells.values())
    assert any(row[0] == "Equity" and row[2:] == ["☐", "☐"] for row in cells.values())
    props = word.core_properties
    assert props.created.year == 1980 and props.modified == props.created
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_docx_strips_xml_invalid_characters(report_selection: SelectionResult) -> None:
    import docx

    bad = report_selection.model_copy(deep=True)
    bad.strategies[0].name = "Bell\x07 and\x00 null\x1b"
    data = _render("docx", build_report(bad), bad)
    text = "\n".join(c.text for t in docx.Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    assert "Bell and null" in text


def test_docx_dates_follow_source_date_epoch(doc: ReportDoc, report_selection: SelectionResult) -> None:
    import docx

    data = _render("docx", doc, report_selection, source_date_epoch=1700000000)
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.created.isoformat().startswith("2023-11-14T22:13:20")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}


@pytest.mark.parametrize("fmt", ["markdown", "html", "docx", "json"])
def test_renderers_are_deterministic(fmt: str, report_selection: SelectionResult, report_catalogue) -> None:
    first = _render(fmt, build_report(report_selection, report_catalogue), report_selection)
    second = _render(fmt, build_report(report_selection.model_copy(deep=True), report_catalogue), report_selection)
    assert first == second


# --------------------------------------------------------------------------- the command


def _report(cli, out: Path, *extra: str):
    return cli("report", SCOPE, "--base", CATALOGUE, "-o", out, *extra)


@pytest.mark.parametrize("ext", ["md", "html", "docx", "json"])
def test_cli_writes_byte_identical_reports(cli, tmp_path: Path, ext: str) -> None:
    first, second = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    r1 = _report(cli, first)
    assert r1.code == 0, r1.err
    assert r1.out == "" and f"wrote {first}" in r1.err  # stdout stays clean
    assert _report(cli, second).code == 0
    assert first.read_bytes() == second.read_bytes()


def test_cli_report_uses_real_select(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert _report(cli, out, "--bundle", "1").code == 0
    data = json.loads(out.read_text())
    bundle = data["selection"]["bundle"]
    assert bundle["size"] == 1 and len(bundle["strategies"]) == 1
    # one specification per strategy of the plan: the barrier pick, then the builds-on pick (B1) for the facilitator
    assert [s["code"] for s in data["report"]["specifications"]] == ["S1", "B1"]
    assert [s["strategy"] for s in data["report"]["specifications"]] == [bundle["strategies"][0]["id"],
                                                                          bundle["builds_on"][0]["id"]]


def test_cli_format_option_overrides_extension(cli, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    assert _report(cli, out, "--format", "markdown").code == 0
    assert out.read_text().startswith("# Implementation strategies")


def test_cli_unknown_extension_is_a_usage_error(cli, tmp_path: Path) -> None:
    r = _report(cli, tmp_path / "report.txt")
    assert r.code == 2
    assert "cannot tell the report format" in r.err and "--format" in r.err
    assert not (tmp_path / "report.txt").exists()


def test_cli_refuses_to_overwrite_without_force(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    out.write_text("keep me")
    r = _report(cli, out)
    assert r.code == 2 and "--force" in r.err and "exists" in r.err
    assert out.read_text() == "keep me"
    assert _report(cli, out, "--force").code == 0
    assert out.read_text().startswith("# Implementation strategies")
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temporary files left behind


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="directory permissions do not stop root (the simulated test covers the path)")
def test_cli_unwritable_directory(cli, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        r = _report(cli, locked / "r.md")
    finally:
        locked.chmod(0o755)
    assert r.code == 2 and "permission denied" in r.err and str(locked) in r.err


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE", "named-temporary"])
def test_cli_unwritable_directory_simulated(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            unnamed: bool) -> None:
    import strategease.outputs as outputs

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    real_open = os.open

    def refuse_directory(path, *args, **kwargs):
        if Path(path) == tmp_path:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(outputs.tempfile, "mkstemp", refuse)
    if unnamed:
        monkeypatch.setattr(outputs.os, "open", refuse_directory)
    else:
        monkeypatch.setattr(outputs, "_unnamed_file", lambda directory: None)
    r = _report(cli, tmp_path / "r.md")
    assert r.code == 2 and "permission denied" in r.err and str(tmp_path) in r.err


def test_cli_missing_directory(cli, tmp_path: Path) -> None:
    r = _report(cli, tmp_path / "nope" / "r.md")
    assert r.code == 2 and "does not exist" in r.err


def test_cli_source_date_epoch_prints_a_date(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.md"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert _report(cli, out).code == 0
    assert "Date: 2023-11-14" in out.read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    r = _report(cli, tmp_path / "s.md")
    assert r.code == 2 and "SOURCE_DATE_EPOCH" in r.err


def test_cli_invalid_scope_exits_1(cli, tmp_path: Path) -> None:
    scope = tmp_path / "scope.yaml"
    scope.write_text("title: x\nchange: {actor: a, action: b}\ndeterminants:\n  - {id: tdf.knowlege, kind: barrier}\n")
    r = cli("report", scope, "--base", CATALOGUE, "-o", tmp_path / "r.md")
    assert r.code == 1 and "tdf.knowledge" in r.err
    assert not (tmp_path / "r.md").exists()


# --------------------------------------------------------------------------- custom templates


def test_custom_markdown_template_is_escaped(cli, tmp_path: Path) -> None:
    tpl = tmp_path / "brief.md.j2"
    tpl.write_text("# {{ report.summary.title }}\n{% for s in report.strategies %}\n- {{ s.name }}\n{% endfor %}\n")
    out = tmp_path / "brief.md"
    r = _report(cli, out, "--template", tpl)
    assert r.code == 0, r.err
    text = out.read_text()
    assert "- &lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text


def test_custom_html_template_can_extend_the_shipped_one(cli, tmp_path: Path) -> None:
    tpl = tmp_path / "branded.html.j2"
    tpl.write_text('{% extends "strategease/report.html.j2" %}\n'
                   "{% block extra_style %}h1 { color: #800; }{% endblock %}\n"
                   "{% block footer %}<footer>Acme Consulting · {{ report.scope.title }}</footer>{% endblock %}\n")
    out = tmp_path / "r.html"
    r = _report(cli, out, "--template", tpl)
    assert r.code == 0, r.err
    html = out.read_text()
    assert "h1 { color: #800; }" in html and "<footer>Acme Consulting · Delirium screening &lt;script&gt;" in html
    assert '<section id="sources">' in html


@pytest.mark.parametrize(("body", "line", "words"), [
    ("# {{ report.title }}\n\n{% for s in %}\n", 3, "syntax error"),
    ("# {{ report.title }}\n{{ report.no_such_section }}\n", 2, "no_such_section"),
    ("ok\n\n\n{{ report.__class__.__mro__ }}\n", 4, "error"),
    ("{{ 1 / 0 }}\n", 1, "division"),
])
def test_broken_custom_template_names_file_and_line(cli, tmp_path: Path, body: str, line: int,
                                                    words: str) -> None:
    tpl = tmp_path / "mine.md.j2"
    tpl.write_text(body)
    out = tmp_path / "r.md"
    r = _report(cli, out, "--template", tpl)
    assert r.code == 2, r.err
    assert f"{tpl}:{line}:" in r.err and words in r.err and "Traceback" not in r.err
    assert not out.exists()


def test_custom_template_missing_or_for_the_wrong_format(cli, tmp_path: Path) -> None:
    r = _report(cli, tmp_path / "r.md", "--template", tmp_path / "absent.j2")
    assert r.code == 2 and "template file not found" in r.err
    tpl = tmp_path / "t.j2"
    tpl.write_text("x")
    r = _report(cli, tmp_path / "r.docx", "--template", tpl)
    assert r.code == 2 and "markdown, html and pdf" in r.err
