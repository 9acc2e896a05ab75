"""The strategy model of data/strategies.yaml, called from build_strategies.Build.build.

* whom each strategy acts on (`targets`) and its Leeman class (`class`), from curated_strategy_model.yaml;
* graded function -> strategy links (`delivers`), from the same file;
* direct TDF / COM-B -> strategy links (`addresses`, graded), from curated_direct_links.yaml, with the
  McHugh 2022 ERIC -> BCT -> TDF chains checked against the reference CSVs;
* published effectiveness (`effects`) from epoc_strategy_effects.csv, with one source per review.

Kept apart from build_strategies.py so that the CFIR and partnering layers can change independently.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
MODEL = HERE / "curated_strategy_model.yaml"
DIRECT = HERE / "curated_direct_links.yaml"
CURATION = "strategease-curation"

ACTORS = {"deliverers", "recipients", "leaders", "implementation-team", "organisation", "partners", "policy-makers"}
SECTORS = {"health-care", "social-care", "education", "justice", "community"}
CLASSES = {"implementation-process", "capacity-building", "integration", "scale-up", "dissemination"}
GRADES = {"primary", "secondary"}
# Levels at which each kind of target can be acted on: a strategy's `levels` must include one per target.
TARGET_LEVELS = {
    "deliverers": {"individual", "team"}, "recipients": {"individual", "team", "system"},
    "leaders": {"individual", "team", "organisation"}, "implementation-team": {"team", "organisation"},
    "organisation": {"organisation"}, "partners": {"partnership", "system"}, "policy-makers": {"system"},
}
# Field order of models.Strategy, so the YAML reads in the schema's order.
STRATEGY_KEYS = ["id", "name", "framework", "aliases", "number", "cluster", "cluster_basis", "description", "levels",
                 "approach", "targets", "targets_source", "targets_rationale", "sectors", "sectors_source",
                 "sectors_rationale", "class", "class_source", "class_rationale", "ratings", "effects", "source",
                 "note", "retired", "replaced_by"]
ENABLEMENT_MAX = 15

SOURCES = [
    {"id": "leeman2017", "kind": "primary",
     "citation": "Leeman J, Birken SA, Powell BJ, Rohweder C, Shea CM. Beyond 'implementation strategies': "
                 "classifying the full range of strategies used in implementation science and practice. "
                 "Implement Sci. 2017;12:125.",
     "url": "https://implementationscience.biomedcentral.com/articles/10.1186/s13012-017-0657-x",
     "note": "Five classes of strategy (dissemination, implementation process, integration, capacity-building, "
             "scale-up). Read: the abstract, Table 1 (key terms) and Table 2 rows for dissemination, "
             "implementation process and integration, with example strategies; the capacity-building and "
             "scale-up rows were cut off. Which ERIC strategy an example corresponds to is this project's reading."},
    {"id": "leeman2024", "kind": "primary",
     "citation": "Leeman J, Rohweder C, Lafata JE, Wangen M, et al. A streamlined approach to classifying and "
                 "tailoring implementation strategies: recommendations to speed the translation of research to "
                 "practice. Implement Sci Commun. 2024 (doi 10.1186/s43058-024-00606-8).",
     "url": "https://implementationsciencecomms.biomedcentral.com/articles/10.1186/s43058-024-00606-8",
     "note": "Sorts the 73 ERIC strategies into implementation processes (25), capacity-building strategies (20) "
             "and integration strategies (28). Only the abstract was read: it names Conduct local needs "
             "assessment as a process and Conduct educational meetings as capacity-building. The other 71 "
             "assignments were not read; this catalogue's classes for them are curated from the published "
             "class definitions."},
    {"id": "mchugh2022", "kind": "primary",
     "citation": "McHugh S, Presseau J, Luecking CT, Powell BJ. Examining the complementarity between the ERIC "
                 "compilation of implementation strategies and the behaviour change technique taxonomy. "
                 "Implement Sci. 2022 (doi 10.1186/s13012-022-01227-2).",
     "url": "https://implementationscience.biomedcentral.com/articles/10.1186/s13012-022-01227-2",
     "note": "Codes ERIC strategies to behaviour change techniques (BCT Taxonomy v1). Only the first rows of its "
             "Table 4 were read (Audit and provide feedback, Develop a formal implementation blueprint, Change "
             "physical structure and equipment); other strategies' codings are unknown here, not absent."},
    {"id": "bct-tdf-2020", "kind": "secondary",
     "citation": "Implement Sci. 2020;15:44 (doi 10.1186/s13012-020-01001-2), Table 4: theoretical congruence "
                 "between behaviour change techniques and TDF domains, per an integrated linking matrix.",
     "url": "https://pmc.ncbi.nlm.nih.gov/articles/PMC7336619/table/Tab4",
     "note": "BCT -> TDF domain links for the first 16 techniques of the table (the rest, and the footnote naming "
             "the matrix's sources, were not read). Used with McHugh et al. 2022 to trace ERIC -> BCT -> TDF."},
]


def _read(ref: Path, name: str) -> list[dict[str, str]]:
    with (ref / name).open(newline="", encoding="utf-8") as fh:
        return [{k: " ".join((v or "").split()) for k, v in row.items()} for row in csv.DictReader(fh)]


def _slug(name: str) -> str:
    s = re.sub(r"\(.*?\)", "", name).lower().replace("/", " ").replace(",", " ")
    s = re.sub(r"[^a-z0-9 -]", "", s)
    return "-".join(s.split())


def _ascii(name: str) -> str:
    name = name.replace("ø", "o").replace("Ø", "O")
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def _curated_text(why: str) -> str:
    return " ".join(why.split())


# ------------------------------------------------------------------------------------ reviews as sources
class Reviews:
    """One catalogue source per systematic review of epoc_strategy_effects.csv (rows of the same review share it)."""

    def __init__(self, ref: Path) -> None:
        self.rows = _read(ref, "epoc_strategy_effects.csv")
        how = {r["source_code"]: r for r in _read(ref, "sources_round3.csv")}
        self.by_key: dict[str, dict] = {}
        self.row_source: dict[str, str] = {}
        self.sources: list[dict] = []
        ids: set[str] = set()
        for r in self.rows:
            key = r["doi"] or r["review_id"] or f"row{r['row_id']}"
            if key not in self.by_key:
                src = self._source(r, how, ids)
                ids.add(src["id"])
                self.by_key[key] = src
                self.sources.append(src)
            else:
                self._add_reading(self.by_key[key], r, how)
            self.row_source[r["row_id"]] = self.by_key[key]["id"]

    @staticmethod
    def author(r: dict[str, str]) -> str | None:
        first = r["review"].split(",", 1)[0].split(" ")
        if "(as above)" in r["review"] or len(first) < 2 or not first[1][:1].isupper() or len(first[1]) > 3:
            return None
        return first[0]

    def _source(self, r: dict[str, str], how: dict, taken: set[str]) -> dict:
        year = r["year"][:4]
        author = self.author(r)
        cd = r["review_id"].split(" ")[0]
        base = f"{_ascii(author).lower().replace(chr(39), '')}{year}" if author else f"{cd.lower()}-update"
        sid, n = base, 0
        while sid in taken:
            n += 1
            sid = base + "bcdefgh"[n - 1]
        cochrane = r["review_type"].startswith("Cochrane")
        journal = re.search(r"\(([^()]*)\)$", r["review_type"])
        if cochrane and r["doi"]:
            citation = f"{r['review']}. Cochrane Database of Systematic Reviews {year}, {r['review_id']}."
        elif cochrane:
            citation = f"{r['review']}. Cochrane Database of Systematic Reviews (publication year and number not read)."
        elif year in r["review"]:
            citation = f"{r['review']}."
        else:
            citation = f"{r['review']}. {journal.group(1) if journal else r['review_type']}. {year}."
        src = {"id": sid, "citation": citation, "kind": "primary", "_reads": [], "_notes": [],
               "short": f"{author} et al. {year}" if author else f"Cochrane {cd} update ({year})",
               "cochrane": cochrane}
        if r["doi"]:
            src["url"] = f"https://doi.org/{r['doi']}"
        self._add_reading(src, r, how)
        return src

    @staticmethod
    def _add_reading(src: dict, r: dict[str, str], how: dict) -> None:
        for code in r["source_codes"].split(";"):
            h = how.get(code.strip())
            if h:
                reading = f"{h['citation_and_scope']} ({h['url_or_repo_path']})"
                if reading not in src["_reads"]:
                    src["_reads"].append(reading)
        for part in re.split(r"(?<=\.)\s+|;\s+", r["notes"]):
            if "verify" in part.lower() and part not in src["_notes"]:
                src["_notes"].append(part)

    def catalogue_sources(self, used: set[str]) -> list[dict]:
        out = []
        for s in self.sources:
            if s["id"] not in used:
                continue
            note = "Review of the effect of an implementation strategy on professional practice (figures on the " \
                   "strategies it evaluated, under effects). Read through: " + "; ".join(s["_reads"]) + "."
            if s["_notes"]:
                note += " To verify: " + " ".join(s["_notes"])
            e = {"id": s["id"], "citation": s["citation"], "url": s.get("url"), "kind": s["kind"], "note": note}
            out.append({k: v for k, v in e.items() if v})
        return out


def _int_prefix(text: str) -> int | None:
    m = re.match(r"\s*(\d[\d,]*)", text)
    return int(m.group(1).replace(",", "")) if m else None


def _studies(r: dict[str, str]) -> int | None:
    """Studies behind the figure: those in the analysis when it names a number of studies, the review's
    included studies when no subset is given, else unknown (a count of comparisons is not one of studies)."""
    analysis = r["n_in_analysis"]
    if not analysis:
        return _int_prefix(r["n_studies_included"])
    m = re.search(r"(\d+) (?:studies|trials|randomi[sz]ed|RCTs)", analysis) or re.fullmatch(r"(\d+)", analysis)
    return int(m.group(1)) if m else None


# ------------------------------------------------------------------------------------ the build steps
class StrategyModel:
    def __init__(self, b: Any) -> None:
        self.b = b
        self.model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))["strategies"]
        self.direct = yaml.safe_load(DIRECT.read_text(encoding="utf-8"))["links"]
        self.reviews = Reviews(b.ref)
        self.stats: dict[str, Any] = {}

    # -- sources
    def sources(self) -> list[dict]:
        used = {lk["source"] for lk in self.b.links} | self.effect_sources
        return [{k: s[k] for k in ("id", "citation", "url", "kind", "note") if s.get(k)} for s in SOURCES] + \
            self.reviews.catalogue_sources(used)

    # -- targets and class
    def apply(self, strategies: list[dict]) -> None:
        ids = {s["id"] for s in strategies}
        for sid in sorted(set(self.model) - ids):
            self.b.disc(f"strategy model: entry for {sid}, which is not in this catalogue (skipped)")
        for s in strategies:
            m = self.model.get(s["id"])
            if m is None:
                sys.exit(f"strategy model: no entry for {s['id']} in {MODEL.name}")
            if not s.get("targets"):  # a layer with a published source may have set them already
                s["targets"] = list(m["targets"])
                s["targets_source"] = m.get("targets_source", CURATION)
                s["targets_rationale"] = _curated_text(m["targets_rationale"])
            if m.get("sectors") or m.get("sectors_rationale"):  # the sectors whose machinery it needs (formularies…)
                if not m.get("sectors") or not m.get("sectors_rationale"):
                    sys.exit(f"strategy model: {s['id']}: sectors and sectors_rationale go together")
                if set(m["sectors"]) - SECTORS:
                    sys.exit(f"strategy model: {s['id']}: unknown sectors {sorted(set(m['sectors']) - SECTORS)}")
                s["sectors"] = list(m["sectors"])
                s["sectors_source"] = m.get("sectors_source", CURATION)
                s["sectors_rationale"] = _curated_text(m["sectors_rationale"])
            s["class"] = m["class"]
            s["class_source"] = m.get("class_source", CURATION)
            s["class_rationale"] = _curated_text(m["class_rationale"])
            bad = set(s["targets"]) - ACTORS
            if bad or s["class"] not in CLASSES:
                sys.exit(f"strategy model: {s['id']}: unknown targets {sorted(bad)} or class {s['class']}")
            for t in s["targets"]:
                if not TARGET_LEVELS[t] & set(s.get("levels", [])):
                    sys.exit(f"strategy model: {s['id']} targets {t} but its levels {s.get('levels')} include none "
                             f"of {sorted(TARGET_LEVELS[t])}")
            ordered = {k: s[k] for k in STRATEGY_KEYS if k in s}
            ordered |= {k: v for k, v in s.items() if k not in STRATEGY_KEYS}
            s.clear()
            s.update(ordered)
        self.stats["targets"] = Counter(t for s in strategies for t in s["targets"])
        self.stats["class"] = Counter(s["class"] for s in strategies)
        self.stats["class_eric"] = Counter(s["class"] for s in strategies if s.get("number"))
        self.stats["class_source"] = Counter(s["class_source"] for s in strategies)

    # -- function -> strategy
    def delivers(self, strategy_ids: set[str]) -> None:
        before = Counter(lk["from"] for lk in self.b.links if lk["kind"] == "delivers")
        for sid, m in sorted(self.model.items()):
            if sid not in strategy_ids:
                continue
            for f, (grade, why) in sorted((m.get("functions") or {}).items()):
                if grade not in GRADES:
                    sys.exit(f"strategy model: {sid} <- {f}: grade {grade!r}")
                self._upsert({"from": f, "to": sid, "kind": "delivers", "grade": grade, "evidence": "curated",
                              "source": CURATION, "rationale": _curated_text(why)})
        self.stats["delivers_before_model"] = before

    def _upsert(self, link: dict) -> None:
        for lk in self.b.links:
            if (lk["from"], lk["to"], lk["kind"]) == (link["from"], link["to"], link["kind"]):
                lk.update(link)
                return
        self.b.add_link(link)

    def check_delivers(self) -> None:
        per_fn = Counter(lk["from"] for lk in self.b.links if lk["kind"] == "delivers")
        for lk in self.b.links:
            if lk["kind"] == "delivers" and lk.get("grade") not in GRADES:
                sys.exit(f"delivers link {lk['from']} -> {lk['to']} has no grade: add it to {MODEL.name}")
        for f, n in per_fn.items():
            if n < 3:
                sys.exit(f"{f} delivers only {n} strategies (at least 3)")
        if per_fn["bcw.enablement"] > ENABLEMENT_MAX:
            sys.exit(f"bcw.enablement delivers {per_fn['bcw.enablement']} strategies (at most {ENABLEMENT_MAX})")
        self.stats["delivers"] = per_fn
        self.stats["delivers_grade"] = Counter(lk["grade"] for lk in self.b.links if lk["kind"] == "delivers")

    # -- direct TDF / COM-B links
    def _chains(self) -> dict[tuple[str, str], list[str]]:
        """(strategy id, determinant id) -> BCT labels linking them via McHugh 2022 and the 2020 BCT -> TDF table."""
        ref = self.b.ref
        eric_ids = {r["name"]: f"eric.{_slug(r['name'])}" for r in _read(ref, "eric_strategies.csv")}
        bct_domains: dict[str, set[str]] = defaultdict(set)
        for r in _read(ref, "bct_tdf_links_partial.csv"):
            bct_domains[r["bct_id"]].add(f"tdf.{_slug(r['tdf_domain'])}")
        comb_of: dict[str, set[str]] = defaultdict(set)
        for r in _read(ref, "tdf_comb.csv"):
            comb_of[f"tdf.{_slug(r['tdf_domain'])}"].add(f"comb.{_slug(r['comb_component'])}")
        chains: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in _read(ref, "eric_to_bct_partial.csv"):
            if not r["bct_id"] or r["eric_strategy"] not in eric_ids:
                continue
            sid = eric_ids[r["eric_strategy"]]
            for dom in sorted(bct_domains.get(r["bct_id"], ())):
                label = f"{r['bct_id']} {r['bct_label']}"
                for det in [dom, *sorted(comb_of.get(dom, ()))]:
                    if label not in chains[(sid, det)]:
                        chains[(sid, det)].append(label)
        return chains

    def direct_links(self, det_ids: set[str], strategy_ids: set[str]) -> set[str]:
        chains = self._chains()
        review_ids = {s["id"] for s in self.reviews.sources}
        origins: set[str] = set()
        per_det: dict[str, Counter] = {}
        for det, items in sorted(self.direct.items()):
            if det not in det_ids or not det.startswith(("tdf.", "comb.")):
                sys.exit(f"direct links: unknown TDF/COM-B determinant {det}")
            origins.add(det)
            per_det[det] = Counter()
            for sid, grade, evidence, source, why in items:
                if sid not in strategy_ids or grade not in GRADES:
                    sys.exit(f"direct links: {det} -> {sid}: unknown strategy or grade {grade!r}")
                note = None
                if evidence == "systematic-review":
                    if source not in review_ids:
                        sys.exit(f"direct links: {det} -> {sid}: {source} is not a review source")
                    note = ("The review measured the strategy's effect on professional practice overall, not by type "
                            "of barrier; that it acts on this determinant is this project's reading.")
                elif evidence == "secondary-report":
                    chain = chains.get((sid, det))
                    if source != "mchugh2022" or not chain:
                        sys.exit(f"direct links: {det} -> {sid}: no ERIC -> BCT -> TDF chain in the reference data")
                    note = ("McHugh et al. 2022 code this strategy to " + "; ".join(chain) + ", which the BCT -> TDF "
                            "linking matrix reported in Implement Sci 2020;15:44 (source bct-tdf-2020) links to this "
                            "domain" + ("" if det.startswith("tdf.") else " (via its TDF domains)") + ".")
                elif (evidence, source) != ("curated", CURATION):
                    sys.exit(f"direct links: {det} -> {sid}: evidence {evidence} with source {source}")
                ok = self.b.add_link({"from": det, "to": sid, "kind": "addresses", "grade": grade,
                                      "evidence": evidence, "source": source, "rationale": _curated_text(why),
                                      "note": note})
                if not ok:
                    sys.exit(f"direct links: duplicate {det} -> {sid}")
                per_det[det][grade] += 1
        for det, c in per_det.items():
            if c["primary"] < 1:
                sys.exit(f"direct links: {det} has no primary link")
        missing = {d for d in det_ids if d.startswith(("tdf.", "comb."))} - origins
        if missing:
            sys.exit(f"direct links: no direct links for {sorted(missing)}")
        direct = [lk for lk in self.b.links if lk["from"] in origins and lk["kind"] == "addresses"]
        self.stats["direct"] = Counter(lk["evidence"] for lk in direct)
        self.stats["direct_grade"] = Counter(lk["grade"] for lk in direct)
        self.stats["direct_n"] = len(direct)
        return origins

    # -- effects
    def effects(self, strategies: list[dict], eric_id: dict[int, str]) -> None:
        by_id = {s["id"]: s for s in strategies}
        src = {s["id"]: s for s in self.reviews.sources}
        per: dict[str, list[tuple]] = defaultdict(list)
        self.stats["effects_skipped"] = []
        for r in self.reviews.rows:
            if not r["eric_id"] or "protocol" in r["review_type"].lower():
                self.stats["effects_skipped"].append(r["row_id"])
                continue
            sid = eric_id[int(r["eric_id"])]
            s = src[self.reviews.row_source[r["row_id"]]]
            notes = []
            if not r["mapping_note"].startswith("direct"):
                notes.append(f"Strategy as reviewed: {r['mapping_note']}.")
            elif "(" in r["mapping_note"]:
                notes.append(f"Strategy as reviewed: {r['mapping_note'][len('direct'):].strip(' ()')}.")
            notes.append(f"Population: {r['population']}." if r["population"] else "")
            counts = f"Studies included in the review: {r['n_studies_included'] or 'not read'}"
            if r["n_in_analysis"]:
                counts += f"; in this analysis: {r['n_in_analysis']}"
            notes.append(counts + ".")
            certainty = r["certainty_of_evidence"] or None
            if certainty and certainty.startswith(("not read", "not stated")):
                notes.append(f"Certainty: {certainty}.")
                certainty = None
            if r["notes"]:
                notes.append(r["notes"].rstrip(".") + ".")
            effect = {
                "review": s["short"] + (" (Cochrane)" if s["cochrane"] else ""),
                "source": s["id"], "outcome": r["outcome"] or "not read",
                "effect": r["summary_effect_as_printed"] or None, "studies": _studies(r),
                "certainty": certainty,
                "how_read": f"{r['how_read']} (reading certainty: {r['read_certainty']})",
                "note": " ".join(n for n in notes if n),
            }
            per[sid].append((-int(r["year"][:4]), int(r["row_id"]), {k: v for k, v in effect.items() if v is not None}))
        for sid, items in per.items():
            by_id[sid]["effects"] = [e for *_, e in sorted(items, key=lambda t: t[:2])]
        self.effect_sources = {e["source"] for v in per.values() for *_, e in v}
        self.stats["effects"] = sum(len(v) for v in per.values())
        self.stats["effects_with_figure"] = sum(1 for v in per.values() for *_, e in v if "effect" in e)
        self.stats["effects_strategies"] = len(per)

    # -- coverage notes
    def coverage(self) -> list[dict]:
        st = self.stats
        dl = st["delivers"]
        direct = st["direct"]
        cls = st["class"]
        n_curated_class = st["class_source"][CURATION]
        return [
            {"topic": "Function to strategy links",
             "note": f"{sum(dl.values())} function -> strategy links, all this project's curated judgement, each "
                     "graded "
                     f"({st['delivers_grade']['primary']} primary, {st['delivers_grade']['secondary']} secondary) "
                     "with a one-line rationale; no published mapping from ERIC strategies to intervention functions "
                     "was found (a Cochrane review's coding of ten intervention components was used for orientation). "
                     f"Enablement, the BCW's residual category, delivers {dl['bcw.enablement']} strategies that supply "
                     "means directly (support, technical assistance, funding, resources); diagnostic and planning "
                     "process strategies deliver no function and reach determinants by direct and CFIR links.",
             "source": CURATION},
            {"topic": "Direct TDF and COM-B links",
             "note": f"All 14 TDF domains and 6 COM-B components link directly to the strategies acting on them most "
                     f"directly ({st['direct_n']} links: {st['direct_grade']['primary']} primary, "
                     f"{st['direct_grade']['secondary']} secondary). {direct['systematic-review']} rest on a Cochrane "
                     "EPOC or comparable review of the strategy (reviews measured practice change overall, so the "
                     f"match to the determinant is this project's reading); {direct['secondary-report']} on McHugh et "
                     "al. 2022's ERIC -> behaviour change technique codes combined with a published BCT -> TDF "
                     "matrix (both read only in part); "
                     f"{direct['curated']} are curated. The TDF -> technique literature (Michie et al. 2008; the "
                     "Theory and Techniques Tool, Johnston et al. 2021) was not read here, so no link cites it.",
             "source": CURATION},
            {"topic": "Effectiveness evidence",
             "note": f"{st['effects']} published effect summaries from {len(self.effect_sources)} systematic reviews "
                     f"(mostly Cochrane EPOC) are recorded on {st['effects_strategies']} strategies, each figure as "
                     f"printed; {st['effects'] - st['effects_with_figure']} entries carry only study counts or "
                     "certainty wording (effect not read). They describe the strategy in general (mostly clinicians, "
                     "prescribing and test ordering), not a client's setting, and are not part of any score. Reviews "
                     "of multifaceted strategies, a protocol without results, and strategies without a review (no "
                     "review of record-system changes was found) carry no entry.",
             "source": CURATION},
            {"topic": "Whom strategies act on (targets)",
             "note": "Every strategy names whom it acts on (deliverers, recipients, leaders, implementation team, "
                     "organisation, partners, policy makers) with a one-line rationale: this project's curation, "
                     "except where a layer cites a published source. Distribution: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(st["targets"].items())) + ".",
             "source": CURATION},
            {"topic": "Strategy classes (Leeman)",
             "note": "Every strategy has a Leeman class. The 73 ERIC strategies: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(st["class_eric"].items()))
                     + "; all strategies: " + ", ".join(f"{k} {v}" for k, v in sorted(cls.items()))
                     + f". Leeman et al. 2024 sorted the 73 ERIC strategies 25 / 20 / 28 (process / capacity-building "
                       f"/ integration) but only 2 of their assignments were read; "
                       f"{st['class_source']['leeman2017']} cite Leeman 2017's example strategies; the other "
                       f"{n_curated_class} are curated from the published class definitions, so this catalogue's "
                       "counts "
                       "differ from the paper's.",
             "source": "leeman2024"},
        ]


def det_ids(repo: Path) -> set[str]:
    """Determinant ids of data/determinants.yaml (build it first: build_determinants.py)."""
    doc = yaml.safe_load((repo / "data" / "determinants.yaml").read_text(encoding="utf-8"))
    return {d["id"] for d in doc["determinants"]}
