#!/usr/bin/env python3
"""Before/after figures for the start-up and ``select`` rows of ``run.py``, two installs alternated in one run.

Usage (each PYTHON is the interpreter of a venv with strategease installed, e.g. one with ``main``
and one with a branch; ``pip install .`` rather than ``-e``, as ``run.py`` advises)::

    python benchmarks/ab.py BEFORE_PYTHON AFTER_PYTHON [--repeats 7] [--sizes 1000 10000 100000]

Rows 1, 1n, 2, 4 and 4n, and the peak RSS of row 5 for ``select``, measured exactly as ``run.py``
measures them (its ``run_once``: whole processes, wall-clock median after one discarded warm-up,
peak RSS through GNU time), with every command of both installs and the baselines run round-robin
(floor, before, after, floor, before, after …), so that load from elsewhere on a shared machine
falls on both installs alike. Each install gets its own ``STRATEGEASE_CACHE_DIR``. Rows ``3``
(validate) and ``6`` (bundle quality) are not covered: use ``run.py`` with each install.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path, help="python of the 'before' install")
    ap.add_argument("after", type=Path, help="python of the 'after' install")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--slow", type=float, default=5.0, help="commands slower than this are repeated 3 times")
    ap.add_argument("--sizes", type=int, nargs="*", default=list(run.SIZES))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    installs = {"before": args.before, "after": args.after}
    env: dict[str, dict[str, str]] = {}
    for name in installs:
        cache = run.CACHE / f"ab-cache-{name}"
        if cache.exists():
            shutil.rmtree(cache)
        env[name] = {**run.CHILD_ENV, "STRATEGEASE_CACHE_DIR": str(cache)}
        env[name + "-nocache"] = {**env[name], "STRATEGEASE_NO_CACHE": "1"}

    def exe(name: str) -> str:
        return str(installs[name].parent / "strategease")

    scope = str(run.SCOPE)
    group: list[tuple[str, str, list[str], dict[str, str] | None]] = [
        ("floor", "import typer, pydantic, yaml, rich", [run.PY, "-c", "import typer, pydantic, yaml, rich.console"],
         None),
        ("typer", "import typer", [run.PY, "-c", "import typer"], None)]
    for name in installs:
        group += [(f"1-{name}", f"select delirium-scope ({name})", [exe(name), "select", scope], env[name]),
                  (f"1n-{name}", f"same, no cache ({name})", [exe(name), "select", scope], env[name + "-nocache"]),
                  (f"2-{name}", f"--help ({name})", [exe(name), "--help"], env[name])]
    log("start-up, both installs interleaved")
    measures = run.measure_group(group, args.repeats, args.slow, log)
    for n in args.sizes:
        out, sc = run.synthetic(n, args.seed, log)
        group = []
        for name in installs:
            argv = [exe(name), "select", str(sc), "--base", str(out)]
            group += [(f"4-{n}-{name}", f"select {n} ({name})", argv, env[name]),
                      (f"4n-{n}-{name}", f"select {n}, no cache ({name})", argv, env[name + "-nocache"])]
        log(f"select, {n} links, both installs interleaved")
        measures.update(run.measure_group(group, args.repeats, args.slow, log))

    def median(key: str) -> float | None:
        got = measures.get(key)
        return got.median if got else None

    head = f"{'row':<44} {'before':>10} {'after':>10}  {'after/before':>12}"
    lines = [head, "-" * len(head)]

    def line(what: str, before: float | None, after: float | None, unit: str) -> None:
        if before is None or after is None:
            lines.append(f"{what:<44} {'-':>10} {'-':>10}")
            return
        fmt = {"x": "{:.2f}", "s": "{:.3f} s", "MB": "{:.0f} MB"}[unit]
        lines.append(f"{what:<44} {fmt.format(before):>10} {fmt.format(after):>10}  {after / before:>12.2f}")

    floor, typer_only = median("floor"), median("typer")
    for rid, what, base in (("1", "1  select (shipped) / import baseline", floor),
                            ("1n", "1n same, STRATEGEASE_NO_CACHE=1", floor),
                            ("2", "2  --help / import typer", typer_only)):
        b, a = median(f"{rid}-before"), median(f"{rid}-after")
        line(what, b / base if b and base else None, a / base if a and base else None, "x")
    for n in args.sizes:
        line(f"4  select 50 dets, {n // 1000}k links (s)", median(f"4-{n}-before"), median(f"4-{n}-after"), "s")
    for n in args.sizes:
        line(f"4n select 50 dets, {n // 1000}k links, no cache (s)", median(f"4n-{n}-before"),
             median(f"4n-{n}-after"), "s")
    big = max(args.sizes, default=None)
    if big is not None:
        rss = {name: measures.get(f"4-{big}-{name}") for name in installs}
        line(f"5  peak RSS select {big // 1000}k (MB)", rss["before"].peak_rss_mb if rss["before"] else None,
             rss["after"].peak_rss_mb if rss["after"] else None, "MB")
    lines.append(f"(floor {floor * 1000:.0f} ms, import typer {typer_only * 1000:.0f} ms; "
                 f"{args.repeats} repeats; python {sys.version.split()[0]})" if floor and typer_only else "")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
