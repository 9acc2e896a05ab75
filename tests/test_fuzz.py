"""Fuzzing harness (issue #8): mutated and generated catalogues and scopes through the CLI.

Mutated and generated inputs are fed through ``validate``, ``select`` and ``report`` via the
error boundary (:func:`strategease.cli.app.run`, in-process for speed; a few runs as subprocesses),
and mutated CSV tables through ``import-links`` and ``select --ratings``.
The property, for every input: the exit code is 0, 1 or 2 (3 is the boundary's "internal error"
and fails); no traceback; every failure is explained on stderr; each run finishes within
``TIME_BOUND`` seconds; and no partial file is ever left (a report exists only if the run
succeeded, is complete, and a file that was there before is untouched unless replaced whole).

Profiles (registered in ``conftest.py``): the default keeps CI fast (a fixed, derandomised number
of cases); the long profile is run by hand::

    STRATEGEASE_FUZZ=long pytest tests/test_fuzz.py          # 3,400 cases per fuzz test: 10,200 over the
                                                             # three commands, 3,400 more for the CSV tables
    STRATEGEASE_FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py  # any number per test

Inputs that once failed are kept in ``tests/fuzz_corpus/`` and replayed by
:func:`test_corpus_replays_cleanly`. Set ``STRATEGEASE_FUZZ_SAVE=DIR`` to have a failing input
written to DIR (named by its hash) for adding to the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, FUZZ_PROFILE, ROOT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

FUZZ = settings.get_profile(FUZZ_PROFILE)
CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
TIME_BOUND = float(os.environ.get("STRATEGEASE_FUZZ_TIME_BOUND", "20"))  # seconds per run (2-core CI)

REPORT_CAT = ROOT / "tests" / "golden" / "report" / "catalogue.yaml"
REPORT_SCOPE = ROOT / "tests" / "golden" / "report" / "scope.yaml"
SELECT_CAT = EXAMPLES / "select" / "catalogue.yaml"
DELIRIUM = ROOT / "examples" / "delirium-scope.yaml"
MINIMAL_CAT = EXAMPLES / "catalogues" / "valid" / "minimal.yaml"

# (catalogue, scope) pairs that are valid together; each side is mutated while the other stays put.
PAIRS = [(REPORT_CAT, REPORT_SCOPE), (SELECT_CAT, DELIRIUM)]
CATALOGUE_SEEDS = [REPORT_CAT, MINIMAL_CAT, SELECT_CAT]
REPORT_EXTENSIONS = (".md", ".html", ".docx", ".json")
OK_CODES = (0, 1, 2)


def _read(path: Path) -> bytes:
    return path.read_bytes()


SEED_BYTES = {path: _read(path) for path in {*CATALOGUE_SEEDS, REPORT_SCOPE, DELIRIUM}}


# --------------------------------------------------------------------------- running the CLI


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str
    seconds: float


def run_inprocess(args: list[str]) -> Run:
    """Run strategease through its error boundary with stdout/stderr captured."""
    from strategease import console
    from strategease.cli.app import run

    console.out.cache_clear()
    console.err.cache_clear()
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return Run(list(args), code, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def run_subprocess(args: list[str], cwd: Path | None = None, timeout: float = 60) -> Run:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "strategease", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, cwd=cwd, timeout=timeout)
    return Run(list(args), proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)


def _complete(path: Path) -> bool:
    """Whether a written report is whole (not cut off mid-write)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        json.loads(data)
        return True
    if path.suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.testzip() is None and "word/document.xml" in archive.namelist()
    text = data.decode("utf-8")
    if path.suffix == ".yaml":
        yaml.safe_load(text)
        return text.endswith("\n")
    if path.suffix == ".html":
        return text.rstrip().endswith("</html>")
    return text.endswith("\n") and text.startswith("# ")


def check_run(run: Run, *, inputs: dict[str, bytes], output: Path | None = None, old: bytes | None = None,
              force: bool = False) -> None:
    """The fuzzing property for one run (see the module docstring)."""
    shown = f"args={run.args}\nexit={run.code}\nstderr:\n{run.err[-3000:]}"
    if run.code not in OK_CODES or "Traceback" in run.err or "internal error" in run.err:
        _save(inputs)
        raise AssertionError(f"unexpected failure\n{shown}")
    if run.seconds > TIME_BOUND:
        _save(inputs)
        raise AssertionError(f"took {run.seconds:.1f}s (bound {TIME_BOUND}s)\n{shown}")
    if run.code != 0 and run.args[0] != "validate":
        lines = [line for line in run.err.splitlines() if line.strip()]
        assert lines and any(line.startswith("error: ") for line in lines), shown
    if run.code == 2 and run.args[0] == "validate":
        assert run.err.startswith("error: "), shown
    if output is None:
        return
    leftovers = [p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}.")]
    assert not leftovers, f"temporary files left behind: {leftovers}\n{shown}"
    if run.code == 0:
        assert output.exists() and _complete(output), shown
        assert old is None or force, shown
    elif old is None:
        assert not output.exists(), f"a failed run left {output}\n{shown}"
    else:
        assert output.read_bytes() == old, f"a failed run changed {output}\n{shown}"


def _save(inputs: dict[str, bytes]) -> None:
    target = os.environ.get("STRATEGEASE_FUZZ_SAVE")
    if not target:
        return
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    for role, data in inputs.items():
        digest = hashlib.sha256(data).hexdigest()[:12]
        (folder / f"{role}-{digest}.yaml").write_bytes(data)


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="strategease-fuzz-") as name:
        yield Path(name)


# --------------------------------------------------------------------------- mutations

Draw = Callable[[st.SearchStrategy[Any]], Any]

KEYS = sorted({
    "catalogue", "sources", "frameworks", "determinants", "functions", "clusters", "strategies", "links",
    "id", "name", "description", "framework", "tier", "parents", "source", "kind", "citation", "url",
    "from", "to", "strength", "strength_lower", "n_respondents", "evidence", "rationale", "retired",
    "replaced_by", "cluster", "ratings", "importance", "feasibility", "level", "approach", "note",
    "version", "coverage", "topic", "title", "change", "actor", "action", "context", "target", "time",
    "constraints", "max_strategies", "exclude", "already_in_place", "changeability", "examples",
})
VALUES = [
    b"[]", b"{}", b"null", b"~", b"true", b"no", b"3.5", b"-1", b"0", b"6", b"1e309", b"-1e309",
    b".nan", b".inf", b"'x'", b'""', b"[a, b]", b"{a: 1}", b"0x1F", b"0o17", b"2024-01-01",
    b"2024-01-01T10:00:00Z", b"12:30:00", b"!!binary aGk=", b"!!set {a, b}", b"!!omap [a: 1]",
    b"!!python/object/apply:os.system ['true']", b"!custom x", b"&a x", b"*a", b"|\n  block", b">-\n  folded",
    b"99999999999999999999999999999999999999", b"tdf.knowledge", b"eric.access-new-funding", b"barrier",
    b"facilitator", b"- a\n- b", b"'\\u0000'", b'"\\u0000"', b'"\\ud800"', b'"\\x07bell"', b"=", b"?",
    b"%", b"@", b"`", b"<script>alert(1)</script>", b"'a | b'", b"[x](javascript:alert(1))",
]
HUGE = [b"10" + b"0" * 400, b"1" + b"0" * 5000, b"1e309", b"-1e309", b"9" * 30, b"-9223372036854775809", b".nan",
        b"-.inf", b"0.0000000000000000000000001", b"1_000", b"4.0", b"5.0000000001", b"0b101", b"+3"]
UNICODE = ["\u202e", "\u200b", "\ufeff", "\u2028", "\x85", "é", "e\u0301", "🙂", "\U0010ffff", "ß",
           "\u0130", "İ", "ﬁ", "\x00", "\x1b[31m", "\r", "\t", "\\", "’", "Ω", "\uffff", "\ud800"]
SPECIALS = [b"&a ", b"*a ", b"!!python/object:os.system ", b"!custom ", b"<<: *a\n", b"? complex key\n: v\n",
            b"%YAML 1.1\n---\n", b"%TAG ! tag:x,2000:\n---\n", b"---\n", b"...\n", b"- ", b": ", b"#", b"'",
            b'"', b"{", b"[", b"}", b"]", b",", b"\t", b"|", b">", b"\\", b"\x00", b"\xff\xfe", b"\xc3"]
EMPTY_DOCS = [b"", b"\n", b"---\n", b"...\n", b"---\n...\n", b"~\n", b"null\n", b"# only a comment\n",
              b"---\n---\n", b"[]\n", b"{}\n", b"0\n", b'""\n', b"- a\n", b"\xef\xbb\xbf", b"   \n\t\n",
              b"a: 1\n---\nb: 2\n"]
ID_RE = re.compile(rb"\b[a-z][a-z0-9]*\.[a-z0-9][a-z0-9-]*")
KEY_RE = re.compile(rb"(?m)(^[ \t]*(?:- )?|[{,][ \t]*)([A-Za-z_][A-Za-z0-9_]*)(?=:)")
VALUE_RE = re.compile(rb"(:[ \t]+)([^\s{}\[\],#&*!|>'\"][^\n,}\]#]*)")
NUMBER_RE = re.compile(rb"(?<![\w.-])\d+(?:\.\d+)?(?![\w.-])")


def _pick(draw: Draw, data: bytes, pattern: re.Pattern[bytes]) -> re.Match[bytes] | None:
    found = list(pattern.finditer(data))
    return draw(st.sampled_from(found)) if found else None


def _position(draw: Draw, data: bytes) -> int:
    return draw(st.integers(0, len(data)))  # type: ignore[no-any-return]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def m_flip(draw: Draw, data: bytes) -> bytes:
    if not data:
        return data
    index = draw(st.integers(0, len(data) - 1))
    return data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1:]


def m_insert_bytes(draw: Draw, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]


def m_truncate(draw: Draw, data: bytes) -> bytes:
    return data[:_position(draw, data)]


def m_delete_line(draw: Draw, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"".join(lines)


def m_duplicate_line(draw: Draw, data: bytes) -> bytes:
    lines = _lines(data)
    index = draw(st.integers(0, len(lines) - 1))
    lines.insert(draw(st.integers(0, len(lines))), lines[index])
    return b"".join(lines)


def m_swap_lines(draw: Draw, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def m_rename_key(draw: Draw, data: bytes) -> bytes:
    match = _pick(draw, data, KEY_RE)
    if match is None:
        return data
    new = draw(st.one_of(st.sampled_from(KEYS), st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
                         st.sampled_from(["Id", "id ", "ID", "naem", "strenght", "from_", "<<", "1", "true",
                                          "null", "'id'", "\"kind\""])))
    return data[:match.start(2)] + new.encode() + data[match.end(2):]


def m_type_swap(draw: Draw, data: bytes) -> bytes:
    match = _pick(draw, data, VALUE_RE)
    if match is None:
        return data
    return data[:match.start(2)] + draw(st.sampled_from(VALUES)) + data[match.end(2):]


def m_id_typo(draw: Draw, data: bytes) -> bytes:
    match = _pick(draw, data, ID_RE)
    if match is None:
        return data
    word = bytearray(match.group(0))
    how = draw(st.sampled_from(["drop", "swap", "add", "upper", "tail", "replace", "unicode"]))
    i = draw(st.integers(0, len(word) - 1))
    if how == "drop":
        del word[i]
    elif how == "swap" and i + 1 < len(word):
        word[i], word[i + 1] = word[i + 1], word[i]
    elif how == "add":
        word.insert(i, draw(st.sampled_from(b"abcxyz-._0")))
    elif how == "upper":
        word = bytearray(word.upper())
    elif how == "tail":
        word += b"-x"
    elif how == "replace":
        word = bytearray(draw(st.sampled_from([b"tdf.knowledge", b"comb.capability", b"eric.build-a-coalition",
                                               b"bcw.education", b"cluster.train", b"test-src", b"x"])))
    else:
        word[i:i + 1] = "\u0131".encode()
    return data[:match.start()] + bytes(word) + data[match.end():]


def m_huge_number(draw: Draw, data: bytes) -> bytes:
    match = _pick(draw, data, NUMBER_RE)
    if match is None:
        return data
    return data[:match.start()] + draw(st.sampled_from(HUGE)) + data[match.end():]


def m_unicode(draw: Draw, data: bytes) -> bytes:
    text = draw(st.one_of(st.sampled_from(UNICODE), st.text(min_size=1, max_size=6)))
    at = _position(draw, data)
    return data[:at] + text.encode("utf-8", "surrogatepass") + data[at:]


def m_special(draw: Draw, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + draw(st.sampled_from(SPECIALS)) + data[at:]


def m_deep_nesting(draw: Draw, data: bytes) -> bytes:
    depth = draw(st.integers(1, 300))
    style = draw(st.sampled_from(["flow-list", "flow-map", "block", "dash"]))
    if style == "flow-list":
        chunk = b"deep: " + b"[" * depth + b"]" * depth + b"\n"
    elif style == "flow-map":
        chunk = b"deep: " + b"{a: " * depth + b"1" + b"}" * depth + b"\n"
    elif style == "block":
        chunk = b"".join(b"  " * i + b"k:\n" for i in range(depth)) + b"  " * depth + b"1\n"
    else:
        chunk = b"deep:\n" + b"- " * depth + b"x\n"
    lines = _lines(data)
    lines.insert(draw(st.integers(0, len(lines))), chunk)
    return b"".join(lines)


def m_empty(draw: Draw, data: bytes) -> bytes:
    return draw(st.sampled_from(EMPTY_DOCS))  # type: ignore[no-any-return]


def m_line_ends(draw: Draw, data: bytes) -> bytes:
    how = draw(st.sampled_from(["crlf", "cr", "bom", "utf16", "latin1", "tabs"]))
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "cr":
        return data.replace(b"\n", b"\r")
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "utf16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if how == "latin1":
        return data.decode("utf-8", "replace").encode("latin-1", "replace")
    return data.replace(b"  ", b"\t")


def m_repeat(draw: Draw, data: bytes) -> bytes:
    """Many copies of a line (entry counts, duplicate ids and keys)."""
    lines = _lines(data)
    index = draw(st.integers(0, len(lines) - 1))
    lines[index:index + 1] = [lines[index]] * draw(st.integers(2, 2000))
    return b"".join(lines)


MUTATIONS = [m_flip, m_insert_bytes, m_truncate, m_delete_line, m_duplicate_line, m_swap_lines, m_rename_key,
             m_type_swap, m_id_typo, m_huge_number, m_unicode, m_special, m_deep_nesting, m_empty, m_line_ends,
             m_repeat]
# Weighted so that most inputs stay close to valid YAML and reach the deeper stages.
TEXT_AWARE = [m_rename_key, m_type_swap, m_id_typo, m_huge_number, m_delete_line, m_duplicate_line]


@st.composite
def mutated(draw: Draw, seed: bytes) -> bytes:
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.one_of(st.sampled_from(TEXT_AWARE), st.sampled_from(MUTATIONS)))
        data = op(draw, data)
        if len(data) > 2_000_000:
            data = data[:2_000_000]
    return data


# --------------------------------------------------------------------------- tree mutations and generation

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from(["tdf.knowledge", "eric.access-new-funding", "barrier", "facilitator",
                                           "calls-for", "addresses", "test-src", "curated", "team", "", " "]),
    st.integers(0, 6),
)
VALUES_TREE = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner,
                                                 max_size=4)), max_leaves=12)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def tree_mutated(draw: Draw, seed: bytes) -> bytes:
    """Parse the seed, change its structure (replace, delete, add, duplicate, retype), dump it again."""
    doc = yaml.safe_load(seed)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "wrap"]))
        if not path:
            if how == "replace":
                doc = draw(VALUES_TREE)
            continue
        parent, last = _get(doc, path[:-1]), path[-1]
        if how == "replace":
            parent[last] = draw(VALUES_TREE)
        elif how == "delete":
            del parent[last]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)))] = draw(VALUES_TREE)
        elif how == "duplicate" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), parent[last])
        elif how == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {"value": parent[last]}
    return _dump(draw, doc)


def _dump(draw: Draw, doc: Any) -> bytes:
    text = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False,
                          default_flow_style=draw(st.sampled_from([False, None, True])), width=10_000)
    return text.encode("utf-8", "surrogatepass")


DET_IDS = ["tdf.knowledge", "comb.capability", "cfir1.available-resources", "partnering.trust",
           "cfir1.reflecting-and-evaluating", "tdf.social-influences", "eric.build-a-coalition", "tdf.knowlege",
           "nope.nothing", "bcw.education", "", "TDF.KNOWLEDGE", "tdf.knowledge "]
STRATEGY_IDS = ["eric.access-new-funding", "eric.build-a-coalition", "eric.conduct-educational-meetings",
                "eric.mandate-change", "eric.conduct-ongoing-training", "tdf.knowledge", "eric.nope", ""]


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, strategy, VALUES_TREE)


DETERMINANT = st.fixed_dictionaries(
    {"id": _maybe(st.sampled_from(DET_IDS))},
    optional={"kind": _maybe(st.sampled_from(["barrier", "facilitator", "enabler", "Barrier"])),
              "importance": _maybe(st.integers(0, 6)), "changeability": _maybe(st.integers(0, 6)),
              "note": _maybe(st.text(max_size=50)), "extra": VALUES_TREE})
SCOPES = st.fixed_dictionaries({}, optional={
    "title": _maybe(st.text(min_size=1, max_size=60)),
    "change": _maybe(st.fixed_dictionaries({}, optional={
        "actor": _maybe(st.text(min_size=1, max_size=30)), "action": _maybe(st.text(min_size=1, max_size=30)),
        "context": st.text(max_size=30), "target": st.text(max_size=30), "time": st.text(max_size=30)})),
    "level": _maybe(st.lists(st.sampled_from(["individual", "team", "organisation", "partnership", "system",
                                              "planet"]), max_size=6)),
    "determinants": _maybe(st.lists(_maybe(DETERMINANT), max_size=8)),
    "constraints": _maybe(st.fixed_dictionaries({}, optional={
        "max_strategies": _maybe(st.integers(-1, 101)),
        "exclude": _maybe(st.lists(st.sampled_from(STRATEGY_IDS), max_size=4)),
        "already_in_place": _maybe(st.lists(st.sampled_from(STRATEGY_IDS), max_size=4))})),
    "surprise": VALUES_TREE,
})


@st.composite
def generated_scope(draw: Draw) -> bytes:
    return _dump(draw, draw(SCOPES))


def variants(seed: bytes) -> st.SearchStrategy[bytes]:
    """Byte-level mutations, tree mutations, or the seed itself."""
    return st.one_of(mutated(seed), mutated(seed), tree_mutated(seed), st.just(seed))


# --------------------------------------------------------------------------- the properties

FUZZ_SETTINGS = settings(FUZZ, suppress_health_check=list(HealthCheck))


@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_validate(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(CATALOGUE_SEEDS), label="seed")
    text = data.draw(variants(SEED_BYTES[seed]), label="catalogue")
    options = data.draw(st.sampled_from([[], ["--strict"], ["--format", "json"], ["--format", "github"]]))
    as_layer = data.draw(st.booleans(), label="as_layer")
    with workdir() as tmp:
        cat = tmp / "catalogue.yaml"
        cat.write_bytes(text)
        args = (["validate", str(cat)] if not as_layer else
                ["validate", str(REPORT_CAT), "--catalogue", str(cat)]) + options
        run = run_inprocess(args)
        event(f"validate exit {run.code}")
        check_run(run, inputs={"validate": text})
        if run.code == 0 and "--format" in options and options[1] == "json":
            json.loads(run.out)


SELECT_OPTIONS = st.sampled_from([
    [], ["--format", "json"], ["--format", "csv"], ["--format", "markdown"], ["--method", "cfir-eric"],
    ["--top", "0"], ["--bundle", "0"], ["--bundle", "7", "--top", "1"], ["--explain", "eric.build-a-coalition"],
    ["--explain", "eric.access-new-funding", "--format", "json"], ["--explain", "nope.nothing"],
    ["--method", "cfir-eric", "--format", "markdown"],
])


def _pair_inputs(data: st.DataObject) -> tuple[str, bytes, bytes]:
    """Pick a valid (catalogue, scope) pair and mutate one side (or generate a scope)."""
    cat_path, scope_path = data.draw(st.sampled_from(PAIRS), label="pair")
    cat, scope = SEED_BYTES[cat_path], SEED_BYTES[scope_path]
    side = data.draw(st.sampled_from(["scope", "scope", "generated", "catalogue"]), label="side")
    if side == "catalogue":
        cat = data.draw(variants(cat), label="catalogue")
    elif side == "generated":
        scope = data.draw(generated_scope(), label="scope")
    else:
        scope = data.draw(variants(scope), label="scope")
    return side, cat, scope


@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_select(data: st.DataObject) -> None:
    _, cat_text, scope_text = _pair_inputs(data)
    options = data.draw(SELECT_OPTIONS, label="options")
    with workdir() as tmp:
        cat, scope = tmp / "catalogue.yaml", tmp / "scope.yaml"
        cat.write_bytes(cat_text)
        scope.write_bytes(scope_text)
        run = run_inprocess(["select", str(scope), "--base", str(cat), *options])
        event(f"select exit {run.code}")
        check_run(run, inputs={"scope": scope_text, "catalogue": cat_text})
        if run.code == 0 and options[-2:] == ["--format", "json"]:
            json.loads(run.out)
        if run.code != 0 and "--explain" not in options:
            assert str(tmp) in run.err, run.err  # every failure names the file it is about


@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_report(data: st.DataObject) -> None:
    _, cat_text, scope_text = _pair_inputs(data)
    ext = data.draw(st.sampled_from(REPORT_EXTENSIONS), label="ext")
    existing = data.draw(st.sampled_from([None, b"old report, keep me\n"]), label="existing")
    force = data.draw(st.booleans(), label="force")
    with workdir() as tmp:
        cat, scope, output = tmp / "catalogue.yaml", tmp / "scope.yaml", tmp / f"report{ext}"
        cat.write_bytes(cat_text)
        scope.write_bytes(scope_text)
        if existing is not None:
            output.write_bytes(existing)
        args = ["report", str(scope), "--base", str(cat), "-o", str(output)] + (["--force"] if force else [])
        run = run_inprocess(args)
        event(f"report exit {run.code}")
        check_run(run, inputs={"scope": scope_text, "catalogue": cat_text}, output=output, old=existing,
                  force=force)
        if existing is not None and not force:
            assert run.code != 0


# --------------------------------------------------------------------------- CSV inputs

IMPORT_BASE = EXAMPLES / "import" / "base.yaml"
CSV_SEEDS = {
    "long": (EXAMPLES / "import" / "long.csv").read_bytes(),
    "matrix": (EXAMPLES / "import" / "cfir-eric-matrix.csv").read_bytes(),
    "ratings": (EXAMPLES / "ratings" / "delirium-team.csv").read_bytes(),
}
CSV_VALUES = [b"", b"0", b"-0", b"100", b"101", b"-1", b"0.5", b"1,5", b"50%", b"%", b"5%%", b"inf", b"nan",
              b"-inf", b"1e309", b"1e-400", b"1" + b"0" * 5000, b"\xc2\xb2", b"\xd9\xa3", b"=cmd|' /C calc'!A0",
              b"@SUM(1)", b'"quoted, with comma"', b'"unclosed', b'""', b"tdf.knowledge", b"Self-efficacy",
              b"cfir1.self-efficacy", b"eric.tailor-strategies", b"\xef\xbb\xbf", b"\t", b";", b" 3 ", b"3.0",
              b"5.5", b"0x10", b"1_0", b"\xe2\x80\xae"]
CELL_RE = re.compile(rb"[^,;\t\r\n]+")


def m_cell(draw: Draw, data: bytes) -> bytes:
    match = _pick(draw, data, CELL_RE)
    if match is None:
        return data
    return data[:match.start()] + draw(st.sampled_from(CSV_VALUES)) + data[match.end():]


def m_columns(draw: Draw, data: bytes) -> bytes:
    lines = _lines(data)
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index].rstrip(b"\r\n")
    how = draw(st.sampled_from(["add", "drop", "delimiter", "quote"]))
    if how == "add":
        line += b"," + draw(st.sampled_from(CSV_VALUES))
    elif how == "drop":
        line = line.rsplit(b",", 1)[0]
    elif how == "delimiter":
        line = line.replace(b",", draw(st.sampled_from([b";", b"\t", b"|", b", "])))
    else:
        line = b'"' + line
    lines[index] = line + b"\n"
    return b"".join(lines)


CSV_MUTATIONS = [m_cell, m_cell, m_columns, m_flip, m_insert_bytes, m_truncate, m_delete_line, m_duplicate_line,
                 m_swap_lines, m_unicode, m_empty, m_line_ends, m_repeat]


@st.composite
def mutated_csv(draw: Draw, seed: bytes) -> bytes:
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        data = draw(st.sampled_from(CSV_MUTATIONS))(draw, data)
    return data


@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_csv(data: st.DataObject) -> None:
    """Mutated link tables through import-links and team ratings through select --ratings."""
    kind = data.draw(st.sampled_from(sorted(CSV_SEEDS)), label="seed")
    table = data.draw(mutated_csv(CSV_SEEDS[kind]), label="csv")
    with workdir() as tmp:
        path = tmp / "table.csv"
        path.write_bytes(table)
        if kind == "ratings":
            options = data.draw(st.sampled_from([[], ["--aggregate", "mean"], ["--format", "json"]]))
            run = run_inprocess(["select", str(DELIRIUM), "--base", str(SELECT_CAT), "--ratings", str(path),
                                 *options])
            event(f"ratings exit {run.code}")
            check_run(run, inputs={"ratings": table})
            return
        output = tmp / "layer.yaml"
        options = data.draw(st.sampled_from([[], ["--skip-unmatched"], ["--shape", "wide"], ["--shape", "long"],
                                             ["--scale", "percent"], ["--scale", "fraction"]]))
        run = run_inprocess(["import-links", str(path), "-o", str(output), "--source-citation", "Fuzz 2026",
                             "--base", str(IMPORT_BASE), "--from-framework", "cfir1", "--to-framework", "eric",
                             *options])
        event(f"import-links exit {run.code}")
        check_run(run, inputs={"csv": table}, output=output)
        if run.code == 0:  # what was written is a valid layer over its base
            check = run_inprocess(["validate", str(IMPORT_BASE), "--catalogue", str(output)])
            assert check.code == 0, check.out[-2000:]


# --------------------------------------------------------------------------- a few real processes


def test_fuzz_subprocess_sample() -> None:
    """A handful of hostile inputs through the real entry point (``python -m strategease``)."""
    seed = SEED_BYTES[REPORT_SCOPE]
    samples = [
        seed.replace(b"importance: 5", b"importance: 1e309"),
        seed.replace(b"kind: barrier", b"kind: [barrier]", 1),
        seed.replace(b"tdf.knowledge", b"tdf.knowlege"),
        seed + b"deep: " + b"[" * 500 + b"]" * 500 + b"\n",
        seed[: len(seed) // 2] + b"\xff\xfe" + seed[len(seed) // 2:],
        b"a: &a [1]\nb: *a\n",
    ]
    with workdir() as tmp:
        for index, scope_text in enumerate(samples):
            scope = tmp / f"scope{index}.yaml"
            scope.write_bytes(scope_text)
            output = tmp / f"r{index}.html"
            for args in (["select", str(scope), "--base", str(REPORT_CAT), "--format", "json"],
                         ["report", str(scope), "--base", str(REPORT_CAT), "-o", str(output)]):
                run = run_subprocess(args)
                assert run.code in (1, 2), run
                check_run(run, inputs={"scope": scope_text}, output=output if args[0] == "report" else None)
        cat = tmp / "catalogue.yaml"
        cat.write_bytes(SEED_BYTES[REPORT_CAT].replace(b"source: test-src", b"source: [test-src]", 1))
        run = run_subprocess(["validate", str(cat)])
        assert run.code == 1
        check_run(run, inputs={"validate": cat.read_bytes()})


# --------------------------------------------------------------------------- the regression corpus


def corpus_cases() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.yaml") if p.is_file())


def replay(path: Path, tmp: Path) -> list[Run]:
    """Replay one corpus file by its name: ``validate-*`` is a catalogue for validate; ``scope-*``
    a scope (with the report test catalogue); ``catalogue-*`` a base catalogue (with its scope)."""
    data = path.read_bytes()
    runs: list[Run] = []
    role = path.name.split("-", 1)[0]
    if role == "validate":
        target = tmp / path.name
        target.write_bytes(data)
        runs.append(run_inprocess(["validate", str(target)]))
        runs.append(run_inprocess(["validate", str(REPORT_CAT), "--catalogue", str(target)]))
        return runs
    cat, scope = REPORT_CAT, tmp / "scope.yaml"
    if role == "scope":
        scope.write_bytes(data)
    elif role == "catalogue":
        cat = tmp / "catalogue.yaml"
        cat.write_bytes(data)
        scope.write_bytes(SEED_BYTES[REPORT_SCOPE])
    else:  # pragma: no cover - a misnamed corpus file
        raise AssertionError(f"corpus file {path.name} must start with validate-, scope- or catalogue-")
    for options in ([], ["--format", "json"], ["--format", "markdown"], ["--method", "cfir-eric"]):
        runs.append(run_inprocess(["select", str(scope), "--base", str(cat), *options]))
    for ext in REPORT_EXTENSIONS:
        output = tmp / f"report{ext}"
        run = run_inprocess(["report", str(scope), "--base", str(cat), "-o", str(output)])
        check_run(run, inputs={}, output=output)
        runs.append(run)
    return runs


@pytest.mark.parametrize("path", corpus_cases(), ids=lambda p: p.name)
def test_corpus_replays_cleanly(path: Path, tmp_path: Path) -> None:
    for run in replay(path, tmp_path):
        check_run(run, inputs={})


def test_corpus_is_not_empty() -> None:
    assert len(corpus_cases()) >= 5


def test_profiles_are_registered() -> None:
    assert FUZZ.deadline is None
    long = settings.get_profile("strategease-fuzz-long")
    assert long.max_examples * 3 >= 10_000
