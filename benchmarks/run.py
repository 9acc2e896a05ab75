#!/usr/bin/env python3
"""Benchmarks for strategease (issue #5): start-up, validate and select scaling, peak memory, bundle quality.

Run it with the Python of the environment you want to measure (it uses the ``strategease``
console script installed next to ``sys.executable``)::

    python benchmarks/run.py              # full run (1k, 10k and 100k links)
    python benchmarks/run.py --quick      # fewer repeats, skips 100k (targets at 100k report SKIP)
    python benchmarks/run.py --repeats 7 --json > bench.json
    python benchmarks/run.py --save bench.json   # table on stdout, JSON to a file

Every timing is the median wall-clock time (``time.perf_counter``) of whole-process runs, after
one discarded warm-up run (which also checks the exit code); a command and its baselines are run
round-robin, so that load from elsewhere on the machine skews both sides of a ratio alike.
Commands whose warm-up takes longer than ``--slow`` seconds (default 5) are repeated at most 3
times. Peak RSS is that of the measured command alone: each child is started through GNU
``/usr/bin/time -f %M`` when present (``os.wait4`` rusage otherwise, which on Linux also counts
this script's ~20 MB at fork time).

strategease keeps validated catalogues in a cache (``strategease.catalogue.cache``, keyed by the files'
bytes). Children get a private ``STRATEGEASE_CACHE_DIR`` under ``benchmarks/.cache/`` (emptied at
the start), so the warm-up fills it and the timed ``select`` runs are the usual repeat runs; rows
marked "no cache" repeat them with ``STRATEGEASE_NO_CACHE=1`` (the first run after an edit).
``validate`` never uses the cache.

Rows and targets (PASS/FAIL; SKIP with a reason when something is missing):

1. cold ``strategease select examples/delirium-scope.yaml`` ÷ ``python -c "import typer, pydantic,
   yaml, rich.console"`` ≤ 1.3 (and ÷ ``python -c pass``, for information; row 1t shows what a
   minimal Typer command that validates one Pydantic model costs against the same floor);
2. ``strategease --help`` ÷ ``python -c "import typer"`` ≤ 1.15;
3. ``strategease validate`` of a synthetic catalogue (1k, 10k, 100k links) ÷ parsing the same files
   with PyYAML's C loader alone (3a, ≤ 2.0 at 100k) and ÷ ``check-jsonschema --schemafile`` with the
   schema from ``strategease schema`` (3b, ≤ 0.2 at 100k; check-jsonschema is installed into
   ``benchmarks/.venv-bench`` on demand, never into the project);
4. ``strategease select`` with 50 determinants at 1k, 10k, 100k links: ≤ 1 s at 100k, and the
   10k → 100k growth ≤ 12×;
5. peak RSS of validate and select at 100k links ≤ 300 MB;
6. bundle quality: greedy covered weight ÷ brute-force optimum on 200 seeded random small
   instances: min ≥ 0.95, mean ≥ 0.99.

``python benchmarks/run.py --coverage`` prints the catalogue's coverage row (``benchmarks/coverage.py``).
``python benchmarks/run.py --validation [options]`` runs the validation benchmark instead
(``benchmarks/validation/run.py``: recall on published cases, precision on worked scopes; reported, never
pass/fail).

Synthetic catalogues come from ``benchmarks/synth.py`` and are cached under ``benchmarks/.cache/``
(keyed by size, seed and the generator's own hash). Exit code: 0 when nothing FAILs, 1 otherwise.
This script is not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
BENCH_VENV = HERE / ".venv-bench"
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

PY = sys.executable
BIN = Path(sys.executable).parent
STRATEGEASE = str(BIN / ("strategease.exe" if os.name == "nt" else "strategease"))
SIZES = (1_000, 10_000, 100_000)
BIG = 100_000
SCOPE = ROOT / "examples" / "delirium-scope.yaml"

# The least a Typer command does with our stack: one command, one argument and one option (Typer
# builds a Pydantic TypeAdapter per parameter when it parses them), one Pydantic model validated.
TYPER_MINIMAL = (
    "from pathlib import Path\n"
    "import typer, yaml, rich.console\n"
    "from pydantic import BaseModel\n"
    "class Scope(BaseModel):\n"
    "    title: str\n"
    "app = typer.Typer(add_completion=False, rich_markup_mode=None)\n"
    "@app.command()\n"
    "def select(scope: Path, top: int = 10) -> None:\n"
    "    Scope.model_validate({'title': str(scope)})\n"
    "app()\n"
)

YAML_ONLY = (
    "import sys, yaml\n"
    "for f in sys.argv[1:]:\n"
    "    with open(f, 'rb') as fh:\n"
    "        yaml.load(fh, Loader=yaml.CSafeLoader)\n"
)

# strategease keeps validated catalogues in a cache (strategease/catalogue/cache.py); the benchmark gives
# it a private directory so that runs neither read nor pollute the user's cache.
APP_CACHE = CACHE / "strategease-cache"
CHILD_ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb",
             "STRATEGEASE_CACHE_DIR": str(APP_CACHE)}
CHILD_ENV.pop("STRATEGEASE_NO_CACHE", None)
# An install measured as users run it has its bytecode (.pyc) written; with PYTHONDONTWRITEBYTECODE set (as in some
# sandboxes) neither `pip install` nor the discarded warm-up writes it, and every timed run compiles each module
# again (cProfile put ~0.2 s of a cached `select` at 10^5 links in compile()).
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
NO_CACHE_ENV = {**CHILD_ENV, "STRATEGEASE_NO_CACHE": "1"}


# --------------------------------------------------------------------------- measuring


class CommandFailed(RuntimeError):
    pass


@dataclass
class Measure:
    label: str
    argv: list[str]
    times: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_rss_mb(self) -> float:
        return max(self.rss_mb)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "argv": self.argv, "median_s": round(self.median, 4),
                "times_s": [round(t, 4) for t in self.times], "peak_rss_mb": round(self.peak_rss_mb, 1)}


def _maxrss_mb(ru_maxrss: int) -> float:
    # Linux reports kilobytes, macOS bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def _gnu_time() -> str | None:
    """GNU time, if present: it forks the measured command from a ~2 MB process."""
    exe = Path("/usr/bin/time")
    if not exe.is_file():
        return None
    done = subprocess.run([str(exe), "-f", "%M", "true"], capture_output=True, text=True)
    return str(exe) if done.returncode == 0 and done.stderr.strip().isdigit() else None


TIME_BIN = _gnu_time()
RSS_METHOD = ("GNU time -f %M (peak RSS of the command alone)" if TIME_BIN else
              "os.wait4 rusage (includes this script's RSS at fork time, ~20 MB floor)")


def run_once(argv: list[str], ok_codes: tuple[int, ...] = (0,), env: dict[str, str] | None = None,
             ) -> tuple[float, float]:
    """Run one child process; return (wall seconds, peak RSS MB of that child).

    Peak RSS: Linux keeps the RSS a process had *before* exec in its ``ru_maxrss``, so a child
    forked straight from this ~20 MB Python process could never report less than that. Hence
    the child is started through GNU time (a tiny C program) when available, and only
    otherwise read with ``os.wait4``. Wall time is always taken here, around the whole child
    (GNU time adds ~1 ms to both sides of every ratio).
    """
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        cmd = [TIME_BIN, "-f", "%M", "-o", rss_file.name, *argv] if TIME_BIN else argv
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                env=env or CHILD_ENV, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok_codes:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise CommandFailed(f"exit {proc.returncode}: {' '.join(argv)}\n    " + "\n    ".join(tail))
        if TIME_BIN:
            lines = [ln for ln in rss_file.read().splitlines() if ln.strip().isdigit()]
            rss = int(lines[-1]) / 1024 if lines else float("nan")
        else:
            rss = _maxrss_mb(usage.ru_maxrss)
    return elapsed, rss


def measure_group(items: list[tuple[str, str, list[str], dict[str, str] | None]], repeats: int, slow: float,
                  log: Any) -> dict[str, Measure]:
    """Measure several commands round-robin (A B C A B C …), so that a burst of load on a shared
    machine hits a command and its baseline alike and their ratio stays fair.

    Each item is (key, label, argv, env). A failing command is logged and left out.
    """
    active: list[tuple[str, Measure, dict[str, str] | None, int]] = []
    for key, label, argv, env in items:
        try:
            warm, _ = run_once(argv, env=env)  # warm-up: file cache, .pyc, app cache; checks the exit code
        except CommandFailed as exc:
            log(f"  {label}: FAILED {exc}")
            continue
        active.append((key, Measure(label, argv), env, min(repeats, 3) if warm > slow else repeats))
    for i in range(max((n for *_, n in active), default=0)):
        for _key, m, env, n in active:
            if i < n:
                t, rss = run_once(m.argv, env=env)
                m.times.append(t)
                m.rss_mb.append(rss)
    for _, m, _, n in active:
        log(f"  {m.label:<44} median {m.median * 1000:9.1f} ms  peak {m.peak_rss_mb:7.1f} MB  (n={n})")
    return {key: m for key, m, _, _ in active}


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    id: str
    what: str
    value: float | None  # the measured ratio / seconds / MB
    unit: str  # "x" (ratio), "s", "MB"
    target: str  # e.g. "<= 1.3", "info"
    limit: float | None
    raw: str  # raw numbers shown next to the value
    status: str = ""  # PASS / FAIL / SKIP / INFO / ERROR
    reason: str = ""

    def judge(self) -> Row:
        if self.status:
            return self
        if self.value is None:
            self.status = "SKIP"
        elif self.limit is None:
            self.status = "INFO"
        elif self.target.startswith(">="):
            self.status = "PASS" if self.value >= self.limit else "FAIL"
        else:
            self.status = "PASS" if self.value <= self.limit else "FAIL"
        return self


def _ms(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def ratio_row(rid: str, what: str, a: Measure | None, b: Measure | None, limit: float | None,
              reason: str = "") -> Row:
    if a is None or b is None:
        return Row(rid, what, None, "x", f"<= {limit}" if limit else "info", limit, "", "SKIP", reason)
    return Row(rid, what, a.median / b.median, "x", f"<= {limit}" if limit is not None else "info", limit,
               f"{_ms(a.median)} / {_ms(b.median)}").judge()


def skip(rid: str, what: str, target: str, reason: str) -> Row:
    return Row(rid, what, None, "", target, None, "", "SKIP", reason)


# --------------------------------------------------------------------------- set-up helpers


def synthetic(n_links: int, seed: int, log: Any) -> tuple[Path, Path]:
    """The cached synthetic catalogue directory and scope file for ``n_links`` links."""
    tag = hashlib.sha256(Path(synth.__file__).read_bytes()).hexdigest()[:10]
    out = CACHE / f"synth-{n_links}-s{seed}-{tag}"
    scope = synth.scope_path(out)
    if not (out / "links.yaml").is_file() or not scope.is_file():
        log(f"  generating synthetic catalogue: {n_links} links (seed {seed}) -> {out.relative_to(ROOT)}")
        synth.write(n_links, seed, out)
    return out, scope


def ensure_check_jsonschema(log: Any) -> tuple[str | None, str]:
    """Path to check-jsonschema in benchmarks/.venv-bench (created on demand), or (None, reason)."""
    exe = BENCH_VENV / ("Scripts" if os.name == "nt" else "bin") / "check-jsonschema"
    if exe.is_file():
        return str(exe), ""
    log(f"  installing check-jsonschema into {BENCH_VENV.relative_to(ROOT)} (one-off)")
    try:
        if not BENCH_VENV.exists():
            subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True, capture_output=True)
        py = BENCH_VENV / ("Scripts" if os.name == "nt" else "bin") / "python"
        done = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "check-jsonschema"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return None, "pip install check-jsonschema failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"could not create the benchmark venv: {exc}"
    return (str(exe), "") if exe.is_file() else (None, "check-jsonschema not found after install")


def command_exists(name: str) -> bool:
    done = subprocess.run([STRATEGEASE, name, "--help"], capture_output=True, env=CHILD_ENV, cwd=ROOT)
    return done.returncode == 0


def _has_app_cache() -> bool:
    import importlib.util

    return importlib.util.find_spec("strategease.catalogue.cache") is not None


HAS_APP_CACHE = _has_app_cache()


def select_argv(scope: Path, base: Path | None) -> list[str]:
    argv = [STRATEGEASE, "select", str(scope)]
    if base is not None:
        argv += ["--base", str(base)]
    return argv


# --------------------------------------------------------------------------- bundle quality


def bundle_quality(instances: int, seed: int) -> tuple[list[Row], dict[str, Any]]:
    """Greedy ÷ optimal covered weight on random small instances (see :func:`_bundle_adapter`)."""
    what_min, what_mean = "6  bundle greedy/optimal, min", "6  bundle greedy/optimal, mean"
    try:
        import strategease.selection.bundle as bundle_mod
    except ImportError as exc:
        reason = f"strategease.selection.bundle not importable ({exc})"
        return [skip("6min", what_min, ">= 0.95", reason), skip("6mean", what_mean, ">= 0.99", reason)], {}
    try:
        solve = _bundle_adapter(bundle_mod)
    except Exception as exc:  # noqa: BLE001 - report the API mismatch instead of crashing the run
        reason = f"cannot drive strategease.selection.bundle: {exc}"
        return [skip("6min", what_min, ">= 0.95", reason), skip("6mean", what_mean, ">= 0.99", reason)], {}
    rng = random.Random(seed)
    ratios: list[float] = []
    worst: dict[str, Any] = {}
    for i in range(instances):
        inst = _random_instance(rng)
        greedy, optimal = solve(inst)
        ratio = 1.0 if optimal <= 0 else greedy / optimal
        ratios.append(ratio)
        if ratio <= min(ratios):
            worst = {"instance": i, "ratio": ratio, "greedy": greedy, "optimal": optimal, **inst}
    lo, mean = min(ratios), statistics.fmean(ratios)
    rows = [
        Row("6min", what_min, lo, "x", ">= 0.95", 0.95, f"{instances} instances").judge(),
        Row("6mean", what_mean, mean, "x", ">= 0.99", 0.99,
            f"{sum(r < 1 - 1e-9 for r in ratios)} below optimum").judge(),
    ]
    return rows, {"instances": instances, "min": lo, "mean": mean, "worst": worst}


def _random_instance(rng: random.Random) -> dict[str, Any]:
    """A small weighted coverage instance in the shape ``strategease.selection.bundle`` takes.

    3-12 determinants weighted like a scope (importance × changeability, each 1-5), 4-14 candidate
    strategies each reaching 1-5 determinants with route strengths in (0, 1] (a fifth of them
    exactly 1, like an unqualified published link), bundle size 1-5, and in a quarter of the
    instances one or two strategies already in place (``preselected``).
    """
    n_det, n_str = rng.randint(3, 12), rng.randint(4, 14)
    weights = {f"d.det-{j:02d}": float(rng.randint(1, 5) * rng.randint(1, 5)) for j in range(n_det)}
    dets = list(weights)
    routes = {
        f"s.strategy-{i:02d}": {d: (1.0 if rng.random() < 0.2 else round(rng.uniform(0.05, 1.0), 3))
                                for d in rng.sample(dets, rng.randint(1, min(5, n_det)))}
        for i in range(n_str)
    }
    pre = rng.sample(sorted(routes), rng.randint(1, 2)) if rng.random() < 0.25 else []
    return {"weights": weights, "routes": routes, "k": rng.randint(1, min(5, n_str - len(pre))), "preselected": pre}


def _bundle_adapter(mod: Any) -> Any:
    """Return ``solve(instance) -> (greedy covered weight, optimal covered weight)``.

    Written against ``greedy_bundle(weights, routes, k, preselected) -> BundleSolution`` (``.covered``)
    and ``optimal_bundle(weights, routes, k, preselected) -> (ids, covered)``; fails loudly (the row
    is then SKIPped with the reason) if those signatures change.
    """
    greedy, optimal = mod.greedy_bundle, mod.optimal_bundle
    expected = ["weights", "routes", "k", "preselected"]
    for fn in (greedy, optimal):
        params = list(inspect.signature(fn).parameters)
        if params[:4] != expected:
            raise TypeError(f"unexpected signature {fn.__name__}{tuple(params)}, expected {tuple(expected)}")

    def solve(inst: dict[str, Any]) -> tuple[float, float]:
        args = (inst["weights"], inst["routes"], inst["k"], inst["preselected"])
        got = greedy(*args)
        _, best = optimal(*args)
        return float(got.covered), float(best)

    return solve


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--validation" in argv:  # the validation benchmark (issue #12) lives in its own script; forward the rest
        import importlib.util  # noqa: PLC0415

        spec = importlib.util.spec_from_file_location("validation_run", HERE / "validation" / "run.py")
        assert spec is not None and spec.loader is not None
        validation = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = validation  # dataclasses look their module up while the class is built
        spec.loader.exec_module(validation)
        return int(validation.main([a for a in argv if a != "--validation"]))
    if "--coverage" in argv:  # the coverage row (issue #13): reported, never pass/fail
        sys.path.insert(0, str(HERE))
        import coverage as coverage_row  # noqa: PLC0415

        return int(coverage_row.main([a for a in argv if a != "--coverage"]))
    ap = argparse.ArgumentParser(description="strategease benchmarks (see the module docstring).")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (3) and skip the 100k-link catalogue")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per command (default 7, quick 3)")
    ap.add_argument("--slow", type=float, default=5.0,
                    help="commands slower than this (s) are repeated at most 3 times (default 5)")
    ap.add_argument("--seed", type=int, default=1, help="seed for synthetic catalogues and bundle instances")
    ap.add_argument("--bundle-instances", type=int, default=200)
    ap.add_argument("--no-jsonschema", action="store_true", help="skip the check-jsonschema comparison (3b)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON on stdout (log on stderr)")
    ap.add_argument("--save", type=Path, metavar="FILE", help="also write the JSON results to FILE")
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    sizes = tuple(n for n in SIZES if not (args.quick and n >= BIG))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if not Path(STRATEGEASE).is_file():
        log(f"error: no strategease console script at {STRATEGEASE}; run with the venv's python")
        return 2
    CACHE.mkdir(parents=True, exist_ok=True)
    if APP_CACHE.exists():  # start from an empty strategease cache; the warm-up run fills it
        shutil.rmtree(APP_CACHE)
    log(f"strategease benchmarks: {STRATEGEASE} (python {platform.python_version()}, {repeats} repeats)")
    log(f"peak RSS via {RSS_METHOD}")
    rows: list[Row] = []
    measures: dict[str, Measure] = {}

    # -- 1, 2: start-up --------------------------------------------------------------------
    log("start-up (interleaved)")
    have_select = command_exists("select")
    group: list[tuple[str, str, list[str], dict[str, str] | None]] = [
        ("py-pass", "python -c pass", [PY, "-c", "pass"], None),
        ("py-imports", "python -c 'import typer, pydantic, yaml, rich'",
         [PY, "-c", "import typer, pydantic, yaml, rich.console"], None),
        ("py-typer", "python -c 'import typer'", [PY, "-c", "import typer"], None),
        ("help", "strategease --help", [STRATEGEASE, "--help"], None),
        ("typer-minimal", "minimal Typer command", [PY, "-c", TYPER_MINIMAL, "x"],
         {**CHILD_ENV, "PYDANTIC_DISABLE_PLUGINS": "__all__"}),  # as strategease sets it
    ]
    if have_select and SCOPE.is_file():
        group.append(("select-shipped", "strategease select delirium-scope", select_argv(SCOPE, None), None))
        if HAS_APP_CACHE:
            group.append(("select-shipped-nocache", "strategease select delirium-scope, no cache",
                          select_argv(SCOPE, None), NO_CACHE_ENV))
    measures.update(measure_group(group, repeats, args.slow, log))
    bare, imports, typer_only = (measures.get(k) for k in ("py-pass", "py-imports", "py-typer"))
    if not have_select or not SCOPE.is_file():
        why = ("'strategease select' does not exist yet" if not have_select
               else f"{SCOPE.relative_to(ROOT)} is missing")
        rows += [skip("1", "1  select (shipped) / import baseline", "<= 1.3", why),
                 skip("1i", "1i select (shipped) / python -c pass", "info", why)]
    else:
        sel = measures.get("select-shipped")
        why = "" if sel else "select on the shipped catalogue failed (see log)"
        rows.append(ratio_row("1", "1  select (shipped) / import baseline", sel, imports, 1.3, why))
        rows.append(ratio_row("1i", "1i select (shipped) / python -c pass", sel, bare, None, why))
        minimal = measures.get("typer-minimal")
        rows.append(ratio_row("1t", "1t minimal Typer command / import baseline", minimal, imports, None,
                              "" if minimal else "the minimal Typer command failed"))
        if HAS_APP_CACHE:
            nc = measures.get("select-shipped-nocache")
            rows.append(ratio_row("1n", "1n  same, STRATEGEASE_NO_CACHE=1", nc, imports, None,
                                  "" if nc else "select failed"))
    rows.append(ratio_row("2", "2  --help / import typer", measures.get("help"), typer_only, 1.15,
                          "" if "help" in measures else "--help failed"))

    # -- 3: validate ---------------------------------------------------------------------------
    cjs, cjs_reason = (None, "--no-jsonschema") if args.no_jsonschema else ensure_check_jsonschema(log)
    schema_file = CACHE / "catalogue.schema.json"
    if cjs:
        done = subprocess.run([STRATEGEASE, "schema"], capture_output=True, text=True, env=CHILD_ENV)
        if done.returncode != 0:
            cjs, cjs_reason = None, f"'strategease schema' failed: {done.stderr.strip()[-200:]}"
        else:
            schema_file.write_text(done.stdout, encoding="utf-8")
    catalogues = {}
    for n in sizes:
        log(f"validate, {n} links")
        out, scope = synthetic(n, args.seed, log)
        catalogues[n] = (out, scope)
        files = [str(p) for p in sorted(out.glob("*.yaml"))]
        group = [(f"validate-{n}", f"strategease validate ({n})", [STRATEGEASE, "validate", str(out)], None),
                 (f"yaml-{n}", f"PyYAML CSafeLoader ({n})", [PY, "-c", YAML_ONLY, *files], None)]
        if cjs:
            group.append((f"cjs-{n}", f"check-jsonschema ({n})", [cjs, "--schemafile", str(schema_file), *files],
                          None))
        measures.update(measure_group(group, repeats, args.slow, log))
        val, yml = measures.get(f"validate-{n}"), measures.get(f"yaml-{n}")
        target = n >= BIG
        rows.append(ratio_row(f"3a-{n}", f"3a validate / PyYAML C loader, {n // 1000}k", val, yml,
                              2.0 if target else None, "" if val else "validate failed"))
        if cjs:
            js = measures.get(f"cjs-{n}")
            rows.append(ratio_row(f"3b-{n}", f"3b validate / check-jsonschema, {n // 1000}k", val, js,
                                  0.2 if target else None, "" if js else "check-jsonschema failed"))
        else:
            rows.append(skip(f"3b-{n}", f"3b validate / check-jsonschema, {n // 1000}k",
                             "<= 0.2" if target else "info", cjs_reason))
    if BIG not in sizes:
        rows += [skip("3a-100000", "3a validate / PyYAML C loader, 100k", "<= 2.0", "--quick"),
                 skip("3b-100000", "3b validate / check-jsonschema, 100k", "<= 0.2", "--quick")]

    # -- 4: select scaling -----------------------------------------------------------------
    for n in sizes:
        if not have_select:
            continue
        log(f"select, 50 determinants, {n} links")
        out, scope = catalogues[n]
        group = [(f"select-{n}", f"strategease select ({n})", select_argv(scope, out), None)]
        if HAS_APP_CACHE:
            group.append((f"select-nocache-{n}", f"strategease select ({n}), no cache", select_argv(scope, out),
                          NO_CACHE_ENV))
        measures.update(measure_group(group, repeats, args.slow, log))
    variants = [("select", "4 ", "", True)]
    if HAS_APP_CACHE:
        variants.append(("select-nocache", "4n", ", no cache", False))
    for key, tag, suffix, judged in variants:
        for n in sizes:
            m = measures.get(f"{key}-{n}")
            what = f"{tag} select 50 dets, {n // 1000}k links{suffix} (s)"
            target = judged and n >= BIG
            if m is None:
                rows.append(skip(f"{tag}-{n}", what, "<= 1" if target else "info",
                                 "select not available" if not have_select else "select failed"))
            else:
                rows.append(Row(f"{tag}-{n}", what, m.median, "s", "<= 1" if target else "info",
                                1.0 if target else None, _ms(m.median)).judge())
        s10, s100 = measures.get(f"{key}-10000"), measures.get(f"{key}-{BIG}")
        rows.append(ratio_row(f"{tag}g", f"{tag.strip()}g select growth 10k -> 100k{suffix}", s100, s10,
                              12.0 if judged else None,
                              "--quick" if BIG not in sizes else "select not measured at 10k and 100k"))

    # -- 5: memory --------------------------------------------------------------------------
    memory = [(f"validate-{BIG}", "5  peak RSS validate 100k (MB)", True),
              (f"select-{BIG}", "5  peak RSS select 100k (MB)", True)]
    if HAS_APP_CACHE:
        memory.append((f"select-nocache-{BIG}", "5n peak RSS select 100k, no cache (MB)", False))
    for key, what, judged in memory:
        m = measures.get(key)
        if m is None:
            rows.append(skip(key, what, "<= 300" if judged else "info", "not measured"))
        else:
            base = measures.get("py-imports")
            rows.append(Row("5", what, m.peak_rss_mb, "MB", "<= 300" if judged else "info",
                            300.0 if judged else None,
                            f"imports alone {base.peak_rss_mb:.0f} MB" if base else "").judge())

    # -- 6: bundle quality -------------------------------------------------------------------
    log("bundle quality")
    brows, bdetail = bundle_quality(args.bundle_instances, args.seed)
    rows += brows

    # -- report --------------------------------------------------------------------------------
    doc = {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "strategease": STRATEGEASE, "rss_method": RSS_METHOD, "repeats": repeats, "quick": args.quick,
        "seed": args.seed, "rows": [r.__dict__ for r in rows],
        "measures": {k: m.as_dict() for k, m in measures.items()}, "bundle": bdetail,
    }
    if args.save:
        args.save.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(doc, indent=2, default=str))
    else:
        print(render(rows))
    return 1 if any(r.status == "FAIL" for r in rows) else 0


def render(rows: list[Row]) -> str:
    head = f"{'row':<42} {'value':>9} {'target':>8}  {'raw (measured / baseline)':<28} result"
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.value is None:
            value = "-"
        elif r.unit == "MB":
            value = f"{r.value:.0f} MB"
        elif r.unit == "s":
            value = f"{r.value:.2f} s"
        else:
            value = f"{r.value:.3f}"
        status = r.status + (f" ({r.reason})" if r.status == "SKIP" and r.reason else "")
        lines.append(f"{r.what:<42} {value:>9} {r.target:>8}  {r.raw:<28} {status}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
