"""Hostile and odd YAML input: refused quickly and clearly, or accepted when it is just normal text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import EXAMPLES

from strategease.errors import UsageError
from strategease.yamlio import MAX_DEPTH, parse_yaml

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
    assert "aliases are not supported" in result.err and f"{target}:2:" in result.err


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
    from strategease import yamlio

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

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)  # root ignores chmod, so simulate it
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
