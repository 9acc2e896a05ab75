"""Hostile text never reaches a terminal or a CI log live (issue #14, item 3).

A hostile-text corpus — ESC/CSI (clear screen), OSC 52 (write the clipboard), OSC 8 (forged
hyperlink), BEL, 8-bit C1 (0x9b is CSI on its own), DEL, carriage return, a newline followed by a
forged ``::error`` GitHub annotation, BiDi overrides and isolates, zero-width characters and
look-alike letters — is put into a catalogue layer (``--catalogue``), a scope, team ratings, CSV
link tables, file names and command-line values, then run through every command and output
format. For every run: no raw control, C1 or BiDi/format character in stdout or stderr (JSON stays
valid JSON), and no line of either starts with ``::`` unless ``validate --format github`` meant it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from test_fuzz import Run, run_inprocess, run_subprocess

HOSTILE = ("\x1b[2J\x1b[H\x1b]52;c;cHduZWQ=\x07\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"
           "\x9b31m\x9d0;title\x9c\x7f\x08\x00\rover\n::error file=x.py,line=1::forged\n  ::add-mask::x "
           "\u202eevil\u202c \u2066iso\u2069 \u200bzw\u200d \u061c\u200e\u200f\ufeff")
"""Every kind of character a terminal or log acts on, with a forged GitHub annotation on its own line."""

# What must never appear raw in output: C0 controls but tab and newline, DEL, C1, and every
# format (Cf), line/paragraph separator (Zl, Zp) and surrogate (Cs) character.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INTENDED_COMMAND = re.compile(r"^::(error|warning) file=[^,\n]*,line=\d+,col=\d+,title=strategease [a-z-]+::")


def unsafe_in(text: str) -> list[str]:
    found = {ch for ch in _UNSAFE.findall(text)}
    found |= {ch for ch in text if ord(ch) > 0x7f and unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Cs")}
    return sorted(f"U+{ord(ch):04X}" for ch in found)


def assert_inert(run: Run, *, commands: bool = False, json_out: bool = False) -> None:
    """No live control or BiDi character and no forged workflow command in RUN's stdout and stderr."""
    shown = f"args={[a[:60] for a in run.args]}\nexit={run.code}\nstdout:\n{run.out[:3000]}\nstderr:\n{run.err[:3000]}"
    assert run.code in (0, 1, 2), shown
    assert "Traceback" not in run.err and "internal error" not in run.err, shown
    for name, text in (("stdout", run.out), ("stderr", run.err)):
        bad = unsafe_in(text)
        assert not bad, f"raw {bad} in {name}\n{shown}"
        for line in text.splitlines():
            if line.lstrip().startswith("::"):
                assert commands and name == "stdout" and _INTENDED_COMMAND.match(line), (
                    f"{name} line starts with '::': {line[:120]!r}\n{shown}")
    if json_out and run.code == 0:
        json.loads(run.out)


# --------------------------------------------------------------------------- hostile inputs


def _shipped(section: str) -> list[dict[str, Any]]:
    path = ROOT / "data" / f"{'determinants' if section == 'determinants' else 'strategies'}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))[section]


def hostile_layer(tmp: Path) -> Path:
    """A layer renaming every strategy and the scope's determinants with hostile text, adding a
    hostile source and a look-alike twin (Cyrillic 'М') of 'Mandate change'."""
    strategies = [{"id": s["id"], "name": f"{HOSTILE[:120]} {s['name']}"[:300],
                   "description": f"{HOSTILE} described"} for s in _shipped("strategies")
                  if s["id"] != "eric.mandate-change"]
    strategies.append({"id": "evil.lookalike", "name": "Мandate change", "framework": "eric",
                       "source": "evil", "description": HOSTILE})
    determinants = [{"id": d["id"], "name": f"{HOSTILE[:80]} {d['name']}"[:300]}
                    for d in _shipped("determinants")
                    if d["id"] in ("tdf.knowledge", "cfir1.available-resources", "tdf.social-influences")]
    layer = {"sources": [{"id": "evil", "citation": f"Evil {HOSTILE} 2024"}],
             "determinants": determinants, "strategies": strategies,
             "links": [{"from": "tdf.knowledge", "to": "evil.lookalike", "kind": "addresses", "strength": 0.5,
                        "source": "evil", "evidence": "curated", "rationale": HOSTILE}]}
    path = tmp / "hostile-layer.yaml"
    path.write_text(yaml.safe_dump(layer, allow_unicode=False, sort_keys=False), encoding="utf-8")
    return path


def hostile_scope(tmp: Path, name: str = "scope\x1b[2J\u202e.yaml") -> Path:
    scope = yaml.safe_load((ROOT / "examples" / "delirium-scope.yaml").read_text(encoding="utf-8"))
    scope["title"] = f"Title {HOSTILE}"[:1000]
    scope["change"]["actor"] = f"Nurses {HOSTILE}"
    for det in scope["determinants"]:
        det["note"] = HOSTILE
    scope["partners"] = [{"name": f"Partner {HOSTILE}", "type": "frontline staff", "involvement": "consult"}]
    path = tmp / name
    path.write_text(yaml.safe_dump(scope, allow_unicode=False, sort_keys=False), encoding="utf-8")
    return path


def hostile_ratings(tmp: Path) -> Path:
    path = tmp / "ratings\x07.csv"
    note = HOSTILE.replace("\x00", "").replace('"', "'")
    rows = ["rater,role,organisation,determinant,importance,changeability,note",
            f'"Ana {note}",nurse,City,tdf.knowledge,4,3,"{note}"',
            f'"Ben {note}",nurse,City,tdf.knowledge,2,2,"{note}"']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    return {"layer": hostile_layer(tmp), "scope": hostile_scope(tmp), "ratings": hostile_ratings(tmp),
            "scope_b": hostile_scope(tmp, "b\x9b2J.yaml"), "tmp": tmp}


# --------------------------------------------------------------------------- every command, every format


def test_the_corpus_has_every_kind_of_hostile_character() -> None:
    for ch in ("\x1b", "\x07", "\x9b", "\x7f", "\r", "\u202e", "\u2066", "\u200b"):
        assert ch in HOSTILE
    assert "\n::error" in HOSTILE


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
@pytest.mark.parametrize("strict", [False, True])
def test_validate(hostile: dict[str, Path], fmt: str, strict: bool) -> None:
    run = run_inprocess(["validate", "--catalogue", str(hostile["layer"]), "--format", fmt,
                         *(["--strict"] if strict else [])])
    assert_inert(run, commands=fmt == "github")
    assert run.code == (1 if strict else 0), run.out[-2000:]
    if fmt == "json":
        rules = {f["rule"] for f in json.loads(run.out)["findings"]}
        assert {"unsafe-character", "confusable-name"} <= rules


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_select(hostile: dict[str, Path], fmt: str) -> None:
    run = run_inprocess(["select", str(hostile["scope"]), "--catalogue", str(hostile["layer"]),
                         "--ratings", str(hostile["ratings"]), "--format", fmt, "--bundle", "3"])
    assert_inert(run, json_out=fmt == "json")
    assert run.code == 0, run.err


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_select_explain(hostile: dict[str, Path], fmt: str) -> None:
    run = run_inprocess(["select", str(hostile["scope"]), "--catalogue", str(hostile["layer"]),
                         "--explain", "eric.audit-and-provide-feedback", "--format", fmt])
    assert_inert(run, json_out=fmt == "json")
    assert run.code == 0, run.err


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("args", [["show", "eric.audit-and-provide-feedback"], ["show", "evil.lookalike"],
                                  ["show", "tdf.knowledge"], ["list", "strategies"], ["list", "determinants"],
                                  ["search", "audit"], ["search", "\x1b[2J\u202e\n::error x"]])
def test_catalogue_commands(hostile: dict[str, Path], fmt: str, args: list[str]) -> None:
    run = run_inprocess([*args, "--catalogue", str(hostile["layer"]), "--format", fmt])
    assert_inert(run, json_out=fmt == "json")


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_compare(hostile: dict[str, Path], fmt: str) -> None:
    run = run_inprocess(["compare", str(hostile["scope"]), str(hostile["scope_b"]), "--catalogue",
                         str(hostile["layer"]), "--format", fmt])
    assert_inert(run, json_out=fmt == "json")
    assert run.code == 0, run.err


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_diff(hostile: dict[str, Path], fmt: str) -> None:
    run = run_inprocess(["diff", str(ROOT / "data"), str(hostile["layer"]), "--layered", "--format", fmt,
                         "--scope", str(hostile["scope"])])
    assert_inert(run, json_out=fmt == "json")


def test_report_messages(hostile: dict[str, Path]) -> None:
    out = hostile["tmp"] / "report\x1b[2J\n::error x.md"
    run = run_inprocess(["report", str(hostile["scope"]), "--catalogue", str(hostile["layer"]), "-o", str(out),
                         "--force"])
    assert_inert(run)
    assert run.code == 0, run.err


def test_import_links_with_hostile_names(hostile: dict[str, Path]) -> None:
    table = hostile["tmp"] / "links\u202e.csv"
    name = HOSTILE.replace("\x00", "").replace('"', "'")
    table.write_text(f'determinant,strategy,percent\n"{name}","{name}",50\ntdf.knowledge,"x{name}",40\n',
                     encoding="utf-8")
    run = run_inprocess(["import-links", str(table), "-o", str(hostile["tmp"] / "out.yaml"),
                         "--source-citation", f"Evil {name} 2020"])
    assert_inert(run)
    assert run.code == 1 and "matches no catalogue entry" in run.err


@pytest.mark.parametrize("args", [
    ["show", HOSTILE], ["select", HOSTILE], ["select", "--explain", HOSTILE, "scope.yaml"],
    ["list", HOSTILE], ["validate", HOSTILE], [f"--{HOSTILE}"], ["select", f"--{HOSTILE}"],
    ["diff", HOSTILE, HOSTILE], ["compare", HOSTILE, HOSTILE],
])
def test_hostile_command_line_values(args: list[str]) -> None:
    run = run_inprocess([a.replace("\x00", "") for a in args])
    assert_inert(run)
    assert run.code in (1, 2)


def test_hostile_scope_ids_and_file_name(tmp_path: Path) -> None:
    scope = yaml.safe_load((ROOT / "examples" / "delirium-scope.yaml").read_text(encoding="utf-8"))
    scope["determinants"][0]["id"] = f"tdf.{HOSTILE}"
    scope["constraints"]["exclude"] = [HOSTILE]
    scope[f"extra {HOSTILE}"] = 1
    path = tmp_path / "\n::error file=a::b.yaml"
    path.write_text(yaml.safe_dump(scope, allow_unicode=False), encoding="utf-8")
    run = run_inprocess(["select", str(path)])
    assert_inert(run)
    assert run.code == 1


def test_subprocess_output_is_escaped_on_real_streams(hostile: dict[str, Path]) -> None:
    """The same through a real process and real stdout/stderr (not captured in-process)."""
    run = run_subprocess(["select", str(hostile["scope"]), "--catalogue", str(hostile["layer"]), "--top", "3"])
    assert_inert(run)
    assert run.code == 0, run.err
    assert "\\x1b[2J" in run.out or "\\x1b[2J" in run.err


# --------------------------------------------------------------------------- the sanitiser's own rules


def test_sanitiser_escapes_every_format_character_of_this_python() -> None:
    from strategease.safetext import escape, one_line

    for code in range(0x110000):
        ch = chr(code)
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") and ch not in "\t\n":
            assert escape(ch) != ch, f"U+{code:04X} ({unicodedata.category(ch)}) is not escaped"
        if escape(ch) != ch:  # validate's fast path skips printable text (str.isprintable)
            assert not ch.isprintable(), f"U+{code:04X} is escaped but printable"
    assert one_line("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert escape("a\tb\nc") == "a\tb\nc"
    assert escape("\x1b\x9b\u202e\U000e0041") == "\\x1b\\u009b\\u202e\\U000e0041"
    assert escape("Ünïcödé – “quotes” 中文 🙂") == "Ünïcödé – “quotes” 中文 🙂"


def test_json_escapes_stay_valid_json() -> None:
    from strategease.safetext import escape

    text = json.dumps({"k": "a\x7f\x9b\u202e\u2028"}, ensure_ascii=False)
    assert json.loads(escape(text)) == {"k": "a\x7f\x9b\u202e\u2028"}


def test_lookalike_names() -> None:
    from strategease.safetext import lookalike_key

    latin = lookalike_key("audit")
    assert lookalike_key("Аudit") == lookalike_key("ＡＵＤＩＴ") == lookalike_key("Au\u200bdit") == latin
    assert lookalike_key("Audit") != lookalike_key("Adit")


# --------------------------------------------------------------------------- scale: capped errors, fast matching


def test_import_of_100k_unmatched_rows_is_fast_and_its_errors_are_capped(tmp_path: Path) -> None:
    table = tmp_path / "unmatched.csv"
    rows = "".join(f"Unknown barrier {i * 7919 % 100003},Unknown strategy {i},50\n" for i in range(100_000))
    table.write_text("determinant,strategy,percent\n" + rows, encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "strategease", "import-links", str(table), "-o",
                           str(tmp_path / "out.yaml"), "--source-citation", "Nobody 2020"],
                          capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert len(lines) == 52, lines[-5:]  # 50 errors, "… and N more", the count
    assert lines[50] == "… and 199,950 more" and lines[51].startswith("200,000 error(s)")
    assert seconds < 90, seconds


def test_validate_caps_printed_findings(tmp_path: Path, cli: Any) -> None:
    layer = {"strategies": [{"id": f"x.s-{i}", "name": f"S {i}", "framework": "eric", "source": "nowhere"}
                            for i in range(120)]}
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(layer), encoding="utf-8")
    text = cli("validate", "--catalogue", path)
    lines = text.out.splitlines()
    assert text.code == 1 and len(lines) == 52, lines[-3:]
    total = json.loads(cli("validate", "--catalogue", path, "--format", "json").out)
    assert lines[50] == f"… and {len(total['findings']) - 50:,} more"
    assert len(total["findings"]) > 120  # JSON carries every finding
    github = cli("validate", "--catalogue", path, "--format", "github").out.splitlines()
    assert sum(line.startswith("::") for line in github) == 50 and github[50].startswith("… and ")
    broken = tmp_path / "broken.yaml"  # one error among many warnings is printed, not hidden by the cap
    layer["strategies"].append({"id": "x.zzz", "name": "Z", "framework": "eric", "source": "waltz2015",
                                "cluster": "nowhere.cluster"})
    broken.write_text(yaml.safe_dump(layer), encoding="utf-8")
    assert "[unknown-reference]" in cli("validate", "--catalogue", broken).out
    select = cli("select", ROOT / "examples" / "delirium-scope.yaml", "--catalogue", path)
    err = select.err.splitlines()
    assert select.code == 1 and err[50].startswith("… and ") and len(err) == 52


def test_docs_state_the_terminal_guarantees_and_caps() -> None:
    from strategease.catalogue.importer import MAX_SUGGESTIONS
    from strategease.errors import MAX_PRINTED

    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    assert f"At most {MAX_PRINTED} errors or findings (`errors.MAX_PRINTED`)" in doc
    assert f"first {MAX_SUGGESTIONS} distinct such names" in doc
    assert "## Terminals and CI logs" in doc and "`\\x3a`" in doc and "`--strict` fails on it" in doc


def test_rich_writes_its_own_codes_past_the_safe_stream_and_a_progress_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A progress display (Rich's FileProxy) in front of the SafeStream: Rich's cursor and colour codes
    still reach the real stream unescaped, and the text it renders is escaped."""
    import io

    from rich.file_proxy import FileProxy

    from strategease import console
    from strategease.safetext import SafeStream

    real = io.StringIO()
    console.err.cache_clear()
    con = console.err()
    monkeypatch.setattr(sys, "stderr", FileProxy(con, SafeStream(real)))  # type: ignore[arg-type]
    assert con.file is real
    con.print("[bold]x[/bold]\x1b[2J\n::error y")
    assert real.getvalue() == "x\\x1b[2J\n\\x3a:error y\n"
    console.err.cache_clear()


def test_validate_of_many_broken_references_is_fast(tmp_path: Path) -> None:
    """30,000 links to distinct unknown strategies: did-you-mean for the first MAX_HINTS only (before: 30 s)."""
    from strategease.catalogue.load import MAX_HINTS

    links = [{"from": "tdf.knowledge", "to": f"eric.audit-and-provide-feedbak-{i}", "kind": "addresses",
              "strength": 0.3, "source": "waltz2019", "evidence": "curated"} for i in range(30_000)]
    layer = tmp_path / "broken.yaml"
    layer.write_text(yaml.safe_dump({"links": links}), encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "strategease", "validate", "--catalogue", str(layer), "--format",
                           "json"], capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    findings = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "unknown-reference"]
    assert proc.returncode == 1 and len(findings) == 30_000
    hinted = [f for f in findings if f["hint"].startswith("did you mean")]
    assert len(hinted) == MAX_HINTS
    assert all(f["hint"] == "define the strategy or fix the reference" for f in findings
               if not f["hint"].startswith("did you mean"))
    assert seconds < 60, seconds
