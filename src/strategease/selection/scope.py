"""The scope of a change: what must change, who does it, and which determinants matter.

A scope file is a YAML mapping (see ``strategease init`` for a commented example)::

    title: Delirium screening with the 4AT
    change: {actor: Ward nurses, action: Screen older patients with the 4AT, context: …}
    level: [individual, team]
    determinants:
      - {id: tdf.knowledge, kind: barrier, importance: 4, changeability: 3, note: …}
    constraints: {max_strategies: 5, exclude: [eric.mandate-change], already_in_place: []}
    report: {client: City Hospital, prepared_by: A. Consultant, version: draft 1}   # optional

Loading happens in stages, like the catalogue: read and parse the YAML keeping line numbers
(malformed YAML or an unreadable file is a :class:`UsageError`, exit 2); validate the shape with
Pydantic (``extra="forbid"``); resolve every id against the catalogue. All content problems are
collected and raised together as :class:`ManyErrors` of :class:`InputInvalid` (exit 1), each
naming ``file:line:column`` and, for an unknown id, the closest known one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from strategease.catalogue.load import SINGULAR, Catalogue, did_you_mean, retired_hint, retired_message, shorten
from strategease.catalogue.models import Actor, Level
from strategease.catalogue.yamlio import kind_of, parse_yaml, position, read_stdin, read_text, typed_text_error
from strategease.errors import InputInvalid, ManyErrors
from strategease.vocab import Sector

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]
NoteText = Annotated[str, StringConstraints(max_length=4000)]
EntryId = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Rating = Annotated[int, Field(strict=True, ge=1, le=5)]
"""A 1-5 rating (whole numbers; 1 = low, 5 = high)."""

DEFAULT_RATING = 3


def _lower(value: Any) -> Any:
    """Enum values in a scope ignore case ('Barrier' is 'barrier')."""
    return value.strip().lower() if isinstance(value, str) else value


def _lower_all(value: Any) -> Any:
    return [_lower(v) for v in value] if isinstance(value, list) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Kind(StrEnum):
    barrier = "barrier"
    facilitator = "facilitator"


class Change(_Strict):
    """The change in behaviour or practice (AACTT: actor, action, context, target, time)."""

    actor: ShortText
    actor_type: Annotated[list[Actor], BeforeValidator(_lower_all)] = Field(
        default_factory=list,
        description="who must change, in the catalogue's vocabulary of strategy targets (AACTT's actor)",
    )
    action: ShortText
    sector: Annotated[list[Sector], BeforeValidator(_lower_all)] = Field(
        default_factory=list,
        description="the sector(s) where the change happens (AACTT's context); strategies that need another "
                    "sector's machinery (formularies, billing) are set apart",
    )
    context: ShortText | None = None
    target: ShortText | None = None
    time: ShortText | None = None

    def as_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.model_dump(mode="json").items():
            if v is None or v == []:
                continue
            out[k] = ", ".join(v) if isinstance(v, list) else v
        return out


class ScopeDeterminant(_Strict):
    id: EntryId
    kind: Annotated[Kind, BeforeValidator(_lower)]
    importance: Rating = DEFAULT_RATING
    changeability: Rating = DEFAULT_RATING
    note: NoteText | None = None


class Involvement(StrEnum):
    """How far a partner takes part, from least to most (a spectrum of participation)."""

    inform = "inform"
    consult = "consult"
    involve = "involve"
    collaborate = "collaborate"
    co_create = "co-create"


PARTNER_TYPES = ("patients and families", "frontline staff", "managers", "payers", "policy makers",
                 "community organisations", "researchers", "other")
"""Partner types a scope may name (the catalogue's determinants may name more in ``partner_types``)."""


class Partner(_Strict):
    """Someone at the table: a person, group or organisation taking part in the change."""

    name: ShortText
    type: ShortText
    role: ShortText | None = None
    involvement: Annotated[Involvement | None, BeforeValidator(_lower)] = None
    note: NoteText | None = None


class Constraints(_Strict):
    max_strategies: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None
    exclude: list[EntryId] = Field(default_factory=list)
    already_in_place: list[EntryId] = Field(default_factory=list)


class Innovation(_Strict):
    """What the change itself is: strategies that *are* the innovation are part of the change, not candidates."""

    name: ShortText
    description: NoteText | None = None
    strategies: list[EntryId] = Field(default_factory=list)


class ReportInfo(_Strict):
    """Who a report is for and by (printed on its cover); ``report`` options override each field."""

    client: ShortText | None = None
    prepared_by: ShortText | None = None
    version: ShortText | None = None


class Scope(_Strict):
    """A validated scope (ids not yet checked against a catalogue: see :func:`check_ids`)."""

    title: ShortText
    change: Change
    level: Annotated[list[Level], BeforeValidator(_lower_all)] = Field(default_factory=list)
    determinants: Annotated[list[ScopeDeterminant], Field(min_length=1, max_length=500)]
    innovation: Innovation | None = None
    constraints: Constraints = Field(default_factory=Constraints)
    partners: Annotated[list[Partner], Field(max_length=500)] | None = None
    report: ReportInfo | None = None


@dataclass(frozen=True)
class LoadedScope:
    """A scope plus where it came from (echoed in the selection result)."""

    scope: Scope
    path: str
    content_hash: str

    @classmethod
    def in_memory(cls, scope: Scope, path: str = "<scope>") -> LoadedScope:
        digest = hashlib.sha256(scope.model_dump_json().encode("utf-8")).hexdigest()
        return cls(scope, path, digest)


_HINTS = {
    "importance": "importance is a whole number from 1 (low) to 5 (high)",
    "changeability": "changeability is a whole number from 1 (hard to change) to 5 (easy)",
    "level": "levels are: " + ", ".join(v.value for v in Level),
    "max_strategies": "max_strategies is a whole number from 1 to 100",
    "involvement": "involvement is one of: " + ", ".join(v.value for v in Involvement),
}


def _describe(err: Any) -> tuple[str, str | None]:
    loc = err["loc"]
    where = _loc_text(loc)
    kind = err["type"]
    last = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) if allowed else None
        return (f"unknown key '{where}'",
                hint or (f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it"))
    if kind == "missing":
        return f"missing required key '{where}'", "add it"
    if kind == "too_short" and loc == ("determinants",):
        return "'determinants' is empty", "list at least one barrier or facilitator"
    if kind in ("model_type", "dict_type"):
        return f"'{where}' must be a mapping, not {kind_of(err.get('input'))}", None
    if kind == "list_type":
        return f"'{where}' must be a list, not {kind_of(err.get('input'))}", None
    got = err.get("input")
    typed = typed_text_error(where, got) if kind == "string_type" else None
    if typed is not None:
        return typed
    if kind == "enum" and isinstance(got, str):
        allowed = re.findall(r"'([^']+)'", str((err.get("ctx") or {}).get("expected", "")))
        hint = did_you_mean(got.lower(), allowed)
        return (f"{where}: {shorten(repr(got))} is not one of {', '.join(allowed)}",
                hint or _HINTS.get(last) or f"use one of: {', '.join(allowed)}")
    shown = f" (got {shorten(repr(got))})" if isinstance(got, (int, float, str, bool)) else ""
    return f"{where}: {err['msg']}{shown}", _HINTS.get(last)


def _loc_text(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


_NESTED: dict[str, type[BaseModel]] = {"change": Change, "constraints": Constraints,
                                       "determinants": ScopeDeterminant, "partners": Partner}


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Keys allowed at LOC (for a 'did you mean' on an unknown key)."""
    model: type[BaseModel] = Scope
    for part in loc:
        if isinstance(part, int):
            continue
        inner = _NESTED.get(str(part))
        if inner is None or str(part) not in model.model_fields:
            return []
        model = inner
    return list(model.model_fields)


def _error(path: str, pos: tuple[int | None, int | None], message: str, hint: str | None = None) -> InputInvalid:
    line, col = pos
    return InputInvalid(message, path=path, line=line or 1, column=col or 1, hint=hint)


def parse_scope(data: Any, path: str, cat: Catalogue | None = None) -> Scope:
    """Validate parsed scope data (from :func:`strategease.catalogue.yamlio.parse_yaml`); check ids against CAT.

    Raises :class:`ManyErrors` (exit 1) listing every problem, sorted by position.
    """
    if data is None:
        raise ManyErrors([_error(path, (1, 1), "the scope file is empty",
                                 "run 'strategease init' for a commented example")])
    if not isinstance(data, dict):
        raise ManyErrors([_error(path, getattr(data, "start", (1, 1)),
                                 f"a scope must be a mapping (title, change, determinants, …), not a {kind_of(data)}",
                                 "run 'strategease init' for a commented example")])
    if "change" not in data and {"catalogue", "sources", "strategies", "links", "functions"} & {str(k) for k in data}:
        raise ManyErrors([_error(path, (1, 1), "this is a catalogue file (it has catalogue sections), not a scope",
                                 f"check it with 'strategease validate --catalogue {path}'")])
    errors: list[InputInvalid] = []
    scope: Scope | None = None
    try:
        scope = Scope.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            message, hint = _describe(err)
            errors.append(_error(path, position(data, tuple(err["loc"])), message, hint))
    if cat is not None:
        errors.extend(check_ids(data, path, cat))
    if errors:
        errors.sort(key=lambda e: (e.line or 0, e.column or 0, e.message))
        raise ManyErrors(list(errors))
    assert scope is not None
    return scope


def check_ids(data: Any, path: str, cat: Catalogue) -> list[InputInvalid]:
    """Resolve the ids of a parsed scope against the catalogue (works on raw data, so that id
    problems are reported together with schema problems)."""
    errors: list[InputInvalid] = []
    dets = data.get("determinants") if isinstance(data, dict) else None
    seen: dict[str, int] = {}
    if isinstance(dets, list):
        for index, item in enumerate(dets):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            det_id = item["id"]
            loc = ("determinants", index, "id")
            pos = position(data, loc)
            if det_id in seen:
                errors.append(_error(path, pos, f"determinant '{det_id}' is listed twice "
                                     f"(first as determinants[{seen[det_id]}])", "keep one entry"))
                continue
            seen[det_id] = index
            if det_id not in cat.determinants:
                errors.append(_unknown(path, pos, f"determinants[{index}].id", det_id, cat, "determinants"))
    constraints = data.get("constraints") if isinstance(data, dict) else None
    if isinstance(constraints, dict):
        placed: dict[str, str] = {}
        for key in ("exclude", "already_in_place"):
            ids = constraints.get(key)
            if not isinstance(ids, list):
                continue
            for index, value in enumerate(ids):
                if not isinstance(value, str):
                    continue
                pos = position(data, ("constraints", key, index))
                if value in placed:
                    other = placed[value]
                    msg = (f"'{value}' is listed twice in constraints.{key}" if other == key else
                           f"'{value}' is in both constraints.{other} and constraints.{key}")
                    errors.append(_error(path, pos, msg, "keep it in one place"))
                    continue
                placed[value] = key
                if value not in cat.strategies:
                    errors.append(_unknown(path, pos, f"constraints.{key}[{index}]", value, cat, "strategies"))
    innovation = data.get("innovation") if isinstance(data, dict) else None
    ids = innovation.get("strategies") if isinstance(innovation, dict) else None
    if isinstance(ids, list):
        listed: set[str] = set()
        for index, value in enumerate(ids):
            if not isinstance(value, str):
                continue
            pos = position(data, ("innovation", "strategies", index))
            if value in listed:
                errors.append(_error(path, pos, f"'{value}' is listed twice in innovation.strategies", "keep one"))
                continue
            listed.add(value)
            if value not in cat.strategies:
                errors.append(_unknown(path, pos, f"innovation.strategies[{index}]", value, cat, "strategies"))
    partners = data.get("partners") if isinstance(data, dict) else None
    if isinstance(partners, list):
        known = partner_types(cat)
        names: dict[str, int] = {}
        for index, item in enumerate(partners):
            if not isinstance(item, dict):
                continue
            name, kind = item.get("name"), item.get("type")
            if isinstance(name, str) and name.strip():
                key_name = " ".join(name.split()).casefold()
                if key_name in names:
                    errors.append(_error(path, position(data, ("partners", index, "name")),
                                         f"partner '{name}' is listed twice (first as partners[{names[key_name]}])",
                                         "keep one entry"))
                else:
                    names[key_name] = index
            if isinstance(kind, str) and kind.strip() and normalise_partner_type(kind, known) is None:
                hint = _suggest_type(kind, known)
                errors.append(_error(path, position(data, ("partners", index, "type")),
                                     f"partners[{index}].type: unknown partner type '{kind}'", hint))
    return errors


def _suggest_type(kind: str, known: list[str]) -> str:
    key = " ".join(kind.split()).casefold()
    hint = did_you_mean(key, known)
    if hint is None:
        stems = [w[:5] for w in key.split() if len(w) >= 4]
        close = [t for t in known if any(word.startswith(stem) for stem in stems for word in t.split())]
        if len(close) == 1:
            hint = f"did you mean '{close[0]}'?"
    return hint or "partner types are: " + ", ".join(known)


def partner_types(cat: Catalogue | None = None) -> list[str]:
    """Partner types a scope may use: :data:`PARTNER_TYPES` plus those the catalogue's determinants name."""
    known = list(PARTNER_TYPES)
    if cat is not None:
        extra = {t.casefold() for d in cat.determinants.values() for t in d.partner_types}
        known += sorted(extra - set(known))
    return known


def normalise_partner_type(kind: str, known: list[str]) -> str | None:
    """The known partner type KIND names (case and spacing ignored), or None."""
    key = " ".join(kind.split()).casefold()
    return key if key in known else None




def _unknown(path: str, pos: tuple[int | None, int | None], where: str, value: str, cat: Catalogue,
             section: str) -> InputInvalid:
    what = SINGULAR[section]
    if value in cat.retired:
        return _error(path, pos, f"{where}: {retired_message(cat, value)}", retired_hint(cat, value))
    other = cat.entity(value)
    if other is not None:
        found = SINGULAR.get(other[0], other[0])
        hint = ("list strategies under constraints.exclude or constraints.already_in_place"
                if found == "strategy" else f"only {section} can go here")
        return _error(path, pos, f"{where}: '{value}' is a {found}, not a {what}", hint)
    hint = did_you_mean(value, cat.section(section)) or (
        f"see 'strategease list {section}' or 'strategease search WORDS'")
    return _error(path, pos, f"{where}: unknown {what} '{value}'", hint)


def load_scope(path: Path, cat: Catalogue | None = None) -> LoadedScope:
    """Read, parse and validate a scope file; check its ids against CAT when given.

    PATH ``-`` reads the scope from stdin. Missing/unreadable file or malformed YAML: :class:`UsageError` (exit 2).
    Invalid content: :class:`ManyErrors` of :class:`InputInvalid` (exit 1).
    """
    if str(path) == "-":
        text, sha256 = read_stdin(what="scope")
        name = "<stdin>"
    else:
        text, sha256 = read_text(path, what="scope file")
        name = str(path)
    data = parse_yaml(text, name)
    try:
        scope = parse_scope(data, name, cat)
    except ManyErrors as exc:
        for err in exc.errors:
            err.with_excerpt(text)
        raise
    return LoadedScope(scope, name, sha256)


def example_scope_text() -> str:
    """The commented example scope shipped with the package (what ``strategease init`` writes)."""
    from importlib.resources import files

    return files("strategease.selection").joinpath("scope_example.yaml").read_text(encoding="utf-8")


__all__ = ["Change", "Constraints", "Involvement", "Kind", "LoadedScope", "PARTNER_TYPES", "Partner", "Scope",
           "ScopeDeterminant", "check_ids", "normalise_partner_type", "partner_types",
           "example_scope_text", "load_scope", "parse_scope"]


def scope_schema_text() -> str:
    """The JSON Schema of a scope file, for editors (yaml-language-server) and check-jsonschema. Ids are
    checked against the catalogue only by ``strategease check``: a schema cannot know a layer's ids."""
    import json

    schema = Scope.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "strategease scope file"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
