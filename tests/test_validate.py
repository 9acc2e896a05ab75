"""`strategease validate`: example catalogues, exit codes, formats, and the shipped catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

INVALID = sorted((EXAMPLES / "catalogues" / "invalid").glob("*.yaml"))
VALID = sorted((EXAMPLES / "catalogues" / "valid").glob("*.yaml"))


def _expectations(path: Path) -> tuple[int, list[str]]:
    code, messages = None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"# expect-exit: (\d+)", line):
            code = int(m.group(1))
        elif m := re.match(r"# expect: (.+)", line):
            messages.append(m.group(1))
    assert code is not None, f"{path} lacks '# expect-exit:'"
    return code, messages


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_examples_pass(cli, path: Path) -> None:
    result = cli("validate", path, "--strict")
    assert result.code == 0, result.out + result.err
    assert "0 error(s), 0 warning(s)" in result.out


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_examples_fail_with_message(cli, path: Path) -> None:
    code, messages = _expectations(path)
    result = cli("validate", path)
    assert result.code == code, result.out + result.err
    text = result.out + result.err
    for message in messages:
        assert message in text
    # every message names the file and a line (file:line:col)
    assert re.search(re.escape(str(path)) + r":\d+(:\d+)?:", text), text
    assert "Traceback" not in text


def test_finding_points_at_the_right_line(cli) -> None:
    path = EXAMPLES / "catalogues" / "invalid" / "dangling-link.yaml"
    lines = path.read_text().splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if "from: tdf.knowlege" in line)
    result = cli("validate", path)
    assert f"{path}:{expected}:" in result.out


def test_shipped_catalogue_is_valid(cli) -> None:
    result = cli("validate")
    assert result.code == 0, result.out
    assert "0 error(s)" in result.out


def test_json_format_is_machine_readable(cli) -> None:
    result = cli("validate", EXAMPLES / "catalogues" / "invalid" / "unknown-key.yaml", "--format", "json")
    doc = json.loads(result.out)
    assert doc["valid"] is False
    assert doc["findings"][0]["rule"] == "schema"
    assert {"path", "line", "column", "entry", "message", "hint"} <= set(doc["findings"][0])


def test_github_format_emits_annotations(cli) -> None:
    result = cli("validate", EXAMPLES / "catalogues" / "invalid" / "dangling-link.yaml", "--format", "github")
    assert result.code == 1
    assert re.search(r"^::error file=.*dangling-link\.yaml,line=\d+,col=\d+,title=", result.out, re.M)


def test_strict_makes_warnings_fail(cli, tmp_path: Path) -> None:
    text = (EXAMPLES / "catalogues" / "valid" / "minimal.yaml").read_text()
    orphaned = text.replace("    description: Find new money for the change.\n", "")
    target = tmp_path / "cat.yaml"
    target.write_text(orphaned)
    assert cli("validate", target).code == 0
    result = cli("validate", target, "--strict")
    assert result.code == 1
    assert "missing-description" in result.out


def test_directory_is_expanded(cli, tmp_path: Path) -> None:
    src = (EXAMPLES / "catalogues" / "valid" / "minimal.yaml").read_text()
    (tmp_path / "a.yaml").write_text(src)
    assert cli("validate", tmp_path).code == 0


def test_empty_directory_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("validate", tmp_path)
    assert result.code == 2
    assert "no catalogue files" in result.err


def test_missing_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("validate", tmp_path / "nope.yaml")
    assert result.code == 2
    assert "not found" in result.err
    assert "Traceback" not in result.err


def test_binary_file_is_rejected(cli, tmp_path: Path) -> None:
    target = tmp_path / "bin.yaml"
    target.write_bytes(b"\x00\x01\x02PNG\x00")
    result = cli("validate", target)
    assert result.code == 2
    assert "binary" in result.err


def test_split_files_resolve_across_each_other(cli, tmp_path: Path) -> None:
    """A reference may point into another file of the same catalogue."""
    import yaml

    doc = yaml.safe_load((EXAMPLES / "catalogues" / "valid" / "minimal.yaml").read_text())
    links = {"links": doc.pop("links")}
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(doc))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(links))
    assert cli("validate", tmp_path).code == 0
    result = cli("validate", tmp_path / "b.yaml")
    assert result.code == 1
    assert "is not a defined" in result.out


def test_pre_commit_hook_declares_validate() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert any(h["entry"].startswith("strategease validate") for h in hooks)


def test_messages_name_yaml_kinds_and_the_right_pattern(cli, tmp_path) -> None:
    keys = tmp_path / "keys.yaml"
    keys.write_text("sources:\n  - id: Foo\n    citation: x\n", encoding="utf-8")
    result = cli("validate", keys)
    assert result.code == 1
    assert f"{keys}:2:5:" in result.out and "'Foo' is not a valid key" in result.out and "valid id" not in result.out
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n", encoding="utf-8")
    result = cli("validate", listed)
    assert result.code == 1 and "not a list" in result.out and "PosList" not in result.out
