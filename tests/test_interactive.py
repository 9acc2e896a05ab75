"""`strategease init --interactive`: driven by scripted input (stdin), through a pipe and a real terminal."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One answer per line, in the order the questions come (see strategease.cli.interactive.converse).
SCRIPT = [
    "Early mobilisation after hip fracture surgery",  # title
    "Ward nurses and physiotherapists",  # actor
    "deliverers, nurses",  # actor type: 'nurses' is not one -> asked again
    "deliverers",
    "health-care",  # sector
    "Get every patient out of bed within 24 hours of surgery",  # action
    "Orthopaedic ward: weekend cover is thin",  # context (a colon: must be quoted in YAML)
    "",  # target: skipped
    "",  # time: skipped
    "team, wards",  # levels: 'wards' is not a level -> asked again
    "individual, team",
    "knowledge",  # search
    "1",  # Knowledge (tdf.knowledge) is listed first
    "b",  # barrier
    "7",  # out of range -> asked again
    "4",  # importance
    "",  # changeability: default 3
    "Staff fear falls # on day one",  # note (a hash: must be quoted)
    "partnering",  # list a group
    "99",  # not on the list
    "trust",
    "1",  # Trust comes first: the partnering group holds the best match
    "f",  # facilitator
    "3",
    "4",
    "",
    "knowledge",
    "1",  # already chosen -> said so
    "",  # done with determinants
    "y",  # list partners
    "Ward sister",
    "3",  # managers
    "sponsor",
    "collab",  # collaborate
    "",  # no more partners
    "3",  # bundle size
    "",  # review: write it
]


@pytest.fixture(scope="module")
def shipped() -> Any:
    from strategease.catalogue.load import require_valid

    return require_valid(None)


def _run(cli, monkeypatch: pytest.MonkeyPatch, lines: list[str], *args: object) -> Any:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    return cli("init", "--interactive", *args)


def test_scripted_answers_make_a_valid_commented_scope(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       shipped: Any) -> None:
    from strategease.selection.scope import load_scope

    target = tmp_path / "scope.yaml"
    got = _run(cli, monkeypatch, SCRIPT, target)
    assert got.code == 0, got.err
    assert got.out == ""  # questions go to stderr; stdout stays clean
    assert "Not a level: wards" in got.err
    assert "Please give a whole number from 1 to 5." in got.err
    assert "Please give numbers from 1 to" in got.err
    assert "Knowledge is already in the scope." in got.err
    assert "  COM-B / TDF\n" in got.err and "  Partnering" in got.err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# A strategease scope, written by 'strategease init --interactive'.")
    assert "  - id: tdf.knowledge  # Knowledge\n    kind: barrier\n    importance: 4\n    changeability: 3\n" in text
    assert "  - id: partnering.trust  # Trust\n    kind: facilitator\n" in text
    assert "level: [individual, team]" in text
    assert "Not an actor type: nurses" in got.err
    assert "  actor_type: [deliverers]  # who must change" in text
    assert "  sector: [health-care]  # where" in text
    scope = load_scope(target, shipped).scope
    assert scope.change.context == "Orthopaedic ward: weekend cover is thin"
    assert [a.value for a in scope.change.actor_type] == ["deliverers"]
    assert [x.value for x in scope.change.sector] == ["health-care"]
    assert scope.determinants[0].note == "Staff fear falls # on day one"
    assert scope.change.target is None
    assert scope.partners is not None and scope.partners[0].type == "managers"
    assert scope.partners[0].involvement is not None and scope.partners[0].involvement.value == "collaborate"
    assert scope.constraints.max_strategies == 3
    got = cli("select", target, "--format", "json")
    assert got.code == 0, got.err


def test_existing_file_is_never_replaced_without_asking(cli, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    target = tmp_path / "scope.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    got = _run(cli, monkeypatch, ["n", str(other), *SCRIPT], target)
    assert got.code == 0, got.err
    assert f"{target} exists. Replace it? (y/N)" in got.err
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert other.read_text(encoding="utf-8").startswith("# A strategease scope")
    got = _run(cli, monkeypatch, ["y", *SCRIPT], target)
    assert got.code == 0, got.err
    assert target.read_text(encoding="utf-8").startswith("# A strategease scope")


def test_path_is_asked_at_the_end_when_not_given(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    existing = tmp_path / "taken.yaml"
    existing.write_text("x\n", encoding="utf-8")
    fresh = tmp_path / "fresh.yaml"
    got = _run(cli, monkeypatch, [*SCRIPT, str(existing), "", str(fresh)])
    assert got.code == 0, got.err
    assert "Save the scope as [scope.yaml]:" in got.err
    assert existing.read_text(encoding="utf-8") == "x\n"  # Enter = no
    assert fresh.exists()


def test_a_directory_name_is_asked_again(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.yaml"
    got = _run(cli, monkeypatch, [*SCRIPT, f"{tmp_path / 'drafts'}/", str(fresh)])
    assert got.code == 0, got.err
    assert f"{tmp_path / 'drafts'}/ names a directory; give a file's name." in got.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.yaml"]


def test_input_ending_early_writes_nothing(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "scope.yaml"
    got = _run(cli, monkeypatch, SCRIPT[:10], target)
    assert got.code == 2
    assert "input ended before the scope was complete; nothing was written" in got.err
    assert not target.exists()
    assert not list(tmp_path.iterdir())


def test_force_skips_the_question(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "scope.yaml"
    target.write_text("old\n", encoding="utf-8")
    got = _run(cli, monkeypatch, SCRIPT, target, "--force")
    assert got.code == 0, got.err
    assert "exists. Replace it?" not in got.err
    assert target.read_text(encoding="utf-8").startswith("# A strategease scope")


def test_search_groups_and_one_line_explanations(shipped: Any) -> None:
    from strategease.cli.interactive import find_determinants, grouped, one_line

    trust = find_determinants(shipped, "trust")
    assert trust[0].id == "partnering.trust"
    assert grouped(trust)[0][0] == "Partnering"
    tdf = find_determinants(shipped, "tdf")
    assert len(tdf) == 14 and all(d.framework == "tdf" for d in tdf)
    groups = grouped(find_determinants(shipped, "cfir"), per_group=5)
    assert groups == [("CFIR", groups[0][1], groups[0][2])] and len(groups[0][1]) == 5 and groups[0][2] > 80
    line = one_line(shipped.determinants["tdf.knowledge"])
    assert line and "\n" not in line and len(line) <= 88
    assert find_determinants(shipped, "zzzz-nothing") == []


def test_the_example_scope_without_interactive_is_unchanged(cli) -> None:
    from strategease.selection.scope import example_scope_text

    got = cli("init")
    assert got.code == 0 and got.out == example_scope_text()


def test_piped_into_the_installed_console_script(tmp_path: Path) -> None:
    exe = shutil.which("strategease", path=str(Path(sys.executable).parent)) or shutil.which("strategease")
    assert exe, "the strategease console script is not installed"
    target = tmp_path / "piped.yaml"
    done = subprocess.run([exe, "init", "--interactive", str(target)], input="\n".join(SCRIPT) + "\n",
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "wrote " in done.stderr and target.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal test needs Linux")
def test_in_a_real_terminal(tmp_path: Path) -> None:
    """Run under a pseudo-terminal (stdin, stdout and stderr are a TTY), as a person would."""
    import pty
    import select as select_mod

    exe = shutil.which("strategease", path=str(Path(sys.executable).parent)) or shutil.which("strategease")
    assert exe
    target = tmp_path / "tty.yaml"
    master, slave = pty.openpty()
    proc = subprocess.Popen([exe, "init", "--interactive", str(target)], stdin=slave, stdout=slave, stderr=slave,
                            env={**os.environ, "NO_COLOR": "1", "TERM": "xterm"}, close_fds=True)
    os.close(slave)
    output = b""
    answers = iter(SCRIPT)
    try:
        while True:
            ready, _, _ = select_mod.select([master], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if output.rstrip().endswith((b":", b"(y/N):", b"]:")):  # a question waits for its answer
                answer = next(answers, None)
                if answer is not None:
                    os.write(master, answer.encode() + b"\r")
                    output += b"\n"
    finally:
        code = proc.wait(timeout=60)
        os.close(master)
    assert code == 0, output.decode(errors="replace")[-2000:]
    assert target.read_text(encoding="utf-8").startswith("# A strategease scope")


BEFORE_DETERMINANTS = SCRIPT[:11]  # title, the change (with the actor type and sector) and the levels
AFTER_DETERMINANTS = ["n", "4"]  # no partners; bundle of 4


def test_a_bad_pick_asks_the_same_question_again(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 shipped: Any) -> None:
    """A mistyped number re-asks the pick: the next number is still a pick, never a search."""
    from strategease.cli.interactive import find_determinants

    second = find_determinants(shipped, "knowledge")[1]
    target = tmp_path / "scope.yaml"
    lines = [*BEFORE_DETERMINANTS, "knowledge", "999", "2", "b", "", "", "", "", *AFTER_DETERMINANTS, ""]
    got = _run(cli, monkeypatch, lines, target)
    assert got.code == 0, got.err
    assert got.err.count("Numbers to add") == 2 and "Please give numbers from 1 to" in got.err
    assert f"  - id: {second.id}" in target.read_text(encoding="utf-8")


def test_several_picks_and_a_removal_before_writing(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    shipped: Any) -> None:
    from strategease.cli.interactive import find_determinants

    hits = find_determinants(shipped, "knowledge")
    target = tmp_path / "scope.yaml"
    rate = ["b", "4", "3", ""]
    lines = [*BEFORE_DETERMINANTS, "knowledge", "1 3", *rate, *rate, "", *AFTER_DETERMINANTS,
             "remove 9", "remove 1", ""]
    got = _run(cli, monkeypatch, lines, target)
    assert got.code == 0, got.err
    assert "Your scope: Early mobilisation" in got.err and f"Removed {hits[0].name}." in got.err
    text = target.read_text(encoding="utf-8")
    assert f"  - id: {hits[2].id}" in text and f"  - id: {hits[0].id}" not in text


def test_search_ranks_by_matched_words_with_stemming(shipped: Any) -> None:
    from strategease.cli.interactive import find_determinants, stem

    assert stem("staffing") == stem("staff") and stem("shortages") == stem("shortage") == "short"
    ids = [d.id for d in find_determinants(shipped, "staff shortage")]
    assert "cfir2.work-infrastructure" in ids  # its description speaks of staffing
    assert ids[0] == "cfir1.available-resources"  # matches both words
