"""Who is at the table: the scope's partners against the partner types its determinants concern.

Partnering is a layer of implementation, not an afterthought: a scope may list its partners
(``partners:`` — name, type, role, involvement). :func:`analyse` compares them with what the
chosen determinants call for:

* **needed types** — every scope determinant whose catalogue entry names ``partner_types``
  (e.g. *Innovation recipients* → patients and families; *External policy and incentives* →
  policy makers, payers) needs a partner of each of those types at the table;
* **missing** — a needed type with no partner of that type (e.g. a patient-level barrier and no
  patient partner), warned about with the determinants concerned;
* **informed only** — a needed type whose partners are all at the *inform* level: they are told,
  not heard;
* **push-only strategies** — when some partner co-creates, the shown (at most the first 10) or
  bundled strategies whose ``approach`` is push only (expert-driven delivery; Metz et al. 2022 via
  the seed review) are listed, since they sit oddly with a co-created plan;
* **notes** — partnering determinants chosen but no partners listed, or the scope's level lacks
  ``partnership``.

Involvement levels, least to most: inform, consult, involve, collaborate, co-create. The
section is computed only when the scope has a ``partners`` key (an empty list included), so
outputs for scopes without one do not change. Pure: never prints.
"""

from __future__ import annotations

from strategease.catalogue.load import Catalogue
from strategease.selection.result import PartnerNeed, PartnerOut, PartnersOut, PushOnly, SelectionResult
from strategease.selection.scope import Involvement, Scope, normalise_partner_type, partner_types
from strategease.selection.wording import and_list as _and
from strategease.selection.wording import label as _label

PARTNERING_FRAMEWORK = "partnering"
PUSH_ONLY_TOP = 10
"""Push-only strategies are looked for among the first this-many shown strategies and the bundle."""
MISSING_HINT = "consider 'collab.map-partners-and-fill-gaps' or the determinant 'partnering.missing-partners'"


def analyse(cat: Catalogue, scope: Scope, result: SelectionResult) -> tuple[PartnersOut, list[str]]:
    """Partners at the table vs partner types needed by RESULT's determinants; returns the section
    and warnings. RESULT's determinants include any added from team ratings."""
    known = partner_types(cat)
    partners = [PartnerOut(name=p.name, type=normalise_partner_type(p.type, known) or p.type, role=p.role,
                           involvement=p.involvement.value if p.involvement else None)
                for p in (scope.partners or [])]
    types: dict[str, list[str]] = {}
    for p in partners:
        types.setdefault(p.type, []).append(p.name)
    needed: dict[str, list[str]] = {}
    for d in result.determinants:
        det = cat.determinants.get(d.id)
        for kind in det.partner_types if det else []:
            needed.setdefault(kind.casefold(), []).append(d.id)
    needs: list[PartnerNeed] = []
    warnings: list[str] = []
    for kind in sorted(needed):
        at_table = [p for p in partners if p.type == kind]
        if not at_table:
            status = "missing"
        elif all(p.involvement == Involvement.inform.value for p in at_table):
            status = "informed-only"
        else:
            status = "present"
        needs.append(PartnerNeed(type=kind, determinants=needed[kind], partners=[p.name for p in at_table],
                                 status=status))
        labels = _and([_label(cat, d) for d in needed[kind]])
        verb = "concerns" if len(needed[kind]) == 1 else "concern"
        if status == "missing":
            warnings.append(f"no {kind} partner at the table, yet {labels} {verb} them; {MISSING_HINT}")
        elif status == "informed-only":
            warnings.append(f"{kind} are only informed ({', '.join(p.name for p in at_table)}), yet {labels} "
                            f"{verb} them; consider consulting or involving them")
    notes: list[str] = []
    partnering = [d.id for d in result.determinants
                  if (det := cat.determinants.get(d.id)) is not None and det.framework == PARTNERING_FRAMEWORK]
    if partnering and not partners:
        notes.append("partnering determinants are chosen (" + ", ".join(partnering) + ") but no partners are "
                     "listed: add who is at the table under 'partners'")
    if partners and "partnership" not in result.scope.levels and result.scope.levels:
        notes.append("partners are listed but the scope's level does not include 'partnership': partnering "
                     "strategies count as acting at another level")
    push_only: list[PushOnly] = []
    if any(p.involvement == Involvement.co_create.value for p in partners):
        bundle = [b.id for b in result.bundle.strategies] if result.bundle else []
        ranks = {s.id: s.rank for s in result.strategies[:PUSH_ONLY_TOP]}
        for sid in dict.fromkeys([*ranks, *bundle]):
            st = cat.strategies.get(sid)
            if st is not None and [a.value for a in st.approach] == ["push"]:
                push_only.append(PushOnly(id=sid, name=st.name, rank=ranks.get(sid), in_bundle=sid in bundle))
        if push_only:
            warnings.append("partners co-create, yet push-only strategies are shown: "
                            + ", ".join(p.id for p in push_only)
                            + "; consider a push-pull or co-creation alternative, or how partners shape them")
    out = PartnersOut(partners=partners, types={k: types[k] for k in sorted(types)}, needs=needs,
                      missing=[n.type for n in needs if n.status == "missing"], push_only=push_only, notes=notes)
    return out, warnings


__all__ = ["analyse"]
