"""Load catalogue files in stages, strictly, and build an indexed, merged catalogue.

Stages: (1) read and parse each YAML file keeping line numbers; (2) validate each section's
entries with the Pydantic models; (3) merge files and resolve references across them (ids,
sources, frameworks, clusters, link endpoints, hierarchy cycles); (4) warnings (orphans,
missing descriptions). Every problem is reported at once as a :class:`Finding`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, TypeAdapter, ValidationError

from strategease.catalogue import models as m
from strategease.catalogue.findings import Finding, Report, Severity
from strategease.catalogue.yamlio import (
    PosDict,
    decode_text,
    gc_paused,
    kind_of,
    parse_yaml,
    position,
    read_hash,
    read_raw,
    typed_text_error,
)
from strategease.errors import UsageError

ENTRY_MODELS: dict[str, type[BaseModel]] = {
    "sources": m.Source,
    "frameworks": m.Framework,
    "determinants": m.Determinant,
    "functions": m.Function,
    "clusters": m.Cluster,
    "strategies": m.Strategy,
    "links": m.Link,
}
TOP_LEVEL = ("catalogue", *ENTRY_MODELS)
# Entity kinds that share one id space (``show ID`` finds any of them).
ENTITY_SECTIONS = ("determinants", "functions", "clusters", "strategies")
SINGULAR = {"determinants": "determinant", "strategies": "strategy", "functions": "function",
            "clusters": "cluster", "sources": "source", "frameworks": "framework"}
"""A catalogue section's entries named one at a time, in messages ('a strategy')."""
# Which sections a link endpoint must come from, by link kind.
LINK_ENDPOINTS: dict[m.LinkKind, tuple[str, str]] = {
    m.LinkKind.calls_for: ("determinants", "functions"),
    m.LinkKind.delivers: ("functions", "strategies"),
    m.LinkKind.addresses: ("determinants", "strategies"),
    m.LinkKind.crosswalk: ("determinants", "determinants"),
}
MAX_ENTRIES = 1_000_000
_CHUNK = 1000  # entries validated at a time (see _validate)


class Origin(NamedTuple):
    """Where an entry was defined (a named tuple: cheap to build, compare and cache)."""

    path: str
    line: int
    column: int

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass
class Catalogue:
    """The merged catalogue with lookup indexes. Built by :func:`load_catalogue`."""

    meta: m.CatalogueMeta | None = None
    sources: dict[str, m.Source] = field(default_factory=dict)
    frameworks: dict[str, m.Framework] = field(default_factory=dict)
    determinants: dict[str, m.Determinant] = field(default_factory=dict)
    functions: dict[str, m.Function] = field(default_factory=dict)
    clusters: dict[str, m.Cluster] = field(default_factory=dict)
    strategies: dict[str, m.Strategy] = field(default_factory=dict)
    links: list[m.Link] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)
    link_origins: list[Origin] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    content_hash: str = ""
    # id -> its links in file order (a read-only mapping: a cached catalogue builds each list on first use)
    links_from: Mapping[str, list[m.Link]] = field(default_factory=dict)
    links_to: Mapping[str, list[m.Link]] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)
    layer_names: list[str] = field(default_factory=list)
    retired: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (section, replaced_by)
    overridden_by: dict[str, list[str]] = field(default_factory=dict)  # id -> where layers changed it
    retired_at: dict[str, Origin] = field(default_factory=dict)  # id -> where 'retired: true' was written
    base_files: list[str] = field(default_factory=list)  # the files of layer 0 (the base)
    invalid: dict[str, str] = field(default_factory=dict)  # id -> where an entry that failed its schema is

    @property
    def version(self) -> str:
        return self.meta.version if self.meta else "unversioned"

    def section(self, name: str) -> dict[str, Any]:
        return getattr(self, name)  # type: ignore[no-any-return]

    def entity(self, entry_id: str) -> tuple[str, BaseModel] | None:
        """Find any entry (determinant, function, cluster, strategy, source, framework) by id."""
        for name in (*ENTITY_SECTIONS, "sources", "frameworks"):
            found = self.section(name).get(entry_id)
            if found is not None:
                return name, found
        return None

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        for name in (*ENTITY_SECTIONS, "sources", "frameworks"):
            ids.extend(self.section(name))
        return ids

    def build_indexes(self) -> None:
        by_from: dict[str, list[m.Link]] = defaultdict(list)
        by_to: dict[str, list[m.Link]] = defaultdict(list)
        for link in self.links:
            by_from[link.from_].append(link)
            by_to[link.to].append(link)
        self.links_from = dict(by_from)
        self.links_to = dict(by_to)


def shorten(text: str, limit: int = 80) -> str:
    """TEXT cut to LIMIT characters with an ellipsis, so that one bad value (a 400-digit number, a
    pasted paragraph) cannot turn a one-line error message into a screenful."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def replacement_of(cat: Catalogue, entry_id: str) -> str | None:
    """What replaces the retired ENTRY_ID: its ``replaced_by``, followed through replacements that
    are retired themselves, or None (nothing replaces it, or the chain is a cycle)."""
    seen = {entry_id}
    current = cat.retired[entry_id][1]
    while current is not None and current in cat.retired:
        if current in seen:
            return None
        seen.add(current)
        current = cat.retired[current][1]
    return current


def retired_message(cat: Catalogue, entry_id: str) -> str:
    """``'tdf.x' is retired (replaced by 'tdf.y')``: for an id a scope, ratings or command names."""
    replacement = replacement_of(cat, entry_id)
    return f"'{entry_id}' is retired" + (f" (replaced by '{replacement}')" if replacement else "")


def retired_hint(cat: Catalogue, entry_id: str) -> str:
    replacement = replacement_of(cat, entry_id)
    return f"use '{replacement}' instead" if replacement else "remove it: nothing replaces it"


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for an unknown id, or None."""
    if len(word) > 200:  # not a mistyped id: no near match worth the comparisons
        return None
    pool = list(candidates)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
    if not close:
        tail = word.rsplit(".", 1)[-1]
        by_tail = {c.rsplit(".", 1)[-1]: c for c in pool}
        close = [by_tail[t] for t in difflib.get_close_matches(tail, list(by_tail), n=1, cutoff=0.8)]
    return f"did you mean '{close[0]}'?" if close else None


# --------------------------------------------------------------------------- locating files


def shipped_data_dir() -> Path:
    """Directory holding the shipped catalogue (inside the installed package, or the repo's data/)."""
    here = Path(__file__).resolve().parent.parent  # the strategease package
    packaged = here / "data"
    if (packaged / "strategies.yaml").is_file():
        return packaged
    repo = here.parent.parent / "data"
    if (repo / "strategies.yaml").is_file():
        return repo
    raise UsageError("the shipped catalogue is missing from this installation", hint="reinstall strategease")


def shipped_paths() -> list[Path]:
    data = shipped_data_dir()
    return [data / "determinants.yaml", data / "strategies.yaml"]


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Expand directories to the *.yaml / *.yml files inside them (sorted); check files exist."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
            if not found:
                raise UsageError("no catalogue files (*.yaml) in directory", path=str(path),
                                 hint="pass YAML files or a directory that holds them")
            out.extend(found)
        elif not path.exists():
            raise UsageError("catalogue file not found", path=str(path), hint="check the path")
        else:
            out.append(path)
    return out


# --------------------------------------------------------------------------- loading


@dataclass
class _Raw:
    path: str
    data: Any
    text_hash: str
    layer: int


@dataclass(slots=True)
class _Item:
    """One raw entry as written in one file (before merging layers); RAW is dropped once validated."""

    raw: Any
    origin: Origin
    layer: int

    @property
    def path(self) -> str:
        return self.origin.path


def _finding(report: Report, path: str, pos: tuple[int | None, int | None], rule: str, message: str,
             *, entry: str | None = None, hint: str | None = None,
             severity: Severity = Severity.error) -> None:
    line, col = pos
    report.add(Finding(path, line or 1, col or 1, severity, rule, message, entry, hint))


def _describe_pydantic_error(err: Any) -> tuple[str, str | None]:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{err['loc'][-1]}'", "remove it or check its spelling"
    if kind == "missing":
        return f"missing required key '{err['loc'][-1]}'", "add it"
    pattern = (err.get("ctx") or {}).get("pattern")
    if kind == "string_pattern_mismatch" and pattern == m.ID_PATTERN:
        return (f"{loc}: {shorten(repr(err.get('input')))} is not a valid id",
                "use lower-case words joined by hyphens after a namespace, e.g. 'tdf.knowledge'")
    if kind == "string_pattern_mismatch" and pattern == m.KEY_PATTERN:
        return (f"{loc}: {shorten(repr(err.get('input')))} is not a valid key",
                "use lower-case words joined by '.', '-' or '_', e.g. 'waltz2019'")
    choices = re.fullmatch(r"\^\(([a-z0-9|_.-]+)\)\$", pattern or "")
    if kind == "string_pattern_mismatch" and choices:
        allowed = choices.group(1).split("|")
        got = str(err.get("input"))
        return (f"{loc}: {shorten(repr(got))} is not one of {', '.join(allowed)}",
                did_you_mean(got.lower(), allowed) or f"use one of: {', '.join(allowed)}")
    if kind == "enum":
        allowed = re.findall(r"'([^']+)'", str((err.get("ctx") or {}).get("expected", "")))
        got = str(err.get("input"))
        return (f"{loc}: {shorten(repr(got))} is not one of {', '.join(allowed)}",
                did_you_mean(got.lower(), allowed) or f"use one of: {', '.join(allowed)}")
    typed = typed_text_error(loc, err.get("input")) if kind == "string_type" else None
    if typed is not None:
        return typed
    msg = err["msg"]
    return (f"{loc}: {msg}" if loc else msg), None


def load_catalogue(paths: Sequence[Path] | None = None, layers: Sequence[Path] = (), *,
                   use_cache: bool = False) -> tuple[Catalogue, Report]:
    """Load, validate and merge catalogue files (default base: the shipped catalogue).

    ``paths`` are the base files (all one layer); each of ``layers`` (a file or a directory)
    is laid over the result in order: new entries add, an entry with an existing id overrides
    it field by field, and ``retired: true`` withdraws it. I/O problems and malformed YAML
    raise :class:`UsageError` (exit 2); content problems are returned as findings (exit 1).
    With ``use_cache``, a valid result is reused while the files' bytes are unchanged
    (see :mod:`strategease.catalogue.cache`); ``validate`` never uses the cache.
    """
    with gc_paused():
        return _load(paths, layers, use_cache)


def _cached_shape() -> str:
    """The field names of every class a cache entry holds (see :func:`strategease.catalogue.cache.cache_key`)."""
    import dataclasses

    from strategease.catalogue.findings import Finding

    models: tuple[type[BaseModel], ...] = (m.CatalogueMeta, m.CoverageNote, m.Ratings, *ENTRY_MODELS.values())
    shapes = [f"{cls.__name__}:{','.join(cls.model_fields)}" for cls in models]
    shapes += [f"{cls.__name__}:{','.join(f.name for f in dataclasses.fields(cls))}"
               for cls in (Catalogue, Report, Finding)]
    shapes.append(f"Origin:{','.join(Origin._fields)}")
    return ";".join(shapes)


def _load(paths: Sequence[Path] | None, layers: Sequence[Path], use_cache: bool) -> tuple[Catalogue, Report]:
    base_files = expand_paths(paths) if paths else shipped_paths()
    groups = [base_files] + [expand_paths([layer]) for layer in layers]
    paths_of = [(index, path) for index, group in enumerate(groups) for path in group]
    key = ""
    if use_cache:
        from strategease.catalogue import cache

        # hashes only: a cache hit never holds the files' bytes, let alone decodes them
        shape = _cached_shape()
        key = cache.cache_key([(index, str(path), read_hash(path, what="catalogue file")) for index, path in paths_of],
                              shape)
        hit = _from_cache(key)
        if hit is not None:
            return hit
    files = [(index, path, read_raw(path, what="catalogue file")) for index, path in paths_of]
    if use_cache:  # the entry stored is keyed by the bytes parsed (a file may have changed since it was hashed)
        key = cache.cache_key([(index, str(path), file.sha256) for index, path, file in files], shape)
    raws = [_Raw(str(path), parse_yaml(decode_text(file, path).text, str(path)), file.sha256, index)
            for index, path, file in files]
    del files  # only the parsed documents are needed from here on
    report = Report(files=[raw.path for raw in raws])
    cat = Catalogue(files=report.files)
    cat.layers = [str(p) for p in layers]
    cat.base_files = [raw.path for raw in raws if raw.layer == 0]
    digest = hashlib.sha256()
    for raw in raws:
        digest.update(raw.text_hash.encode())
    cat.content_hash = digest.hexdigest()

    items: dict[str, list[_Item]] = defaultdict(list)
    for raw in raws:
        _collect(cat, raw, items, report)
        raw.data = None  # its entries are in ITEMS: let _validate free each once validated
    merged = _combine(items, report)
    validated = {name: _validate(name, entries, report, cat.invalid) for name, entries in merged.items()}
    _merge(cat, validated, report)
    _resolve(cat, report)
    cat.build_indexes()
    _warn(cat, report)
    _check_text(cat, report)
    report.counts = {name: len(cat.section(name)) for name in ENTRY_MODELS if name != "links"}
    report.counts["links"] = len(cat.links)
    if cat.retired:
        report.counts["retired"] = len(cat.retired)
    if use_cache and not report.errors:
        _to_cache(key, cat, report)
    return cat, report


def _from_cache(key: str) -> tuple[Catalogue, Report] | None:
    """The cached catalogue for KEY, if there is a sound entry (see :mod:`strategease.catalogue.cache`)."""
    from strategease.catalogue import cache, cache_codec

    payload = cache.load(key)
    if payload is None:
        return None
    try:
        return cache_codec.decode(payload, key)
    except cache_codec.DecodeError:
        return None


def _to_cache(key: str, cat: Catalogue, report: Report) -> None:
    from strategease.catalogue import cache, cache_codec

    try:
        payload = cache_codec.encode(key, cat, report)
    except (TypeError, ValueError, RecursionError):
        return  # a shape the format does not know: run uncached rather than store a partial entry
    cache.store(key, payload)


def _collect(cat: Catalogue, raw: _Raw, items: dict[str, list[_Item]], report: Report) -> None:
    """Stage 2a: check a file's top-level shape and gather its raw entries by section."""
    data = raw.data
    if data is None:
        _finding(report, raw.path, (1, 1), "schema", "the file is empty",
                 hint="a catalogue file is a mapping with sections such as 'strategies:'")
        return
    if not isinstance(data, PosDict):
        _finding(report, raw.path, getattr(data, "start", (1, 1)), "schema",
                 f"the file must be a mapping of sections, not a {kind_of(data)}",
                 hint="start with e.g. 'strategies:'")
        return
    if _looks_like_scope(data):
        _finding(report, raw.path, (1, 1), "scope-file",
                 "this is a scope file (it has 'change:'), not a catalogue file",
                 hint=f"check it with 'strategease check {raw.path}' or rank strategies with "
                      f"'strategease select {raw.path}'")
        return
    for key, pos in data.key_positions():
        if key not in TOP_LEVEL:
            hint = did_you_mean(str(key), TOP_LEVEL)
            _finding(report, raw.path, pos, "schema", f"unknown section '{key}'",
                     hint=hint or f"sections are: {', '.join(TOP_LEVEL)}")
    if "catalogue" in data:
        try:
            meta = m.CatalogueMeta.model_validate(data["catalogue"])
        except ValidationError as exc:
            for err in exc.errors():
                message, hint = _describe_pydantic_error(err)
                _finding(report, raw.path, position(data, ("catalogue", *err["loc"])), "schema",
                         message, entry="catalogue", hint=hint)
        else:
            if raw.layer == 0 and cat.meta is not None:
                _finding(report, raw.path, data.pos_of("catalogue") or (1, 1), "duplicate",
                         "'catalogue' metadata is given in more than one file", hint="keep one")
            elif raw.layer == 0 or cat.meta is None:
                cat.meta = meta
            else:  # a layer's metadata adds its coverage notes to the base's
                cat.meta = cat.meta.model_copy(update={"coverage": [*cat.meta.coverage, *meta.coverage]})
                cat.layer_names.append(f"{meta.name} {meta.version}")
    for name in ENTRY_MODELS:
        section = data.get(name)
        if section is None:
            continue
        if not isinstance(section, list):
            _finding(report, raw.path, data.pos_of(name) or (1, 1), "schema",
                     f"'{name}' must be a list of entries, not {kind_of(section)}")
            continue
        if len(section) > MAX_ENTRIES:
            _finding(report, raw.path, data.pos_of(name) or (1, 1), "limit",
                     f"'{name}' has {len(section)} entries, over the limit of {MAX_ENTRIES}",
                     hint="split the catalogue")
            continue
        for index, entry in enumerate(section):
            if not isinstance(entry, dict):
                _finding(report, raw.path, position(data, (name, index)), "schema",
                         f"{name}[{index}] must be a mapping, not {kind_of(entry)}")
                continue
            items[name].append(_Item(entry, Origin(raw.path, *getattr(entry, "start", (1, 1))), raw.layer))


def _looks_like_scope(data: PosDict) -> bool:
    """A mapping with a scope's 'change:' and no catalogue section other than 'determinants' (which both share)."""
    keys = {str(k) for k in data}
    return "change" in keys and not (keys & set(TOP_LEVEL)) - {"determinants"}


def _key(name: str, raw: Any) -> Any:
    if name == "links":
        key = (raw.get("from"), raw.get("to"), raw.get("kind"))
        return key if all(isinstance(k, str) for k in key) else None
    value = raw.get("id")
    return value if isinstance(value, str) else None


def _combine(items: dict[str, list[_Item]], report: Report) -> dict[str, list[list[_Item]]]:
    """Stage 2b: group raw entries by identity across layers (later layers override earlier ones)."""
    out: dict[str, list[list[_Item]]] = {}
    for name in ENTRY_MODELS:
        groups: dict[Any, list[_Item]] = {}
        ordered: list[list[_Item]] = []
        for item in items.get(name, []):
            key = _key(name, item.raw)
            if key is None:
                ordered.append([item])  # invalid identity: validation reports it
                continue
            group = groups.get(key)
            if group is None:
                groups[key] = group = [item]
                ordered.append(group)
            elif group[-1].layer == item.layer:
                first = group[-1].origin
                label = f"link {key[0]} -> {key[1]} ({key[2]})" if name == "links" else f"id '{key}'"
                report.add(Finding(item.path, item.origin.line, item.origin.column, Severity.error,
                                   "duplicate-link" if name == "links" else "duplicate-id",
                                   f"{label} is already defined at {first.text()}",
                                   None if name == "links" else key,
                                   "keep one link per pair and kind" if name == "links"
                                   else "ids must be unique; rename one"))
            else:
                group.append(item)
        out[name] = ordered
    return out


def _merged_raw(group: list[_Item], name: str, report: Report) -> dict[str, Any]:
    if len(group) == 1:
        return group[0].raw  # type: ignore[no-any-return]
    merged: dict[str, Any] = {}
    setter: dict[str, _Item] = {}
    for item in group:
        for field_name, value in item.raw.items():
            earlier = setter.get(field_name)
            if (earlier is not None and earlier.layer > 0 and merged[field_name] != value):
                pos = item.raw.pos_of(field_name) or (item.origin.line, item.origin.column)
                report.add(Finding(item.path, pos[0], pos[1], Severity.warning, "layer-conflict",
                                   f"'{field_name}' is also set by {earlier.path}; this later layer wins",
                                   str(_key(name, item.raw)), "check which layer should decide"))
            merged[field_name] = value
            setter[field_name] = item
    return merged


def _validate(name: str, groups: list[list[_Item]], report: Report,
              invalid: dict[str, str]) -> list[tuple[Any, _Item, list[_Item]]]:
    """Stage 3: validate merged entries with the section's model; report errors where written.

    Works in chunks and drops each raw entry once validated, so that raw entries and models do
    not all exist at once.
    """
    model = ENTRY_MODELS[name]
    merged: list[Any] = [_merged_raw(group, name, report) for group in groups]
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
    good: list[tuple[Any, _Item, list[_Item]]] = []
    for begin in range(0, len(groups), _CHUNK):
        raws = merged[begin:begin + _CHUNK]
        part = groups[begin:begin + _CHUNK]
        merged[begin:begin + len(raws)] = [None] * len(raws)
        try:
            parsed = adapter.validate_python(raws)
            good.extend((m.share_fields_set(obj), group[0], group) for obj, group in zip(parsed, part, strict=True))
        except ValidationError:
            _validate_each(name, model, raws, part, good, report, invalid)
        for group in part:
            for item in group:
                item.raw = None
    return good


def _validate_each(name: str, model: type[BaseModel], raws: list[Any], groups: list[list[_Item]],
                   good: list[tuple[Any, _Item, list[_Item]]], report: Report, invalid: dict[str, str]) -> None:
    """Validate entries one by one, reporting each problem where it is written."""
    for raw, group in zip(raws, groups, strict=True):
        try:
            good.append((m.share_fields_set(model.model_validate(raw)), group[0], group))
        except ValidationError as exc:
            label = _key(name, raw)
            if name != "links" and isinstance(label, str):
                invalid[label] = group[0].origin.text()
            entry = (f"{label[0]} -> {label[1]}" if name == "links" and label else
                     str(label) if label else f"{name} entry")
            for err in exc.errors():
                message, hint = _describe_pydantic_error(err)
                loc = tuple(err["loc"])
                where = next((it for it in reversed(group) if loc and loc[0] in it.raw), group[-1])
                _finding(report, where.path, position(where.raw, loc), "schema", message,
                         entry=entry, hint=hint)


def _merge(cat: Catalogue, validated: dict[str, list[tuple[Any, _Item, list[_Item]]]], report: Report) -> None:
    """Stage 4a: place validated entries; ids are unique across determinants/functions/clusters/strategies."""
    seen: dict[str, tuple[str, Origin]] = {}
    for name in ENTRY_MODELS:
        if name == "links":
            continue
        target = cat.section(name)
        for model, first, group in validated.get(name, []):
            origin = first.origin
            key = f"{name}:{model.id}" if name in ("sources", "frameworks") else model.id
            if key in seen:
                first_section, where = seen[key]
                report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "duplicate-id",
                                   f"id '{model.id}' is already defined at {where.text()} "
                                   f"(as a {_singular(first_section)})", model.id, "ids must be unique; rename one"))
                continue
            seen[key] = (name, origin)
            cat.origins[key] = origin
            if len(group) > 1:
                cat.overridden_by[key] = [it.origin.text() for it in group[1:]]
            if getattr(model, "retired", False):
                cat.retired[model.id] = (name, getattr(model, "replaced_by", None))
                cat.retired_at[model.id] = group[-1].origin
                continue
            target[model.id] = model
    for model, first, group in validated.get("links", []):
        if model.retired:
            continue
        cat.links.append(model)
        cat.link_origins.append(group[-1].origin if len(group) > 1 else first.origin)


def origin_of(cat: Catalogue, section: str, entry_id: str) -> Origin:
    key = f"{section}:{entry_id}" if section in ("sources", "frameworks") else entry_id
    return cat.origins.get(key, Origin(cat.files[0] if cat.files else "<catalogue>", 1, 1))


def _singular(section: str) -> str:
    """``strategies`` -> ``strategy``, ``determinants`` -> ``determinant``."""
    return SINGULAR.get(section, section)


MAX_HINTS = 1000
"""Distinct unknown references that get a did-you-mean (each compares the value with every id of its
section); later ones get the generic hint, so 100,000 broken links are checked in seconds."""


def _ref(cat: Catalogue, report: Report, hints: dict[tuple[str, str], str | None], origin: Origin, entry: str,
         field_name: str, value: str, section: str, what: str) -> bool:
    pool = cat.section(section)
    if value in pool:
        return True
    if value in cat.retired:
        replacement = cat.retired[value][1]
        report.add(Finding(origin.path, origin.line, origin.column, Severity.warning, "retired-reference",
                           f"{field_name} '{value}' is retired", entry,
                           f"use '{replacement}'" if replacement else "remove the reference"))
        return False
    if value in cat.invalid:  # follows from an earlier error: say so rather than "not defined"
        report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "unknown-reference",
                           f"{field_name} '{value}' is unusable: its entry at {cat.invalid[value]} has errors",
                           entry, "fix that entry first; this error follows from it"))
        return False
    key = (section, value)
    if key not in hints:
        hints[key] = did_you_mean(value, pool) if len(hints) < MAX_HINTS else None
    hint = hints[key] or f"define the {what} or fix the reference"
    report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "unknown-reference",
                       f"{field_name} '{value}' is not a defined {what}", entry, hint))
    return False


def _resolve(cat: Catalogue, report: Report) -> None:
    hints: dict[tuple[str, str], str | None] = {}  # did-you-mean per unknown reference (see _ref)
    for section in ("determinants", "functions", "clusters", "strategies"):
        for entry_id, model in cat.section(section).items():
            origin = origin_of(cat, section, entry_id)
            _ref(cat, report, hints, origin, entry_id, "source", model.source, "sources", "source")
            if hasattr(model, "framework"):
                _ref(cat, report, hints, origin, entry_id, "framework", model.framework, "frameworks", "framework")
    for fw_id, fw in cat.frameworks.items():
        _ref(cat, report, hints, origin_of(cat, "frameworks", fw_id), fw_id, "source", fw.source, "sources", "source")
    for det_id, det in cat.determinants.items():
        origin = origin_of(cat, "determinants", det_id)
        for parent in det.parents:
            _ref(cat, report, hints, origin, det_id, "parent", parent, "determinants", "determinant")
    for st_id, st in cat.strategies.items():
        origin = origin_of(cat, "strategies", st_id)
        if st.cluster is not None:
            _ref(cat, report, hints, origin, st_id, "cluster", st.cluster, "clusters", "cluster")
        if st.ratings is not None and st.ratings.source is not None:
            _ref(cat, report, hints, origin, st_id, "ratings.source", st.ratings.source, "sources", "source")
    if cat.meta:
        for note in cat.meta.coverage:
            if note.source:
                _ref(cat, report, hints, Origin(cat.files[-1], 1, 1), "catalogue", "coverage.source", note.source,
                     "sources", "source")
    in_cycle = _check_replacement_cycles(cat, report)
    for entry_id, (section, replaced_by) in sorted(cat.retired.items()):
        if replaced_by is not None and entry_id not in in_cycle:
            origin = origin_of(cat, section, entry_id)
            _ref(cat, report, hints, origin, entry_id, "replaced_by", replaced_by, section, _singular(section))
    kept: list[tuple[m.Link, Origin]] = []
    dropped: dict[str, list[str]] = defaultdict(list)
    for link, origin in zip(cat.links, cat.link_origins, strict=True):
        label = f"{link.from_} -> {link.to}"
        gone = [end for end in (link.from_, link.to) if end in cat.retired]
        if gone and _retired_by_layer(cat, origin, gone[0]):
            dropped[gone[0]].append(label)
            continue
        if gone:
            replacement = cat.retired[gone[0]][1]
            report.add(Finding(origin.path, origin.line, origin.column, Severity.warning, "retired-reference",
                               f"link uses retired entry '{gone[0]}' and is dropped", label,
                               f"point it at '{replacement}'" if replacement else "retire or re-point the link"))
            continue
        kept.append((link, origin))
        from_section, to_section = LINK_ENDPOINTS[link.kind]
        _ref(cat, report, hints, origin, label, "from", link.from_, from_section, _singular(from_section))
        _ref(cat, report, hints, origin, label, "to", link.to, to_section, _singular(to_section))
        _ref(cat, report, hints, origin, label, "source", link.source, "sources", "source")
        if link.strength_lower_source is not None:
            _ref(cat, report, hints, origin, label, "strength_lower_source", link.strength_lower_source, "sources",
                 "source")
            if link.strength_lower is None:
                report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "bound-source",
                                   "strength_lower_source names the source of a lower bound, but the link has no "
                                   "strength_lower", label, "add strength_lower or remove strength_lower_source"))
        if link.from_ == link.to:
            report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "self-link",
                               "a link cannot point to itself", label))
        if link.strength is not None and link.strength_lower is not None and link.strength < link.strength_lower:
            report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "strength-range",
                               f"strength {link.strength} is below strength_lower {link.strength_lower}", label))
    for entry_id, labels in sorted(dropped.items()):
        where = cat.retired_at[entry_id]
        replacement = cat.retired[entry_id][1]
        shown = "; ".join(labels[:3]) + (f"; and {len(labels) - 3} more" if len(labels) > 3 else "")
        report.add(Finding(where.path, where.line, where.column, Severity.note, "retired-drops-links",
                           f"retiring it drops {len(labels)} link(s) of the base catalogue: {shown}", entry_id,
                           f"add links to '{replacement}' in this layer if they should carry over" if replacement
                           else "add links in this layer to keep those routes"))
    cat.links = [link for link, _ in kept]
    cat.link_origins = [origin for _, origin in kept]
    _check_cycles(cat, report)


def _retired_by_layer(cat: Catalogue, link_origin: Origin, entry_id: str) -> bool:
    """True when a base link ends at an entry that a layer (not the base itself) retired: the consequence
    is the layer's choice and is reported at the layer's line, not at a line of a base the user may not edit."""
    where = cat.retired_at.get(entry_id)
    return (where is not None and link_origin.path in cat.base_files and where.path not in cat.base_files)


def _check_replacement_cycles(cat: Catalogue, report: Report) -> set[str]:
    """Retired entries whose ``replaced_by`` chain comes back to itself: an error naming the cycle,
    reported once, at the cycle's first id. Returns the ids in cycles."""
    in_cycle: set[str] = set()
    for start in sorted(cat.retired):
        chain = [start]
        nxt = cat.retired[start][1]
        while nxt is not None and nxt in cat.retired and nxt not in chain:
            chain.append(nxt)
            nxt = cat.retired[nxt][1]
        if nxt is None or nxt not in chain or nxt in in_cycle:
            continue
        cycle = chain[chain.index(nxt):]
        in_cycle.update(cycle)
        first = min(cycle)
        ordered = cycle[cycle.index(first):] + cycle[:cycle.index(first)] + [first]
        origin = origin_of(cat, cat.retired[first][0], first)
        if cat.overridden_by.get(first):  # retired by a layer: point at the last layer's entry
            path, line, column = cat.overridden_by[first][-1].rsplit(":", 2)
            origin = Origin(path, int(line), int(column))
        report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "replaced-by-cycle",
                           "replaced_by forms a cycle: " + " -> ".join(ordered), first,
                           "point one replaced_by at an entry that is not retired, or remove it"))
    return in_cycle


def _check_cycles(cat: Catalogue, report: Report) -> None:
    """The determinant hierarchy (parents) must be acyclic."""
    state: dict[str, int] = {}
    for start in sorted(cat.determinants):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            node, idx = stack.pop()
            if idx == 0:
                state[node] = 1
                path.append(node)
            parents = [p for p in cat.determinants[node].parents if p in cat.determinants]
            if idx < len(parents):
                stack.append((node, idx + 1))
                nxt = parents[idx]
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt):] + [nxt]
                    origin = origin_of(cat, "determinants", node)
                    report.add(Finding(origin.path, origin.line, origin.column, Severity.error, "cycle",
                                       "parents form a cycle: " + " -> ".join(cycle), node,
                                       "a hierarchy must be acyclic; remove one parent"))
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()


def _warn(cat: Catalogue, report: Report) -> None:
    for st_id in cat.strategies:
        if st_id not in cat.links_to:
            origin = origin_of(cat, "strategies", st_id)
            report.add(Finding(origin.path, origin.line, origin.column, Severity.warning, "orphan",
                               "no link points to this strategy, so selection can never rank it", st_id,
                               "add an 'addresses' or 'delivers' link"))
    from strategease.catalogue.reach import Reachability

    graph = Reachability(cat)
    for det_id, det in cat.determinants.items():
        if not det.retired and graph.basis(det_id) == "none":
            origin = origin_of(cat, "determinants", det_id)
            report.add(Finding(origin.path, origin.line, origin.column, Severity.warning, "no-route",
                               "this determinant reaches no strategy, so choosing it adds nothing to a selection",
                               det_id, "add an 'addresses' link to a strategy, a 'calls-for' link to a function, "
                               "or a 'crosswalk' to a linked construct"))
    for section in ENTITY_SECTIONS:
        if section == "clusters":
            continue
        for entry_id, model in cat.section(section).items():
            if not getattr(model, "description", None):
                origin = origin_of(cat, section, entry_id)
                report.add(Finding(origin.path, origin.line, origin.column, Severity.warning,
                                   "missing-description", "no description", entry_id,
                                   "add a short plain-language description"))


ONE_LINE_FIELDS = frozenset({"name", "aliases", "domain", "examples", "partner_types", "review", "topic"})
"""Fields that hold one line: a line break or tab in them is flagged like any control character."""


def _strings(value: Any, field_name: str) -> Iterator[tuple[str, str]]:
    """(field, text) for every string in VALUE: a model's fields, a list's items, nested models."""
    if isinstance(value, str):
        yield field_name, value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, field_name)
    elif isinstance(value, BaseModel):
        for key, item in value.__dict__.items():
            if item is not None and not isinstance(item, (int, float)):
                yield from _strings(item, key)


def _check_text(cat: Catalogue, report: Report) -> None:
    """Warn on characters a terminal or a reader is fooled by (``unsafe-character``: control and
    BiDi/format characters, line breaks in one-line fields) and on look-alike names
    (``confusable-name``: equal after NFKC, Cyrillic/Greek look-alike mapping and case-folding)."""
    from strategease.safetext import has_unsafe, lookalike_key, unsafe_characters

    def check(origin: Origin, entry: str, model: BaseModel, fields: Iterable[tuple[str, str]] | None = None) -> None:
        strings = list(_strings(model, "") if fields is None else fields)
        if not has_unsafe(" ".join(text for _, text in strings)):
            return
        for field_name, text in strings:
            found = unsafe_characters(text)
            if field_name not in ONE_LINE_FIELDS:
                found = [c for c in found if c not in ("\\n", "\\t")]
            if found:
                report.add(Finding(origin.path, origin.line, origin.column, Severity.warning, "unsafe-character",
                                   f"{field_name} holds {', '.join(found)} (control or invisible "
                                   "formatting characters)", entry,
                                   "remove them: terminals act on them and they hide or reorder text"))

    for section in (*ENTITY_SECTIONS, "sources", "frameworks"):
        seen: dict[str, tuple[str, str]] = {}  # look-alike key -> (id, name)
        for entry_id, model in sorted(cat.section(section).items()):
            origin = origin_of(cat, section, entry_id)
            check(origin, entry_id, model)
            name = getattr(model, "name", None)
            if not isinstance(name, str):
                continue
            key = lookalike_key(name)
            other = seen.setdefault(key, (entry_id, name))
            if other[0] != entry_id and other[1].casefold() != name.casefold():
                report.add(Finding(origin.path, origin.line, origin.column, Severity.warning, "confusable-name",
                                   f"name '{name}' looks like '{other[1]}' ({other[0]}) but is spelled with "
                                   "other characters", entry_id,
                                   "use the same letters (e.g. Latin, not Cyrillic or full-width), or rename one"))
    for link, origin in zip(cat.links, cat.link_origins, strict=True):  # ids are pattern-checked: text only
        rationale, note = link.rationale, link.note
        if (rationale is None or rationale.isprintable()) and (note is None or note.isprintable()):
            continue  # the fast path: nothing unsafe is printable (str.isprintable)
        texts = [(key, text) for key, text in (("rationale", rationale), ("note", note)) if text]
        check(origin, f"{link.from_} -> {link.to}", link, texts)


def require_valid(paths: Sequence[Path] | None = None, layers: Sequence[Path] = ()) -> Catalogue:
    """Load a catalogue for use by a command; raise on errors (exit 1) with every problem listed."""
    from strategease.errors import ManyErrors

    cat, report = load_catalogue(paths, layers, use_cache=True)
    if report.errors:
        raise ManyErrors([f.as_error() for f in report.sorted() if f.severity is Severity.error])
    return cat


__all__ = ["Catalogue", "Origin", "did_you_mean", "load_catalogue", "origin_of", "replacement_of", "require_valid",
           "retired_hint", "retired_message", "shipped_paths"]
