"""CFIR 2.0 crosswalks from published statements, to COM-B, and inherited by subconstructs; CFIR aliases.

Used by build_determinants.py (kept apart so the CFIR layer can change without touching the rest):

* ``PUBLISHED``: the CFIR 1.0 -> 2.0 changes stated in the main text of Damschroder et al. 2022
  (../shared/reference/cfir1_to_cfir2_crosswalk_statements.csv), as crosswalk links with that source.
  A curated crosswalk that a statement backs is upgraded (source damschroder2022, note says what was read).
* ``STATED_UNCONFIRMED``: statements that name the change but not its target; the curated link stays
  curated and its rationale says so.
* ``COMB``: CFIR 2.0 Capability, Opportunity and Motivation -> COM-B components (Damschroder et al. 2022
  state the Individuals characteristics constructs are based on COM-B).
* subconstructs inherit their parent's CFIR 1.0 crosswalk as labelled curated links.
"""

from __future__ import annotations

import csv
from pathlib import Path

from cfir_partnering import dedupe_aliases, spelling_variants, table5_merged

STATEMENTS = "cfir1_to_cfir2_crosswalk_statements.csv"
READ = ("Stated in the main text of Damschroder et al. 2022 (Results), read via a full-text extraction; the "
        "construct-by-construct mapping (its Additional file 4) was not found.")

# (cfir2 id, cfir1 id, the CFIR 1.0 construct named in the statements file, what the paper states)
PUBLISHED = [
    ("cfir2.need", "cfir1.patient-needs-and-resources", "Patient needs and resources",
     "Patient needs and resources was split; Need (Individuals) was added partly to capture it."),
    ("cfir2.implementation-leads", "cfir1.formally-appointed-internal-implementation-leaders",
     "Formally appointed internal implementation leaders",
     "Formally appointed internal implementation leaders and Champions were combined into Implementation Leads."),
    ("cfir2.implementation-leads", "cfir1.champions", "Champions",
     "Champions and Formally appointed internal implementation leaders were combined into Implementation Leads."),
    ("cfir2.high-level-leaders", "cfir1.leadership-engagement", "Leadership engagement",
     "Leadership engagement moved to the new Roles subdomain (high- and mid-level leaders); the exact labels "
     "are not in the sentence read."),
    ("cfir2.mid-level-leaders", "cfir1.leadership-engagement", "Leadership engagement",
     "Leadership engagement moved to the new Roles subdomain (high- and mid-level leaders); the exact labels "
     "are not in the sentence read."),
    ("cfir2.financing", "cfir1.external-policy-and-incentives", "External policy and incentives",
     "External policy and incentives was separated into several new constructs, including Financing."),
    ("cfir2.tension-for-change", "cfir1.tension-for-change", "Implementation climate",
     "Implementation climate was removed as a construct and its former subconstructs, Tension for change among "
     "them, were placed individually in the Inner Setting."),
    ("cfir2.compatibility", "cfir1.compatibility", "Implementation climate",
     "Implementation climate was removed as a construct and its former subconstructs, Compatibility among them, "
     "were placed individually in the Inner Setting."),
    ("cfir2.relative-priority", "cfir1.relative-priority", "Implementation climate",
     "Implementation climate was removed as a construct and its former subconstructs, Relative priority among "
     "them, were placed individually in the Inner Setting."),
    ("cfir2.available-resources", "cfir1.available-resources", "Readiness for implementation",
     "Readiness for implementation was removed as a construct; its former subconstruct Available resources was "
     "placed individually."),
    ("cfir2.access-to-knowledge-information", "cfir1.access-to-knowledge-and-information",
     "Readiness for implementation",
     "Readiness for implementation was removed as a construct; its former subconstruct Access to knowledge and "
     "information was placed individually."),
    ("cfir2.innovation-complexity", "cfir1.complexity", "Complexity",
     "Complexity continues as Innovation Complexity, with a reworded definition."),
]

# (cfir2 id, cfir1 id, the CFIR 1.0 construct, what the paper states without naming the target)
STATED_UNCONFIRMED = [
    ("cfir2.policies-laws", "cfir1.external-policy-and-incentives", "External policy and incentives",
     "Damschroder et al. 2022 state External policy and incentives was separated into several constructs but "
     "name only Financing in the sentence read; Policies & Laws as a target is this project's reading."),
    ("cfir2.external-pressure", "cfir1.external-policy-and-incentives", "External policy and incentives",
     "Damschroder et al. 2022 state External policy and incentives was separated into several constructs but "
     "name only Financing in the sentence read; External Pressure as a target is this project's reading."),
    ("cfir2.partnerships-connections", "cfir1.cosmopolitanism", "Cosmopolitanism",
     "Damschroder et al. 2022 state Cosmopolitanism was renamed because the label was unintuitive; the new label "
     "is not in the sentence read and is believed to be Partnerships & Connections."),
    ("cfir2.market-pressure", "cfir1.peer-pressure", "Peer pressure",
     "Damschroder et al. 2022 state Peer pressure was renamed because the label was confusing; the new label is "
     "not in the sentence read; Market Pressure covers competing with or imitating peers."),
]

COMB = [
    ("cfir2.capability", "comb.psychological-capability"),
    ("cfir2.capability", "comb.physical-capability"),
    ("cfir2.opportunity", "comb.physical-opportunity"),
    ("cfir2.opportunity", "comb.social-opportunity"),
    ("cfir2.motivation", "comb.reflective-motivation"),
    ("cfir2.motivation", "comb.automatic-motivation"),
]
COMB_NOTE = ("Damschroder et al. 2022 replaced the CFIR 1.0 characteristics of individuals with constructs "
             "based on COM-B (Michie et al. 2011): Capability, Opportunity and Motivation (plus Need). The "
             "construct is crosswalked to the COM-B components of the same name; the paper states the basis, not "
             "a one-to-one mapping of the old constructs.")

# Extra curated crosswalks where a subconstruct has a closer CFIR 1.0 counterpart than its parent's.
CURATED_EXTRA = [
    ("cfir2.engaging-innovation-deliverers", "cfir1.key-stakeholders",
     "Both are about engaging the staff inside the organisation who are affected by or deliver the innovation."),
]


def _statement_sources(ref: Path) -> set[str]:
    with (ref / STATEMENTS).open(newline="", encoding="utf-8") as fh:
        return {row["cfir1_construct"].strip() for row in csv.DictReader(fh)}


def crosswalk_links(ref: Path, links: list[dict], determinants: list[dict]) -> list[dict]:
    """Upgrade or add crosswalk links; returns the links to append (``links`` is updated in place)."""
    stated = _statement_sources(ref)
    by_key = {(lk["from"], lk["to"]): lk for lk in links if lk["kind"] == "crosswalk"}
    added: list[dict] = []

    def put(frm: str, to: str, link: dict) -> None:
        old = by_key.get((frm, to))
        if old is not None:
            old.clear()
            old.update(link)
        else:
            by_key[(frm, to)] = link
            added.append(link)

    for frm, to, cfir1_name, what in PUBLISHED:
        if cfir1_name not in stated:
            raise SystemExit(f"{STATEMENTS}: no statement about {cfir1_name}")
        put(frm, to, {"from": frm, "to": to, "kind": "crosswalk", "evidence": "published-matrix",
                      "source": "damschroder2022", "note": f"{what} {READ}"})
    for frm, to, cfir1_name, what in STATED_UNCONFIRMED:
        if cfir1_name not in stated:
            raise SystemExit(f"{STATEMENTS}: no statement about {cfir1_name}")
        put(frm, to, {"from": frm, "to": to, "kind": "crosswalk", "evidence": "curated",
                      "source": "strategease-curation", "rationale": what})
    for frm, to in COMB:
        put(frm, to, {"from": frm, "to": to, "kind": "crosswalk", "evidence": "published-matrix",
                      "source": "damschroder2022", "note": COMB_NOTE})
    for frm, to, why in CURATED_EXTRA:
        put(frm, to, {"from": frm, "to": to, "kind": "crosswalk", "evidence": "curated",
                      "source": "strategease-curation", "rationale": why})
    # subconstructs inherit their parent's CFIR 1.0 crosswalks (labelled, curated)
    names = {d["id"]: d["name"] for d in determinants}
    for d in determinants:
        if d["framework"] != "cfir2" or d["tier"] != "subconstruct":
            continue
        for parent in d.get("parents", []):
            for frm, to in sorted(by_key):
                if frm != parent or not to.startswith("cfir1.") or (d["id"], to) in by_key:
                    continue
                put(d["id"], to, {"from": d["id"], "to": to, "kind": "crosswalk", "evidence": "curated",
                                  "source": "strategease-curation",
                                  "rationale": f"Inherited from its parent construct {names[parent]}, which "
                                               f"corresponds to CFIR 1.0 {names[to]}."})
    return added


def apply_aliases(determinants: list[dict]) -> None:
    """British/American spellings and '&'/'and' variants on CFIR and partnering entries."""
    for d in determinants:
        if d["framework"] not in ("cfir1", "cfir2", "partnering"):
            continue
        variants = spelling_variants(d["name"])
        if d["framework"] != "partnering":  # the matching tool and CFIR guide write '&' for 'and'
            variants += [v.replace(" and ", " & ") for v in [d["name"], *variants] if " and " in v]
        aliases = dedupe_aliases(d["name"], [*d.get("aliases", []), *variants])
        if aliases:
            d["aliases"] = aliases


def table5_notes(ref: Path, determinants: list[dict]) -> None:
    """Add the Level 1 / Level 2 counts of Waltz et al. 2019 Table 5 to the barriers whose list is complete."""
    rows = table5_merged(ref)[1]  # the reference lists, with Key stakeholders completed from the HTML table
    for d in determinants:
        r = rows.get(d["name"]) if d["framework"] == "cfir1" else None
        if r is None:
            continue
        if r["list_complete"].strip() == "yes":
            extra = (f"Waltz et al. 2019 Table 5: {r['n_level1_from_table5']} Level 1 and "
                     f"{r['n_level2_from_table5']} Level 2 ERIC strategies (a complete list; every other strategy "
                     "was endorsed by under 20 % of experts, exact value unknown).")
        else:
            extra = ("Waltz et al. 2019 Table 5 gives percentages for this barrier, but part of its column could "
                     "not be read: strategies without a value are unknown, not zero.")
        d["note"] = " ".join(filter(None, [d.get("note"), extra]))
