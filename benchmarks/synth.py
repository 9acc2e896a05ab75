#!/usr/bin/env python3
"""Write a valid synthetic strategease catalogue of a given size, plus a matching scope file.

The catalogue follows ``src/strategease/catalogue/models.py``: every section is present (catalogue meta,
sources, frameworks, determinants with a parent hierarchy, functions, clusters, strategies with
ratings, links) and every link kind is used (``calls-for``, ``delivers``, ``addresses``,
``crosswalk``). Output is deterministic for a given ``--links``/``--seed`` (byte-identical files),
so benchmark runs are comparable and the files can be cached.

Usage::

    python benchmarks/synth.py --links 100000 --seed 1 --out DIR
    strategease validate DIR          # must report 0 errors

Files written to DIR: ``catalogue.yaml`` (meta, sources, frameworks), ``determinants.yaml``,
``strategies.yaml`` (functions, clusters, strategies) and ``links.yaml``. The scope file, naming
50 of the determinants, is written next to DIR as ``DIR.scope.yaml`` (see :func:`scope_path`), so
that ``strategease validate DIR`` reads catalogue files only.

Only the standard library is used (no PyYAML), so the generator does not depend on the code it
benchmarks. Strings are written as JSON-escaped double-quoted scalars, which are valid YAML.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

# Share of each link kind in the total (must sum to 1). ``addresses`` dominates, as in CFIR-ERIC.
KIND_SHARE = {"addresses": 0.70, "calls-for": 0.10, "delivers": 0.10, "crosswalk": 0.10}
LEVELS = ("individual", "team", "organisation", "partnership", "system")
APPROACHES = ("push", "push-pull", "co-creation")
WORDS = (
    "audit", "feedback", "training", "champion", "reminder", "incentive", "coalition", "leadership",
    "climate", "readiness", "resources", "tension", "compatibility", "complexity", "evidence",
    "adaptability", "trialability", "cost", "knowledge", "skills", "identity", "beliefs", "optimism",
    "intentions", "goals", "memory", "attention", "environment", "social", "emotion", "regulation",
    "behaviour", "consumer", "partner", "network", "trust", "autonomy", "culture", "capacity",
    "sustainability", "coordination", "fatigue", "accountability", "power", "timeline", "language",
    "ownership", "relationship",
)

SCOPE_DETERMINANTS = 50


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=True)


def _phrase(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def sizes(n_links: int) -> dict[str, int]:
    """Entity counts for a catalogue with ``n_links`` links (enough distinct pairs for every kind)."""
    n_links = max(n_links, 40)
    return {
        "determinants": max(2 * SCOPE_DETERMINANTS, n_links // 40),
        "strategies": max(20, n_links // 100),
        "functions": max(12, n_links // 500),
        "clusters": max(3, n_links // 2000),
        "sources": max(3, n_links // 1000),
    }


def scope_path(out: Path) -> Path:
    """Where the scope file for the catalogue in ``out`` is written (outside the catalogue dir)."""
    return out.with_name(out.name + ".scope.yaml")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def entry(self, fields: list[tuple[str, str | None]]) -> None:
        """One list item; ``fields`` values are already-rendered YAML scalars/flows (None = omit)."""
        first = True
        for key, value in fields:
            if value is None:
                continue
            self.lines.append(f"  {'- ' if first else '  '}{key}: {value}")
            first = False

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _unique_pairs(rng: random.Random, n_a: int, n_b: int, k: int, forced: list[tuple[int, int]],
                  allow_same: bool = True) -> list[tuple[int, int]]:
    """``k`` distinct (a, b) index pairs, starting with ``forced`` (deduplicated), in a seeded order."""
    capacity = n_a * n_b - (0 if allow_same else min(n_a, n_b))
    if k > capacity:
        raise ValueError(f"cannot draw {k} distinct pairs from {n_a} x {n_b}")
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int]] = []
    for pair in forced:
        if pair not in seen and (allow_same or pair[0] != pair[1]):
            seen.add(pair)
            out.append(pair)
    while len(out) < k:
        pair = (rng.randrange(n_a), rng.randrange(n_b))
        if pair in seen or (not allow_same and pair[0] == pair[1]):
            continue
        seen.add(pair)
        out.append(pair)
    return out[:k]


def build(n_links: int, seed: int) -> dict[str, str]:
    """Return {file name: YAML text} for the catalogue, plus the scope under ``"scope"``."""
    rng = random.Random(seed)
    size = sizes(n_links)
    n_det, n_str, n_fn, n_cl, n_src = (size[k] for k in
                                        ("determinants", "strategies", "functions", "clusters", "sources"))

    sources = [f"syn-src{i:04d}" for i in range(n_src)]
    # Two determinant frameworks (A: domains + constructs, B: constructs + subconstructs) so that
    # crosswalks go between frameworks, and one strategy framework.
    half = n_det // 2
    det_ids = [f"syna.det-{i:05d}" for i in range(half)] + [f"synb.det-{i:05d}" for i in range(n_det - half)]
    det_fw = ["syna"] * half + ["synb"] * (n_det - half)
    fn_ids = [f"synf.fn-{i:04d}" for i in range(n_fn)]
    cl_ids = [f"syncl.cluster-{i:04d}" for i in range(n_cl)]
    st_ids = [f"syns.strategy-{i:05d}" for i in range(n_str)]

    # ---------------------------------------------------------------- catalogue.yaml
    w = _Writer()
    w.add("# Synthetic strategease catalogue for benchmarks: NOT real evidence.")
    w.add(f"# generated by benchmarks/synth.py --links {n_links} --seed {seed}")
    w.add("catalogue:")
    w.add(f"  name: {_q(f'synthetic benchmark catalogue ({n_links} links, seed {seed})')}")
    w.add('  version: "0.0.1"')
    w.add(f"  description: {_q('Random entries and links for performance tests; meaningless content.')}")
    w.add("  coverage:")
    w.add(f"    - topic: {_q('synthetic')}")
    w.add(f"      note: {_q('generated at random; no real evidence')}")
    w.add(f"      source: {sources[0]}")
    w.add("sources:")
    kinds = ("primary", "secondary", "curated", "seed", "unverified")
    for i, src in enumerate(sources):
        w.entry([
            ("id", src),
            ("citation", _q(f"Synthetic, A. et al. ({2000 + i % 25}). {_phrase(rng, 3, 8).capitalize()}. "
                            f"Journal of Benchmarks {i}.")),
            ("url", _q(f"https://example.org/synthetic/{src}") if i % 3 == 0 else None),
            ("kind", kinds[i % len(kinds)]),
        ])
    w.add("frameworks:")
    for fw, name in (("syna", "Synthetic determinant framework A"), ("synb", "Synthetic determinant framework B"),
                     ("syns", "Synthetic strategy compilation"), ("synf", "Synthetic intervention functions")):
        w.entry([("id", fw), ("name", _q(name)), ("description", _q(f"{name}, generated.")),
                 ("source", sources[0])])
    files = {"catalogue.yaml": w.text()}

    # ---------------------------------------------------------------- determinants.yaml
    w = _Writer()
    w.add("determinants:")
    domains: dict[str, list[int]] = {"syna": [], "synb": []}
    for i, det in enumerate(det_ids):
        fw = det_fw[i]
        local = i if fw == "syna" else i - half
        top = local < max(2, (half if fw == "syna" else n_det - half) // 10)  # first 10% are parents
        tier = ("domain" if top else "construct") if fw == "syna" else ("construct" if top else "subconstruct")
        parents: list[str] = []
        if top:
            domains[fw].append(i)
        elif rng.random() < 0.8:
            parents = [det_ids[rng.choice(domains[fw])]]
        w.entry([
            ("id", det),
            ("name", _q(f"{_phrase(rng, 1, 4).capitalize()} {i}")),
            ("framework", fw),
            ("tier", tier),
            ("domain", _q(_phrase(rng, 1, 2)) if fw == "syna" and not top else None),
            ("parents", _flow(parents) if parents else None),
            ("description", _q(_phrase(rng, 6, 20).capitalize() + ".")),
            ("examples", _flow([_q(_phrase(rng, 2, 5)) for _ in range(rng.randint(1, 3))])
             if rng.random() < 0.5 else None),
            ("levels", _flow(sorted(rng.sample(LEVELS, rng.randint(1, 2))))),
            ("source", rng.choice(sources)),
        ])
    files["determinants.yaml"] = w.text()

    # ---------------------------------------------------------------- strategies.yaml
    w = _Writer()
    w.add("functions:")
    for i, fn in enumerate(fn_ids):
        w.entry([("id", fn), ("name", _q(f"Function {i} {_phrase(rng, 1, 2)}")),
                 ("description", _q(_phrase(rng, 4, 12).capitalize() + ".")), ("source", rng.choice(sources))])
    w.add("clusters:")
    for i, cl in enumerate(cl_ids):
        w.entry([("id", cl), ("name", _q(f"Cluster {i} {_phrase(rng, 1, 3)}")), ("framework", "syns"),
                 ("size", str(rng.randint(2, 20))), ("mean_importance", f"{rng.uniform(1, 5):.2f}"),
                 ("mean_feasibility", f"{rng.uniform(1, 5):.2f}"), ("source", sources[0])])
    w.add("strategies:")
    for i, st in enumerate(st_ids):
        rated = rng.random() < 0.7
        w.entry([
            ("id", st),
            ("name", _q(f"{_phrase(rng, 2, 5).capitalize()} {i}")),
            ("framework", "syns"),
            ("number", str(i + 1)),
            ("cluster", rng.choice(cl_ids)),
            ("cluster_basis", rng.choice(("sourced", "inferred", "curated"))),
            ("description", _q(_phrase(rng, 8, 30).capitalize() + ".")),
            ("levels", _flow(sorted(rng.sample(LEVELS, rng.randint(1, 3))))),
            ("approach", _flow(sorted(rng.sample(APPROACHES, rng.randint(1, 2))))),
            ("ratings", "{" + f"importance: {rng.uniform(1, 5):.2f}, feasibility: {rng.uniform(1, 5):.2f}, "
             f"source: {sources[0]}" + "}" if rated else None),
            ("source", rng.choice(sources)),
        ])
    files["strategies.yaml"] = w.text()

    # ---------------------------------------------------------------- links.yaml
    counts = {kind: int(n_links * share) for kind, share in KIND_SHARE.items()}
    counts["addresses"] += n_links - sum(counts.values())
    a_dets = [i for i in range(n_det) if det_fw[i] == "syna"]
    b_dets = [i for i in range(n_det) if det_fw[i] == "synb"]
    # Every strategy gets at least one link pointing to it (no orphan warnings).
    forced_addr = [(rng.randrange(n_det), s) for s in range(n_str)]
    pairs = {
        "addresses": [(det_ids[a], st_ids[b]) for a, b in
                      _unique_pairs(rng, n_det, n_str, counts["addresses"], forced_addr)],
        "calls-for": [(det_ids[a], fn_ids[b]) for a, b in
                      _unique_pairs(rng, n_det, n_fn, counts["calls-for"], [])],
        "delivers": [(fn_ids[a], st_ids[b]) for a, b in
                     _unique_pairs(rng, n_fn, n_str, counts["delivers"], [])],
        "crosswalk": [(det_ids[a_dets[a]], det_ids[b_dets[b]]) for a, b in
                      _unique_pairs(rng, len(a_dets), len(b_dets), counts["crosswalk"], [])],
    }
    w = _Writer()
    w.add("links:")
    order = [(kind, p) for kind in ("calls-for", "delivers", "addresses", "crosswalk") for p in pairs[kind]]
    rng.shuffle(order)
    for kind, (src, dst) in order:
        fields: list[tuple[str, str | None]] = [("from", src), ("to", dst), ("kind", kind)]
        if kind == "addresses":
            if rng.random() < 0.85:
                fields += [("strength", f"{rng.random():.3f}"), ("n_respondents", str(rng.randint(5, 200))),
                           ("evidence", "survey-of-experts")]
            else:
                fields += [("strength_lower", f"{rng.uniform(0, 0.5):.2f}"), ("evidence", "secondary-report")]
        elif kind == "calls-for":
            fields += [("evidence", "published-matrix")]
        elif kind == "delivers":
            fields += [("strength", f"{rng.uniform(0.3, 1):.2f}") if rng.random() < 0.5 else ("strength", None),
                       ("evidence", "curated"), ("rationale", _q(_phrase(rng, 4, 12) + "."))]
        else:
            fields += [("evidence", "secondary-report"),
                       ("note", _q(_phrase(rng, 3, 8)) if rng.random() < 0.3 else None)]
        fields.append(("source", rng.choice(sources)))
        w.entry(fields)
    files["links.yaml"] = w.text()

    # ---------------------------------------------------------------- scope
    files["scope"] = _scope(rng, det_ids, st_ids, n_links, seed)
    return files


def _scope(rng: random.Random, det_ids: list[str], st_ids: list[str], n_links: int, seed: int) -> str:
    """A scope naming ``SCOPE_DETERMINANTS`` determinants (the format read by ``strategease.selection.scope``)."""
    chosen = rng.sample(det_ids, SCOPE_DETERMINANTS)
    w = _Writer()
    w.add(f"# Synthetic scope for benchmarks (catalogue: --links {n_links} --seed {seed}).")
    w.add(f"title: {_q(f'Synthetic scope, {SCOPE_DETERMINANTS} determinants')}")
    w.add("change:")
    w.add(f"  actor: {_q('Synthetic teams')}")
    w.add(f"  action: {_q('Adopt a synthetic practice')}")
    w.add(f"  context: {_q('A synthetic organisation')}")
    w.add("level: [individual, team, organisation]")
    w.add("determinants:")
    for i, det in enumerate(chosen):
        w.entry([
            ("id", det),
            ("kind", "facilitator" if i % 5 == 4 else "barrier"),
            ("importance", str(rng.randint(1, 5))),
            ("changeability", str(rng.randint(1, 5))),
            ("note", _q(_phrase(rng, 3, 8)) if i % 4 == 0 else None),
        ])
    w.add("constraints:")
    w.add("  max_strategies: 5")
    w.add(f"  exclude: {_flow(rng.sample(st_ids, 2))}")
    return w.text()


def write(n_links: int, seed: int, out: Path) -> Path:
    """Write the catalogue into ``out`` (created) and its scope to :func:`scope_path`; return the scope path."""
    files = build(n_links, seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    scope = files.pop("scope")
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    path = scope_path(out)
    path.write_text(scope, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, required=True, help="number of links (>= 40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the catalogue files into")
    args = parser.parse_args(argv)
    if args.links < 40:
        parser.error("--links must be at least 40")
    scope = write(args.links, args.seed, args.out)
    size = sizes(args.links)
    print(f"wrote {args.out}/ ({args.links} links, "
          + ", ".join(f"{n} {k}" for k, n in size.items()) + f") and {scope}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
