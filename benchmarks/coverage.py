"""The coverage row (issue #13): how far the shipped catalogue's evidence reaches, reported, never pass/fail.

    python benchmarks/coverage.py            # or: python benchmarks/run.py --coverage
    python benchmarks/coverage.py --json

Per framework: determinants, how many reach at least three strategies and how many reach none (through the
paths `strategease validate` follows, `strategease.catalogue.reach`), and how many of those reach three or more
through links method `default` actually scores (lower and upper bounds left out). Then the catalogue's links
by evidence kind and the curated share, with and without the "below 20 %" upper-bound links (which are
survey facts but no route). Uses the strategease installed next to the Python that runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter


def measure() -> dict[str, object]:
    from strategease.catalogue.load import load_catalogue
    from strategease.catalogue.reach import Reachability
    from strategease.selection.routes import resolve
    from strategease.selection.scope import Kind, ScopeDeterminant

    cat, _ = load_catalogue(None, [], use_cache=False)
    graph = Reachability(cat)
    frameworks: dict[str, dict[str, int]] = {}
    for det in cat.determinants.values():
        if det.retired:
            continue
        row = frameworks.setdefault(det.framework, {"determinants": 0, "reach_3": 0, "reach_0": 0, "scored_3": 0})
        row["determinants"] += 1
        reached = len(graph.reach(det.id).strategies)
        row["reach_3"] += reached >= 3
        row["reach_0"] += reached == 0
        scored = resolve(cat, ScopeDeterminant(id=det.id, kind=Kind.barrier)).routes
        row["scored_3"] += len([s for s in scored if s in cat.strategies]) >= 3
    evidence = Counter(link.evidence.value for link in cat.links)
    upper = sum(1 for lk in cat.links if lk.strength is None and lk.strength_lower is None
                and lk.strength_upper is not None)
    total = sum(evidence.values())
    curated = evidence.get("curated", 0)
    return {"frameworks": frameworks, "links": total, "evidence": dict(sorted(evidence.items())),
            "upper_bounds": upper, "curated_share": round(curated / total, 4) if total else None,
            "curated_share_without_upper_bounds": round(curated / (total - upper), 4) if total > upper else None}


def render(doc: dict[str, object]) -> str:
    lines = ["Coverage of the shipped catalogue (reported, not a pass/fail test)", "",
             f"{'framework':<12} {'dets':>5} {'reach>=3':>9} {'reach 0':>8} {'scored>=3':>10}"]
    frameworks = doc["frameworks"]
    assert isinstance(frameworks, dict)
    for fw, row in sorted(frameworks.items()):
        lines.append(f"{fw:<12} {row['determinants']:>5} {row['reach_3']:>9} {row['reach_0']:>8} {row['scored_3']:>10}")
    lines += ["", f"links: {doc['links']} " + ", ".join(f"{k} {v}" for k, v in dict(doc["evidence"]).items()),  # type: ignore[call-overload]
              f"curated share: {doc['curated_share']:.1%} of all links; "
              f"{doc['curated_share_without_upper_bounds']:.1%} leaving out the {doc['upper_bounds']} "
              "'below 20 %' upper bounds"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    doc = measure()
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n" if args.json else render(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
