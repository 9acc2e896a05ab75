"""Build the sections of a client report from a selection result and the catalogue (pure core).

:func:`build_report` turns a :class:`~strategease.selection.result.SelectionResult` (what ``select``
produces) into a :class:`ReportDoc`: plain data, one field per report section, in the order the
report prints them. Every renderer (Markdown, HTML, Word, JSON) reads the same object, and every
text in it is *plain text*: escaping is the renderer's job, so catalogue or scope text can never
inject markup.

Sections, in order (see :data:`SECTION_TITLES`):

1. summary: the change, the top determinants and the proposed bundle, one paragraph each;
2. scope: actor, action, context, target, time and levels;
3. determinants grouped by framework family (COM-B/TDF, CFIR, partnering, other);
4. the "types of HOW" (intervention functions) the determinants call for;
5. ranked strategies with the reason for each score, the determinant x strategy matrix, the bundle;
6. a specification per bundle strategy on Proctor et al.'s seven dimensions (2013);
7. an APEASE checklist (Michie et al. 2014) to complete with the client;
8. caveats: the kinds of evidence behind the links and coverage warnings;
9. sources cited and provenance (catalogue version and hash, scope hash, tool version).

Nothing here prints, reads the clock or the environment: the optional date comes in as an
argument (see :func:`report_date`), so the same inputs always give the same report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from strategease.catalogue.reach import BASIS_LABELS
from strategease.errors import UsageError
from strategease.fmt import num
from strategease.render.effects import effect_lines
from strategease.render.select import builds_on_rows, method_sections, sentence
from strategease.selection.result import Contribution, SelectionResult, StrategyOut
from strategease.selection.stability import shown
from strategease.selection.stability import verdict as stability_verdict
from strategease.vocab import FAMILIES, OTHER_FAMILY
from strategease.vocab import family as framework_family

if TYPE_CHECKING:
    from strategease.catalogue.load import Catalogue

SECTION_TITLES: dict[str, str] = {
    "summary": "Summary and proposed bundle",
    "scope": "The change in scope",
    "determinants": "Determinants: what helps and what hinders",
    "functions": "Types of HOW the determinants call for",
    "strategies": "Ranked strategies",
    "specifications": "Specifying the bundle strategies",
    "apease": "APEASE checklist for the bundle",
    "caveats": "Caveats and limits",
    "scores": "Itemised scores",
    "sources": "Evidence, sources and provenance",
}
"""Section keys (also the HTML element ids) and headings, in report order."""

SECTION_NUMBERS: dict[str, str] = {
    "summary": "1", "scope": "2", "determinants": "3", "functions": "4", "strategies": "5",
    "specifications": "6", "apease": "7", "caveats": "8", "scores": "Appendix A", "sources": "Appendix B",
}
"""How each section is numbered in every format (appendices hold the machine detail)."""

PART_BREAKS: tuple[str, ...] = ("scope", "specifications", "scores")
"""Sections that start a new page in print and Word: the analysis, the plan, the appendices."""

BRIEF_SECTIONS: tuple[str, ...] = ("summary", "determinants", "caveats")
"""What ``--brief`` (a two-page executive version) keeps: the summary and bundle, the determinants and
the caveats."""


def section_heading(key: str) -> str:
    """'1. Summary and proposed bundle', 'Appendix A. Itemised scores'."""
    return f"{SECTION_NUMBERS[key]}. {SECTION_TITLES[key]}"


TO_DECIDE = "to decide"
PRE_FILLED = "pre-filled"
MATRIX_MAX_STRATEGIES = 15
TOP_DETERMINANTS = 3

FAMILY_ORDER = (*(name for name, _ in FAMILIES), OTHER_FAMILY)

EVIDENCE_LABELS: dict[str, str] = {
    "survey-of-experts": "Survey of experts: the share of implementation experts who endorsed the link "
                         "(e.g. the CFIR-ERIC matching survey). An expert opinion, not a measured effect.",
    "published-matrix": "Published matrix: a mapping table in a peer-reviewed source (e.g. the Behaviour "
                        "Change Wheel guide). Theory-based links, not trial results.",
    "secondary-report": "Secondary report: a later paper reporting the link without the original number.",
    "seed-document": "Seed document: this project's seed documents (e.g. a mitigation table).",
    "curated": "Curated: the catalogue authors' own judgement, with a written rationale. Check it "
               "against your setting.",
}

# Implementation outcomes (Proctor et al. 2011), which the specification's "outcome" dimension names.
IMPLEMENTATION_OUTCOMES: tuple[str, ...] = ("acceptability", "adoption", "appropriateness", "feasibility",
                                            "fidelity", "implementation cost", "penetration", "sustainability")

# Proctor, Powell & McMillen (2013): seven dimensions for specifying a strategy.
PROCTOR_DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("actor", "Actor", "Who delivers the strategy (a role, not a name)?"),
    ("action", "Action", "What exactly will they do, step by step?"),
    ("action_target", "Action target", "Which determinants, and whose, does it act on?"),
    ("temporality", "Temporality", "When, and in what order with the other strategies?"),
    ("dose", "Dose", "How often, how long, how intense?"),
    ("outcome", "Implementation outcome affected",
     "Which outcome should move: acceptability, adoption, appropriateness, feasibility, fidelity, "
     "cost, penetration or sustainability?"),
    ("justification", "Justification", "Why this strategy for these determinants (theory, evidence)?"),
)

# APEASE (Michie, Atkins & West 2014), as named in issue #4.
APEASE_CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("affordability", "Affordability", "Can it be delivered within the budget available?"),
    ("practicability", "Practicability", "Can it be delivered as designed, by the people and in the "
                                         "setting available?"),
    ("effectiveness", "Effectiveness", "Is it likely to work here, for this change (and at what cost)?"),
    ("acceptability", "Acceptability", "Will staff, patients, managers and partners find it appropriate?"),
    ("side_effects", "Side-effects / safety", "Could it have unwanted or unsafe consequences?"),
    ("equity", "Equity", "Could it widen or narrow differences between groups?"),
)

CHANGE_LABELS: tuple[tuple[str, str], ...] = (
    ("actor", "Actor (who)"),
    ("action", "Action (what)"),
    ("context", "Context (where)"),
    ("target", "Target (with or for whom)"),
    ("time", "Time (when)"),
)

GENERAL_CAVEATS: tuple[str, ...] = (
    "Scores rank strategies by how many of your determinants they are linked to, and how strongly; "
    "they are not effect sizes and do not predict success.",
    "Determinant weights come from the importance and changeability you gave in the scope; "
    "revisit them with the people who will do the work.",
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _OmitAbsent(_Out):
    """A model whose optional sections (``OMIT``) are left out of the JSON when absent, so reports of
    inputs that do not use them stay byte-identical to earlier versions."""

    OMIT: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in self.OMIT:
                if data.get(key) is None:
                    data.pop(key, None)
        return data


class Cover(_Out):
    """The cover block: what the report is, for whom, by whom, when, which version."""

    title: str
    client: str | None = None
    prepared_by: str | None = None
    date: str | None = None
    version: str | None = None


class LabelValue(_Out):
    key: str
    label: str
    value: str


class Summary(_Out):
    title: str
    change: str
    determinants: str
    bundle: str


class ScopeSection(_Out):
    title: str
    change: list[LabelValue]
    levels: list[str]


class DeterminantRow(_Out):
    id: str
    name: str
    framework: str
    framework_name: str
    kind: str
    importance: float
    changeability: float
    weight: float
    note: str | None = None
    found_via: list[str] = Field(default_factory=list)  # names of crosswalked/parent determinants used


class DeterminantGroup(_Out):
    family: str
    frameworks: list[str]
    determinants: list[DeterminantRow]


class FunctionRow(_Out):
    id: str
    name: str
    description: str | None
    score: float
    determinants: list[str]  # names of the scope determinants that call for it


class Reason(_Out):
    """One itemised term of a strategy's score, in words."""

    determinant: str | None
    determinant_name: str | None
    link: str  # how the determinant reaches the strategy, in words
    rule: str
    strength: float | None
    weight: float | None
    value: float
    source: str | None
    evidence: str | None
    text: str


class StrategyRow(_Out):
    rank: int
    id: str
    name: str
    cluster: str | None
    score: float
    in_bundle: bool
    addresses: list[str]  # names of the determinants it acts on, largest contribution first
    reasons: list[Reason]


class BundleRow(_OmitAbsent):
    OMIT: ClassVar[tuple[str, ...]] = ("builds_on",)

    code: str  # S1, S2, ... for barrier picks, B1, B2, ... for builds-on picks (column heads in the APEASE table)
    id: str
    name: str
    gain: float
    covers: list[str]  # determinant names
    builds_on: list[str] | None = None  # builds-on picks only: the names of the facilitators it uses


class BundleSection(_Out):
    size: int
    strategies: list[BundleRow]  # the barrier picks (greedy coverage)
    covered_weight: float
    total_weight: float
    covered_percent: float
    uncovered: list[str]  # determinant names
    builds_on: list[BundleRow] = []  # then the builds-on picks: no coverage, no barrier pick displaced
    builds_on_notes: list[str] = []  # important facilitators that give no builds-on pick, and why (sentences)

    @property
    def plan(self) -> list[BundleRow]:
        """Every strategy of the plan: the barrier picks, then the builds-on picks."""
        return [*self.strategies, *self.builds_on]


class SpecDimension(_Out):
    key: str
    label: str
    status: str  # "pre-filled" | "to decide"
    value: str | None
    prompt: str


class Specification(_Out):
    code: str
    strategy: str
    name: str
    description: str | None
    dimensions: list[SpecDimension]
    effects: list[str] = []  # published effectiveness (reviews), one line each; never part of the score


class ApeaseCriterion(_Out):
    key: str
    label: str
    question: str


class ApeaseSection(_Out):
    criteria: list[ApeaseCriterion]
    strategies: list[BundleRow]


class EvidenceCount(_Out):
    kind: str
    count: int
    explanation: str


class BasisRow(_Out):
    """One scope determinant and the strongest kind of evidence behind any of its links to strategies."""

    determinant: str
    basis: str


class CaveatSection(_Out):
    points: list[str]  # the client-facing caveats, in plain words (the body of the report)
    basis_summary: str | None = None
    basis: list[BasisRow] = []
    evidence: list[EvidenceCount]
    general: list[str]
    coverage: list[str]
    warnings: list[str]
    uncovered: list[str]


class SourceRow(_Out):
    id: str
    citation: str
    url: str | None = None
    kind: str | None = None


class Provenance(_OmitAbsent):
    OMIT: ClassVar[tuple[str, ...]] = ("ratings_path", "ratings_hash", "stability_seed")

    tool_version: str
    method: str
    catalogue_name: str
    catalogue_version: str
    catalogue_hash: str
    catalogue_files: list[str]
    scope_path: str
    scope_hash: str
    date: str | None = None
    ratings_path: str | None = None
    ratings_hash: str | None = None
    stability_seed: int | None = None


class MatrixRow(_Out):
    determinant: str
    name: str
    kind: str
    cells: list[float]


class MatrixColumn(_Out):
    id: str
    name: str
    rank: int
    in_bundle: bool


class Matrix(_Out):
    """Determinant x strategy contributions (the sum of a determinant's terms in a strategy's score)."""

    columns: list[MatrixColumn]
    rows: list[MatrixRow]
    max_value: float


class LogicNode(_Out):
    id: str
    label: str
    kind: str | None = None  # barrier | facilitator for determinants


class LogicEdge(_Out):
    source: str
    target: str
    route: str  # "calls for" (determinant -> type of HOW), "delivered by" (-> strategy), "direct", "outcome"


class LogicRow(_Out):
    """The logic model read along one strategy (for text formats)."""

    strategy: str
    functions: list[str]  # names of the types of HOW it delivers that the determinants call for
    determinants: list[str]  # names of the determinants it acts on through them, or directly
    outcomes: list[str]


class LogicModel(_Out):
    """Determinants -> types of HOW (intervention functions) -> strategies -> implementation outcomes."""

    rows: list[LogicRow]
    determinants: list[LogicNode]
    functions: list[LogicNode]
    strategies: list[LogicNode]
    outcomes: list[LogicNode]
    edges: list[LogicEdge]
    note: str


class TeamRow(_Out):
    """One determinant as the team rated it."""

    id: str
    name: str
    added: bool  # rated but not in the scope: added as a barrier
    raters: int
    importance: str  # e.g. "5 (2–5)"
    changeability: str
    agreement: str  # "agree" | "some spread" | "one rater" | "discuss: …"
    disagreement: bool
    scores: str  # who said what, e.g. "Ana 2/2, Ben 5/2, Chi 5/3"


class TeamSection(_Out):
    aggregate: str
    raters: list[str]  # "Ana (ward sister, City Hospital)"
    rows: list[TeamRow]
    rule: str
    disagreements: list[str]  # names of the determinants to discuss


class PartnerRow(_Out):
    name: str
    type: str
    role: str
    involvement: str


class PartnerNeedRow(_Out):
    type: str
    status: str  # "at the table" | "missing" | "only informed"
    partners: list[str]
    determinants: list[str]  # names


class PartnersSection(_Out):
    partners: list[PartnerRow]
    needs: list[PartnerNeedRow]
    missing: list[str]
    notes: list[str]


class StabilityRowDoc(_Out):
    id: str
    name: str
    baseline: str  # "1", "2 (bundle)", "–"
    in_top: str  # "96.5%"
    in_bundle: str
    ranks: str  # "3 (1–14)"
    verdict: str  # "stable" | "contender" | "unstable: …"
    unstable: bool


class StabilitySection(_Out):
    runs: int
    seed: int
    top_k: int
    threshold: str  # "80%"
    model: str
    rows: list[StabilityRowDoc]
    unstable: list[str]  # names


class MethodNote(_Out):
    """One of the lists method ``default`` gives beside the ranking (who must change, ties, the structural
    check, build on, foundation, other actors, part of the change): a title and its lines."""

    title: str
    lines: list[str]


class ReportDoc(_OmitAbsent):
    OMIT: ClassVar[tuple[str, ...]] = ("team", "partners", "stability", "method_notes")

    title: str
    cover: Cover
    summary: Summary
    scope: ScopeSection
    determinant_groups: list[DeterminantGroup]
    functions: list[FunctionRow]
    strategies: list[StrategyRow]
    matrix: Matrix
    logic_model: LogicModel
    bundle: BundleSection | None
    specifications: list[Specification]
    apease: ApeaseSection
    caveats: CaveatSection
    sources: list[SourceRow]
    provenance: Provenance
    team: TeamSection | None = None  # printed in section 3
    partners: PartnersSection | None = None  # printed in section 2
    stability: StabilitySection | None = None  # printed in section 5
    method_notes: list[MethodNote] | None = None  # printed in section 5, after the bundle


# --------------------------------------------------------------------------- helpers


def parse_source_date_epoch(value: str | None) -> int | None:
    """Seconds since the epoch from a ``SOURCE_DATE_EPOCH`` value; None when unset or empty.

    See https://reproducible-builds.org/specs/source-date-epoch/ (a malformed value is an error).
    """
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):  # isdigit() alone accepts '²', which int() refuses
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}",
                         hint="unset it or give e.g. 1700000000")
    seconds = int(text) if len(text) <= 12 else 253402300800
    if seconds > 253402300799:  # 9999-12-31T23:59:59Z
        raise UsageError(f"SOURCE_DATE_EPOCH is out of range: {value!r}", hint="give seconds since 1970")
    return seconds


def parse_report_date(value: str) -> str:
    """A ``--date`` value as an ISO date (YYYY-MM-DD); anything else is a usage error."""
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UsageError(f"--date must be a date such as 2026-03-31, not {value!r}") from None


def report_date(epoch: int | None) -> str | None:
    """The report's date: the UTC date of EPOCH, or None (then the report carries no timestamp)."""
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()


def client_path(path: str) -> str:
    """A path as a client's copy shows it: the file name only (never the folders it sits in, which may
    name the user or the client); ``shipped:NAME`` stays as it is."""
    if path.startswith("shipped:"):
        return path
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path


def client_result(result: SelectionResult) -> SelectionResult:
    """RESULT with every file path reduced to its name (:func:`client_path`), in the paths and in the
    warnings that quote them: what a report may print."""
    paths = [result.scope.path, *result.catalogue.files]
    if result.team_ratings is not None:
        paths.append(result.team_ratings.path)

    def scrub(text: str) -> str:
        for p in sorted(set(paths), key=len, reverse=True):
            if p and client_path(p) != p:
                text = text.replace(p, client_path(p))
        return text

    update: dict[str, Any] = {
        "scope": result.scope.model_copy(update={"path": client_path(result.scope.path)}),
        "catalogue": result.catalogue.model_copy(update={"files": [client_path(f) for f in result.catalogue.files]}),
        "warnings": [scrub(w) for w in result.warnings],
        "coverage_notes": [scrub(n) for n in result.coverage_notes],
    }
    if result.team_ratings is not None:
        update["team_ratings"] = result.team_ratings.model_copy(update={"path": client_path(result.team_ratings.path)})
    return result.model_copy(update=update)


def join_names(words: Iterable[str], last: str | None = None) -> str:
    """Join names for reading: commas, or semicolons when a name itself holds a comma
    ("Memory, Attention and Decision Processes"); with LAST (e.g. "and") before the final one."""
    items = list(words)
    sep = "; " if any("," in w for w in items) else ", "
    if last is None or len(items) < 2:
        return sep.join(items)
    if sep == "; ":
        return "; ".join(items[:-1]) + f"; {last} " + items[-1]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _join(words: Iterable[str]) -> str:
    return join_names(words, "and")


class _Names:
    """Names for ids, from the result first, then the catalogue, else the id itself."""

    def __init__(self, result: SelectionResult, cat: Catalogue | None) -> None:
        self.cat = cat
        self.map: dict[str, str] = {}
        for d in result.determinants:
            self.map[d.id] = d.name
        for f in result.functions:
            self.map[f.id] = f.name
        for s in [*result.strategies, *result.already_in_place]:
            self.map[s.id] = s.name

    def __call__(self, entry_id: str | None) -> str:
        if entry_id is None:
            return ""
        if entry_id in self.map:
            return self.map[entry_id]
        if self.cat is not None:
            found = self.cat.entity(entry_id)
            if found is not None:
                return str(getattr(found[1], "name", entry_id))
        return entry_id


def _link_words(c: Contribution, names: _Names) -> str:
    """The route from a determinant to the strategy, in words (``via`` may chain steps with ``/``)."""
    steps = []
    for step in c.via.split("/"):
        kind, _, target = step.partition(":")
        if kind == "direct":
            steps.append("addressed directly by the strategy")
        elif kind == "function":
            steps.append(f"calls for {names(target)}, which the strategy delivers")
        elif kind == "crosswalk":
            steps.append(f"through the crosswalk to {names(target)}")
        elif kind == "parent":
            steps.append(f"through its parent determinant {names(target)}")
        elif kind == "ratings":
            steps.append("published expert ratings of importance and feasibility")
        elif kind == "levels":
            steps.append("the strategy acts at a level the scope does not name")
        else:
            steps.append(step)
    return ", ".join(steps)


def evidence_kinds(evidence: str | None) -> list[str]:
    """The evidence kinds named in a contribution (a route through two links names both)."""
    return [part.strip() for part in (evidence or "").split(";") if part.strip()]


def _reason(c: Contribution, names: _Names) -> Reason:
    link = _link_words(c, names)
    det_name = names(c.determinant) if c.determinant else None
    value = f"{'+' if c.value >= 0 else ''}{num(c.value)}"
    if c.determinant is None:
        label = "Level modifier" if c.rule == "level-modifier" else "Ratings modifier"
        head = f"{label}: {link}"
    else:
        head = f"{det_name} ({c.rule}"
        if c.weight is not None:
            head += f", weight {num(c.weight)}"
        head += f"): {link}"
    bits = [head]
    if c.strength is not None:
        bits.append(f"link strength {num(c.strength)}")
    bits.append(f"contributes {value}")
    text = "; ".join(bits)
    if c.source:
        text += f". Source: {c.source}" + (f" ({c.evidence})" if c.evidence else "")
    elif c.evidence:
        text += f". Evidence: {c.evidence}"
    text += "."
    if c.note:
        text += f" Note: {c.note.rstrip('.')}."
    return Reason(determinant=c.determinant, determinant_name=det_name, link=link, rule=c.rule,
                  strength=c.strength, weight=c.weight, value=c.value, source=c.source,
                  evidence=c.evidence, text=text)


# --------------------------------------------------------------------------- sections


def _summary(result: SelectionResult, names: _Names, bundle: BundleSection | None) -> Summary:
    ch = result.scope.change
    parts = [f"{label.split(' ')[0]}: {ch[key]}" for key, label in CHANGE_LABELS if ch.get(key)]
    change = f"The change this report plans for is “{result.scope.title}”. " + "; ".join(parts) + "."
    top = sorted(result.determinants, key=lambda d: (-d.weight, d.id))[:TOP_DETERMINANTS]
    if top:
        det_text = (f"Of the {len(result.determinants)} determinants in scope, the ones that matter most are "
                    + _join(f"{d.name} (a {d.kind}, weight {num(d.weight)})" for d in top) + ".")
    else:
        det_text = "The scope lists no determinants."
    if bundle and bundle.strategies:
        bundle_text = (f"We propose a bundle of {len(bundle.strategies)} "
                       f"strateg{'y' if len(bundle.strategies) == 1 else 'ies'} to start from: "
                       + _join(b.name for b in bundle.strategies)
                       + f". Together they reach {num(bundle.covered_percent)}% of the weight of the "
                       "determinants in scope.")
        if bundle.uncovered:
            bundle_text += " Not yet addressed: " + _join(bundle.uncovered) + "."
        if bundle.builds_on:
            bundle_text += (" After these, the plan builds on what already helps: "
                            + _join(f"{b.name} (on {_join(b.builds_on or [])})" for b in bundle.builds_on)
                            + (", which adds" if len(bundle.builds_on) == 1 else ", which add")
                            + " no coverage and displace" + ("s" if len(bundle.builds_on) == 1 else "")
                            + " no barrier answer.")
        bundle_text += " Each strategy still needs to be specified and checked with you (sections 6 and 7)."
    elif result.strategies:
        bundle_text = ("No bundle was computed; the highest-ranked strategies are "
                       + _join(s.name for s in result.strategies[:3]) + ".")
    else:
        bundle_text = "No strategy in the catalogue is linked to the determinants in scope."
    return Summary(title=result.scope.title, change=change, determinants=det_text, bundle=bundle_text)


def _scope(result: SelectionResult) -> ScopeSection:
    ch = result.scope.change
    rows = [LabelValue(key=key, label=label, value=ch[key]) for key, label in CHANGE_LABELS if ch.get(key)]
    known = {key for key, _ in CHANGE_LABELS}
    rows += [LabelValue(key=k, label=k.capitalize(), value=v) for k, v in sorted(ch.items()) if k not in known]
    return ScopeSection(title=result.scope.title, change=rows, levels=list(result.scope.levels))


def _family(framework: str) -> str:
    return framework_family(framework)


def _determinant_groups(result: SelectionResult, cat: Catalogue | None, names: _Names) -> list[DeterminantGroup]:
    groups: dict[str, list[DeterminantRow]] = {}
    for d in result.determinants:
        fw_name = d.framework
        if cat is not None and d.framework in cat.frameworks:
            fw_name = cat.frameworks[d.framework].name
        row = DeterminantRow(id=d.id, name=d.name, framework=d.framework, framework_name=fw_name, kind=d.kind,
                             importance=d.importance, changeability=d.changeability, weight=d.weight,
                             note=d.note, found_via=[names(v) for v in d.resolved_via if v != d.id])
        groups.setdefault(_family(d.framework), []).append(row)
    out = []
    for family in FAMILY_ORDER:
        rows = groups.get(family)
        if rows:
            rows.sort(key=lambda r: (-r.weight, r.id))
            out.append(DeterminantGroup(family=family, frameworks=sorted({r.framework_name for r in rows}),
                                        determinants=rows))
    return out


def _functions(result: SelectionResult, cat: Catalogue | None, names: _Names) -> list[FunctionRow]:
    rows = []
    for f in result.functions:
        desc = cat.functions[f.id].description if cat is not None and f.id in cat.functions else None
        rows.append(FunctionRow(id=f.id, name=f.name, description=desc, score=f.score,
                                determinants=[names(d) for d in f.determinants]))
    return rows


def _strategy_rows(result: SelectionResult, names: _Names, bundle_ids: set[str]) -> list[StrategyRow]:
    rows = []
    for s in result.strategies:
        cluster = names(s.cluster) if s.cluster else None
        rows.append(StrategyRow(rank=s.rank, id=s.id, name=s.name, cluster=cluster, score=s.score,
                                in_bundle=s.id in bundle_ids, addresses=[names(d) for d in _addressed(s)],
                                reasons=[_reason(c, names) for c in s.contributions]))
    return rows


def _addressed(s: StrategyOut) -> list[str]:
    """The determinants a strategy acts on, largest contribution first (ties by id)."""
    totals: dict[str, float] = {}
    for c in s.contributions:
        if c.determinant is not None and c.value > 0:
            totals[c.determinant] = totals.get(c.determinant, 0.0) + c.value
    return sorted(totals, key=lambda d: (-totals[d], d))


EVIDENCE_WORDS: dict[str, str] = {
    "systematic-review": "a systematic review",
    "survey-of-experts": "a survey of implementation experts",
    "published-matrix": "a published theory-based mapping",
    "secondary-report": "a secondary report",
    "seed-document": "the project's seed documents",
    "curated": "the catalogue authors' judgement",
}
"""Evidence kinds in a consultant's words (the body of the report; the appendix explains each)."""


def _bundle(result: SelectionResult, names: _Names) -> BundleSection | None:
    b = result.bundle
    if b is None:
        return None
    percent = 100.0 * b.covered_weight / b.total_weight if b.total_weight else 0.0
    rows = [BundleRow(code=f"S{i}", id=item.id, name=item.name, gain=item.gain,
                      covers=[names(d) for d in item.covers]) for i, item in enumerate(b.strategies, 1)]
    levers = [BundleRow(code=code, id=p.id, name=p.name, gain=0.0, covers=[],
                        builds_on=[f.name for f in p.facilitators]) for code, p in builds_on_rows(result)]
    return BundleSection(size=b.size, strategies=rows, covered_weight=b.covered_weight,
                         total_weight=b.total_weight, covered_percent=round(percent, 1),
                         uncovered=[names(d) for d in b.uncovered], builds_on=levers,
                         builds_on_notes=[sentence(n) for n in b.builds_on_notes or []])


def _matrix(result: SelectionResult, bundle_ids: set[str]) -> Matrix:
    chosen = list(result.strategies[:MATRIX_MAX_STRATEGIES])
    chosen += [s for s in result.strategies[MATRIX_MAX_STRATEGIES:] if s.id in bundle_ids]
    dets = sorted(result.determinants, key=lambda d: (-d.weight, d.id))
    rows: list[MatrixRow] = []
    top = 0.0
    for d in dets:
        cells = []
        for s in chosen:
            value = sum(c.value for c in s.contributions if c.determinant == d.id)
            cells.append(round(value, 6))
            top = max(top, value)
        rows.append(MatrixRow(determinant=d.id, name=d.name, kind=d.kind, cells=cells))
    columns = [MatrixColumn(id=s.id, name=s.name, rank=s.rank, in_bundle=s.id in bundle_ids) for s in chosen]
    return Matrix(columns=columns, rows=rows, max_value=round(top, 6))


LOGIC_MAX_DETERMINANTS = 10
LOGIC_MAX_STRATEGIES = 6


def _logic_model(result: SelectionResult, bundle: BundleSection | None, specs: list[Specification],
                 names: _Names) -> LogicModel:
    """The logic model: the scope's determinants (heaviest first), the types of HOW they call for that
    the chosen strategies deliver, the chosen strategies (the bundle, else the top of the ranking), and
    the implementation outcomes. A strategy is joined to an outcome only when its specification names one."""
    by_id = {s.id: s for s in result.strategies}
    chosen_ids = [b.id for b in bundle.strategies] if bundle and bundle.strategies else [
        s.id for s in result.strategies[:LOGIC_MAX_STRATEGIES]]
    chosen = [by_id[i] for i in chosen_ids if i in by_id][:LOGIC_MAX_STRATEGIES]
    dets = sorted(result.determinants, key=lambda d: (-d.weight, d.id))[:LOGIC_MAX_DETERMINANTS]
    det_ids = {d.id for d in dets}
    delivered = {f for s in chosen for f in s.functions}
    functions = [f for f in result.functions if f.id in delivered and det_ids & set(f.determinants)]
    func_ids = {f.id for f in functions}
    edges: list[LogicEdge] = []
    for f in functions:
        edges += [LogicEdge(source=d, target=f.id, route="calls for") for d in f.determinants if d in det_ids]
    for s in chosen:
        edges += [LogicEdge(source=f, target=s.id, route="delivered by") for f in s.functions if f in func_ids]
        direct = sorted({c.determinant for c in s.contributions if c.determinant in det_ids and c.value > 0
                         and "function:" not in c.via})
        edges += [LogicEdge(source=d, target=s.id, route="direct") for d in direct if d is not None]
    outcomes = [LogicNode(id=f"outcome.{o.replace(' ', '-')}", label=o.capitalize()) for o in IMPLEMENTATION_OUTCOMES]
    named = False
    for spec in specs:
        value = next((d.value for d in spec.dimensions if d.key == "outcome" and d.value), None)
        for o in outcomes:
            if value and o.label.casefold() in value.casefold() and spec.strategy in set(chosen_ids):
                edges.append(LogicEdge(source=spec.strategy, target=o.id, route="outcome"))
                named = True
    note = ("Determinants call for types of HOW (intervention functions), which the strategies deliver; a dashed "
            "line is a link from a determinant straight to a strategy. ")
    note += ("Each strategy is joined to the implementation outcome its specification names." if named else
             "Which implementation outcome (Proctor et al. 2011) each strategy should move is decided in its "
             "specification (section 6); no line is drawn until then.")
    label = {n: names(n) for n in [*det_ids, *func_ids, *chosen_ids]} | {o.id: o.label for o in outcomes}
    rows = []
    for s in chosen:
        funcs = [e.source for e in edges if e.target == s.id and e.route == "delivered by"]
        reached = [e.source for e in edges if e.route == "calls for" and e.target in funcs]
        reached += [e.source for e in edges if e.target == s.id and e.route == "direct"]
        ordered = [d.id for d in dets if d.id in set(reached)]
        rows.append(LogicRow(strategy=s.name, functions=[label[f] for f in funcs],
                             determinants=[label[d] for d in ordered],
                             outcomes=[label[e.target] for e in edges if e.source == s.id and e.route == "outcome"]))
    return LogicModel(
        rows=rows,
        determinants=[LogicNode(id=d.id, label=d.name, kind=d.kind) for d in dets],
        functions=[LogicNode(id=f.id, label=f.name) for f in functions],
        strategies=[LogicNode(id=s.id, label=s.name) for s in chosen],
        outcomes=outcomes, edges=edges, note=note)


def _specification(row: BundleRow, strategy: StrategyOut | None, result: SelectionResult,
                   cat: Catalogue | None, names: _Names) -> Specification:
    ch = result.scope.change
    desc = None
    if cat is not None and row.id in cat.strategies:
        desc = cat.strategies[row.id].description
    values: dict[str, str | None] = {key: None for key, _, _ in PROCTOR_DIMENSIONS}
    prompts = {key: prompt for key, _, prompt in PROCTOR_DIMENSIONS}
    if ch.get("actor"):
        values["actor"] = (f"Aimed at the change's actor ({ch['actor']}); confirm who delivers it "
                           "(e.g. a facilitator, manager or champion).")
    if desc:
        prompts["action"] += f" Start from the catalogue description: {desc}"
    targets = row.covers or (strategy.determinants if strategy else [])
    whose = f" among {ch['actor']}" if ch.get("actor") else ""
    where = f" in {ch['context']}" if ch.get("context") else ""
    if targets:
        values["action_target"] = "The determinants " + _join(names(t) for t in targets) + whose + where + "."
    elif row.builds_on:
        values["action_target"] = "It draws on the strength " + _join(row.builds_on) + whose + where + "."
    if ch.get("time"):
        prompts["temporality"] += f" The change's own timing: {ch['time']}."
    if strategy is not None and _addressed(strategy):
        addressed = [names(d) for d in _addressed(strategy)]
        text = ("Chosen because it acts on " + _join(addressed)
                + (f", through {_join(names(f) for f in strategy.functions)}" if strategy.functions else "") + ".")
        kinds = sorted({k for c in strategy.contributions if c.determinant for k in evidence_kinds(c.evidence)})
        if kinds:
            text += " The links rest on " + _join(EVIDENCE_WORDS.get(k, k) for k in kinds) + "."
        values["justification"] = text + " The itemised score is in Appendix A."
    if row.builds_on:
        lead = (values["justification"] + " " if values["justification"] else "")
        values["justification"] = (lead + "In the plan because it builds on " + _join(row.builds_on)
                                   + ", a facilitator the scope rates as important: it uses a strength rather than "
                                     "answering a barrier.")
    dims = [SpecDimension(key=key, label=label, status=PRE_FILLED if values[key] else TO_DECIDE,
                          value=values[key], prompt=prompts[key]) for key, label, _ in PROCTOR_DIMENSIONS]
    effects = effect_lines(e.model_dump(mode="json", exclude_none=True) for e in cat.strategies[row.id].effects) \
        if cat is not None and row.id in cat.strategies else []
    return Specification(code=row.code, strategy=row.id, name=row.name, description=desc, dimensions=dims,
                         effects=effects)


def _caveats(result: SelectionResult, shown: list[StrategyOut], names: _Names) -> CaveatSection:
    counts: Counter[str] = Counter(k for s in shown for c in s.contributions for k in evidence_kinds(c.evidence))
    evidence = [EvidenceCount(kind=k, count=n, explanation=EVIDENCE_LABELS.get(k, "Other kind of evidence."))
                for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    coverage = list(result.coverage_notes)
    uncovered = [names(d) for d in result.uncovered]
    points = list(GENERAL_CAVEATS)
    if evidence:
        points.append("The links behind this ranking come from "
                      + _join(f"{EVIDENCE_WORDS.get(e.kind, e.kind)} ({e.count})" for e in evidence)
                      + ". They say which strategies fit which determinants; they do not measure how well a "
                        "strategy works in a setting like yours. Appendix B explains each kind.")
    if uncovered:
        points.append("No strategy in the catalogue acts on " + _join(uncovered)
                      + "; plan for " + ("it" if len(uncovered) == 1 else "them") + " separately.")
    notes = len(coverage) + len(result.warnings)
    if notes:
        points.append(f"Where the underlying evidence is incomplete or a determinant is reached only indirectly, "
                      f"this is recorded in Appendix B ({notes} note{'s' if notes != 1 else ''}).")
    eb = result.evidence_basis
    basis = [BasisRow(determinant=names(d), basis=BASIS_LABELS.get(b, b)) for d, b in eb.determinants.items()] \
        if eb is not None else []
    return CaveatSection(points=points, basis_summary=eb.summary if eb is not None else None, basis=basis,
                         evidence=evidence, general=list(GENERAL_CAVEATS), coverage=coverage,
                         warnings=list(result.warnings), uncovered=uncovered)


def _sources(result: SelectionResult, shown: list[StrategyOut], cat: Catalogue | None) -> list[SourceRow]:
    keys: set[str] = {key.strip() for s in shown for c in s.contributions
                      for key in (c.source or "").split(";") if key.strip()}
    if cat is not None:
        for entry_id in [*(d.id for d in result.determinants), *(f.id for f in result.functions),
                         *(s.id for s in shown)]:
            found = cat.entity(entry_id)
            if found is not None and getattr(found[1], "source", None):
                keys.add(found[1].source)  # type: ignore[attr-defined]
    rows = []
    for key in sorted(keys):
        src = cat.sources.get(key) if cat is not None else None
        if src is None:
            rows.append(SourceRow(id=key, citation="(not described in the catalogue)"))
        else:
            rows.append(SourceRow(id=key, citation=src.citation, url=src.url, kind=src.kind))
    return rows


def _team(result: SelectionResult) -> TeamSection | None:
    tr = result.team_ratings
    if tr is None:
        return None

    def value(s: Any) -> str:
        if s.aggregate is None:
            return "not rated"
        return num(s.aggregate) + (f" ({s.min}–{s.max})" if s.n > 1 and s.min != s.max else "")

    def score(v: int | None) -> str:
        return "–" if v is None else str(v)

    rows = []
    for d in tr.determinants:
        if d.disagreement:
            agreement = "discuss: " + "; ".join(d.reasons)
        elif d.raters < 2:
            agreement = "one rater"
        elif all((x.range or 0) <= 1 for x in (d.importance, d.changeability)):
            agreement = "agree"
        else:
            agreement = "some spread"
        rows.append(TeamRow(id=d.id, name=d.name, added=not d.in_scope, raters=d.raters,
                            importance=value(d.importance), changeability=value(d.changeability),
                            agreement=agreement, disagreement=d.disagreement,
                            scores=", ".join(f"{x.rater} {score(x.importance)}/{score(x.changeability)}"
                                             for x in d.scores)))
    raters = [r.name + (f" ({', '.join(b for b in (r.role, r.organisation) if b)})" if r.role or r.organisation
                        else "") for r in tr.raters]
    return TeamSection(aggregate=tr.aggregate, raters=raters, rows=rows, rule=tr.rule,
                       disagreements=[r.name for r in rows if r.disagreement])


STATUS_WORDS = {"present": "at the table", "missing": "missing", "informed-only": "only informed"}


def _partners(result: SelectionResult, names: _Names) -> PartnersSection | None:
    pa = result.partners
    if pa is None:
        return None
    rows = [PartnerRow(name=p.name, type=p.type, role=p.role or "", involvement=p.involvement or "not stated")
            for p in pa.partners]
    needs = [PartnerNeedRow(type=n.type, status=STATUS_WORDS.get(n.status, n.status), partners=list(n.partners),
                            determinants=[names(d) for d in n.determinants]) for n in pa.needs]
    notes = list(pa.notes)
    if pa.push_only:
        notes.append("Partners co-create, yet these strategies are push-only (delivered by experts to "
                     "recipients): " + join_names(p.name for p in pa.push_only)
                     + ". Consider how partners shape them, or a push-pull or co-creation alternative.")
    return PartnersSection(partners=rows, needs=needs, missing=list(pa.missing), notes=notes)




def _stability(result: SelectionResult) -> StabilitySection | None:
    st = result.stability
    if st is None:
        return None

    def pct(share: float) -> str:
        return num(share * 100) + "%"

    rows = []
    for r in st.strategies:
        if not shown(r):
            continue
        base = "–" if r.baseline_rank is None else str(r.baseline_rank)
        if r.in_baseline_bundle:
            base += " (bundle)"
        verdict = stability_verdict(r)
        ranks = "" if r.rank_median is None else f"{num(r.rank_median)} ({r.rank_min}–{r.rank_max})"
        rows.append(StabilityRowDoc(id=r.id, name=r.name, baseline=base, in_top=pct(r.top_share),
                                    in_bundle=pct(r.bundle_share), ranks=ranks, verdict=verdict,
                                    unstable=r.unstable))
    return StabilitySection(runs=st.runs, seed=st.seed, top_k=st.top_k, threshold=pct(st.threshold),
                            model=st.model, rows=rows, unstable=[r.name for r in rows if r.unstable])


def build_report(result: SelectionResult, cat: Catalogue | None = None, *, date: str | None = None,
                 client: str | None = None, prepared_by: str | None = None,
                 version: str | None = None) -> ReportDoc:
    """Build every report section from RESULT (and the catalogue for descriptions and citations).

    Pure and deterministic: same inputs, same report. ``date`` is printed when given (see
    :func:`report_date`); nothing else depends on time. ``client``, ``prepared_by`` and ``version`` go
    on the cover. File paths are printed as file names only (:func:`client_result`).
    """
    result = client_result(result)
    names = _Names(result, cat)
    bundle = _bundle(result, names)
    bundle_ids = {b.id for b in bundle.plan} if bundle else set()
    by_id = {s.id: s for s in result.strategies}
    specs = [_specification(row, by_id.get(row.id), result, cat, names)
             for row in (bundle.plan if bundle else [])]
    shown = list(result.strategies)
    prov = Provenance(tool_version=result.tool_version, method=result.method,
                      catalogue_name=result.catalogue.name, catalogue_version=result.catalogue.version,
                      catalogue_hash=result.catalogue.content_hash, catalogue_files=list(result.catalogue.files),
                      scope_path=result.scope.path, scope_hash=result.scope.content_hash, date=date,
                      ratings_path=result.team_ratings.path if result.team_ratings else None,
                      ratings_hash=result.team_ratings.content_hash if result.team_ratings else None,
                      stability_seed=result.stability.seed if result.stability else None)
    team, partners, stability = _team(result), _partners(result, names), _stability(result)
    summary = _summary(result, names, bundle)
    extra_det = []
    if team is not None:
        extra_det.append(f"Weights are the {team.aggregate} of {len(team.raters)} team members' ratings.")
        if team.disagreements:
            extra_det.append("The team disagreed strongly about " + _join(team.disagreements)
                             + ": discuss before relying on "
                             + ("its weight." if len(team.disagreements) == 1 else "their weights."))
    if partners is not None and partners.missing:
        extra_det.append("Missing from the table: " + _join(partners.missing) + " (section 2).")
    if extra_det:
        summary.determinants = " ".join([summary.determinants, *extra_det])
    if stability is not None and stability.unstable:
        summary.bundle += (f" Under small changes to the weights and links ({stability.runs} runs), the place of "
                           + _join(stability.unstable) + " is uncertain (section 5).")
    title = f"Implementation strategies: {result.scope.title}"
    return ReportDoc(
        title=title,
        cover=Cover(title=title, client=client, prepared_by=prepared_by, date=date, version=version),
        summary=summary,
        scope=_scope(result),
        determinant_groups=_determinant_groups(result, cat, names),
        functions=_functions(result, cat, names),
        strategies=_strategy_rows(result, names, bundle_ids),
        matrix=_matrix(result, bundle_ids),
        logic_model=_logic_model(result, bundle, specs, names),
        bundle=bundle,
        specifications=specs,
        apease=ApeaseSection(criteria=[ApeaseCriterion(key=k, label=lab, question=q) for k, lab, q in APEASE_CRITERIA],
                             strategies=bundle.plan if bundle else []),
        caveats=_caveats(result, shown, names),
        sources=_sources(result, shown, cat),
        provenance=prov,
        team=team,
        partners=partners,
        stability=stability,
        method_notes=[MethodNote(title=t, lines=lines) for t, lines in method_sections(result)] or None,
    )


__all__ = ["APEASE_CRITERIA", "BRIEF_SECTIONS", "IMPLEMENTATION_OUTCOMES", "PART_BREAKS", "PROCTOR_DIMENSIONS",
           "SECTION_NUMBERS", "SECTION_TITLES", "ReportDoc", "build_report", "client_path", "client_result", "num",
           "join_names", "parse_report_date", "parse_source_date_epoch", "report_date", "section_heading"]
