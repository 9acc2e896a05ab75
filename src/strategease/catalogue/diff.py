"""Compare two catalogues: what was added, removed, retired, renamed or changed (what it does to a
scope's ranking is worked out by :func:`strategease.selection.compare.scope_effect`).

A side is written as a path (a catalogue file or a directory of ``*.yaml``) or as a git revision
of the current repository: ``REV:`` or ``git:REV`` mean the ``data/*.yaml`` files at REV (the
shipped catalogue's place); ``REV:PATH`` or ``git:REV:PATH`` mean the file or directory PATH
(relative to the repository root) at REV. An existing path always wins over the git reading.

:func:`diff_catalogues` is pure and returns a :class:`CatalogueDiff` (its JSON is the
``--format json`` output); :func:`load_side` does the reading (files, ``git show``).
Entries are compared by id: same id with another name is *renamed*; an id that disappears while
a new id with the same name (ignoring case and punctuation) appears in the same section is
*re-id'd*; links are compared by (from, to, kind), after translating re-id'd endpoints. Output
is sorted by section, then id, so it is deterministic.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from strategease.catalogue import models as m
from strategease.catalogue.findings import Severity
from strategease.catalogue.importer import normalise
from strategease.catalogue.load import Catalogue, load_catalogue
from strategease.errors import ManyErrors, StrategeaseError, UsageError

SECTIONS = ("sources", "frameworks", "determinants", "functions", "clusters", "strategies")
ENTRY_CHANGES = ("added", "removed", "retired", "renamed", "re-id", "changed")
LINK_CHANGES = ("added", "removed", "re-weighted", "changed")
CHANGE_WORDS = {"re-id": "re-id'd"}
DEFAULT_GIT_PATH = "data"
TOP = 10


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FieldChange(_Out):
    field: str
    old: Any = None
    new: Any = None


class EntryChange(_Out):
    section: str
    id: str
    change: str  # added | removed | retired | renamed | re-id | changed
    name: str | None = None  # the current name (the old one for removed/retired entries)
    old_name: str | None = None  # renamed / re-id
    new_id: str | None = None  # re-id
    replaced_by: str | None = None  # retired
    fields: list[FieldChange] = Field(default_factory=list)
    note: str | None = None


class LinkChange(_Out):
    from_: str = Field(alias="from")
    to: str
    kind: str
    change: str  # added | removed | re-weighted | changed
    old_strength: float | None = None
    new_strength: float | None = None
    old_strength_lower: float | None = None
    new_strength_lower: float | None = None
    fields: list[FieldChange] = Field(default_factory=list)
    note: str | None = None


class RankMove(_Out):
    id: str
    name: str
    change: str  # rise | fall | enter | leave
    old_rank: int | None = None
    new_rank: int | None = None
    old_score: float | None = None
    new_score: float | None = None


class ScopeEffect(_Out):
    scope: str
    method: str
    top: int
    old_top: list[str]
    new_top: list[str]
    moves: list[RankMove] = Field(default_factory=list)


class SideInfo(_Out):
    spec: str
    name: str
    version: str
    content_hash: str
    files: list[str]


class CatalogueDiff(_Out):
    """Everything that differs between two catalogues. ``--format json`` is its serialisation."""

    old: SideInfo
    new: SideInfo
    catalogue: list[FieldChange] = Field(default_factory=list)
    entries: list[EntryChange] = Field(default_factory=list)
    links: list[LinkChange] = Field(default_factory=list)
    scope: ScopeEffect | None = None

    def reids(self) -> dict[str, str]:
        """Old id -> new id of every re-id'd entry."""
        return {e.id: e.new_id for e in self.entries if e.change == "re-id" and e.new_id}

    @property
    def differs(self) -> bool:
        return bool(self.catalogue or self.entries or self.links)

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts of changes per section (and 'links'), sections in catalogue order."""
        out: dict[str, dict[str, int]] = {}
        for section in SECTIONS:
            tally = Counter(e.change for e in self.entries if e.section == section)
            if tally:
                out[section] = {c: tally[c] for c in ENTRY_CHANGES if tally[c]}
        tally = Counter(lk.change for lk in self.links)
        if tally:
            out["links"] = {c: tally[c] for c in LINK_CHANGES if tally[c]}
        return out

    def summary(self) -> str:
        """One line: 'strategies: 2 added, 1 renamed; links: 5 re-weighted' (or 'no differences')."""
        parts = []
        if self.catalogue:
            parts.append("catalogue metadata changed")
        for section, tally in self.counts().items():
            parts.append(f"{section}: " + ", ".join(f"{n} {CHANGE_WORDS.get(c, c)}" for c, n in tally.items()))
        return "; ".join(parts) if parts else "no differences"


# --------------------------------------------------------------------------- comparing


@dataclass
class Side:
    """One loaded catalogue and how it was named on the command line."""

    spec: str
    cat: Catalogue
    files: list[str] = field(default_factory=list)
    base: list[Path] | None = None  # for --layered sides, to reload with a scope
    paths: list[Path] = field(default_factory=list)

    def info(self) -> SideInfo:
        meta = self.cat.meta
        return SideInfo(spec=self.spec, name=meta.name if meta else "unnamed catalogue", version=self.cat.version,
                        content_hash=self.cat.content_hash, files=self.files)


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)  # type: ignore[no-any-return]


def _field_changes(old: dict[str, Any], new: dict[str, Any], skip: Sequence[str] = ("id",)) -> list[FieldChange]:
    keys = list(dict.fromkeys([*old, *new]))
    return [FieldChange(field=k, old=old.get(k), new=new.get(k)) for k in keys
            if k not in skip and old.get(k) != new.get(k)]


def _label(model: Any) -> str | None:
    """An entry's name (a source's citation, which is what names it)."""
    text = getattr(model, "name", None) or getattr(model, "citation", None)
    return str(text) if text is not None else None


def _entries(old: Catalogue, new: Catalogue) -> tuple[list[EntryChange], dict[str, str]]:
    changes: list[EntryChange] = []
    reid: dict[str, str] = {}
    for section in SECTIONS:
        before: dict[str, Any] = old.section(section)
        after: dict[str, Any] = new.section(section)
        removed = sorted(set(before) - set(after))
        added = sorted(set(after) - set(before))
        # removed + added with the same name (ignoring case and punctuation): re-id'd
        gone_by_name: dict[str, list[str]] = {}
        for entry_id in removed:
            if entry_id not in new.retired and hasattr(before[entry_id], "name"):
                gone_by_name.setdefault(normalise(before[entry_id].name), []).append(entry_id)
        new_by_name: dict[str, list[str]] = {}
        for entry_id in added:
            if hasattr(after[entry_id], "name"):
                new_by_name.setdefault(normalise(after[entry_id].name), []).append(entry_id)
        for key, gone in gone_by_name.items():
            came = new_by_name.get(key, [])
            if len(gone) == 1 and len(came) == 1:
                reid[gone[0]] = came[0]
        for entry_id in removed:
            model = before[entry_id]
            name = _label(model)
            if entry_id in reid:
                target = after[reid[entry_id]]
                changes.append(EntryChange(section=section, id=entry_id, change="re-id", name=target.name,
                                           old_name=name, new_id=reid[entry_id],
                                           fields=_field_changes(_dump(model), _dump(target))))
            elif entry_id in new.retired:
                changes.append(EntryChange(section=section, id=entry_id, change="retired", name=name,
                                           replaced_by=new.retired[entry_id][1]))
            else:
                changes.append(EntryChange(section=section, id=entry_id, change="removed", name=name))
        re_ided = set(reid.values())
        for entry_id in added:
            if entry_id in re_ided:
                continue
            note = "was retired" if entry_id in old.retired else None
            changes.append(EntryChange(section=section, id=entry_id, change="added",
                                       name=_label(after[entry_id]), note=note))
        for entry_id in sorted(set(before) & set(after)):
            fields = _field_changes(_dump(before[entry_id]), _dump(after[entry_id]))
            if not fields:
                continue
            old_name, new_name = getattr(before[entry_id], "name", None), getattr(after[entry_id], "name", None)
            renamed = old_name != new_name
            new_name = _label(after[entry_id])
            changes.append(EntryChange(section=section, id=entry_id, change="renamed" if renamed else "changed",
                                       name=new_name, old_name=old_name if renamed else None, fields=fields))
    order = {s: i for i, s in enumerate(SECTIONS)}
    changes.sort(key=lambda c: (order[c.section], c.id))
    return changes, reid


def _link_change(from_: str, **fields: Any) -> LinkChange:
    return LinkChange.model_validate({"from": from_, **fields})


def _links(old: Catalogue, new: Catalogue, reid: dict[str, str]) -> list[LinkChange]:
    def key(link: m.Link) -> tuple[str, str, str]:
        return (link.from_, link.to, link.kind.value)

    before: dict[tuple[str, str, str], tuple[m.Link, str | None]] = {}
    for link in old.links:
        f, t = reid.get(link.from_, link.from_), reid.get(link.to, link.to)
        moved = [f"{a} is now {reid[a]}" for a in (link.from_, link.to) if a in reid]
        before[(f, t, link.kind.value)] = (link, "re-id'd endpoint: " + "; ".join(moved) if moved else None)
    after = {key(link): link for link in new.links}
    changes: list[LinkChange] = []
    for k in sorted(set(before) | set(after)):
        was, note = before.get(k, (None, None))
        now = after.get(k)
        if was is None and now is not None:
            changes.append(_link_change(k[0], to=k[1], kind=k[2], change="added", new_strength=now.strength,
                                      new_strength_lower=now.strength_lower))
        elif now is None and was is not None:
            changes.append(_link_change(was.from_, to=was.to, kind=k[2], change="removed",
                                      old_strength=was.strength, old_strength_lower=was.strength_lower))
        elif was is not None and now is not None:
            fields = _field_changes(_dump(was), _dump(now), skip=("from", "to", "kind"))
            if not fields and note is None:
                continue
            weighted = was.strength != now.strength or was.strength_lower != now.strength_lower
            changes.append(_link_change(k[0], to=k[1], kind=k[2],
                                      change="re-weighted" if weighted else "changed",
                                      old_strength=was.strength, new_strength=now.strength,
                                      old_strength_lower=was.strength_lower,
                                      new_strength_lower=now.strength_lower, fields=fields, note=note))
    return changes


def diff_catalogues(old: Side, new: Side) -> CatalogueDiff:
    """Compare two loaded catalogues (pure)."""
    meta_old = _dump(old.cat.meta) if old.cat.meta else {}
    meta_new = _dump(new.cat.meta) if new.cat.meta else {}
    entries, reid = _entries(old.cat, new.cat)
    return CatalogueDiff(old=old.info(), new=new.info(), catalogue=_field_changes(meta_old, meta_new, skip=()),
                         entries=entries, links=_links(old.cat, new.cat, reid))


# --------------------------------------------------------------------------- the scope's ranking


def rank_moves(old_ranked: Sequence[tuple[str, str, float, int]], new_ranked: Sequence[tuple[str, str, float, int]],
               top: int = TOP) -> list[RankMove]:
    """Strategies that enter, leave, rise or fall within the top TOP (pure).

    Each input is a ranking, best first, of (id, name, score, rank); the top TOP are its first TOP
    entries (the ranking is deterministic, ties included).
    """
    old_rank = {sid: (rank, score) for sid, _, score, rank in old_ranked}
    new_rank = {sid: (rank, score) for sid, _, score, rank in new_ranked}
    names = {sid: name for sid, name, _, _ in [*old_ranked, *new_ranked]}
    old_top = [row[0] for row in old_ranked[:top]]
    new_top = [row[0] for row in new_ranked[:top]]
    moves: list[RankMove] = []
    for sid in dict.fromkeys([*new_top, *old_top]):
        o, n = old_rank.get(sid), new_rank.get(sid)
        if sid in new_top and sid not in old_top:
            change = "enter"
        elif sid in old_top and sid not in new_top:
            change = "leave"
        elif o is not None and n is not None and n[0] < o[0]:
            change = "rise"
        elif o is not None and n is not None and n[0] > o[0]:
            change = "fall"
        else:
            continue
        moves.append(RankMove(id=sid, name=names[sid], change=change, old_rank=o[0] if o else None,
                              new_rank=n[0] if n else None, old_score=o[1] if o else None,
                              new_score=n[1] if n else None))
    order = {"enter": 0, "rise": 1, "fall": 2, "leave": 3}
    moves.sort(key=lambda mv: (order[mv.change], mv.new_rank or mv.old_rank or 0, mv.id))
    return moves


# --------------------------------------------------------------------------- reading a side


@dataclass(frozen=True)
class GitSpec:
    rev: str
    path: str


def parse_spec(spec: str) -> Path | GitSpec:
    """A side as written on the command line: an existing path, else a git revision (see module doc)."""
    if not spec:
        raise UsageError("empty catalogue argument", hint="give a path or a git revision such as 'HEAD~1:'")
    if spec.startswith("git:"):
        rest = spec[4:]
        rev, _, path = rest.partition(":")
        return _git_spec(spec, rev, path)
    if Path(spec).exists() or ":" not in spec:
        return Path(spec)
    rev, _, path = spec.partition(":")
    return _git_spec(spec, rev, path)


def _git_spec(spec: str, rev: str, path: str) -> GitSpec:
    if not rev or rev.startswith("-") or any(ch.isspace() for ch in rev):
        raise UsageError(f"'{spec}' is not a usable git revision",
                         hint="write e.g. 'HEAD~1:', 'git:main' or 'v0.1.0:data/strategies.yaml'")
    path = path.strip("/") or DEFAULT_GIT_PATH
    if path.startswith("-") or ".." in PurePosixPath(path).parts:
        raise UsageError(f"'{spec}': the path must be inside the repository")
    return GitSpec(rev, path)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except FileNotFoundError:
        raise UsageError("git is not installed, so a revision cannot be read",
                         hint="give catalogue paths instead") from None
    except subprocess.TimeoutExpired:
        raise UsageError("git took too long to answer") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args[:2])} failed: {message[0] if message else 'no reason given'}")
    return done.stdout


def _materialise(spec: GitSpec, into: Path, cwd: Path) -> list[tuple[Path, str]]:
    """Write the catalogue files of SPEC into INTO; return (temp file, display name) pairs."""
    _git(["rev-parse", "--show-toplevel"], cwd)
    target = f"{spec.rev}:{spec.path}"
    kind = _git(["cat-file", "-t", target], cwd).decode().strip()
    if kind == "blob":
        names = [spec.path]
    elif kind == "tree":
        listing = _git(["ls-tree", "-z", target], cwd).decode("utf-8", "replace").split("\0")
        names = sorted(f"{spec.path}/{line.split(chr(9), 1)[1]}" for line in listing
                       if "\t" in line and line.split()[1] == "blob"
                       and line.rsplit(".", 1)[-1] in ("yaml", "yml"))
        if not names:
            raise UsageError(f"no catalogue files (*.yaml) in {target}", hint="name a directory that holds them")
    else:
        raise UsageError(f"{target} is a {kind}, not a catalogue file or directory")
    out: list[tuple[Path, str]] = []
    for index, name in enumerate(names):
        data = _git(["cat-file", "blob", f"{spec.rev}:{name}"], cwd)
        local = into / f"{index:04d}-{PurePosixPath(name).name}"
        local.write_bytes(data)
        out.append((local, f"{spec.rev}:{name}"))
    return out


def _renamed(exc: StrategeaseError, rename: dict[str, str]) -> StrategeaseError:
    """EXC with every temporary file named as ``REV:PATH`` instead (its path and in its text)."""
    def swap(text: str | None) -> str | None:
        if text is None:
            return None
        for local, shown in rename.items():
            text = text.replace(local, shown)
        return text

    exc.path = swap(exc.path)
    exc.message = swap(exc.message) or ""
    exc.hint = swap(exc.hint)
    if isinstance(exc, ManyErrors):
        exc.errors = [_renamed(sub, rename) for sub in exc.errors]
    return exc


def _require(cat: Catalogue, report: Any, rename: dict[str, str]) -> None:
    errors = [f for f in report.sorted() if f.severity is Severity.error]
    if errors:
        raise ManyErrors([f.as_error(rename.get(f.path, f.path)) for f in errors])


def load_side(spec: str, *, layered: bool = False, base: Sequence[Path] | None = None,
              cwd: Path | None = None) -> Side:
    """Load one side of a diff (a path or a git revision); raise if it is invalid (exit 1) or
    cannot be read (exit 2). With LAYERED, the side is laid over BASE (default: shipped)."""
    where = parse_spec(spec)
    base_paths = list(base) if base else None
    if isinstance(where, Path):
        paths = [where]
        cat, report = load_catalogue(base_paths, paths) if layered else load_catalogue(paths)
        _require(cat, report, {})
        files = [f for f in cat.files] if not layered else [str(p) for p in paths]
        return Side(spec, cat, files, base_paths if layered else None, paths)
    with tempfile.TemporaryDirectory(prefix="strategease-diff-") as tmp:
        pairs = _materialise(where, Path(tmp), cwd or Path.cwd())
        rename = {str(local): shown for local, shown in pairs}
        local_paths = [local for local, _ in pairs]
        try:
            if layered:
                cat, report = load_catalogue(base_paths, local_paths)
            else:
                cat, report = load_catalogue(local_paths)
        except StrategeaseError as exc:  # malformed YAML: name the revision's file, not the temp copy
            raise _renamed(exc, rename) from None
        _require(cat, report, rename)
    cat.files = [rename.get(f, f) for f in cat.files]
    return Side(spec, cat, [shown for _, shown in pairs], base_paths if layered else None, [])
