"""The shipped catalogue's strategy model: targets, classes, graded function links, direct TDF/COM-B links and
published effects, checked on the loaded catalogue and through the installed CLI (`show --format json`)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from strategease.catalogue.load import Catalogue, load_catalogue
from strategease.vocab import Evidence, Grade, LinkKind

# The reference CSVs sit beside the repository (../shared/reference) when it is checked out in the project's
# workspace; the figure checks against them are skipped elsewhere, the pinned figures are checked regardless.
REFERENCE = next((p / "shared" / "reference" for p in Path(__file__).resolve().parents[1:4]
                  if (p / "shared" / "reference").is_dir()), Path("/nonexistent"))


@lru_cache(maxsize=1)
def _shipped() -> Catalogue:
    cat, report = load_catalogue()
    assert not report.errors
    return cat


def _direct(cat: Catalogue, prefix: str) -> dict[str, list]:
    out: dict[str, list] = {d: [] for d in cat.determinants if d.startswith(prefix)}
    for lk in cat.links:
        if lk.kind is LinkKind.addresses and lk.from_.startswith(prefix):
            out[lk.from_].append(lk)
    return out


@pytest.mark.parametrize("prefix, n", [("tdf.", 14), ("comb.", 6)])
def test_every_tdf_domain_and_comb_component_has_a_primary_direct_link(prefix: str, n: int) -> None:
    direct = _direct(_shipped(), prefix)
    assert len(direct) == n
    for det, links in direct.items():
        assert any(lk.grade is Grade.primary for lk in links), det
        for lk in links:
            assert lk.grade is not None and lk.rationale and lk.source, (det, lk.to)
            if lk.evidence is Evidence.curated:
                assert lk.source == "strategease-curation"


def test_direct_links_cite_reviews_and_bct_chains_where_claimed() -> None:
    cat = _shipped()
    direct = [lk for links in (_direct(cat, "tdf.") | _direct(cat, "comb.")).values() for lk in links]
    kinds = Counter(lk.evidence for lk in direct)
    assert kinds[Evidence.systematic_review] >= 10 and kinds[Evidence.secondary_report] >= 3
    by_pair = {(lk.from_, lk.to): lk for lk in direct}
    reminder = by_pair[("tdf.memory-attention-and-decision-processes", "eric.remind-clinicians")]
    assert (reminder.grade, reminder.evidence, reminder.source) == (Grade.primary, Evidence.systematic_review,
                                                                    "shojania2009")
    feedback = by_pair[("tdf.knowledge", "eric.audit-and-provide-feedback")]
    assert feedback.evidence is Evidence.secondary_report and feedback.source == "mchugh2022"
    assert "2.2 Feedback on behaviour" in (feedback.note or "")
    for lk in direct:
        if lk.evidence is Evidence.systematic_review:
            assert any(e.source == lk.source for e in cat.strategies[lk.to].effects), (lk.from_, lk.to)


def test_no_patient_aimed_strategy_is_a_primary_link_of_a_clinician_domain() -> None:
    cat = _shipped()
    for links in (_direct(cat, "tdf.") | _direct(cat, "comb.")).values():
        for lk in links:
            if cat.strategies[lk.to].targets == ["recipients"]:
                assert lk.grade is Grade.secondary, (lk.from_, lk.to)


def test_every_strategy_has_targets_and_a_class_with_source_and_rationale() -> None:
    cat = _shipped()
    for sid, s in cat.strategies.items():
        assert s.targets and s.targets_source in cat.sources and s.targets_rationale, sid
        assert s.strategy_class and s.class_source in cat.sources and s.class_rationale, sid
    assert cat.strategies["eric.remind-clinicians"].targets == ["deliverers"]
    assert cat.strategies["eric.prepare-patients-consumers-to-be-active-participants"].targets == ["recipients"]
    assert cat.strategies["eric.conduct-local-needs-assessment"].class_source == "leeman2024"
    assert cat.strategies["eric.conduct-educational-meetings"].strategy_class == "capacity-building"


def test_function_links_are_graded_and_enablement_is_narrow() -> None:
    cat = _shipped()
    delivers = [lk for lk in cat.links if lk.kind is LinkKind.delivers]
    assert all(lk.grade is not None and lk.rationale for lk in delivers)
    per_fn = Counter(lk.from_ for lk in delivers)
    assert set(per_fn) == set(cat.functions)
    assert min(per_fn.values()) >= 3
    assert per_fn["bcw.enablement"] <= 15


def test_each_effect_names_an_existing_source() -> None:
    cat = _shipped()
    effects = [(sid, e) for sid, s in cat.strategies.items() for e in s.effects]
    assert len(effects) >= 30
    for sid, e in effects:
        assert e.source in cat.sources, (sid, e.source)


def _csv_effect(row_id: str) -> str:
    with (REFERENCE / "epoc_strategy_effects.csv").open(newline="", encoding="utf-8") as fh:
        return next(r["summary_effect_as_printed"] for r in csv.DictReader(fh) if r["row_id"] == row_id)


# (strategy, review source, row of epoc_strategy_effects.csv, figure as printed there)
PINNED = [
    ("eric.audit-and-provide-feedback", "ivers2012", "4", "weighted median adjusted RD 4.3% (IQR 0.5% to 16%)"),
    ("eric.audit-and-provide-feedback", "ivers2025", "1",
     "median absolute improvement in desired practice 2.7%, IQR 0.0 to 8.6"),
    ("eric.conduct-educational-outreach-visits", "obrien2007", "10", "median adjusted RD 5.6% (IQR 3.0% to 9.0%)"),
    ("eric.remind-clinicians", "shojania2009", "24",
     "median improvement in process adherence 4.2% (IQR 0.8% to 18.8%)"),
    ("eric.conduct-educational-meetings", "forsetlund2009", "13",
     "median adjusted risk difference 6% (IQR 1.8 to 15.9)"),
]


@pytest.mark.parametrize("sid, source, row, figure", PINNED)
def test_pinned_effect_figures_are_as_printed_through_show(cli, sid: str, source: str, row: str, figure: str) -> None:
    if REFERENCE.is_dir():
        assert _csv_effect(row) == figure
    r = cli("show", sid, "--format", "json")
    assert r.code == 0, r.err
    effects = json.loads(r.out)["effects"]
    assert figure in [e.get("effect") for e in effects if e["source"] == source]


def test_rows_without_a_figure_stay_without_one(cli) -> None:
    r = cli("show", "eric.tailor-strategies", "--format", "json")
    effects = {e["source"]: e for e in json.loads(r.out)["effects"]}
    assert "effect" not in effects["baker2015"] or effects["baker2015"]["effect"] is None
    assert effects["baker2010"]["effect"] == "pooled effect (OR) 1.52"
