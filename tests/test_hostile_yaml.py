"""Hostile and odd YAML input: refused quickly and clearly, or accepted when it is just normal text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import EXAMPLES

from strategease.catalogue.yamlio import MAX_DEPTH, parse_yaml
from strategease.errors import UsageError

MINIMAL = (EXAMPLES / "catalogues" / "valid" / "minimal.yaml").read_text(encoding="utf-8")

BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_rejected(cli, tmp_path: Path) -> None:
    target = tmp_path / "bomb.yaml"
    target.write_text(BILLION_LAUGHS)
    started = time.perf_counter()
    result = cli("validate", target)
    assert time.perf_counter() - started < 5  # generous: it is refused at the first alias
    assert result.code == 2
    assert "aliases are not supported" in result.err and f"{target}:3:8:" in result.err  # the first alias


def test_custom_python_tag_refused() -> None:
    with pytest.raises(UsageError, match="custom YAML tag"):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n", "t.yaml")


def test_merge_key_refused() -> None:
    with pytest.raises(UsageError, match="aliases|merge"):
        parse_yaml("base: &b {a: 1}\nother:\n  <<: *b\n", "t.yaml")


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(UsageError, match="duplicate key 'a' \\(first defined on line 1\\)") as info:
        parse_yaml("a: 1\nb: 2\na: 3\n", "t.yaml")
    assert info.value.line == 3


def test_deep_nesting_refused_flow() -> None:
    text = "x: " + "[" * (MAX_DEPTH + 10) + "]" * (MAX_DEPTH + 10) + "\n"
    with pytest.raises(UsageError, match="nesting deeper"):
        parse_yaml(text, "t.yaml")


def test_deep_nesting_refused_block() -> None:
    lines = [("  " * i) + f"k{i}:" for i in range(MAX_DEPTH + 5)]
    with pytest.raises(UsageError, match="nesting deeper"):
        parse_yaml("\n".join(lines) + " 1\n", "t.yaml")


def test_bom_and_crlf_are_normal_input(cli, tmp_path: Path) -> None:
    target = tmp_path / "bom.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode("utf-8"))
    result = cli("validate", target, "--strict")
    assert result.code == 0, result.out + result.err


def test_non_utf8_gets_a_clear_message(cli, tmp_path: Path) -> None:
    target = tmp_path / "latin1.yaml"
    target.write_bytes("sources:\n  - id: caf\xe9\n".encode("latin-1"))
    result = cli("validate", target)
    assert result.code == 2
    assert f"{target}:2: is not valid UTF-8 text" in result.err


def test_oversized_file_refused(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategease.catalogue import yamlio

    monkeypatch.setattr(yamlio, "MAX_BYTES", 1000)
    target = tmp_path / "big.yaml"
    target.write_text("# pad\n" * 400)
    result = cli("validate", target)
    assert result.code == 2
    assert "limit" in result.err


def test_directory_given_as_file(cli, tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    result = cli("validate", tmp_path / "d.yaml")
    assert result.code == 2
    assert "directory" in result.err


def test_unreadable_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "secret.yaml"
    target.write_text(MINIMAL)

    import os

    real = os.open

    def denied(path: object, *args: object, **kwargs: object) -> int:
        if path == target:
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)  # root ignores chmod, so simulate it
    result = cli("validate", target)
    assert result.code == 2
    assert "permission denied" in result.err


def test_debug_shows_traceback_only_when_asked(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "bad.yaml"
    target.write_text("a: [\n")
    plain = subprocess.run([sys.executable, "-m", "strategease", "validate", str(target)],
                           capture_output=True, text=True)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-m", "strategease", "--debug", "validate", str(target)],
                           capture_output=True, text=True)
    assert "Traceback" in debug.stderr


# --------------------------------------------------------------------------- scopes (select, report) and CSV tables
# (issue #8, item 2: the same rules hold for every file strategease reads)

REPORT_CAT = EXAMPLES.parent / "golden" / "report" / "catalogue.yaml"
REPORT_SCOPE = EXAMPLES.parent / "golden" / "report" / "scope.yaml"
IMPORT_BASE = EXAMPLES / "import" / "base.yaml"
LONG_CSV = EXAMPLES / "import" / "long.csv"
TEAM_CSV = EXAMPLES / "ratings" / "delirium-team.csv"
SELECT_CAT = EXAMPLES / "select" / "catalogue.yaml"
DELIRIUM = EXAMPLES.parent.parent / "examples" / "delirium-scope.yaml"
IMPORT_ARGS = ("--source-citation", "Survey 2026", "--from-framework", "cfir1", "--to-framework", "eric",
               "--base", str(IMPORT_BASE))


def _scope(tmp_path: Path, data: bytes) -> Path:
    target = tmp_path / "scope.yaml"
    target.write_bytes(data)
    return target


@pytest.mark.parametrize("command", ["select", "report"])
def test_alias_bomb_in_a_scope_rejected(cli, tmp_path: Path, command: str) -> None:
    scope = _scope(tmp_path, REPORT_SCOPE.read_bytes() + BILLION_LAUGHS.replace("\na:", "\nx_a:").encode())
    started = time.perf_counter()
    extra = ["-o", str(tmp_path / "r.md")] if command == "report" else []
    result = cli(command, scope, "--base", REPORT_CAT, *extra)
    assert time.perf_counter() - started < 5
    assert result.code == 2 and "aliases are not supported" in result.err and f"{scope}:" in result.err
    assert not (tmp_path / "r.md").exists()


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['true']", "!custom x", "!!python/name:os.system"])
def test_custom_tags_in_a_scope_refused(cli, tmp_path: Path, tag: str) -> None:
    scope = _scope(tmp_path, REPORT_SCOPE.read_bytes().replace(b"Ward nurses | night shift", tag.encode()))
    result = cli("select", scope, "--base", REPORT_CAT)
    assert result.code == 2 and "tag" in result.err and f"{scope}:3:10:" in result.err, result.err


def test_deep_nesting_in_a_scope_names_line_and_column(cli, tmp_path: Path) -> None:
    nested = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    scope = _scope(tmp_path, REPORT_SCOPE.read_bytes().replace(b"level: [individual, team]", b"level: " + nested))
    result = cli("select", scope, "--base", REPORT_CAT)
    assert result.code == 2 and f"{scope}:8:{7 + MAX_DEPTH}: nesting deeper than {MAX_DEPTH} levels" in result.err


def _ranking(out: str) -> object:
    import json

    doc = json.loads(out)
    return doc["strategies"], doc["determinants"], doc.get("bundle")


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf", "cr"])
def test_bom_and_line_ends_in_a_scope_change_nothing(cli, tmp_path: Path, variant: str) -> None:
    plain = REPORT_SCOPE.read_bytes()
    data = plain.replace(b"\n", b"\r\n") if "crlf" in variant else plain.replace(b"\n", b"\r") if variant == "cr" \
        else plain
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    expected = cli("select", REPORT_SCOPE, "--base", REPORT_CAT, "--format", "json")
    result = cli("select", _scope(tmp_path, data), "--base", REPORT_CAT, "--format", "json")
    assert result.code == 0, result.err
    assert _ranking(result.out) == _ranking(expected.out)


@pytest.mark.parametrize(("data", "message"), [
    ("title: Café\n".encode("latin-1"), ":1: is not valid UTF-8 text (save the file as UTF-8)"),
    ("title: x\n".encode("utf-16"), ": is UTF-16 text, expected UTF-8 (save the file as UTF-8)"),
    (b"title: x\x00\n", ": looks like a binary file"),
])
def test_scope_encodings_get_a_clear_message(cli, tmp_path: Path, data: bytes, message: str) -> None:
    scope = _scope(tmp_path, data)
    result = cli("select", scope, "--base", REPORT_CAT)
    assert result.code == 2 and f"error: {scope}{message}" in result.err, result.err


def test_oversized_scope_refused(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategease.catalogue import yamlio

    scope = _scope(tmp_path, REPORT_SCOPE.read_bytes() + b"# padding\n" * 1000)
    monkeypatch.setattr(yamlio, "MAX_BYTES", 5000)
    result = cli("select", scope, "--base", REPORT_CAT)
    assert result.code == 2 and f"{scope}: file is" in result.err and "5000-byte limit" in result.err


def test_too_many_determinants_in_a_scope(cli, tmp_path: Path) -> None:
    rows = "".join(f"  - {{id: tdf.knowledge, kind: barrier, note: '{i}'}}\n" for i in range(501))
    scope = _scope(tmp_path, f"title: Big\nchange: {{actor: a, action: b}}\ndeterminants:\n{rows}".encode())
    result = cli("select", scope, "--base", REPORT_CAT)
    assert result.code == 1 and f"{scope}:3:" in result.err and "at most 500 items" in result.err, result.err[:500]


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_in_csv_tables_change_nothing(cli, tmp_path: Path, variant: str) -> None:
    def tweak(data: bytes) -> bytes:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") if "crlf" in variant else data
        return b"\xef\xbb\xbf" + data if "bom" in variant else data

    links, team = tmp_path / "links.csv", tmp_path / "team.csv"
    links.write_bytes(tweak(LONG_CSV.read_bytes()))
    team.write_bytes(tweak(TEAM_CSV.read_bytes()))
    plain_layer, layer = tmp_path / "plain.yaml", tmp_path / "layer.yaml"
    assert cli("import-links", LONG_CSV, "-o", plain_layer, *IMPORT_ARGS).code == 0
    assert cli("import-links", links, "-o", layer, *IMPORT_ARGS).code == 0
    def strip(text: str) -> list[str]:  # the layer names its source file and its hash
        return [ln for ln in text.splitlines() if "sha256" not in ln and ".csv" not in ln]

    assert strip(layer.read_text()) == strip(plain_layer.read_text())
    expected = cli("select", DELIRIUM, "--base", SELECT_CAT, "--ratings", TEAM_CSV, "--format", "json")
    result = cli("select", DELIRIUM, "--base", SELECT_CAT, "--ratings", team, "--format", "json")
    assert result.code == 0 and _ranking(result.out) == _ranking(expected.out)


@pytest.mark.parametrize("which", ["links", "ratings"])
def test_csv_utf16_oversize_and_cell_limits(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    from strategease.catalogue import importer

    source = LONG_CSV if which == "links" else TEAM_CSV
    table = tmp_path / "table.csv"

    def run() -> object:
        if which == "links":
            return cli("import-links", table, "-o", tmp_path / "layer.yaml", *IMPORT_ARGS)
        return cli("select", DELIRIUM, "--base", SELECT_CAT, "--ratings", table)

    table.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    result = run()
    assert result.code == 2 and f"{table}: is UTF-16 text" in result.err and "CSV UTF-8" in result.err
    table.write_bytes(source.read_bytes())
    monkeypatch.setattr(importer, "MAX_CELLS", 10)
    result = run()
    assert result.code == 2 and f"{table}:{2 if which == 'ratings' else 3}: the table has more than 10 cells" \
        in result.err, result.err
    monkeypatch.setattr(importer, "MAX_BYTES", 50)
    result = run()
    assert result.code == 2 and "over the 50-byte limit" in result.err
    assert not (tmp_path / "layer.yaml").exists()
