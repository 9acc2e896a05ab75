"""`strategease import-links`: long and wide tables, name matching, unmatched names, bad CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES

from strategease.catalogue.importer import (
    ImportOptions,
    build_import,
    derive_source_id,
    detect_shape,
    normalise,
    parse_table,
    render_overlay,
)
from strategease.catalogue.load import load_catalogue, require_valid
from strategease.errors import InputInvalid, ManyErrors, UsageError

HERE = EXAMPLES / "import"
BASE = HERE / "base.yaml"
MATRIX = HERE / "cfir-eric-matrix.csv"
LONG = HERE / "long.csv"
CITE = "Example Health CFIR-ERIC survey 2026 (not published)"
FW = ("--from-framework", "cfir1", "--to-framework", "eric")


def _write(tmp_path: Path, text: str, name: str = "links.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _links(path: Path) -> dict[tuple[str, str], dict]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {(lk["from"], lk["to"]): lk for lk in doc["links"]}


# --------------------------------------------------------------------------- wide matrix


def test_wide_matrix_over_the_shipped_catalogue(cli, tmp_path: Path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("import-links", MATRIX, "-o", out, "--source-citation", CITE, *FW)
    assert result.code == 0, result.err
    assert "25 link(s)" in result.err and "wide table" in result.err and "percentages" in result.err
    links = _links(out)
    assert len(links) == 25  # 28 cells, 3 blank
    assert ("cfir1.adaptability", "eric.access-new-funding") not in links  # blank = no link
    zero = links[("cfir1.reflecting-and-evaluating", "eric.promote-adaptability")]
    assert zero["strength"] == 0.0  # 0 = an explicit link of strength 0
    feedback = links[("cfir1.reflecting-and-evaluating", "eric.audit-and-provide-feedback")]
    assert feedback == {
        "from": "cfir1.reflecting-and-evaluating", "to": "eric.audit-and-provide-feedback", "kind": "addresses",
        "strength": 0.56, "strength_lower": None, "strength_lower_source": None, "strength_upper": None,
        "grade": None, "n_respondents": None, "evidence": "survey-of-experts",
        "source": "example2026", "rationale": None,
        "note": "imported from cfir-eric-matrix.csv line 2, column 2 (B): 56",
    }
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["sources"] == [{"id": "example2026", "citation": CITE, "kind": "primary"}]
    check = cli("validate", "--catalogue", out)
    assert check.code == 0, check.out
    # merged over the shipped base, imported links replace shipped ones whole
    cat = require_valid(None, [out])
    merged = {(lk.from_, lk.to): lk for lk in cat.links if lk.kind.value == "addresses"}
    reweighted = merged[("cfir1.reflecting-and-evaluating", "eric.audit-and-provide-feedback")]
    assert (reweighted.strength, reweighted.n_respondents, reweighted.source) == (0.56, None, "example2026")
    champions = merged[("cfir1.knowledge-and-beliefs-about-the-intervention", "eric.identify-and-prepare-champions")]
    assert (champions.strength, champions.strength_lower, champions.evidence.value) == (0.12, None,
                                                                                        "survey-of-experts")


def test_wide_matrix_column_sums_are_the_cumulative_percentages(tmp_path: Path) -> None:
    """The hand-computed sums in tests/examples/import/README.md match the imported strengths."""
    table = parse_table(MATRIX.read_text(encoding="utf-8"), str(MATRIX))
    result = build_import(table, require_valid([BASE]), ImportOptions(source_citation=CITE, from_framework="cfir1"))
    sums: dict[str, float] = {}
    for link in result.links:
        sums[link.to] = round(sums.get(link.to, 0) + link.strength * 100, 6)
    assert sums == {
        "eric.audit-and-provide-feedback": 92, "eric.promote-adaptability": 88,
        "eric.conduct-local-consensus-discussions": 79, "eric.tailor-strategies": 78,
        "eric.access-new-funding": 64, "eric.conduct-educational-meetings": 60,
        "eric.identify-and-prepare-champions": 51,
    }


HAND_SUMS = {  # column sums of cfir-eric-matrix.csv, computed by hand (tests/examples/import/README.md)
    "eric.audit-and-provide-feedback": 56 + 4 + 8 + 24,
    "eric.promote-adaptability": 0 + 73 + 11 + 4,
    "eric.conduct-local-consensus-discussions": 8 + 31 + 12 + 28,
    "eric.tailor-strategies": 12 + 35 + 19 + 12,
    "eric.access-new-funding": 0 + 64,
    "eric.conduct-educational-meetings": 4 + 8 + 48,
    "eric.identify-and-prepare-champions": 8 + 23 + 8 + 12,
}


def test_select_cfir_eric_reproduces_the_matrix_cumulative_percentages(cli, tmp_path: Path) -> None:
    """Import the matrix over the shipped catalogue, then rank with the CFIR-ERIC tool's method:
    each matrix strategy's cumulative % is its column sum (the imported cells replace the shipped
    percentages for those pairs; the blank cells have no shipped link either)."""
    import json

    out = tmp_path / "overlay.yaml"
    assert cli("import-links", MATRIX, "-o", out, "--source-citation", CITE, *FW).code == 0
    result = cli("select", HERE / "scope-cfir.yaml", "--method", "cfir-eric", "--catalogue", out, "--top", "0",
                 "--format", "json")
    assert result.code == 0, result.err
    ranked = {st["id"]: st for st in json.loads(result.out)["strategies"]}
    assert {sid: ranked[sid]["cumulative_percent"] for sid in HAND_SUMS} == HAND_SUMS
    assert ranked["eric.audit-and-provide-feedback"]["rank"] == 1
    assert ranked["eric.promote-adaptability"]["rank"] == 2
    # the contributions name the imported source, not the shipped one
    feedback = ranked["eric.audit-and-provide-feedback"]["contributions"]
    assert {c["source"] for c in feedback} == {"example2026"}


def test_same_name_in_two_frameworks_is_ambiguous(cli, tmp_path: Path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("import-links", MATRIX, "-o", out, "--source-citation", CITE, "--base", BASE)
    assert result.code == 1
    assert (f"{MATRIX}:2:1: determinant 'Reflecting & Evaluating' is ambiguous: it matches "
            "cfir1.reflecting-and-evaluating, cfir2.reflecting-evaluating (pass --from-framework cfir1 or cfir2, "
            "or write the id)") in result.err
    assert not out.exists()
    fixed = cli("import-links", MATRIX, "-o", out, "--source-citation", CITE, "--base", BASE,
                "--from-framework", "cfir1")
    assert fixed.code == 0, fixed.err


def test_transposed_matrix_is_recognised(tmp_path: Path) -> None:
    csv = "ERIC strategy,Reflecting & Evaluating,Adaptability\nAudit and Provide Feedback,56,4\nTailor Strategies,12,\n"
    table = parse_table(csv, "t.csv")
    result = build_import(table, require_valid([BASE]), ImportOptions(source_citation=CITE, from_framework="cfir1"))
    assert result.transposed
    assert [(lk.from_, lk.to, lk.strength) for lk in result.links] == [
        ("cfir1.reflecting-and-evaluating", "eric.audit-and-provide-feedback", 0.56),
        ("cfir1.adaptability", "eric.audit-and-provide-feedback", 0.04),
        ("cfir1.reflecting-and-evaluating", "eric.tailor-strategies", 0.12),
    ]


# --------------------------------------------------------------------------- unmatched names


TYPO = ("CFIR Barrier,Audit and Provide Feedbak,Promote Adaptability\n"
        "Reflecting & Evaluating,56,12\n"
        "Adaptibility,4,73\n")


def test_unmatched_names_are_reported_with_suggestions_and_nothing_is_written(cli, tmp_path: Path) -> None:
    path = _write(tmp_path, TYPO)
    out = tmp_path / "overlay.yaml"
    result = cli("import-links", path, "-o", out, "--source-citation", CITE, "--base", BASE, *FW)
    assert result.code == 1
    assert (f"{path}:1:2: eric strategy 'Audit and Provide Feedbak' matches no catalogue entry "
            "(did you mean 'Audit and provide feedback' (eric.audit-and-provide-feedback)?)") in result.err
    assert (f"{path}:3:1: cfir1 determinant 'Adaptibility' matches no catalogue entry "
            "(did you mean 'Adaptability' (cfir1.adaptability)?)") in result.err
    assert "2 error(s); nothing was done" in result.err
    assert not out.exists()
    assert result.out == ""


def test_skip_unmatched_lists_what_was_left_out(cli, tmp_path: Path) -> None:
    path = _write(tmp_path, TYPO)
    out = tmp_path / "overlay.yaml"
    result = cli("import-links", path, "-o", out, "--source-citation", CITE, "--base", BASE, *FW,
                 "--skip-unmatched")
    assert result.code == 0, result.err
    assert f"skipped column B: {path}:1:2: eric strategy 'Audit and Provide Feedbak'" in result.err
    assert f"skipped row 3: {path}:3:1: cfir1 determinant 'Adaptibility'" in result.err
    assert "skipped 2 unmatched name(s)" in result.err
    assert list(_links(out)) == [("cfir1.reflecting-and-evaluating", "eric.promote-adaptability")]


def _problems(table_text: str, **options: str) -> str:
    table = parse_table(table_text, "x.csv")
    with pytest.raises((ManyErrors, InputInvalid)) as info:
        build_import(table, require_valid([BASE]), ImportOptions(source_citation=CITE, **options))
    exc = info.value
    return "\n".join(str(e) for e in exc.errors) if isinstance(exc, ManyErrors) else str(exc)


def test_name_in_the_wrong_framework_or_section_gets_a_hint() -> None:
    text = _problems("determinant,strategy,strength\nReflecting & Evaluating,Adaptability,0.5\n",
                     from_framework="cfir2")
    assert ("x.csv:2:2: strategy 'Adaptability' matches no catalogue entry ('Adaptability' is the determinant "
            "cfir1.adaptability; check the column and --kind)") in text
    text = _problems("determinant,strategy,strength\nSelf-efficacy,Tailor strategies,0.5\n", from_framework="cfir2")
    assert "'Self-efficacy' is cfir1.self-efficacy in framework 'cfir1'; check --from-framework" in text


def test_unknown_framework_option(cli, tmp_path: Path) -> None:
    result = cli("import-links", MATRIX, "-o", tmp_path / "o.yaml", "--source-citation", CITE, "--base", BASE,
                 "--from-framework", "cfir3")
    assert result.code == 2
    assert "--from-framework: unknown framework 'cfir3'" in result.err


# --------------------------------------------------------------------------- long form


def test_long_form_with_fractions_and_respondents(cli, tmp_path: Path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("import-links", LONG, "-o", out, "--source-citation", CITE, "--base", BASE, *FW,
                 "--source-id", "org-survey")
    assert result.code == 0, result.err
    assert "long table" in result.err and "fractions" in result.err
    links = _links(out)
    assert links[("cfir1.self-efficacy", "eric.audit-and-provide-feedback")]["strength"] == 0.3
    assert links[("cfir1.self-efficacy", "eric.audit-and-provide-feedback")]["n_respondents"] == 20
    champions = links[("cfir1.knowledge-and-beliefs-about-the-intervention", "eric.identify-and-prepare-champions")]
    assert (champions["strength"], champions["n_respondents"], champions["source"]) == (0.1, None, "org-survey")
    # 0.1 is below the base link's strength_lower 0.2: valid only because the import nulls it
    check = cli("validate", BASE, "--catalogue", out)
    assert check.code == 0, check.out


@pytest.mark.parametrize(("values", "expected"), [
    (("30%", "15%"), (0.3, 0.15)),     # a % sign means percent
    (("30", "0.5"), (0.3, 0.005)),     # one value over 1: the whole column is percent
    (("0.3", "1"), (0.3, 1.0)),        # all within 0-1: fractions
    (("0", "0"), (0.0, 0.0)),
])
def test_strength_scale_is_detected_for_the_whole_column(values: tuple[str, str],
                                                         expected: tuple[float, float]) -> None:
    text = ("from,to,strength\n"
            f"Self-efficacy,Tailor strategies,{values[0]}\nAdaptability,Tailor strategies,{values[1]}\n")
    result = build_import(parse_table(text, "s.csv"), require_valid([BASE]),
                          ImportOptions(source_citation=CITE, from_framework="cfir1"))
    assert tuple(lk.strength for lk in result.links) == expected


def test_scale_option_overrides_detection() -> None:
    text = "from,to,strength\nSelf-efficacy,Tailor strategies,1\n"
    result = build_import(parse_table(text, "s.csv"), require_valid([BASE]),
                          ImportOptions(source_citation=CITE, from_framework="cfir1", scale="percent"))
    assert result.links[0].strength == 0.01


def test_shape_detection_and_override() -> None:
    assert detect_shape(parse_table(LONG.read_text(), "l.csv")) == "long"
    assert detect_shape(parse_table(MATRIX.read_text(), "m.csv")) == "wide"
    text = "Construct,Tailor strategies\nSelf-efficacy,40\n"
    assert detect_shape(parse_table(text, "w.csv")) == "wide"
    with pytest.raises(InputInvalid, match="a long-form table needs the columns"):
        build_import(parse_table(text, "w.csv"), require_valid([BASE]),
                     ImportOptions(source_citation=CITE, shape="long"))


def test_semicolons_and_decimal_commas_as_european_spreadsheets_write_them() -> None:
    text = "\ufeffBarrier;Tailor Strategies;Promote Adaptability\nSelf-efficacy;12,5;\n"
    table = parse_table(text.lstrip("\ufeff"), "eu.csv")
    assert table.delimiter == ";"
    result = build_import(table, require_valid([BASE]), ImportOptions(source_citation=CITE, from_framework="cfir1"))
    assert [(lk.to, lk.strength) for lk in result.links] == [("eric.tailor-strategies", 0.125)]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("content", "code", "message"), [
    (b"", 1, "{path}:1: the CSV file is empty"),
    (b"\n,,\n", 1, "{path}:1: the CSV file is empty"),
    (b"CFIR Barrier,Tailor Strategies\n", 1, "{path}:1: the CSV file has a header but no rows"),
    (b"CFIR Barrier,Tailor Strategies\nSelf-efficacy,lots\n", 1, "{path}:2:2: not a number: 'lots'"),
    (b"CFIR Barrier,Tailor Strategies\nSelf-efficacy,140\n", 1,
     "{path}:2:2: value 140 is out of range for a percentage (0-100)"),
    (b"determinant,strategy,strength\nSelf-efficacy,Tailor strategies,-0.2\n", 1,
     "{path}:2:3: value -0.2 is out of range for a fraction (0-1)"),
    (b"determinant,strategy,strength\nSelf-efficacy,Tailor strategies,\n", 1,
     "{path}:2:3: missing strength for cfir1.self-efficacy -> eric.tailor-strategies"),
    (b"CFIR Barrier,Tailor Strategies,Tailor strategies\nSelf-efficacy,1,2\n", 1,
     "{path}:1:3: 'Tailor strategies' is eric.tailor-strategies, like 'Tailor Strategies' at {path}:1:2"),
    (b"determinant,strategy,strength\nSelf-efficacy,Tailor strategies,0.1\nSelf-efficacy,Tailor strategies,0.2\n",
     1, "{path}:3:3: link cfir1.self-efficacy -> eric.tailor-strategies is given twice (first at {path}:2:3)"),
    (b"CFIR Barrier,Tailor Strategies\nSelf-efficacy,1,2\n", 2, "{path}:2: ragged row: 3 cells where the header has 2"),
    (b"CFIR Barrier,Tailor Strategies,Promote Adaptability\nSelf-efficacy,1\n", 2, "{path}:2: ragged row"),
    (b"CFIR Barrier,Tailor Strategies\nSelf-efficacy,\"1\n", 2, "{path}:2: malformed CSV"),
    (b"CFIR Barrier,Tailor Strategies\nSelf-\xe9fficacy,1\n", 2, "{path}:2: is not valid UTF-8 text"),
    (b"PK\x03\x04\x00\x00", 2, "{path}: looks like a binary file (a spreadsheet?)"),
])
def test_bad_csv_gives_one_clear_line(cli, tmp_path: Path, content: bytes, code: int, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    out = tmp_path / "overlay.yaml"
    result = cli("import-links", path, "-o", out, "--source-citation", CITE, "--base", BASE, *FW)
    assert result.code == code, result.err
    assert message.format(path=path) in result.err
    assert "Traceback" not in result.err
    assert len(result.err.splitlines()) == 1  # one clear line
    assert not out.exists()


def test_trailing_empty_columns_and_rows_are_tolerated() -> None:
    text = "CFIR Barrier,Tailor Strategies,,\r\nSelf-efficacy,40,,\r\n,,,\r\n\r\n"
    table = parse_table(text, "x.csv")
    assert [c.text for c in table.header] == ["CFIR Barrier", "Tailor Strategies"]
    assert len(table.rows) == 1


def test_line_numbers_count_multi_line_cells() -> None:
    text = 'CFIR Barrier,"Tailor\nStrategies"\nSelf-efficacy,40\nAdaptability,x\n'
    table = parse_table(text, "x.csv")
    assert [row[0].line for row in table.rows] == [3, 4]


def test_missing_file_and_existing_output(cli, tmp_path: Path) -> None:
    missing = cli("import-links", tmp_path / "nope.csv", "-o", tmp_path / "o.yaml", "--source-citation", CITE)
    assert missing.code == 2 and "CSV file not found" in missing.err
    out = tmp_path / "o.yaml"
    out.write_text("keep me\n")
    result = cli("import-links", LONG, "-o", out, "--source-citation", CITE, "--base", BASE, *FW)
    assert result.code == 2 and "file exists; not overwriting (pass --force to replace it)" in result.err
    assert out.read_text() == "keep me\n"
    forced = cli("import-links", LONG, "-o", out, "--source-citation", CITE, "--base", BASE, *FW, "--force")
    assert forced.code == 0 and "links:" in out.read_text()


# --------------------------------------------------------------------------- sources and pure helpers


def test_source_ids() -> None:
    cat = require_valid([BASE])
    assert derive_source_id("Waltz TJ, Powell BJ. Implement Sci. 2019;14:42.", {}) == "waltz2019"
    # the base already has waltz2019 with another citation: take a fresh key
    assert derive_source_id("Waltz TJ. Our export of the tool, 2019", cat.sources) == "waltz2019-import"
    assert derive_source_id("Waltz TJ et al. Implement Sci. 2019;14:42.", cat.sources) == "waltz2019"
    table = parse_table(LONG.read_text(), "l.csv")
    with pytest.raises(UsageError, match="already names a source with another citation"):
        build_import(table, cat, ImportOptions(source_citation="Something else", source_id="waltz2019",
                                               from_framework="cfir1"))
    with pytest.raises(UsageError, match="is not a valid source key"):
        build_import(table, cat, ImportOptions(source_citation="x", source_id="Bad Id", from_framework="cfir1"))
    same = build_import(table, cat, ImportOptions(source_citation="Waltz TJ et al. Implement Sci. 2019;14:42.",
                                                  source_id="waltz2019", from_framework="cfir1"))
    assert "sources:" not in render_overlay(same)  # the source exists already: not repeated


def test_normalise() -> None:
    assert normalise("Reflecting & Evaluating") == normalise("reflecting-and-evaluating") == "reflecting and evaluating"
    assert normalise("Patients/Consumers") == "patients consumers"
    assert normalise("  Self‑Efficacy ") == "self efficacy"


def test_rendered_layer_is_deterministic_and_loads(tmp_path: Path) -> None:
    table = parse_table(MATRIX.read_text(encoding="utf-8"), str(MATRIX))
    options = ImportOptions(source_citation=CITE, from_framework="cfir1")
    first = render_overlay(build_import(table, require_valid([BASE]), options))
    second = render_overlay(build_import(table, require_valid([BASE]), options))
    assert first == second
    layer = _write(tmp_path, first, "layer.yaml")
    _, report = load_catalogue([BASE], [layer])
    assert not report.errors, [f.text() for f in report.errors]


def test_written_layer_records_the_sha256_of_the_bytes_read(cli, tmp_path: Path) -> None:
    import hashlib

    source = tmp_path / "excel.csv"
    source.write_bytes(b"\xef\xbb\xbf" + MATRIX.read_bytes())  # Excel's "CSV UTF-8" starts with a BOM
    out = tmp_path / "overlay.yaml"
    assert cli("import-links", source, "-o", out, "--source-citation", CITE, *FW).code == 0
    assert hashlib.sha256(source.read_bytes()).hexdigest() in out.read_text(encoding="utf-8")
