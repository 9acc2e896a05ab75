"""CFIR evidence, coverage and partnering additions to data/strategies.yaml (used by build_strategies.py).

Kept in its own module so the CFIR/partnering half of the catalogue can change without touching the
rest of the build. Each function takes the ``Build`` object of build_strategies.py and adds to it:

* ``table5_links``: the Waltz et al. 2019 Table 5 percentages as ``addresses`` links (the reference file's 237
  values, completed and corrected by scripts/cfir_eric_table5_html_values.csv, see ``table5_merged``);
* ``upper_bound_links``: "below 20 %" upper bounds where a barrier's Level 1/2 list is complete;
* ``curated_cfir_links``: curated CFIR -> strategy links (scripts/curated_cfir_links.yaml);
* ``collab_extra`` / ``partnering_extra_links``: collaboration strategies and partnering links
  (scripts/curated_partnering_links.yaml), grounded in Bunger et al. 2024 where it was read;
* ``annotate_eric`` / ``apply_aliases`` / ``relabel_unspecified`` / ``revise_coverage``: notes, alternative
  names and coverage statements from the new reference files.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CFIR_LINKS = HERE / "curated_cfir_links.yaml"
PARTNERING_LINKS = HERE / "curated_partnering_links.yaml"
T5 = "cfir_eric_endorsements_waltz2019_table5.csv"
T5_LISTS = "cfir_eric_level_lists_waltz2019_table5.csv"
# Table 5 read again from the publisher's HTML table: cells the machine extraction lost, two digits it dropped,
# and the column of the values it could not place. Every value is checked against the printed row total
# (scripts/cfir_eric_source_verification.csv records the comparison with every value held before).
T5_HTML = HERE / "cfir_eric_table5_html_values.csv"
UPPER = 0.2  # a strategy absent from a complete Level 1/2 list was endorsed by under 20 % of experts
GRADES = {"primary", "secondary"}

# American -> British spellings (and back) for alternative names; whole words only.
SPELLINGS = {
    "organize": "organise", "organized": "organised", "organizing": "organising",
    "organization": "organisation", "organizations": "organisations", "organizational": "organisational",
    "centralize": "centralise", "utilize": "utilise", "utilization": "utilisation",
    "advisor": "adviser", "advisors": "advisers", "behavior": "behaviour", "behavioral": "behavioural",
    "program": "programme", "programs": "programmes", "centeredness": "centredness",
    "center": "centre", "standardize": "standardise", "prioritize": "prioritise",
}
SPELLINGS_BACK = {v: k for k, v in SPELLINGS.items()}


def _read(ref: Path, name: str) -> list[dict[str, str]]:
    with (ref / name).open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _swap(text: str, table: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        w = m.group(0)
        new = table.get(w.lower())
        if new is None:
            return w
        return new.capitalize() if w[0].isupper() else new
    return re.sub(r"[A-Za-z]+", one, text)


def spelling_variants(name: str) -> list[str]:
    """The other spelling of a name (British <-> American), and '&' written as 'and' and back."""
    out = []
    for table in (SPELLINGS, SPELLINGS_BACK):
        alt = _swap(name, table)
        if alt != name:
            out.append(alt)
    for alt in list(out) + [name]:
        if " & " in alt:
            out.append(alt.replace(" & ", " and "))
    return out


def dedupe_aliases(name: str, aliases: list[str]) -> list[str]:
    seen = {name.lower()}
    out = []
    for a in aliases:
        a = " ".join(a.split())
        if a and a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return out


def det_ids(repo: Path) -> set[str]:
    """Determinant ids of data/determinants.yaml (build it first: build_determinants.py)."""
    doc = yaml.safe_load((repo / "data" / "determinants.yaml").read_text(encoding="utf-8"))
    return {d["id"] for d in doc["determinants"]}


def _existing(b: Any, frm: str, to: str, kind: str = "addresses") -> dict | None:
    for lk in b.links:
        if lk["from"] == frm and lk["to"] == to and lk["kind"] == kind:
            return lk
    return None


# ------------------------------------------------------------------------------------ Table 5
def _norm(name: str) -> str:
    """The level-lists file writes 'Recruit, designate, and train'; the ERIC list has no serial comma."""
    return name.replace("designate, and", "designate and")


def _t5_how_read(r: dict[str, str]) -> str:
    """How a Table 5 value was read, for the link note."""
    html = r.get("html", "")
    if html == "new":
        return ("read from the publisher's HTML table (the machine extraction of the paper had lost this cell); the "
                "row's printed total agrees with its seven values within rounding.")
    if html == "confirms":
        return ("read from a machine extraction of the paper and confirmed, with its column, by the publisher's "
                "HTML table.")
    if html.startswith("corrects:"):
        return (f"read from the publisher's HTML table, which corrects the {html.split(':')[1]} % of a machine "
                "extraction that had dropped a digit (the row's printed total needs this value).")
    return "read from a machine extraction of the paper."


def _level(p: float) -> str:
    return "1" if p >= 50 else "2" if p >= 20 else "below"


def table5_merged(ref: Path) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    """Table 5 values and per-barrier Level 1/2 lists, with the publisher-HTML re-reading applied.

    A value of the HTML file replaces the reference file's value for the same pair (``html`` says how:
    ``confirms`` a flagged column position, ``corrects:<old %>``) or adds a value the reference file lacks
    (``new``). A barrier whose column then has a value for every Table 5 strategy gets a complete Level 1/2 list,
    derived from its values (``list_basis`` says so); the other lists are the reference file's.
    """
    rows = _read(ref, T5)
    lists = {r["cfir_construct"]: r for r in _read(ref, T5_LISTS)}
    with T5_HTML.open(newline="", encoding="utf-8") as fh:
        html = {(r["cfir_construct"], r["eric_id"]): {k: (v or "").strip() for k, v in r.items()}
                for r in csv.DictReader(fh)}
    merged = []
    for r in rows:
        h = html.pop((r["cfir_construct"], r["eric_id"]), None)
        if h is None:
            merged.append(dict(r, html=""))
        elif h["percent_endorsed"] == r["percent_endorsed"]:
            merged.append(dict(h, html="confirms"))
        else:
            merged.append(dict(h, html=f"corrects:{r['percent_endorsed']}"))
    merged += [dict(h, html="new") for h in html.values()]
    strategies = {r["eric_id"] for r in merged}
    by_barrier: dict[str, dict[str, str]] = defaultdict(dict)
    for r in merged:
        by_barrier[r["cfir_construct"]][r["eric_id"]] = r["percent_endorsed"]
    for c, vals in by_barrier.items():
        lst = lists.get(c)
        if lst is None or lst["list_complete"] == "yes" or set(vals) != strategies:
            continue
        named = {lvl: sorted(((float(p), r["eric_name"]) for r in merged if r["cfir_construct"] == c
                              for p in [r["percent_endorsed"]] if _level(float(p)) == lvl),
                             key=lambda t: (-t[0], t[1])) for lvl in ("1", "2")}
        lists[c] = dict(lst, list_complete="yes",
                        n_level1_from_table5=str(len(named["1"])), n_level2_from_table5=str(len(named["2"])),
                        level1_strategies="; ".join(f"{n} ({p:g}%)" for p, n in named["1"]),
                        level2_strategies="; ".join(f"{n} ({p:g}%)" for p, n in named["2"]),
                        list_basis="completed from the publisher's HTML table of Table 5: every one of its "
                                   f"{len(strategies)} strategies now has a value for this barrier")
    merged.sort(key=lambda r: (r["cfir_construct"], int(r["eric_id"])))
    return merged, lists


def table5_links(b: Any) -> None:
    """One survey-of-experts link per Table 5 value (printed rounded %, no respondent counts)."""
    rows, lists = table5_merged(b.ref)
    b.t5_rows, b.t5_lists = rows, lists
    b.n_t5_links = b.n_t5_uncertain = b.n_t5_replaced = 0
    b.n_t5_html = {"new": 0, "confirms": 0, "corrects": 0}
    derived: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"1": [], "2": []})
    for r in rows:
        c, n = r["cfir_construct"], int(r["eric_id"])
        if c not in b.cfir_ids:
            b.disc(f"table5: unknown CFIR construct {c}")
            continue
        if b.eric_by_num[n]["name"] != r["eric_name"]:
            b.disc(f"table5: ERIC {n} name '{r['eric_name']}' differs from eric_strategies.csv")
        p = float(r["percent_endorsed"])
        lvl = _level(p)
        if (r["level"] or "below") != lvl:
            b.disc(f"table5: {(c, n)} percent {p:g} implies level {lvl} but row says '{r['level']}'")
        if lvl in ("1", "2"):
            derived[c][lvl].append(r["eric_name"])
        parts = [{"1": "Level 1 (at least 50 % of responding experts).",
                  "2": "Level 2 (20-49 % of responding experts).",
                  "below": "Below Level 2 (under 20 % of responding experts)."}[lvl],
                 "Rounded percentage as printed in Waltz et al. 2019 Table 5 (the lifestyle-coaching case "
                 "example); respondent count not printed; " + _t5_how_read(r)]
        if r["html"]:
            b.n_t5_html[r["html"].split(":")[0]] += 1
        if r["verification"] == "uncertain-alignment":
            b.n_t5_uncertain += 1
            parts.append("Flag uncertain-alignment: " + r["notes"].rstrip(".") + ".")
        elif r["notes"] and not r["html"]:
            parts.append("Note: " + r["notes"].rstrip(".") + ".")
        if p == 0:
            parts.append("A zero as printed: no responding expert chose this strategy for this barrier.")
        if lists.get(c, {}).get("list_complete") != "yes":
            parts.append("Only some of this barrier's values could be read: a strategy with no link here is "
                         "unknown, not zero.")
        if r["name_as_published"] and r["name_as_published"] != r["eric_name"]:
            parts.append(f"Published as '{r['name_as_published']}'.")
        frm, to = b.cfir_ids[c], b.eric_id[n]
        old = _existing(b, frm, to)
        if old is not None and old.get("strength") is None:  # a "Level 1 or 2" pair now has its percentage
            if p < 20:
                b.disc(f"table5: {(c, n)} is {p:g} % but {old['source']} lists it as Level 1 or 2")
            parts.append("A 2024 paper (Implement Sci Commun 5:108, Table 4) lists the pair as Level 1 or 2.")
            old.pop("strength_lower", None)
            old.update(strength=round(p / 100, 4), evidence="survey-of-experts", source="waltz2019",
                       note=" ".join(parts))
            b.n_t5_replaced += 1
            b.n_unspec_links -= 1
            b.n_unspec_skipped += 1
            continue
        if old is not None:  # Compatibility: Allen et al. 2023 gave the same figures, rounded, second-hand
            if old.get("strength") != round(p / 100, 4):
                b.disc(f"table5: {(c, n)} {p:g} % differs from earlier value {old.get('strength')}")
                parts.append(f"Allen et al. 2023 Table 3 reports {100 * old['strength']:g} %.")
            else:
                parts.append("Allen et al. 2023 Table 3 reports the same rounded figure.")
            old.update(source="waltz2019", note=" ".join(parts))
            b.n_t5_replaced += 1
            continue
        b.add_link({"from": frm, "to": to, "kind": "addresses", "strength": round(p / 100, 4),
                    "evidence": "survey-of-experts", "source": "waltz2019", "note": " ".join(parts)})
        b.n_t5_links += 1
    for c, lst in lists.items():
        if lst["list_complete"] != "yes":
            continue
        for lvl, col in (("1", "level1_strategies"), ("2", "level2_strategies")):
            named = sorted(_norm(re.sub(r"\s*\(\d+%\)$", "", x.strip())) for x in lst[col].split(";") if x.strip())
            got = sorted(_norm(x) for x in derived[c][lvl])
            if named != got:
                b.disc(f"table5 level list {c} L{lvl}: list file {named} vs values {got}")


def upper_bound_links(b: Any) -> None:
    """Where a barrier's Level 1/2 list is complete, every ERIC strategy without a value is below 20 %."""
    complete = {c: "Waltz et al. 2019 Table 5 lists every strategy with a Level 1 or 2 endorsement for its "
                   "barriers, and all of this barrier's column was read"
                for c, r in b.t5_lists.items() if r["list_complete"] == "yes"}
    for c in b.complete_barriers:
        complete.setdefault(c, "Waltz et al. 2019 Table 1 lists every Level 1 and Level 2 strategy for this barrier")
    b.upper_barriers = sorted(complete)
    b.n_upper = 0
    for c in sorted(complete):
        frm = b.cfir_ids[c]
        have = {lk["to"] for lk in b.links if lk["from"] == frm and lk["kind"] == "addresses"
                and lk["evidence"] == "survey-of-experts"}
        for n in sorted(b.eric_id):
            to = b.eric_id[n]
            if to in have:
                continue
            b.add_link({"from": frm, "to": to, "kind": "addresses", "strength_upper": UPPER,
                        "evidence": "survey-of-experts", "source": "waltz2019",
                        "note": f"Below 20 % of responding experts (neither Level 1 nor Level 2): {complete[c]}, "
                                "and this strategy is not on it. The exact percentage is not known: 0.2 is an "
                                "upper bound, not a value, and never a zero."})
            b.n_upper += 1


def relabel_unspecified(b: Any) -> None:
    """The 'Level 1 or 2' links come from one cluster of one table: a partial view, lower bound only."""
    for lk in b.links:
        if lk["source"] == "s2024t4" and lk.get("strength_lower") is not None:
            lk["note"] = (lk["note"] + " Partial view: the source's visible rows cover one ERIC cluster only "
                          "(Develop stakeholder interrelationships), so these pairs are not a barrier's list and "
                          "their absence elsewhere says nothing; only the lower bound (at least 20 %) is known.")


# ------------------------------------------------------------------------------------ curated CFIR links
REVIEW_NOTE = ("The review measured the strategy's effect on professional practice overall, not by type of "
               "barrier; that it acts on this determinant is this project's reading.")


def _bound_only(lk: dict) -> bool:
    """A link known only by a published lower bound ("Level 1 or 2"), with no figure and no grade of its own."""
    return lk.get("strength") is None and lk.get("strength_lower") is not None and not lk.get("grade")


def curated_cfir_links(b: Any, known_dets: set[str]) -> None:
    """Graded CFIR -> strategy links from scripts/curated_cfir_links.yaml.

    An entry is [strategy, grade, rationale] (curated) or [strategy, grade, evidence, source, rationale] with
    evidence systematic-review and a review source. A pair that already has a survey percentage or a "below 20 %"
    upper bound keeps it (the curated entry is skipped: the experts' figure says more). A pair known only by a
    published lower bound keeps that bound on the same link (``strength_lower`` and ``strength_lower_source``)
    and gains the grade, evidence, source and rationale: method default scores the grade, as for any bare graded
    link, and shows the bound beside it; the bound alone would score nothing.
    """
    cur = yaml.safe_load(CFIR_LINKS.read_text(encoding="utf-8"))["links"]
    review_ids = {s["id"] for s in b.model.reviews.sources}
    b.n_cfir_curated = b.n_cfir_skipped = b.n_cfir_on_bounds = 0
    b.cfir_skipped = []
    for det, items in cur.items():
        if det not in known_dets:
            raise SystemExit(f"curated_cfir_links.yaml: unknown determinant {det}")
        for item in items:
            if len(item) == 3:
                (to, grade, why), evidence, source, note = item, "curated", "strategease-curation", None
            elif len(item) == 5 and item[2] == "systematic-review":
                to, grade, evidence, source, why = item
                if source not in review_ids:
                    raise SystemExit(f"curated_cfir_links.yaml: {det} -> {to}: {source} is not a review source")
                note = REVIEW_NOTE
            else:
                raise SystemExit(f"curated_cfir_links.yaml: {det}: bad entry {item!r}")
            if grade not in GRADES:
                raise SystemExit(f"curated_cfir_links.yaml: {det} -> {to}: bad grade {grade}")
            link = {"from": det, "to": to, "kind": "addresses", "grade": grade, "evidence": evidence,
                    "source": source, "rationale": " ".join(why.split()), "note": note}
            old = _existing(b, det, to)
            if old is not None and not _bound_only(old):  # a survey figure or upper bound already says more
                if old["evidence"] != "survey-of-experts":
                    raise SystemExit(f"curated_cfir_links.yaml: duplicate link {det} -> {to}")
                b.n_cfir_skipped += 1
                b.cfir_skipped.append(f"{det} -> {to}")
                continue
            if old is None:
                b.add_link(link)
            else:  # keep the published bound on the link, score the grade
                bound_note = (f"Published lower bound (strength_lower {old['strength_lower']:g}, source "
                              f"{old['source']}): {old['note']}")
                scored = ("Method default scores this project's grade, as for any bare graded link; the bound "
                          "is shown beside it and adds nothing.")
                link.update(strength_lower=old["strength_lower"], strength_lower_source=old["source"],
                            note=" ".join(x for x in (note, bound_note, scored) if x))
                old.clear()
                old.update({k: link[k] for k in ("from", "to", "kind", "strength_lower", "strength_lower_source",
                                                 "grade", "evidence", "source", "rationale", "note")})
                b.n_cfir_on_bounds += 1
            b.n_cfir_curated += 1


# ------------------------------------------------------------------------------------ partnering
def _partnering_doc() -> dict:
    return yaml.safe_load(PARTNERING_LINKS.read_text(encoding="utf-8"))


def collab_extra(b: Any) -> list[dict]:
    """Collaboration strategies added by this layer (Bunger et al. 2024 and labelled curation)."""
    out = []
    for s in _partnering_doc()["strategies"]:
        e = {"id": f"collab.{s['slug']}", "name": s["name"], "framework": "collab",
             "aliases": s.get("aliases", []), "cluster": f"cluster.{s['cluster']}", "cluster_basis": "curated",
             "description": " ".join(s["description"].split()), "levels": s.get("levels", []),
             "source": s["source"], "note": " ".join(s.get("note", "").split()) or None}
        out.append({k: v for k, v in e.items() if v not in (None, [])})
    return out


def partnering_extra_links(b: Any) -> None:
    doc = _partnering_doc()
    for s in doc["strategies"]:
        for f, why in (s.get("functions") or {}).items():
            b.add_link({"from": f, "to": f"collab.{s['slug']}", "kind": "delivers", "evidence": "curated",
                        "source": "strategease-curation", "rationale": " ".join(why.split())})
    for det, items in doc["links"].items():
        for to, evidence, source, grade, why in items:
            if evidence == "curated" and source != "strategease-curation":
                raise SystemExit(f"{det} -> {to}: curated links must cite strategease-curation")
            if grade not in GRADES:
                raise SystemExit(f"{det} -> {to}: bad grade {grade}")
            link = {"from": det, "to": to, "kind": "addresses", "grade": grade, "evidence": evidence,
                    "source": source, "rationale": " ".join(why.split())}
            old = _existing(b, det, to)
            if old is None:
                b.add_link(link)
            elif old["evidence"] == "curated" and evidence != "curated":  # a published source now backs it
                old.update({k: v for k, v in link.items() if k not in ("from", "to", "kind")})
            else:
                raise SystemExit(f"duplicate partnering link {det} -> {to}")


def count_cluster_sizes(clusters: list[dict], strategies: list[dict]) -> None:
    """Collaboration cluster sizes include the strategies added here."""
    for c in clusters:
        if c["framework"] == "collab":
            c["size"] = sum(1 for s in strategies if s.get("cluster") == c["id"])


def apply_targets(b: Any, strategies: list[dict]) -> None:
    """Whom each collaboration strategy acts on (only where this layer sets it and none is set yet)."""
    by_id = {s["id"]: s for s in strategies}
    for sid, t in _partnering_doc()["targets"].items():
        s = by_id[sid]
        if t.get("note"):  # replaces the earlier "known only via a bulletin summary" note
            s["note"] = " ".join(t["note"].split())
        if s.get("targets"):
            continue
        s["targets"], s["targets_source"] = list(t["targets"]), t["source"]
        s["targets_rationale"] = " ".join(t["rationale"].split())


# ------------------------------------------------------------------------------------ ERIC notes and aliases
def annotate_eric(b: Any, strategies: list[dict]) -> None:
    """Powell 2015 Table 3 name check (70 of 73) and the cluster-block corroboration (16 of 22 inferred)."""
    check = {int(r["eric_id"]): r for r in _read(b.ref, "eric_names_powell2015_table3_check.csv")}
    corr = {int(r["eric_id"]): r for r in _read(b.ref, "eric_cluster_block_corroboration.csv")}
    b.n_names_confirmed = sum(1 for r in check.values() if r["exact_match"] == "yes")
    b.n_inferred_corroborated = 0
    unconfirmed_re = re.compile(r"The pairing of this name with ERIC number \d+ rests on the alphabetical ERIC "
                                r"list only; it was not confirmed by a second numbered table\.\s*")
    for s in strategies:
        n = s.get("number")
        if s["framework"] != "eric" or n is None:
            continue
        notes = s.get("note", "")
        row = check[n]
        if row["exact_match"] == "yes":
            notes = unconfirmed_re.sub("", notes)
        else:
            notes += (" Powell et al. 2015 Table 3 could not be read at this row (it fell on a page break), so "
                      "the name is not checked against it.")
        c = corr.get(n)
        if s.get("cluster_basis") == "inferred" and c and c["agrees"] == "yes":
            b.n_inferred_corroborated += 1
            notes += (" Corroborated: a weak secondary source whose numbering follows the Waltz 2015 cluster "
                      "blocks places it in the same cluster (still marked inferred, as the cluster was not read "
                      "in Waltz et al. 2015 itself).")
        notes = " ".join(notes.split())
        if notes:
            s["note"] = notes
        else:
            s.pop("note", None)


def apply_aliases(b: Any, strategies: list[dict]) -> None:
    """Alternative names: British/American spellings, published wordings (Waltz 2019, Allen 2023), Perry 2019."""
    published: dict[str, list[str]] = defaultdict(list)
    for name in ("cfir_eric_endorsements_raw.csv", T5):
        for r in _read(b.ref, name):
            if r["name_as_published"] and r["name_as_published"] != r["eric_name"]:
                published[r["eric_name"]].append(r["name_as_published"])
    for r in _read(b.ref, "eric_perry2019_refinements.csv"):
        if r["original_eric_name"] and r["perry_label"] != r["original_eric_name"]:
            published[r["original_eric_name"]].append(r["perry_label"])
    for s in strategies:
        base = [*s.get("aliases", []), *published.get(s["name"], [])]
        extra = [v for a in [s["name"], *base] for v in spelling_variants(a)]
        aliases = dedupe_aliases(s["name"], base + extra)
        if aliases:
            s["aliases"] = aliases
    b.n_aliased = sum(1 for s in strategies if s.get("aliases"))


# ------------------------------------------------------------------------------------ coverage
def _facts(b: Any) -> dict[str, str]:
    return {r["fact"]: r["value"] for r in _read(b.ref, "waltz2019_summary_facts.csv")}


def _t5_html_sentence(b: Any) -> str:
    h = b.n_t5_html
    flagged = (f"{b.n_t5_uncertain} values still flagged uncertain-alignment in their notes"
               if b.n_t5_uncertain else "no value left flagged uncertain-alignment")
    incomplete = sorted(c for c, r in b.t5_lists.items() if r["list_complete"] != "yes")
    return (f"the publisher's HTML table of Table 5 supplied {h['new']} values a machine extraction had lost, "
            f"corrected {h['corrects']} and confirmed the column of {h['confirms']} flagged ones, each checked "
            f"against its row's printed total; {flagged}; "
            + (f"incomplete columns: {', '.join(incomplete)}" if incomplete else "all 7 Table 5 columns complete"))


def revise_coverage(b: Any, coverage: list[dict]) -> list[dict]:
    f = _facts(b)
    n_l1 = f["n_level1_pairs"]
    t5_barriers = [c for c in b.t5_lists]
    n_pct_barriers = len(set(b.complete_barriers) | set(b.partial_barriers) | set(t5_barriers))
    survey = [lk for lk in b.links if lk["evidence"] == "survey-of-experts"]
    n_exact = sum(1 for lk in survey if lk.get("strength") is not None)
    new = {
        "CFIR-ERIC endorsement percentages":
            f"Percentages known for {n_pct_barriers} of {b.n_barriers} CFIR 1.0 barriers ({n_exact} "
            f"strategy-barrier pairs): 6 from Waltz et al. 2019 Table 1 and a secondary report, 7 from Table 5, "
            f"Compatibility in both ({b.n_t5_links + b.n_t5_replaced} Table 5 values; {_t5_html_sentence(b)}). "
            "Level 1/2 lists are complete for "
            f"{len(b.upper_barriers)} barriers ({', '.join(b.upper_barriers)}): there a strategy not on the list "
            f"is recorded as below 20 % ({b.n_upper} upper-bound links, strength_upper 0.2), an upper bound and "
            "never a zero. Elsewhere a strategy without a percentage is unknown, not zero. The paper's text counts "
            f"{n_l1} Level-1 pairs (not 33, as a cfirguide.org blog post says), {f['n_level2_pairs']} Level-2 "
            f"pairs, {f['n_endorsed_combinations']} of 2847 pairs endorsed at least once, and "
            f"{f['n_barriers_without_level1']} barriers without a Level-1 strategy. Users with the matching-tool "
            "spreadsheet can import it as a CSV over this catalogue.",
        "CFIR-ERIC pairs without a percentage":
            None,  # filled below: keep the original sentence, add the partial-view label
        "ERIC names and numbers":
            f"All 73 names are from Powell et al. 2015; {b.n_names_confirmed} of 73 were checked against its Table 3 "
            "itself (identical, same order); rows 23, 33 and 34 fell on page breaks and were not read there. "
            "Descriptions are this project's plain-language paraphrases; consult the paper for the official "
            "definitions.",
        "Partnering and collaboration strategies":
            "Collaboration strategies come from Bunger et al. 2024 (Implement Sci 19:13; four of its seven "
            "cross-system collaboration strategies were read, with their actors and, for three, the determinants "
            "they address), from the seed documents (a partnership slide deck's table of network challenges and "
            "mitigations, a partnering article, a research-operations partnership column) and, labelled curated, "
            "from this project (cross-training, data-sharing arrangements). Their links to partnering challenges "
            "are Bunger's table, the deck's own pairings or curated judgement with a rationale; there is no "
            "effectiveness or survey evidence behind them.",
    }
    out = []
    for c in coverage:
        c = dict(c)
        if c["topic"] == "CFIR-ERIC pairs without a percentage":
            c["note"] += (" They are labelled partial and carry only a lower bound (at least 20 %); neither "
                          "method counts the bound. "
                          f"{b.n_cfir_on_bounds} of these pairs also carry a graded judgement of this project's "
                          "(curated, or a systematic review read as acting on the barrier): method default scores "
                          "that grade and shows the bound beside it; --method cfir-eric counts neither.")
        elif c["topic"] == "Rounded percentages from a secondary report":
            c["note"] += (" Compatibility's values now come from Waltz et al. 2019 Table 5 itself, which agrees with "
                          "the secondary report on all 15 values both give.")
        elif c["topic"] == "Cluster membership":
            c["note"] += (f" A weak secondary source whose numbering follows the cluster blocks agrees with every "
                          f"membership it covers, including {b.n_inferred_corroborated} of the {b.n_inferred} "
                          "inferred ones (they stay marked inferred, with the corroboration in their note).")
        elif new.get(c["topic"]):
            c["note"] = new[c["topic"]]
        out.append(c)
    cfir_graded = [lk for lk in b.links if lk["kind"] == "addresses" and lk.get("grade")
                   and lk["from"].startswith(("cfir1.", "cfir2."))
                   and lk["evidence"] in ("curated", "systematic-review")]
    curated = [lk for lk in cfir_graded if lk["evidence"] == "curated"]
    reviewed = len(cfir_graded) - len(curated)
    out.append({"topic": "Curated CFIR links",
                "note": f"{len(curated)} CFIR determinant -> strategy links are this project's curated judgement "
                        f"and {reviewed} more rest on a Cochrane EPOC review of the strategy read as acting on the "
                        "barrier (graded primary or secondary, one-line rationale each), given where no published "
                        "percentage exists so that every CFIR 1.0 and 2.0 construct reaches at least three "
                        "strategies through links method default scores. They never replace a survey percentage; "
                        f"{b.n_cfir_on_bounds} sit on pairs known only as Level 1 or 2 and keep that lower bound, "
                        "with its source, beside the grade that is scored.",
                "source": "strategease-curation"})
    out.append({"topic": "Alternative names",
                "note": f"{b.n_aliased} strategies carry aliases: British/American spellings, the wordings used in "
                        "Waltz et al. 2019 and Allen et al. 2023 tables, and Perry et al. 2019 labels."})
    return out
