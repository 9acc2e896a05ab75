"""Client documents (issue #15): cover metadata, layout of the Word report, PDF pages, the logic model,
workshop ratings sheets read back from .xlsx, and the report as a workbook.

Word layout is asserted from the document XML; PDF pages are rendered to images with pypdfium2 and
their text read back (skipped where WeasyPrint or pypdfium2 is not installed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

from strategease.render.document import SECTION_TITLES, ReportDoc, build_report
from strategease.selection.result import SelectionResult

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
CATALOGUE = GOLDEN / "catalogue.yaml"
SCOPE = GOLDEN / "scope.yaml"
DELIRIUM = Path(__file__).resolve().parent.parent / "examples" / "delirium-scope.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def doc(report_selection, report_catalogue) -> ReportDoc:
    return build_report(report_selection, report_catalogue, date="2026-03-31", client="City Hospital",
                        prepared_by="A. Consultant", version="draft 2")


def _docx(doc: ReportDoc, result: SelectionResult, **options) -> bytes:
    from strategease.render.report import RenderOptions, render

    return render("docx", doc, result, RenderOptions(**options))


def _xml(data: bytes, part: str):
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ElementTree.fromstring(z.read(part))


def _weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint is not available ({type(exc).__name__}): pip install 'strategease[pdf]'")


# --------------------------------------------------------------------------- metadata and structure


def test_cover_carries_client_author_date_version(doc: ReportDoc) -> None:
    assert (doc.cover.client, doc.cover.prepared_by, doc.cover.date, doc.cover.version) == (
        "City Hospital", "A. Consultant", "2026-03-31", "draft 2")


def test_report_prints_file_names_never_folders(report_selection: SelectionResult, report_catalogue) -> None:
    absolute = report_selection.model_copy(deep=True)
    absolute.scope.path = "/home/ana/clients/city-hospital/scope.yaml"
    absolute.catalogue.files = ["/home/ana/clients/city-hospital/layer.yaml"]
    absolute.warnings = ["something about /home/ana/clients/city-hospital/scope.yaml"]
    report = build_report(absolute, report_catalogue)
    dumped = report.model_dump_json()
    assert "/home/ana" not in dumped
    assert report.provenance.scope_path == "scope.yaml" and report.provenance.catalogue_files == ["layer.yaml"]


def test_body_caveats_are_plain_and_the_detail_is_in_the_appendix(doc: ReportDoc) -> None:
    body = " ".join(doc.caveats.points)
    assert "Appendix B" in body and "survey of implementation experts" in body
    assert "Source:" not in body and "survey-of-experts" not in body
    assert all("Source:" not in (d.value or "") for s in doc.specifications for d in s.dimensions)


def test_logic_model_links_determinants_functions_strategies(doc: ReportDoc) -> None:
    lm = doc.logic_model
    assert [n.id for n in lm.strategies] == ["eric.conduct-educational-meetings", "eric.access-new-funding"]
    routes = {(e.source, e.target, e.route) for e in lm.edges}
    assert ("tdf.knowledge", "bcw.education", "calls for") in routes
    assert ("bcw.education", "eric.conduct-educational-meetings", "delivered by") in routes
    assert ("cfir1.available-resources", "eric.access-new-funding", "direct") in routes
    assert [o.label for o in lm.outcomes][:2] == ["Acceptability", "Adoption"]
    assert not [e for e in lm.edges if e.route == "outcome"]  # no outcome is chosen before the specification


def test_html_has_cover_contents_logic_model_and_part_breaks(doc: ReportDoc, report_selection: SelectionResult) -> None:
    from strategease.render.report import RenderOptions, render

    html = render("html", doc, report_selection, RenderOptions()).decode()
    assert "<dt>Prepared for</dt><dd>City Hospital</dd>" in html and "draft 2" in html
    assert '<nav class="contents"' in html and 'href="#scores"' in html
    figure = html[html.index('<figure class="logic-model">'):]
    figure = figure[: figure.index("</figure>")]
    assert "<svg" in figure and "&lt;script&gt;alert(1)&lt;/script&gt;" in figure and "<script" not in figure
    # page breaks only before the major parts
    assert re.findall(r'<section id="(\w+)" class="part"', html) == ["scope", "specifications", "scores"]
    assert "size: A4" in html
    letter = render("html", doc, report_selection, RenderOptions(paper="letter")).decode()
    assert "size: letter" in letter
    # the summary holds the bundle table, before anything else
    assert html.index("Proposed bundle") < html.index('<section id="scope"')


def test_brief_keeps_summary_bundle_determinants_and_caveats(doc: ReportDoc, report_selection: SelectionResult) -> None:
    from strategease.render.report import RenderOptions, render

    html = render("html", doc, report_selection, RenderOptions(brief=True)).decode()
    assert re.findall(r'<section id="(\w+)"', html) == ["summary", "determinants", "caveats"]
    assert "Executive summary" in html and "Next steps" in html
    md = render("markdown", doc, report_selection, RenderOptions(brief=True)).decode()
    assert "## Summary and proposed bundle" in md and "Appendix A." not in md


# --------------------------------------------------------------------------- Word


def test_column_widths_follow_content() -> None:
    from strategease.render.docx import CHAR_UNITS, column_widths

    header = ["Criterion", "Question", "S1", "S2"]
    rows = [["Affordability", "Can it be delivered within the budget available?", "☐", "☐"],
            ["Side-effects / safety", "Could it have unwanted or unsafe consequences?", "☐", "☐"]]
    widths = column_widths(header, rows, 9638)
    assert sum(widths) == 9638
    assert widths[1] > widths[0] > widths[2]  # prose widest, codes narrowest
    assert widths[0] >= len("Side-effects") * CHAR_UNITS  # the longest word fits: no "Criterio / n"
    long = column_widths(["Dimension", "Specification"], [["Justification", "word " * 200]], 9638)
    assert long[0] >= len("Justification") * CHAR_UNITS and sum(long) == 9638


def test_docx_tables_span_the_text_width_with_content_based_columns(doc: ReportDoc,
                                                                    report_selection: SelectionResult) -> None:
    data = _docx(doc, report_selection)
    body = _xml(data, "word/document.xml")
    page = body.find(f".//{W}sectPr/{W}pgSz")
    margins = body.find(f".//{W}sectPr/{W}pgMar")
    assert (page.get(f"{W}w"), page.get(f"{W}h")) == ("11906", "16838")  # A4 in twips
    text_width = int(page.get(f"{W}w")) - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))
    tables = body.findall(f".//{W}tbl")
    assert tables
    unequal = 0
    for tbl in tables:
        tbl_w = tbl.find(f"{W}tblPr/{W}tblW")
        assert tbl_w.get(f"{W}type") == "dxa" and abs(int(tbl_w.get(f"{W}w")) - text_width) <= 2
        assert tbl.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
        grid = [int(c.get(f"{W}w")) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        assert abs(sum(grid) - text_width) <= 2
        first_cells = [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for tc in tbl.find(f"{W}tr").findall(f"{W}tc")]
        assert first_cells == grid
        unequal += len(set(grid)) > 1
    assert unequal == len(tables)  # every table's columns follow its content, none is split evenly
    # the APEASE table: the question column is the widest, the S1/S2 tick columns the narrowest
    apease = next(t for t in tables if "Criterion" in "".join(x.text or "" for x in t.iter(f"{W}t")))
    grid = [int(c.get(f"{W}w")) for c in apease.findall(f"{W}tblGrid/{W}gridCol")]
    assert grid[1] == max(grid) and grid[2] == grid[3] == min(grid)
    # header rows repeat on every page (tables with a header row)
    headed = [t for t in tables if t.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None]
    assert len(headed) >= len(tables) - 2  # all but the two label/value tables (scope, provenance)


def test_docx_page_numbers_contents_pictures_language_and_properties(doc: ReportDoc,
                                                                     report_selection: SelectionResult) -> None:
    import docx

    data = _docx(doc, report_selection)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        footers = [z.read(n).decode() for n in names if re.match(r"word/footer\d*\.xml", n)]
        document = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert any(" PAGE " in f and " NUMPAGES " in f for f in footers)
    assert 'TOC \\o "1-2"' in document and '<w:updateFields w:val="true"/>' in settings
    assert len([n for n in names if n.startswith("word/media/") and n.endswith(".png")]) == 2  # logic model, matrix
    assert '<w:lang w:val="en-GB"' in styles
    word = docx.Document(io.BytesIO(data))
    props = word.core_properties
    assert props.created == dt.datetime(2026, 3, 31, tzinfo=dt.UTC) or props.created.date() == dt.date(2026, 3, 31)
    assert props.author == "A. Consultant" and props.language == "en-GB" and "City Hospital" in props.subject
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[-2:] == ["Appendix A. Itemised scores", "Appendix B. Evidence, sources and provenance"]
    breaks = [p.text for p in word.paragraphs if p.style.name == "Heading 1" and p.paragraph_format.page_break_before]
    assert [h.split(".")[0] for h in breaks] == ["2", "6", "Appendix A"]


def test_docx_letter_paper(doc: ReportDoc, report_selection: SelectionResult) -> None:
    page = _xml(_docx(doc, report_selection, paper="letter"), "word/document.xml").find(f".//{W}sectPr/{W}pgSz")
    assert (page.get(f"{W}w"), page.get(f"{W}h")) == ("12240", "15840")


# --------------------------------------------------------------------------- CLI: metadata, paths, dates


def test_cli_cover_from_scope_block_and_options(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scope = tmp_path / "scope.yaml"
    scope.write_text(SCOPE.read_text(encoding="utf-8")
                     + "report: {client: Riverside Trust, prepared_by: B. Adviser, version: v1}\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    r = cli("report", scope, "--base", CATALOGUE, "-o", tmp_path / "a.json")
    assert r.code == 0, r.err
    cover = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["report"]["cover"]
    assert cover == {"title": cover["title"], "client": "Riverside Trust", "prepared_by": "B. Adviser",
                     "date": "2023-11-14", "version": "v1"}
    r = cli("report", scope, "--base", CATALOGUE, "-o", tmp_path / "b.json", "--client", "Other",
            "--version-label", "v2", "--date", "2026-01-31")
    assert r.code == 0, r.err
    cover = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["report"]["cover"]
    assert (cover["client"], cover["prepared_by"], cover["version"], cover["date"]) == (
        "Other", "B. Adviser", "v2", "2026-01-31")
    r = cli("report", scope, "--base", CATALOGUE, "-o", tmp_path / "c.json", "--date", "31/01/2026")
    assert r.code == 2 and "--date" in r.err and "Traceback" not in r.err


def test_cli_date_defaults_to_today(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.date.today().isoformat()
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "a.json")
    assert r.code == 0, r.err
    date = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["report"]["cover"]["date"]
    assert date in {before, dt.date.today().isoformat()}


def test_cli_report_never_prints_the_scope_folder(cli, tmp_path: Path) -> None:
    folder = tmp_path / "ana-private" / "client-x"
    folder.mkdir(parents=True)
    scope = folder / "scope.yaml"
    scope.write_text(SCOPE.read_text(encoding="utf-8"), encoding="utf-8")
    for ext in ("html", "md", "json"):
        out = tmp_path / f"r.{ext}"
        r = cli("report", scope.resolve(), "--base", CATALOGUE.resolve(), "-o", out)
        assert r.code == 0, r.err
        text = out.read_text(encoding="utf-8")
        assert "ana-private" not in text and str(tmp_path) not in text, ext
        assert "scope.yaml" in text


def test_cli_brief_refuses_formats_without_pages(cli, tmp_path: Path) -> None:
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "r.json", "--brief")
    assert r.code == 2 and "--brief" in r.err and not (tmp_path / "r.json").exists()


# --------------------------------------------------------------------------- PDF


def _pdf_pages(path: Path) -> list[str]:
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(path))
    texts = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=0.5).to_pil()  # the page as an image: it renders and is not blank
            assert image.width > 100 and image.height > 100
            assert image.convert("L").getextrema()[0] < 128, f"page {index + 1} is blank"
            texts.append(" ".join(page.get_textpage().get_text_range().split()))
    finally:
        pdf.close()
    return texts


def test_pdf_report_has_summary_and_bundle_on_the_first_two_pages(cli, tmp_path: Path) -> None:
    _weasyprint()
    out = tmp_path / "plan.pdf"
    r = cli("report", DELIRIUM, "-o", out, "--client", "City Hospital", "--date", "2026-03-31")
    assert r.code == 0, r.err
    assert out.read_bytes().startswith(b"%PDF-")
    pages = _pdf_pages(out)
    assert len(pages) >= 4
    first_two = " ".join(pages[:2])
    assert "1. Summary and proposed bundle" in first_two and "Proposed bundle" in first_two
    assert "City Hospital" in pages[0] and "Page 1 of" in pages[0]
    bundle = json.loads(_json_report(cli, tmp_path))["report"]["bundle"]["strategies"]
    for row in bundle:  # every bundle strategy's row, not just the heading
        assert row["code"] in first_two and row["name"].split()[0] in first_two
    assert "Appendix A. Itemised scores" in " ".join(pages[2:])


def _json_report(cli, tmp_path: Path) -> str:
    out = tmp_path / "plan.json"
    r = cli("report", DELIRIUM, "-o", out)
    assert r.code == 0, r.err
    return out.read_text(encoding="utf-8")


def test_pdf_brief_fits_two_pages_and_letter_paper(cli, tmp_path: Path) -> None:
    _weasyprint()
    out = tmp_path / "brief.pdf"
    r = cli("report", DELIRIUM, "-o", out, "--brief", "--paper", "letter")
    assert r.code == 0, r.err
    assert len(_pdf_pages(out)) <= 2
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(out))
    try:
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert (round(width), round(height)) == (612, 792)  # US Letter in points


def test_pdf_without_weasyprint_is_a_clear_usage_error(cli, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    out = tmp_path / "plan.pdf"
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", out)
    assert r.code == 2 and "pip install 'strategease[pdf]'" in r.err and "Traceback" not in r.err
    assert not out.exists()


# --------------------------------------------------------------------------- workshop sheets


def test_ratings_sheet_xlsx_filled_in_and_read_back(cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    sheet = tmp_path / "sheet.xlsx"
    r = cli("ratings-sheet", SCOPE, "--base", CATALOGUE, "--raters", "Ana, Ben", "-o", sheet)
    assert r.code == 0, r.err
    wb = load_workbook(sheet)
    assert wb.sheetnames == ["Ratings", "Instructions"]
    ws = wb["Ratings"]
    header = [c.value for c in ws[1]]
    assert header == ["rater", "role", "organisation", "determinant", "determinant name", "kind", "scope note",
                      "importance", "changeability", "note"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [(row[0], row[3]) for row in rows] == [(rater, det) for rater in ("Ana", "Ben") for det in
                                                  ("tdf.knowledge", "cfir1.available-resources", "partnering.trust")]
    assert rows[0][6] == "Nurses unsure how to score [item 3]" and rows[0][5] == "barrier"
    assert "Importance" in " ".join(str(c.value) for c in wb["Instructions"]["A"])
    # the team fills it in: Ana and Ben disagree on available resources
    values = {("Ana", "cfir1.available-resources"): (1, 2), ("Ben", "cfir1.available-resources"): (5, 2)}
    for row in ws.iter_rows(min_row=2):
        imp, chg = values.get((row[0].value, row[3].value), (4, 3))
        row[1].value, row[2].value = "nurse", "City Hospital"
        row[7].value, row[8].value = imp, chg
    wb.save(sheet)
    r = cli("select", SCOPE, "--base", CATALOGUE, "--ratings", sheet, "--format", "json")
    assert r.code == 0, r.err
    team = json.loads(r.out)["team_ratings"]
    assert [x["name"] for x in team["raters"]] == ["Ana", "Ben"]
    assert team["disagreements"] == ["cfir1.available-resources"]
    rated = {d["id"]: d for d in team["determinants"]}
    assert rated["tdf.knowledge"]["importance"]["aggregate"] == 4


def test_ratings_xlsx_errors_name_file_sheet_and_cell(cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    sheet = tmp_path / "sheet.xlsx"
    assert cli("ratings-sheet", SCOPE, "--base", CATALOGUE, "--raters", "2", "-o", sheet).code == 0
    wb = load_workbook(sheet)
    ws = wb["Ratings"]
    for row in ws.iter_rows(min_row=2):
        row[7].value, row[8].value = 3, 3
    ws["H3"] = 7  # out of range
    ws["D5"] = "tdf.knowlege"  # a typo
    wb.save(sheet)
    r = cli("select", SCOPE, "--base", CATALOGUE, "--ratings", sheet)
    assert r.code == 1, r.err
    assert f"{sheet}:Ratings:H3: importance must be a whole number from 1 to 5 (got '7')" in r.err
    assert f"{sheet}:Ratings:D5: unknown determinant 'tdf.knowlege'" in r.err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    r = cli("select", SCOPE, "--base", CATALOGUE, "--ratings", broken)
    assert r.code == 2 and "broken.xlsx" in r.err and "Traceback" not in r.err


def test_ratings_sheet_csv_round_trip_and_refusals(cli, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    assert cli("ratings-sheet", SCOPE, "--base", CATALOGUE, "-o", sheet).code == 0
    lines = sheet.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("rater,role,organisation,determinant,determinant name,kind,scope note,importance,"
                        "changeability,note")
    assert len(lines) == 4 and lines[1].startswith("R1,,,tdf.knowledge,Knowledge,barrier,")
    filled = [lines[0]] + [_fill_csv(line) for line in lines[1:]]
    sheet.write_text("\n".join(filled) + "\n", encoding="utf-8")
    r = cli("select", SCOPE, "--base", CATALOGUE, "--ratings", sheet, "--format", "json")
    assert r.code == 0, r.err
    assert [x["name"] for x in json.loads(r.out)["team_ratings"]["raters"]] == ["R1"]
    assert cli("ratings-sheet", SCOPE, "--base", CATALOGUE, "-o", sheet).code == 2  # exists, no --force
    r = cli("ratings-sheet", SCOPE, "--base", CATALOGUE, "-o", tmp_path / "sheet.ods")
    assert r.code == 2 and ".xlsx" in r.err
    r = cli("ratings-sheet", SCOPE, "--base", CATALOGUE, "--raters", "0", "-o", tmp_path / "x.csv")
    assert r.code == 2 and "--raters" in r.err


def _fill_csv(line: str) -> str:
    cells = next(csv.reader([line]))
    cells[7], cells[8] = "4", "3"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


# --------------------------------------------------------------------------- the report as a workbook


def test_xlsx_report_sheets_to_fill_in(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "plan.xlsx"
    r = cli("report", SCOPE, "--base", CATALOGUE, "-o", out, "--client", "=HYPERLINK(\"x\")")
    assert r.code == 0, r.err
    again = tmp_path / "again.xlsx"
    assert cli("report", SCOPE, "--base", CATALOGUE, "-o", again, "--client", "=HYPERLINK(\"x\")").code == 0
    assert out.read_bytes() == again.read_bytes()  # deterministic
    wb = load_workbook(out)
    assert wb.sheetnames == ["Strategies", "Bundle", "Specification", "APEASE", "About"]
    strategies = [[c.value for c in row] for row in wb["Strategies"].iter_rows(min_row=2)]
    assert [row[2] for row in strategies][:2] == ["eric.conduct-educational-meetings", "eric.access-new-funding"]
    spec = [[c.value for c in row] for row in wb["Specification"].iter_rows(min_row=2)]
    # two barrier picks, then the builds-on pick for the scope's facilitator (Trust between partners)
    assert len(spec) == 3 * 7 and spec[0][:3] == ["S1", "Conduct educational meetings", "Actor"]
    assert spec[-1][:2] == ["B1", "Build a coalition"]
    assert all(row[5] is None for row in spec)  # the decision column is left to the team
    apease = [[c.value for c in row] for row in wb["APEASE"].iter_rows(min_row=2)]
    assert len(apease) == 3 * 6 and {row[4] for row in apease} == {None}
    about = {row[0].value: row[1] for row in wb["About"].iter_rows()}
    assert about["Prepared for"].value == "=HYPERLINK(\"x\")" and about["Prepared for"].data_type == "s"
    assert about["Scope file"].value == "scope.yaml"
    assert wb.properties.created.year == 2023


def test_every_section_has_a_number() -> None:
    from strategease.render.document import SECTION_NUMBERS

    assert list(SECTION_NUMBERS) == list(SECTION_TITLES)


# --------------------------------------------------------------------------- the README's examples


def _readme_commands(heading: str) -> list[list[str]]:
    import shlex

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {heading}\n")
    section = text[start:text.index("\n## ", start + 5)]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip().startswith("strategease "):
                commands.append(shlex.split(line)[1:])
    return commands


def test_readme_client_document_commands_run(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(Path(__file__).resolve().parent.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _readme_commands("Client documents")
    assert [c[c.index("-o") + 1] for c in commands] == ["plan.html", "plan.docx", "plan.xlsx", "plan.pdf",
                                                         "summary.pdf"]
    try:
        import weasyprint  # noqa: F401
        has_pdf = True
    except (ImportError, OSError):
        has_pdf = False
    for args in commands:
        got = cli(*args)
        output = args[args.index("-o") + 1]
        if output.endswith(".pdf") and not has_pdf:
            assert got.code == 2 and "strategease[pdf]" in got.err
            continue
        assert got.code == 0, f"{args}: {got.err}"
        assert (tmp_path / output).stat().st_size > 0


def test_readme_workshop_sheet_commands_run(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from openpyxl import load_workbook

    shutil.copytree(Path(__file__).resolve().parent.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    make, use = _readme_commands("Workshop sheets")
    assert make[0] == "ratings-sheet" and use[0] == "select" and "ratings.xlsx" in use
    assert cli(*make).code == 0
    wb = load_workbook(tmp_path / "ratings.xlsx")
    for i, row in enumerate(wb["Ratings"].iter_rows(min_row=2)):
        row[7].value, row[8].value = 1 + i % 5, 3
    wb.save(tmp_path / "ratings.xlsx")
    got = cli(*use, "--format", "json")
    assert got.code == 0, got.err
    assert [r["name"] for r in json.loads(got.out)["team_ratings"]["raters"]] == ["Ana", "Ben", "Chi"]
