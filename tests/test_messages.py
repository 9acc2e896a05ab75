"""Messages a user can act on: YAML mistakes in plain words with the line and a caret, enum typos with a
did-you-mean, enum values in any case, and errors that follow from an earlier one said to do so."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

SCOPE = (ROOT / "examples" / "delirium-scope.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("broken", "says"), [
    (SCOPE.replace("action: ", "action: do this: now ", 1), "a ': ' inside a value starts a new key"),
    (SCOPE.replace("\n    kind: barrier", "\n   kind: barrier", 1), "indentation does not match"),
    (SCOPE.replace("\n  actor:", "\n\tactor:", 1), "a tab character in the indentation"),
])
def test_yaml_mistakes_are_named_with_the_line_and_a_caret(cli, tmp_path: Path, broken: str, says: str) -> None:
    path = tmp_path / "scope.yaml"
    path.write_text(broken, encoding="utf-8")
    result = cli("check", path)
    assert result.code == 2
    first, source, caret = result.err.splitlines()[:3]
    assert first.startswith(f"error: {path}:") and says in first, result.err
    line = int(first.split(":")[2])
    assert source.startswith(f"  {line} | ")
    assert caret.strip().startswith("|") and caret.endswith("^")


def test_enum_values_ignore_case_and_typos_get_a_did_you_mean(cli, tmp_path: Path) -> None:
    path = tmp_path / "scope.yaml"
    path.write_text(SCOPE.replace("kind: barrier", "kind: Barrier", 1), encoding="utf-8")
    assert cli("check", path).code == 0
    path.write_text(SCOPE.replace("kind: barrier", "kind: barier", 1), encoding="utf-8")
    result = cli("check", path)
    assert result.code == 1 and "did you mean 'barrier'" in result.err
    assert cli("list", "STRATEGIES", "--format", "JSON").code == 0


def test_an_error_that_follows_from_an_earlier_one_says_so(cli, tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_text("sources:\n  - id: src1\n    citation: X\n    kind: primry\n"
                    "frameworks:\n  - id: fw\n    name: FW\n    source: src1\n", encoding="utf-8")
    result = cli("validate", path)
    assert result.code == 1
    first, second = [line for line in result.out.splitlines() if ": error:" in line]
    assert "'primry' is not one of primary" in first and "did you mean 'primary'" in first
    assert "source 'src1' is unusable: its entry at" in second and "follows from it" in second
