"""The report with team ratings, partners and stability (issue #6): sections in every format, escaping,
determinism, and nothing new when those inputs are absent."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = ROOT / "examples" / "workshop" / "scope.yaml"
RATINGS = ROOT / "examples" / "workshop" / "ratings.csv"
ARGS = ("--ratings", RATINGS, "--stability", "200", "--top", "5")


def _report(cli, out: Path, *extra: object) -> str:
    got = cli("report", WORKSHOP, *ARGS, *extra, "-o", out)
    assert got.code == 0, got.err
    return out.read_text(encoding="utf-8") if out.suffix != ".docx" else ""


def test_markdown_has_the_three_new_parts(cli, tmp_path: Path) -> None:
    md = _report(cli, tmp_path / "w.md")
    assert "### Who is at the table" in md
    assert "| patients and families | **missing** |  | Innovation Recipients (Engaging) |" in md
    assert "### Team ratings and agreement" in md
    assert "| Available resources | 3 | 5 (2–5) | 2 (1–3) | **discuss: importance: ratings range from 2 to 5** | " \
           "Ana 2/3, Ben 5/2, Chi 5/1 |" in md
    assert "as rated by the team (see the team ratings below)" in md
    assert "### How stable is the ranking?" in md and "**unstable: in the top 5 in" in md
    assert "The team disagreed strongly about Available resources" in md  # the summary says so
    assert "Missing from the table: patients and families (section 2)." in md
    assert "- Team ratings: " in md and "- Stability runs seeded with 20240601" in md


def test_html_and_docx_and_json(cli, tmp_path: Path) -> None:
    html = _report(cli, tmp_path / "w.html")
    for heading in ("<h3>Who is at the table</h3>", "<h3>Team ratings and agreement</h3>",
                    "<h3>How stable is the ranking?</h3>"):
        assert heading in html
    assert '<strong class="barrier">missing</strong>' in html
    _report(cli, tmp_path / "w.docx")
    with zipfile.ZipFile(io.BytesIO((tmp_path / "w.docx").read_bytes())) as z:
        body = z.read("word/document.xml").decode("utf-8")
    for text in ("Who is at the table", "Team ratings and agreement", "How stable is the ranking?",
                 "Ana 2/3, Ben 5/2, Chi 5/1"):
        assert text in body
    doc = json.loads(_report(cli, tmp_path / "w.json"))
    assert doc["report"]["team"]["disagreements"] == ["Available resources"]
    assert doc["report"]["partners"]["missing"] == ["patients and families"]
    assert doc["report"]["stability"]["unstable"]
    assert doc["report"]["provenance"]["stability_seed"] == 20240601
    assert doc["selection"]["stability"]["runs"] == 200


@pytest.mark.parametrize("suffix", [".md", ".html", ".docx", ".json"])
def test_same_inputs_same_bytes(cli, tmp_path: Path, suffix: str) -> None:
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    _report(cli, a)
    _report(cli, b)
    assert a.read_bytes() == b.read_bytes()


def test_hostile_rater_and_partner_names_are_escaped(cli, tmp_path: Path) -> None:
    import yaml

    hostile = "<script>alert(1)</script>"
    ratings = tmp_path / "r.csv"
    ratings.write_text(f"rater,role,determinant,importance,changeability\n\"{hostile}\",*bold*,tdf.skills,1,5\n"
                       "B,x,tdf.skills,5,5\n", encoding="utf-8")
    scope = yaml.safe_load(WORKSHOP.read_text(encoding="utf-8"))
    scope["partners"].append({"name": f"[link](javascript:x) {hostile}", "type": "payers"})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scope), encoding="utf-8")
    for suffix in (".html", ".md"):
        out = tmp_path / f"h{suffix}"
        got = cli("report", path, "--ratings", ratings, "-o", out)
        assert got.code == 0, got.err
        text = out.read_text(encoding="utf-8")
        assert hostile not in text
        if suffix == ".md":
            assert "[link](javascript:" not in text and "\\[link\\](javascript:x)" in text  # brackets escaped
            assert "(\\*bold\\*)" in text  # the rater's role, escaped


def test_report_without_the_new_inputs_has_no_new_keys(cli, tmp_path: Path) -> None:
    out = tmp_path / "plain.json"
    got = cli("report", ROOT / "examples" / "delirium-scope.yaml", "-o", out)
    assert got.code == 0, got.err
    doc = json.loads(out.read_text())
    for key in ("team", "partners", "stability"):
        assert key not in doc["report"]
    assert "ratings_path" not in doc["report"]["provenance"]
    for key in ("team_ratings", "partners", "stability"):
        assert key not in doc["selection"]
