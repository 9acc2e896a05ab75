"""The README's team-workshop example runs as written, and the figures it quotes are what the tool prints."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## A team workshop: ratings in, report out")
    return text[start:text.index("\n## ", start + 10)]


def _commands() -> list[list[str]]:
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", _section(), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip().startswith("strategease "):
                commands.append(shlex.split(line)[1:])
    return commands


def test_readme_keeps_its_first_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    assert blocks[0].strip() == ("python3 -m venv .venv && . .venv/bin/activate && python -m pip install . && "
                                 "strategease select examples/delirium-scope.yaml")
    assert blocks[1].strip() == "python -m pip install '.[test]' && python -m pytest"


def test_workshop_commands_run(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert [c[0] for c in commands] == ["select", "report", "compare"]
    for args in commands:
        got = cli(*args)
        assert got.code == 0, f"{args}: {got.err}"
    assert (tmp_path / "workshop-report.html").exists()


def test_quoted_figures_match_the_output(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    section = _section()
    args = _commands()[0]
    md = cli(*args, "--format", "markdown").out
    for fragment in ("5 (2–5, IQR 1.5)", "2 (1–3, IQR 1)", "DISCUSS: importance: ratings range from 2 to 5",
                     "2 (2–4, IQR 1)", "some spread", "patients and families: MISSING, for Innovation Recipients",
                     "| 84.8 % | 73.8 % |", "| 56 % | 48.6 % |", "UNSTABLE: in the top 5 in 56 % of runs"):
        assert fragment in md, fragment
        assert fragment.replace("| ", "").replace(" |", "") in section.replace("| ", "").replace(" |", "").replace(
            "\n", " "), fragment
