"""Guided scope writing (``strategease init --interactive``): questions in plain language, a valid file.

The questions follow the StrategEase pathway: the change (AACTT: actor, action, context, target,
time), its levels, then the determinants — searched by words and shown grouped by COM-B/TDF, CFIR
and partnering with a one-line explanation each — each marked barrier or facilitator with its
importance and changeability, then (optionally) the partners at the table and the bundle size.
The answers become a commented scope file that is checked with the same loader as
``strategease select`` before it is written.

:class:`Prompter` does the talking through two plain functions (read a line, write text), so the
conversation can be driven by scripted input in tests and by a terminal in real use; nothing here
touches stdin, stdout or files directly.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strategease.catalogue.load import Catalogue
from strategease.catalogue.models import Determinant
from strategease.errors import UsageError
from strategease.selection.scope import PARTNER_TYPES, Involvement, parse_scope
from strategease.vocab import FAMILIES, Actor, Level, Sector, family

GROUP_WORDS = {"comb": ("comb",), "com-b": ("comb",), "tdf": ("tdf",), "cfir": ("cfir1", "cfir2"),
               "cfir1": ("cfir1",), "cfir2": ("cfir2",), "partnering": ("partnering",),
               "partners": ("partnering",)}
PER_GROUP = 8
SUMMARY_WIDTH = 88


def _whole(answer: str) -> int | None:
    """ANSWER as a whole number, or None. Only ASCII digits: str.isdigit() also accepts '²', which
    int() refuses, and int() refuses more than 4300 digits."""
    return int(answer) if answer.isascii() and answer.isdigit() and len(answer) <= 9 else None


class EndOfInput(UsageError):
    """The answers ran out before the scope was complete (exit 2; nothing is written)."""


@dataclass
class Prompter:
    """Asks questions through ``write`` and reads answers through ``read`` (None = end of input)."""

    read: Callable[[], str | None]
    write: Callable[[str], None]

    def say(self, text: str = "") -> None:
        self.write(text + "\n")

    def ask(self, question: str, default: str | None = None, *, required: bool = False) -> str:
        suffix = f" [{default}]" if default else ""
        while True:
            self.write(f"{question}{suffix}: ")
            line = self.read()
            if line is None:
                raise EndOfInput("input ended before the scope was complete; nothing was written",
                                 hint="answer every question, or press Ctrl-C to stop")
            answer = " ".join(line.split())
            if not answer and default is not None:
                return default
            if answer or not required:
                return answer
            self.say("  An answer is needed here.")

    def number(self, question: str, low: int, high: int, default: int | None = None) -> int:
        while True:
            answer = self.ask(question, str(default) if default is not None else None, required=True)
            if _whole(answer) is not None and low <= int(answer) <= high:
                return int(answer)
            self.say(f"  Please give a whole number from {low} to {high}.")

    def confirm(self, question: str, default: bool = False) -> bool:
        while True:
            answer = self.ask(question + (" (Y/n)" if default else " (y/N)")).lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.say("  Please answer y or n.")

    def choose(self, question: str, options: Sequence[str], default: str | None = None, *,
               numbered: bool = True) -> str:
        """One of OPTIONS, by number or by (a unique start of) its text; NUMBERED lists them first."""
        if numbered:
            for i, option in enumerate(options, 1):
                self.say(f"  {i}. {option}")
        while True:
            answer = self.ask(question, default, required=True)
            if _whole(answer) is not None and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1]
            starts = [o for o in options if o.lower().startswith(answer.lower())]
            if len(starts) == 1:
                return starts[0]
            self.say(f"  Please answer {' or '.join(options)}" + (f", or a number from 1 to {len(options)}."
                                                               if numbered else "."))


# --------------------------------------------------------------------------- determinant choices


def one_line(det: Determinant, width: int = SUMMARY_WIDTH) -> str:
    """The first sentence of a determinant's description, shortened to WIDTH characters."""
    text = " ".join((det.description or "").split())
    first = text.split(". ")[0].rstrip(".")
    return textwrap.shorten(first, width=width, placeholder=" …") if first else ""


SUFFIXES = ("ations", "ation", "ings", "ing", "ages", "age", "ness", "ies", "es", "ed", "s")
"""Endings dropped by :func:`stem` (longest first): 'staffing' and 'staff', 'shortage' and 'short' meet."""


def stem(word: str) -> str:
    """A crude English stem: the word without one common ending and a final 'e' (keeping 3 letters)."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def _matches(query: str, stems: set[str]) -> bool:
    return any(s.startswith(query) for s in stems)


def find_determinants(cat: Catalogue, text: str) -> list[Determinant]:
    """Determinants matching TEXT: a group word (tdf, comb, cfir, cfir1, cfir2, partnering) lists the
    group; otherwise entries matching any word (by stem: 'staff shortage' finds 'staffing'), ranked by
    how many words they match, then by how many of those are in the id or name; then by framework
    group and name."""
    key = text.strip().lower()
    live = [d for d in cat.determinants.values() if not d.retired]
    if key in GROUP_WORDS:
        hits = [d for d in live if d.framework in GROUP_WORDS[key]]
        return sorted(hits, key=lambda d: (d.framework, d.id))
    words = list(dict.fromkeys(stem(w) for w in re.findall(r"[a-z0-9]+", key)))
    scored = []
    for d in live:
        head = _stems(f"{d.id} {d.name}")
        hay = head | _stems(" ".join([d.description or "", " ".join(d.examples)]))
        found = sum(1 for w in words if _matches(w, hay))
        if found:
            in_head = sum(1 for w in words if _matches(w, head))
            scored.append((-found, -in_head, d))
    order = {name: i for i, (name, _) in enumerate(FAMILIES)}
    scored.sort(key=lambda t: (t[0], t[1], order.get(family(t[2].framework), len(order)), t[2].name.lower(),
                               t[2].id))
    return [d for _, _, d in scored]


def grouped(hits: Sequence[Determinant], per_group: int = PER_GROUP) -> list[tuple[str, list[Determinant], int]]:
    """HITS by family (COM-B/TDF, CFIR, partnering, other), the family of the best hit first:
    (family, shown, how many in all)."""
    groups: dict[str, list[Determinant]] = {}
    for d in hits:
        groups.setdefault(family(d.framework), []).append(d)
    return [(name, found[:per_group], len(found)) for name, found in groups.items()]


# --------------------------------------------------------------------------- the conversation


@dataclass
class Answers:
    title: str = ""
    change: dict[str, str] = field(default_factory=dict)
    actor_type: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    determinants: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, str]] = field(default_factory=list)
    max_strategies: int = 5


CHANGE_QUESTIONS: tuple[tuple[str, str, bool], ...] = (
    ("actor", "Who needs to do something differently? (the actor, e.g. 'Ward nurses')", True),
    ("action", "What should they do? (the action, e.g. 'Screen older patients for delirium with the 4AT')", True),
    ("context", "Where, or in what circumstances? (context; Enter to skip)", False),
    ("target", "With or for whom? (target; Enter to skip)", False),
    ("time", "When, or how often? (time; Enter to skip)", False),
)


def _pick_many(p: Prompter, question: str, names: list[str], what: str) -> list[str]:
    while True:
        answer = p.ask(question + " Any of " + ", ".join(names) + " (separate with commas; Enter to skip)")
        chosen = [w.strip().lower() for w in answer.replace(";", ",").split(",") if w.strip()]
        wrong = [w for w in chosen if w not in names]
        if not wrong:
            return list(dict.fromkeys(chosen))
        p.say(f"  Not {what}: {', '.join(wrong)}. Choose from: {', '.join(names)}.")


def _levels(p: Prompter) -> list[str]:
    return _pick_many(p, "At which levels does the change happen?", [lv.value for lv in Level], "a level")


def _actor_types(p: Prompter) -> list[str]:
    return _pick_many(p, "Which kind of actor are they? (deliverers: clinicians, teachers, frontline staff; "
                      "recipients: patients, clients, families)", [a.value for a in Actor], "an actor type")


def _sectors(p: Prompter) -> list[str]:
    return _pick_many(p, "In which sector does the change happen? (health-care: hospitals, primary care, "
                      "pharmacies, public-health clinics, community health workers; social-care; education: "
                      "schools, childcare; justice: police, courts, prisons; community: other community services. "
                      "Name two for a mixed setting such as a school health centre; strategies that need another "
                      "sector's machinery, such as formularies or billing, are listed apart)",
                      [x.value for x in Sector], "a sector")


def _show(p: Prompter, hits: Sequence[Determinant]) -> list[Determinant]:
    numbered: list[Determinant] = []
    for name, shown, total in grouped(hits):
        more = f" (first {len(shown)} of {total}; add words to narrow)" if total > len(shown) else ""
        p.say(f"  {name}{more}")
        for d in shown:
            numbered.append(d)
            line = one_line(d)
            p.say(f"   {len(numbered):>2}. {d.name} ({d.id})" + (f"\n       {line}" if line else ""))
    return numbered


def _numbers(answer: str, high: int) -> list[int] | None:
    """'2', '2 5' or '2, 5' as numbers from 1 to HIGH (in order, once each); None if any is not one."""
    parts = answer.replace(",", " ").split()
    picks = [_whole(part) for part in parts]
    if not parts or any(n is None or not 1 <= n <= high for n in picks):
        return None
    return list(dict.fromkeys(n for n in picks if n is not None))


def _pick(p: Prompter, numbered: Sequence[Determinant]) -> list[Determinant] | str:
    """The determinants picked from NUMBERED, or new search words, or '' to search again. A number
    out of range asks the same question again, so the next answer is never read as something else."""
    while True:
        answer = p.ask("Numbers to add, e.g. '2' or '2 5' (words search again; Enter to search again)")
        if not answer:
            return ""
        picks = _numbers(answer, len(numbered))
        if picks is not None:
            return [numbered[n - 1] for n in picks]
        if any(ch.isdigit() for ch in answer):
            p.say(f"  Please give numbers from 1 to {len(numbered)}, separated by spaces.")
            continue
        return answer


def _rate(p: Prompter, det: Determinant) -> dict[str, Any]:
    kind = p.choose(f"Is '{det.name}' a barrier (b) or a facilitator (f) here?", ["barrier", "facilitator"],
                    "barrier", numbered=False)
    importance = p.number("How important is it for the change? 1 (low) to 5 (high)", 1, 5, 3)
    changeability = p.number("How far can strategies change it? 1 (hard) to 5 (easy)", 1, 5, 3)
    note = p.ask("A note on how it shows up here (Enter to skip)")
    entry: dict[str, Any] = {"id": det.id, "kind": kind, "importance": importance, "changeability": changeability}
    if note:
        entry["note"] = note
    p.say(f"  Added {det.name} as a {kind} (importance {importance}, changeability {changeability}).")
    return entry


def _determinants(p: Prompter, cat: Catalogue, chosen: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    chosen = [] if chosen is None else chosen
    p.say()
    p.say("Now the determinants: what stands in the way of the change (barriers) and what helps it")
    p.say("(facilitators). Type words to search, e.g. 'knowledge', 'staff shortage', 'trust'; or a group")
    p.say("to list it: tdf, comb, cfir1, cfir2, partnering. Press Enter when you are done.")
    query = ""
    while True:
        if not query:
            query = p.ask("Search determinants" + (f" ({len(chosen)} chosen)" if chosen else ""))
        if not query:
            if chosen:
                return chosen
            p.say("  Choose at least one determinant.")
            continue
        hits = find_determinants(cat, query)
        if not hits:
            p.say(f"  Nothing matches '{query}'. Try other words, or a group: tdf, comb, cfir1, cfir2, partnering.")
            query = ""
            continue
        picked = _pick(p, _show(p, hits))
        if isinstance(picked, str):
            query = picked
            continue
        query = ""
        for det in picked:
            if any(c["id"] == det.id for c in chosen):
                p.say(f"  {det.name} is already in the scope.")
                continue
            chosen.append(_rate(p, det))


def _review(p: Prompter, a: Answers, cat: Catalogue) -> None:
    """Show the scope before it is written; let the user remove a determinant or add more."""
    while True:
        p.say()
        p.say(f"Your scope: {a.title}")
        p.say("  " + "; ".join(f"{k}: {v}" for k, v in a.change.items()))
        for i, d in enumerate(a.determinants, 1):
            name = cat.determinants[d["id"]].name
            p.say(f"  {i:>2}. {name} ({d['id']}): {d['kind']}, importance {d['importance']}, "
                  f"changeability {d['changeability']}")
        if a.partners:
            p.say("  partners: " + ", ".join(f"{x['name']} ({x['type']}, {x['involvement']})" for x in a.partners))
        p.say(f"  bundle of up to {a.max_strategies} strategies")
        answer = p.ask("Enter to write it; 'remove N' drops determinant N; 'add' searches for more").lower()
        if not answer:
            return
        words = answer.replace("-", " ").split()
        if words[0] in ("remove", "rm", "r", "delete", "drop") and len(words) == 2:
            n = _whole(words[1])
            if n is None or not 1 <= n <= len(a.determinants):
                p.say(f"  Please give a number from 1 to {len(a.determinants)}.")
            elif len(a.determinants) == 1:
                p.say("  A scope needs at least one determinant: add another first.")
            else:
                gone = a.determinants.pop(n - 1)
                p.say(f"  Removed {cat.determinants[gone['id']].name}.")
            continue
        if words[0] == "add":
            a.determinants = _determinants(p, cat, a.determinants)
            continue
        p.say("  Please press Enter, or answer 'remove N' or 'add'.")


def _partners(p: Prompter) -> list[dict[str, str]]:
    partners: list[dict[str, str]] = []
    p.say()
    if not p.confirm("Do you want to list the partners at the table (who takes part, and how)?"):
        return partners
    while True:
        name = p.ask("Partner's name (a person, group or organisation; Enter when done)")
        if not name:
            return partners
        kind = p.choose("What type of partner?", list(PARTNER_TYPES))
        role = p.ask("Their role in the change (Enter to skip)")
        involvement = p.choose("How involved are they?", [v.value for v in Involvement], "involve")
        entry = {"name": name, "type": kind, "involvement": involvement}
        if role:
            entry["role"] = role
        partners.append(entry)


def converse(p: Prompter, cat: Catalogue) -> Answers:
    """Ask every question; return the answers (raises :class:`EndOfInput` if input ends early)."""
    a = Answers()
    p.say("Let's write a scope for your change. Optional questions can be skipped with Enter.")
    p.say()
    a.title = p.ask("A short title for the change", required=True)
    for key, question, required in CHANGE_QUESTIONS:
        answer = p.ask(question, required=required)
        if answer:
            a.change[key] = answer
        if key == "actor":
            a.actor_type = _actor_types(p)
            a.sector = _sectors(p)
    a.levels = _levels(p)
    a.determinants = _determinants(p, cat)
    a.partners = _partners(p)
    p.say()
    a.max_strategies = p.number("How many strategies should the suggested bundle hold? 1 to 20", 1, 20, 5)
    _review(p, a, cat)
    return a


# --------------------------------------------------------------------------- writing the file


def _scalar(value: object) -> str:
    import yaml

    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=2**31 - 1)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def render(a: Answers, cat: Catalogue) -> str:
    """The answers as a commented scope file."""
    lines = [
        "# A strategease scope, written by 'strategease init --interactive'. Edit it freely.",
        "# Rank strategies for it:  strategease select THIS-FILE",
        "# Find more determinants:  strategease search WORDS   or   strategease list determinants --framework tdf",
        "",
        f"title: {_scalar(a.title)}",
        "",
        "# The change: Actor, Action, Context, Target, Time (actor and action are required).",
        "change:",
    ]
    for key, _, _ in CHANGE_QUESTIONS:
        if key in a.change:
            lines.append(f"  {key}: {_scalar(a.change[key])}")
        if key == "actor" and a.actor_type:
            lines.append(f"  actor_type: [{', '.join(a.actor_type)}]  # who must change: "
                         "strategies aimed at other actors are listed apart")
        if key == "actor" and a.sector:
            lines.append(f"  sector: [{', '.join(a.sector)}]  # where: strategies that need another sector's "
                         "machinery are listed apart")
    lines += ["", "# Where the change happens (any of: " + ", ".join(lv.value for lv in Level) + ").",
              f"level: [{', '.join(a.levels)}]", "",
              "# Barriers and facilitators. importance: 1-5, how much it matters; changeability: 1-5, how far",
              "# strategies can change it.", "determinants:"]
    for d in a.determinants:
        det = cat.determinants[d["id"]]
        lines.append(f"  - id: {d['id']}  # {det.name}")
        lines += [f"    kind: {d['kind']}", f"    importance: {d['importance']}",
                  f"    changeability: {d['changeability']}"]
        if d.get("note"):
            lines.append(f"    note: {_scalar(d['note'])}")
    lines += ["", "constraints:", f"  max_strategies: {a.max_strategies}  # size of the suggested bundle",
              "  exclude: []           # strategies you will not use",
              "  already_in_place: []  # strategies already running (credited in the bundle)"]
    if a.partners:
        lines += ["", "# Who is at the table (involvement: " + ", ".join(v.value for v in Involvement) + ").",
                  "partners:"]
        for partner in a.partners:
            lines.append(f"  - name: {_scalar(partner['name'])}")
            lines.append(f"    type: {_scalar(partner['type'])}")
            if partner.get("role"):
                lines.append(f"    role: {_scalar(partner['role'])}")
            lines.append(f"    involvement: {partner['involvement']}")
    return "\n".join(lines) + "\n"


def check(text: str, path: str, cat: Catalogue) -> None:
    """Parse TEXT with the scope loader (raises if the generated file would not load)."""
    from strategease.catalogue.yamlio import parse_yaml

    parse_scope(parse_yaml(text, path), path, cat)


__all__ = ["Answers", "EndOfInput", "Prompter", "check", "converse", "find_determinants", "grouped", "one_line",
           "render"]
