"""Hostile text from catalogues and scopes is inert in every output (issue #8, item 3).

End to end through the CLI: names, descriptions and scope text carrying HTML, scripts, Markdown
links and images, table pipes, line breaks and control characters are written into a catalogue
and a scope, then ``report`` (HTML, Markdown, Word) and ``select --format markdown`` must show
them as text — never as markup. Named cases first, then a hypothesis property over arbitrary
text (fuzz profile from ``conftest.py``).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FUZZ_PROFILE, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import run_inprocess, workdir

CAT = ROOT / "tests" / "golden" / "report" / "catalogue.yaml"
SCOPE = ROOT / "tests" / "golden" / "report" / "scope.yaml"
SCRIPT = "<script>alert('x')</script>"
FUZZ = settings.get_profile(FUZZ_PROFILE)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_inputs(tmp: Path, *, strategy_name: str | None = None, description: str | None = None,
                 title: str | None = None, note: str | None = None, source: str | None = None) -> tuple[Path, Path]:
    """The report test catalogue and scope with hostile text put in (None keeps what is there)."""
    cat, scope = _load(CAT), _load(SCOPE)
    strategy = next(s for s in cat["strategies"] if s["id"] == "eric.conduct-educational-meetings")
    if strategy_name is not None:
        strategy["name"] = strategy_name
    if description is not None:
        strategy["description"] = description
    if source is not None:
        cat["sources"][0]["citation"] = source
    if title is not None:
        scope["title"] = title
        scope["change"]["actor"] = title
    if note is not None:
        scope["determinants"][0]["note"] = note
    cat_path, scope_path = tmp / "catalogue.yaml", tmp / "scope.yaml"
    cat_path.write_text(yaml.safe_dump(cat, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scope_path.write_text(yaml.safe_dump(scope, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cat_path, scope_path


def report(tmp: Path, cat: Path, scope: Path, ext: str) -> bytes:
    out = tmp / f"report{ext}"
    run = run_inprocess(["report", str(scope), "--base", str(cat), "-o", str(out), "--force"])
    assert run.code == 0, run.err
    return out.read_bytes()


def select_markdown(cat: Path, scope: Path) -> str:
    run = run_inprocess(["select", str(scope), "--base", str(cat), "--format", "markdown", "--top", "0"])
    assert run.code == 0, run.err
    return run.out


# --------------------------------------------------------------------------- checks


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.links: set[str] = set()  # href values
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)
        self.links.update(value or "" for name, value in attrs if name == "href")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_shape(data: bytes) -> _Html:
    parser = _Html()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def assert_html_inert(data: bytes, baseline: _Html) -> _Html:
    shape = html_shape(data)
    assert shape.tags <= baseline.tags, f"new tags: {shape.tags - baseline.tags}"
    assert shape.attrs <= baseline.attrs, f"new attributes: {shape.attrs - baseline.attrs}"
    assert not any(a.startswith("on") for a in shape.attrs) and "src" not in shape.attrs
    assert all(link.startswith("#") for link in shape.links)  # only the contents' links within the document
    assert shape.links <= baseline.links
    assert b"<script" not in data.lower()
    return shape


def markdown_html(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return str(markdown_it.MarkdownIt("commonmark").enable("table").render(text))


def md_structure(text: str) -> dict[str, Any]:
    """What a Markdown document's structure is: headings, tags used, cells per table row."""
    html = markdown_html(text)
    tags = set(re.findall(r"<([a-z][a-z0-9]*)", html))
    tables = re.findall(r"<table>(.*?)</table>", html, flags=re.S)
    rows = [[len(re.findall(r"<t[dh][ >]", row)) for row in re.findall(r"<tr>(.*?)</tr>", t, flags=re.S)]
            for t in tables]
    return {"headings": re.findall(r"<(h[1-6])>", html), "tags": tags, "rows": rows, "html": html}


def assert_markdown_inert(text: str, baseline: dict[str, Any]) -> None:
    got = md_structure(text)
    assert got["tags"] <= baseline["tags"], f"new tags: {got['tags'] - baseline['tags']}"
    assert got["headings"] == baseline["headings"], "a value started or removed a heading"
    assert [len(set(r)) for r in got["rows"]] == [1] * len(got["rows"]), "a table row lost or gained cells"
    assert [r[0] for r in got["rows"]] == [r[0] for r in baseline["rows"]]
    for bad in ("<script", "<img", "<a ", "<iframe", "javascript:alert(1)\">"):
        assert bad not in got["html"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("baseline")
    cat, scope = write_inputs(tmp, strategy_name="Conduct educational meetings", title="Plain title",
                              note="plain note", description="Plain description.", source="Plain source.")
    return {"html": html_shape(report(tmp, cat, scope, ".html")),
            "md": md_structure(report(tmp, cat, scope, ".md").decode()),
            "select-md": md_structure(select_markdown(cat, scope))}


# --------------------------------------------------------------------------- named cases


def test_script_in_strategy_name_is_inert_in_html(tmp_path: Path, baseline: dict[str, Any]) -> None:
    cat, scope = write_inputs(tmp_path, strategy_name=SCRIPT, description="<img src=x onerror=alert(1)>",
                              title="</title><script>alert(2)</script>", note="<iframe src=//evil>",
                              source='"><svg onload=alert(3)>')
    data = report(tmp_path, cat, scope, ".html")
    shape = assert_html_inert(data, baseline["html"])
    text = "".join(shape.text)
    assert SCRIPT in text and "</title><script>alert(2)</script>" in text  # shown as text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in data.decode() or "&lt;script&gt;" in data.decode()


MARKDOWN_ATTACKS = {
    "link": "[click me](javascript:alert(1))",
    "image": "![pixel](http://tracker.example/p.png)",
    "html": "<img src=x onerror=alert(1)> <script>alert(1)</script>",
    "autolink": "<http://evil.example>",
    "pipes": "a | b | c",
    "heading": "\n# Not a heading\n- not a list",
    "carriage-return": "one\r## two\u2028three",
    "code": "`code` and ``` fences",
    "reference": "[x][y]\n\n[y]: http://evil.example",
    "entity": "&lt;script&gt; &#60;b&#62;",
}


@pytest.mark.parametrize("attack", sorted(MARKDOWN_ATTACKS))
@pytest.mark.parametrize("where", ["report", "select"])
def test_markdown_injection_is_inert(tmp_path: Path, baseline: dict[str, Any], attack: str, where: str) -> None:
    text = MARKDOWN_ATTACKS[attack]
    cat, scope = write_inputs(tmp_path, strategy_name=text.strip() or "x", title=text.strip() or "x",
                              note=text, description=text, source=text)
    if where == "report":
        assert_markdown_inert(report(tmp_path, cat, scope, ".md").decode(), baseline["md"])
    else:
        assert_markdown_inert(select_markdown(cat, scope), baseline["select-md"])


def test_docx_control_characters_are_dropped(tmp_path: Path) -> None:
    import docx

    name = "Bell\x07 escape\x1b[31m null\x00 form\x0c feed\ufffe"
    cat, scope = write_inputs(tmp_path, strategy_name=name, title="Title\x01 with\x1f controls",
                              note="note\x0b here", source="source\x7f end")
    document = docx.Document(io.BytesIO(report(tmp_path, cat, scope, ".docx")))
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    paragraphs = {p.text for p in document.paragraphs}
    assert any("Bell escape[31m null form feed" in c for c in cells), cells
    assert any("Title with controls" in p for p in paragraphs | cells)


# --------------------------------------------------------------------------- the property

HOSTILE_PIECES = st.sampled_from([
    "<script>", "</script>", "<b>", "<img src=x onerror=alert(1)>", "[", "]", "(", ")", "](", "![", "|", "`",
    "*", "_", "~", "#", "-", "+", "1.", ">", "&", "&amp;", "&#60;", "\\", "\n", "\r", "\t", "\u2028", "\x00",
    "\x07", "\x1b", "\ufffe", "\u202e", "javascript:", "http://x.example/", "{{", "}}", "{%", "%}", "'", '"',
    "=", "@", "---", "===", "<!--", "-->", "<![CDATA[", "]]>",
])
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=4)), min_size=1, max_size=12).map("".join)


@settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 3), suppress_health_check=list(HealthCheck))
@given(name=HOSTILE_TEXT, title=HOSTILE_TEXT, note=HOSTILE_TEXT)
def test_hostile_text_is_inert_everywhere(name: str, title: str, note: str) -> None:
    import docx

    with workdir() as tmp:
        base_cat, base_scope = write_inputs(tmp, strategy_name="Plain", title="Plain", note="plain",
                                            description="Plain.", source="Plain.")
        baseline = {"html": html_shape(report(tmp, base_cat, base_scope, ".html")),
                    "md": md_structure(report(tmp, base_cat, base_scope, ".md").decode()),
                    "select": md_structure(select_markdown(base_cat, base_scope))}
        cat, scope = write_inputs(tmp, strategy_name=name if name.strip() else "x" + name,
                                  title=title if title.strip() else "x" + title, note=note, description=note,
                                  source=note)
        for ext in (".html", ".md", ".docx"):
            out = tmp / f"report{ext}"
            run = run_inprocess(["report", str(scope), "--base", str(cat), "-o", str(out), "--force"])
            if run.code != 0:  # text the models refuse (e.g. too long): an error, never a crash
                assert run.code == 1 and "Traceback" not in run.err, run.err
                return
        assert_html_inert((tmp / "report.html").read_bytes(), baseline["html"])
        assert_markdown_inert((tmp / "report.md").read_text(encoding="utf-8"), baseline["md"])
        assert_markdown_inert(select_markdown(cat, scope), baseline["select"])
        docx.Document(io.BytesIO((tmp / "report.docx").read_bytes()))  # opens: no invalid XML


def test_csv_output_neutralises_formulas(tmp_path: Path) -> None:
    """A catalogue name like '=HYPERLINK(...)' must not become a live spreadsheet formula."""
    import csv
    import io

    from strategease.render.select import _text_cell

    cat, scope = write_inputs(tmp_path, strategy_name='=HYPERLINK("http://evil.example","x")')
    run = run_inprocess(["select", str(scope), "--base", str(cat), "--format", "csv", "--top", "0"])
    assert run.code == 0, run.err
    names = [row["name"] for row in csv.DictReader(io.StringIO(run.out))]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names
    assert not any(name.startswith("=") for name in names)

    assert _text_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _text_cell("@SUM(A1)") == "'@SUM(A1)"
    assert _text_cell("-2+3") == "'-2+3"
    assert _text_cell("Audit and provide feedback") == "Audit and provide feedback"
