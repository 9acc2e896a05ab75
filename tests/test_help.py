"""Help speaks plain words: no Python types in metavars, one spelling of positionals, verbatim examples."""

from __future__ import annotations

import re

import pytest

from strategease.cli.app import COMMANDS


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_has_no_python_type_metavars(cli, name: str) -> None:
    result = cli(name, "--help")
    assert result.code == 0
    assert not re.search(r"<[a-z][\w\[\]|, .-]*>", result.out), result.out
    assert "list[" not in result.out and "int range" not in result.out
    usage = result.out.splitlines()[0]
    assert "{" not in usage, usage  # positionals as SCOPE, [PATH]..., never {scope}
    assert not re.search(r"\[[a-z_]+\]", usage), usage


@pytest.mark.parametrize("name", list(COMMANDS))
def test_examples_are_printed_whole(cli, name: str) -> None:
    """Every example line is one line that can be copied (never re-flowed mid-option)."""
    result = cli(name, "--help")
    for line in result.out.splitlines():
        if line.strip().startswith("strategease ") and line.strip().endswith(("-", "--")):
            pytest.fail(f"example cut: {line}")
    assert re.search(r"^\s+strategease \S+", result.out, re.M), "no example"


def test_docs_prints_the_bundled_scoring_page(cli) -> None:
    listing = cli("docs")
    assert listing.code == 0 and "scoring" in listing.out
    page = cli("docs", "scoring")
    assert page.code == 0 and page.out.startswith("# How `strategease select` scores strategies")
    wrong = cli("docs", "scorin")
    assert wrong.code == 2 and "did you mean 'scoring'" in wrong.err


def test_docs_topics_are_shipped_in_the_wheel() -> None:
    """Every topic of 'strategease docs' exists, and the wheel carries docs/ inside the package."""
    import tomllib
    from pathlib import Path

    from strategease.cli.docs import TOPICS

    root = Path(__file__).resolve().parent.parent
    assert all((root / "docs" / f"{topic}.md").is_file() for topic in TOPICS)
    build = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]
    assert build["targets"]["wheel"]["force-include"]["docs"] == "strategease/docs"
