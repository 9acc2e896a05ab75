"""Issue 13's code: aliases, published effects, the per-scope evidence statement, routes in validate, curated share."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLES, ROOT

SELECT_CAT = EXAMPLES / "select" / "catalogue.yaml"
DELIRIUM = ROOT / "examples" / "delirium-scope.yaml"

LAYER = """\
sources:
  - id: ivers2012
    citation: Ivers N, et al. Audit and feedback. Cochrane Database Syst Rev. 2012;(6):CD000259.
strategies:
  - id: eric.audit-and-provide-feedback
    aliases: [Audit & feedback with benchmarks]
    effects:
      - review: Ivers et al. 2012 (Cochrane)
        source: ivers2012
        outcome: compliance with desired practice
        effect: median absolute improvement 4.3 % (IQR 0.5 to 16 %)
        studies: 49
        certainty: moderate
determinants:
  - id: tdf.knowledge
    aliases: [Know-how about the 4AT]
"""


def _layer(tmp_path: Path) -> Path:
    path = tmp_path / "layer.yaml"
    path.write_text(LAYER, encoding="utf-8")
    return path


def test_import_links_accepts_british_spelling_and_aliases(cli, tmp_path: Path) -> None:
    csv = tmp_path / "links.csv"
    csv.write_text("determinant,strategy,percent\n"
                   "Reflecting and evaluating,Use an implementation adviser,40\n"
                   "Reflecting and evaluating,Audit & feedback with benchmarks,56\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    r = cli("import-links", csv, "-o", out, "--from-framework", "cfir1", "--to-framework", "eric",
            "--source-citation", "Test T. A survey. 2026.", "--catalogue", _layer(tmp_path))
    assert r.code == 0, r.err
    text = out.read_text(encoding="utf-8")
    assert "to: eric.use-an-implementation-advisor" in text
    assert "to: eric.audit-and-provide-feedback" in text


def test_ratings_accept_an_alias(cli, tmp_path: Path) -> None:
    ratings = tmp_path / "r.csv"
    ratings.write_text("rater,determinant,importance,changeability\nA,Know-how about the 4AT,5,4\n", encoding="utf-8")
    r = cli("select", DELIRIUM, "--ratings", ratings, "--catalogue", _layer(tmp_path), "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    knowledge = next(d for d in doc["determinants"] if d["id"] == "tdf.knowledge")
    assert (knowledge["importance"], knowledge["changeability"]) == (5, 4)


def test_search_finds_an_alias(cli, tmp_path: Path) -> None:
    r = cli("search", "benchmarks", "--format", "json", "--catalogue", _layer(tmp_path))
    assert r.code == 0, r.err
    assert "eric.audit-and-provide-feedback" in [h["id"] for h in json.loads(r.out)]


def test_effects_show_in_show_explain_and_report(cli, tmp_path: Path) -> None:
    layer = _layer(tmp_path)
    r = cli("show", "eric.audit-and-provide-feedback", "--catalogue", layer)
    assert r.code == 0, r.err
    flat = " ".join(r.out.split())
    assert "median absolute improvement 4.3 % (IQR 0.5 to 16 %)" in flat
    assert "not part of any score" in flat
    r = cli("select", DELIRIUM, "--catalogue", layer, "--explain", "eric.audit-and-provide-feedback")
    assert r.code == 0, r.err
    flat = " ".join(r.out.split())
    assert "Published effectiveness (not part of the score)" in flat
    assert "49 studies; moderate" in flat
    r = cli("select", DELIRIUM, "--catalogue", layer, "--explain", "eric.audit-and-provide-feedback",
            "--format", "json")
    assert json.loads(r.out)["effects"][0]["studies"] == 49
    report = tmp_path / "r.md"
    r = cli("report", DELIRIUM, "--base", SELECT_CAT, "--catalogue", layer, "-o", report, "--bundle", "10")
    assert r.code == 0, r.err
    section6 = report.read_text(encoding="utf-8").split("## 6.")[1].split("## 7.")[0]
    assert "Audit and provide feedback" in section6
    assert "median absolute improvement 4.3 %" in section6


def test_scope_evidence_statement(cli) -> None:
    r = cli("select", DELIRIUM, "--base", SELECT_CAT, "--format", "json")
    assert r.code == 0, r.err
    basis = json.loads(r.out)["evidence_basis"]
    assert basis["determinants"]["cfir1.reflecting-and-evaluating"] == "survey-of-experts"
    assert sum(basis["counts"].values()) == 5
    assert basis["summary"].startswith("Evidence behind the 5 determinants: 1 by expert-survey data")
    r = cli("select", DELIRIUM, "--base", SELECT_CAT)
    assert basis["summary"] in r.err


def test_a_determinant_without_a_route_fails_strict_validate(cli, tmp_path: Path) -> None:
    layer = tmp_path / "orphan.yaml"
    layer.write_text("determinants:\n"
                     "  - id: org.lonely-barrier\n"
                     "    name: A barrier nothing addresses\n"
                     "    framework: tdf\n"
                     "    tier: domain\n"
                     "    description: Used to check the no-route rule.\n"
                     "    source: strategease-curation\n", encoding="utf-8")
    r = cli("validate", "--catalogue", layer, "--format", "json")
    findings = [f for f in json.loads(r.out)["findings"] if f["rule"] == "no-route"]
    assert [f["entry"] for f in findings if f["entry"] == "org.lonely-barrier"]
    assert findings[0]["line"] >= 1
    r = cli("validate", "--catalogue", layer, "--strict")
    assert r.code == 1
    assert "org.lonely-barrier" in r.out + r.err


def test_an_upper_bound_link_is_no_route(tmp_path: Path) -> None:
    from strategease.catalogue.load import load_catalogue
    from strategease.catalogue.reach import Reachability

    layer = tmp_path / "bound.yaml"
    layer.write_text("determinants:\n"
                     "  - {id: org.bounded, name: Bounded, framework: tdf, tier: domain,\n"
                     "     source: strategease-curation}\n"
                     "links:\n"
                     "  - {from: org.bounded, to: eric.audit-and-provide-feedback, kind: addresses,\n"
                     "     strength_upper: 0.2, evidence: survey-of-experts, source: strategease-curation}\n",
                     encoding="utf-8")
    cat, report = load_catalogue(None, [layer])
    assert not report.errors
    reach = Reachability(cat).reach("org.bounded")
    assert reach.basis == "none" and not reach.strategies


def test_list_sources_reports_the_curated_share(cli) -> None:
    r = cli("list", "sources")
    assert r.code == 0, r.err
    assert "curated (" in r.out and "this project's judgement" in r.out
    r = cli("list", "sources", "--format", "json")
    rows = json.loads(r.out)
    assert all(isinstance(row["links"], int) for row in rows)
    assert sum(row["links"] for row in rows) > 0
