"""The validated-catalogue cache: reused while bytes are unchanged, never trusted blindly."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

from strategease.catalogue import cache
from strategease.catalogue.load import load_catalogue

MINIMAL = (EXAMPLES / "catalogues" / "valid" / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("STRATEGEASE_CACHE_DIR", str(directory))
    return directory


def _catalogue(tmp_path: Path, text: str = MINIMAL) -> Path:
    path = tmp_path / "cat.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_second_load_comes_from_the_cache(tmp_path: Path, private_cache: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = _catalogue(tmp_path)
    first, _ = load_catalogue([path], use_cache=True)
    assert len(list(private_cache.glob("catalogue-*.json"))) == 1
    from strategease.catalogue import load as module

    monkeypatch.setattr(module, "parse_yaml", lambda *a: pytest.fail("parsed again despite the cache"))
    second, report = load_catalogue([path], use_cache=True)
    assert second.strategies == first.strategies
    assert second.links == first.links
    assert second.content_hash == first.content_hash
    assert not report.errors


def test_edited_file_is_not_served_stale(tmp_path: Path, private_cache: Path) -> None:
    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)
    path.write_text(MINIMAL.replace("Conduct educational meetings", "Run teaching sessions"), encoding="utf-8")
    cat, _ = load_catalogue([path], use_cache=True)
    assert cat.strategies["eric.conduct-educational-meetings"].name == "Run teaching sessions"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_cache_is_rebuilt(tmp_path: Path, private_cache: Path, damage: str) -> None:
    path = _catalogue(tmp_path)
    expected, _ = load_catalogue([path], use_cache=True)
    entry = next(private_cache.glob("catalogue-*.json"))
    blob = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        entry.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    else:
        entry.write_bytes(b"not a cache file at all")
    again, report = load_catalogue([path], use_cache=True)
    assert again.strategies == expected.strategies and not report.errors
    assert cache.load(_key_of(entry)) is not None  # the entry was rewritten whole


def _key_of(entry: Path) -> str:
    from strategease.catalogue.cache_codec import parse_payload

    blob = entry.read_bytes()
    return str(parse_payload(blob[blob.index(b"\n", len(cache.MAGIC)) + 1:])["key"])


def test_world_writable_cache_file_is_ignored(tmp_path: Path, private_cache: Path) -> None:
    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)
    entry = next(private_cache.glob("catalogue-*.json"))
    entry.chmod(0o666)
    assert cache.load(_key_of(entry)) is None


def test_invalid_catalogue_is_never_cached(tmp_path: Path, private_cache: Path) -> None:
    path = _catalogue(tmp_path, MINIMAL.replace("from: tdf.knowledge", "from: tdf.knowlege"))
    _, report = load_catalogue([path], use_cache=True)
    assert report.errors
    assert not list(private_cache.glob("catalogue-*.json"))


def test_cache_can_be_turned_off(tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATEGEASE_NO_CACHE", "1")
    load_catalogue([_catalogue(tmp_path)], use_cache=True)
    assert not private_cache.exists()


def test_unwritable_cache_dir_is_harmless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("STRATEGEASE_CACHE_DIR", str(blocker / "cache"))
    cat, report = load_catalogue([_catalogue(tmp_path)], use_cache=True)
    assert cat.strategies and not report.errors


def test_validate_never_uses_the_cache(cli, tmp_path: Path, private_cache: Path) -> None:
    path = _catalogue(tmp_path)
    assert cli("validate", path).code == 0
    assert not list(private_cache.glob("catalogue-*"))


def test_entry_of_an_older_model_shape_is_not_used(tmp_path: Path, private_cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A development build whose models gained a field (same version number) must not read old entries."""
    from strategease.catalogue import load as module

    path = _catalogue(tmp_path)
    real_shape = module._cached_shape()
    monkeypatch.setattr(module, "_cached_shape", lambda: real_shape.replace("Link:from_,", "Link:"))
    load_catalogue([path], use_cache=True)
    monkeypatch.setattr(module, "_cached_shape", lambda: real_shape)
    parsed: list[str] = []
    real_parse = module.parse_yaml
    monkeypatch.setattr(module, "parse_yaml", lambda *a: parsed.append(a[1]) or real_parse(*a))
    load_catalogue([path], use_cache=True)
    assert parsed == [str(path)]
    assert len(list(private_cache.glob("catalogue-*.json"))) == 2


# --------------------------------------------------------------------------- a cache that cannot carry code (#14)


def _entry(directory: Path) -> Path:
    return next(directory.glob("catalogue-*.json"))


def _resign(private_cache: Path, mutate: Any) -> None:
    """Rewrite the cache entry with MUTATE applied to its JSON document, signed with the cache's own secret
    (what an attacker who stole the key could write)."""
    import hashlib
    import hmac

    from strategease.catalogue.cache_codec import pack_payload, parse_payload

    entry = _entry(private_cache)
    key = _key_of(entry)
    blob = entry.read_bytes()
    doc = _as_bytes(parse_payload(blob[blob.index(b"\n", len(cache.MAGIC)) + 1:]))
    mutate(doc)
    forged = pack_payload(doc)
    secret = (private_cache / "key").read_bytes()
    entry.write_bytes(cache.MAGIC + hmac.new(secret, key.encode() + forged, hashlib.sha256).hexdigest().encode()
                      + b"\n" + forged)


def _as_bytes(doc: Any) -> Any:
    """DOC with the views of the packed bytes parse_payload gives turned into bytes (pack_payload writes them)."""
    if isinstance(doc, memoryview):
        return bytes(doc)
    if isinstance(doc, dict):
        return {k: _as_bytes(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_as_bytes(v) for v in doc]
    return doc


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from strategease.catalogue import load as module

    parsed: list[str] = []
    real_parse = module.parse_yaml
    monkeypatch.setattr(module, "parse_yaml", lambda *a: parsed.append(a[1]) or real_parse(*a))
    return parsed


@pytest.mark.parametrize("which", ["shipped", "golden"])
def test_cached_catalogue_equals_the_loaded_one(tmp_path: Path, private_cache: Path, which: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import ROOT

    paths = None if which == "shipped" else [ROOT / "tests" / "golden" / "report" / "catalogue.yaml"]
    fresh, fresh_report = load_catalogue(paths, use_cache=True)
    parsed = _parses(monkeypatch)
    cached, cached_report = load_catalogue(paths, use_cache=True)
    assert parsed == []
    for name in ("meta", "sources", "frameworks", "determinants", "functions", "clusters", "strategies", "links",
                 "origins", "link_origins", "files", "content_hash", "layers", "layer_names", "retired",
                 "overridden_by", "links_from", "links_to"):
        assert getattr(cached, name) == getattr(fresh, name), name
    for new, old in zip(cached.links, fresh.links, strict=True):
        assert new.model_fields_set == old.model_fields_set and type(new) is type(old)
    assert cached_report == fresh_report


def test_planted_entry_runs_nothing(cli, tmp_path: Path, private_cache: Path) -> None:
    """An entry with the right name, magic, key and even a valid MAC, holding a pickle: ignored."""
    import hashlib
    import hmac
    import pickle

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, ...]:
            return (Path.touch, (marker,))

    path = _catalogue(tmp_path)
    expected = cli("list", "strategies", "--base", path)
    entry = _entry(private_cache)
    key = _key_of(entry)
    secret = (private_cache / "key").read_bytes()
    evil = pickle.dumps(Payload())
    mac = hmac.new(secret, key.encode() + evil, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(cache.MAGIC + mac + b"\n" + evil)
    # the old format's file, magic, key and checksum, beside it
    old = private_cache / f"catalogue-{key[:32]}.pickle"
    old.write_bytes(b"strategease-cache\x00" + key.encode() + hashlib.sha256(evil).digest() + evil)
    again = cli("list", "strategies", "--base", path)
    assert (again.code, again.out) == (expected.code, expected.out)
    assert not marker.exists()
    assert not old.exists()  # pruned: entries of the pickle format are never read, only removed


def test_forged_entry_without_the_secret_is_ignored(tmp_path: Path, private_cache: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import hmac

    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)
    entry = _entry(private_cache)
    key = _key_of(entry)
    blob = entry.read_bytes()
    payload = blob[blob.index(b"\n", len(cache.MAGIC)) + 1:]
    forged = payload.replace(b"Conduct educational meetings", b"Wire money to the attacker!!")
    mac = hmac.new(b"\0" * 32, key.encode() + forged, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(cache.MAGIC + mac + b"\n" + forged)
    parsed = _parses(monkeypatch)
    cat, _ = load_catalogue([path], use_cache=True)
    assert parsed == [str(path)]
    assert cat.strategies["eric.conduct-educational-meetings"].name == "Conduct educational meetings"


def test_type_confused_entry_is_rebuilt(tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even with the secret, content of the wrong types decodes to nothing, never to odd objects."""
    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)

    def confuse(doc: dict[str, Any]) -> None:
        doc["tables"]["Link"]["columns"][3] = ["__import__('os').system('id')"] * doc["tables"]["Link"]["n"]

    _resign(private_cache, confuse)
    parsed = _parses(monkeypatch)
    cat, report = load_catalogue([path], use_cache=True)
    assert parsed == [str(path)] and cat.links and not report.errors


def test_cached_links_are_built_once_and_shared(tmp_path: Path, private_cache: Path) -> None:
    """A cached catalogue builds its links on first use: the same object whichever index reaches it first."""
    from conftest import ROOT

    paths = [ROOT / "tests" / "golden" / "report" / "catalogue.yaml"]
    fresh, _ = load_catalogue(paths, use_cache=True)
    cached, _ = load_catalogue(paths, use_cache=True)
    det_id = next(iter(fresh.links_from))
    first = cached.links_from[det_id]
    assert first == fresh.links_from[det_id] and cached.links_from.get(det_id) is first
    assert cached.links_from.get("no.such-id") is None and "no.such-id" not in cached.links_from
    link = first[0]
    assert any(other is link for other in cached.links_to[link.to])
    assert any(other is link for other in cached.links)
    assert [id(lk) for lk in cached.links] == [id(lk) for lk in cached.links]  # built once, kept
    assert sorted(cached.links_to) == sorted(fresh.links_to) and len(cached.links_from) == len(fresh.links_from)


def test_cached_links_keep_their_file_order(private_cache: Path) -> None:
    """The cache stores the links grouped by their ``from`` (one run of rows per node); ``links`` still lists them
    in file order, each the same object as in ``links_from``/``links_to``, whichever was read first."""
    fresh, _ = load_catalogue(None, use_cache=True)  # the shipped links are not grouped by ``from`` in the files
    assert [lk for links in fresh.links_from.values() for lk in links] != fresh.links
    cached, _ = load_catalogue(None, use_cache=True)
    some = list(fresh.links_from)[::7]
    early = {id(lk) for node in some for lk in cached.links_from[node]}  # built node by node, before the rest
    assert cached.links == fresh.links
    ids = {id(lk) for lk in cached.links}
    assert early <= ids and len(ids) == len(cached.links)
    assert ids == {id(lk) for links in cached.links_from.values() for lk in links}
    assert ids == {id(lk) for links in cached.links_to.values() for lk in links}
    assert cached.link_origins == fresh.link_origins


@pytest.mark.parametrize("index", [-1, 10**6, "0"])
def test_entry_with_a_link_index_out_of_range_is_rebuilt(tmp_path: Path, private_cache: Path,
                                                         monkeypatch: pytest.MonkeyPatch, index: object) -> None:
    """Links are built when first used, so their indexes are checked when the entry is read, not later."""
    path = _catalogue(tmp_path)
    expected, _ = load_catalogue([path], use_cache=True)

    def damage(doc: dict[str, Any]) -> None:
        doc["links_from"][1][0] = [index]

    _resign(private_cache, damage)
    parsed = _parses(monkeypatch)
    cat, report = load_catalogue([path], use_cache=True)
    assert parsed == [str(path)] and not report.errors
    assert cat.links_from == expected.links_from


@pytest.mark.parametrize("values", [[0] * 40, list(range(-40, 40)), [2**40, -(2**40)] * 20,
                                    [2**63 - 1, -(2**63)] * 20, [2**64] * 40, [True] * 40, [1.0] * 40, [1, None] * 20])
def test_long_integer_lists_are_packed_exactly(values: list[object]) -> None:
    from strategease.catalogue.cache_codec import _pack, _unpack

    packed = _pack(values)
    assert _unpack(packed) == values if type(packed) is dict else packed is values
    assert (type(packed) is dict) == (all(type(v) is int for v in values) and max(map(abs, values)) < 2**64 // 2 + 1)


@pytest.mark.parametrize("values", [[1, None] * 20, [None] * 39 + [0], [*range(40), None], [-1, None] * 20])
def test_optional_integer_columns_are_packed_exactly(values: list[int | None]) -> None:
    """Integers and None (optional strings' indexes, say) are packed as the integers plus one, 0 for None;
    negative ones are left as they are."""
    from strategease.catalogue.cache_codec import _Decoder, _pack

    packed = _pack(values, optional=True)
    assert (type(packed) is dict and "optional" in packed) == (min(v for v in values if v is not None) >= 0)
    dec = _Decoder({"strings": [f"s{i}" for i in range(50)]})
    assert dec.column(("opt", ("int",)), packed) == values
    assert dec.column(("opt", ("str",)), packed) == [None if v is None else f"s{v % 50}" for v in values]


@pytest.mark.parametrize("damage", [[3, b"\0\0\0\0"], [2, b"\0\0\0"], [2, "0000"], ["4", b"\0\0\0\0"], [8, 5], [1],
                                    [4, {"bin": [10**9, 8]}], [4, {"bin": [0, -4]}]])
def test_damaged_packed_column_is_rebuilt(tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch,
                                          damage: list[object]) -> None:
    """A packed column that is not whole integers of a known width, or whose bytes lie outside the entry, decodes
    to nothing."""
    expected, _ = load_catalogue(None, use_cache=True)  # the shipped catalogue: long enough to be packed

    def spoil(doc: dict[str, Any]) -> None:
        assert "packed" in doc["link_origins"][1]
        doc["link_origins"][1] = {"packed": damage}

    _resign(private_cache, spoil)
    parsed = _parses(monkeypatch)
    cat, report = load_catalogue(None, use_cache=True)
    assert parsed == expected.files and not report.errors
    assert cat.link_origins == expected.link_origins


def _foreign(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        os.chown(directory, 12345, 12345)
    else:
        monkeypatch.setattr(cache, "_uid", lambda: os.getuid() + 1)


@pytest.mark.parametrize("problem", ["foreign", "group-writable", "world-writable"])
def test_cache_dir_that_is_not_private_is_not_used(cli, tmp_path: Path, private_cache: Path, problem: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = _catalogue(tmp_path)
    assert cli("list", "strategies", "--base", path).code == 0  # fills the cache
    if problem == "foreign":
        _foreign(private_cache, monkeypatch)
        words = "owned by another user"
    else:
        private_cache.chmod(0o770 if problem == "group-writable" else 0o707)
        words = "writable by group or others"
    monkeypatch.setattr(cache, "_warned", set())
    parsed = _parses(monkeypatch)
    entries = sorted(p.name for p in private_cache.iterdir())
    r = cli("list", "strategies", "--base", path)
    assert r.code == 0 and parsed == [str(path)]
    warnings = [line for line in r.err.splitlines() if "cache directory" in line]
    assert len(warnings) == 1 and words in warnings[0] and "running without the cache" in warnings[0]
    assert sorted(p.name for p in private_cache.iterdir()) == entries  # nothing written either


def test_new_cache_dir_is_private(tmp_path: Path, private_cache: Path) -> None:
    load_catalogue([_catalogue(tmp_path)], use_cache=True)
    assert stat.S_IMODE(private_cache.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((private_cache / "key").stat().st_mode) == 0o600
    assert stat.S_IMODE(_entry(private_cache).stat().st_mode) & 0o077 == 0


def test_symlink_at_an_entry_is_not_followed(tmp_path: Path, private_cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)
    entry = _entry(private_cache)
    elsewhere = tmp_path / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    parsed = _parses(monkeypatch)
    load_catalogue([path], use_cache=True)
    assert parsed == [str(path)]


def test_fifo_at_an_entry_does_not_block(tmp_path: Path, private_cache: Path) -> None:
    import subprocess
    import sys

    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)
    entry = _entry(private_cache)
    entry.unlink()
    os.mkfifo(entry)
    env = {**os.environ, "STRATEGEASE_CACHE_DIR": str(private_cache)}
    done = subprocess.run([sys.executable, "-m", "strategease", "list", "strategies", "--base", str(path)],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISREG(entry.lstat().st_mode)  # replaced by a real entry


def test_key_does_not_depend_on_the_working_directory(tmp_path: Path, private_cache: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = _catalogue(tmp_path).resolve()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    load_catalogue([path], use_cache=True)
    monkeypatch.chdir(tmp_path / "b")
    parsed = _parses(monkeypatch)
    load_catalogue([path], use_cache=True)
    assert parsed == []
    monkeypatch.chdir(tmp_path)
    load_catalogue([Path("cat.yaml")], use_cache=True)  # a relative path is another key (messages name it so)
    assert parsed == ["cat.yaml"]


def test_old_and_excess_entries_are_pruned(tmp_path: Path, private_cache: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    load_catalogue([_catalogue(tmp_path)], use_cache=True)
    stale = private_cache / ("catalogue-" + "0" * 32 + ".json")
    stale.write_bytes(b"x" * 100)
    month_ago = time.time() - (cache.MAX_AGE_DAYS + 1) * 86400
    os.utime(stale, (month_ago, month_ago))
    recent = [private_cache / f"catalogue-{str(i) * 32}.json" for i in range(1, 4)]
    for age, entry in enumerate(recent):
        entry.write_bytes(b"y" * 1000)
        os.utime(entry, (time.time() - 100 * (age + 1),) * 2)
    temp = private_cache / ".catalogue-0123.tmp"
    temp.write_bytes(b"z")
    os.utime(temp, (month_ago, month_ago))
    monkeypatch.setattr(cache, "MAX_TOTAL_BYTES", 2 * _entry_size(private_cache) + 1500)
    other = tmp_path / "other"
    other.mkdir()
    load_catalogue([_catalogue(other, MINIMAL.replace("Conduct educational meetings", "Teach"))], use_cache=True)
    left = sorted(p.name for p in private_cache.iterdir())
    assert stale.name not in left and temp.name not in left
    assert recent[0].name in left and recent[2].name not in left  # least recently used go first
    assert len([n for n in left if n.startswith("catalogue-") and n.endswith(".json")]) >= 2


def _entry_size(directory: Path) -> int:
    return max(p.stat().st_size for p in directory.glob("catalogue-*.json") if p.stat().st_size > 1000)


@pytest.mark.parametrize("values", [[0.25, None] * 20, [1e-300, -0.0, 2.5e300, 0.1] * 10, [None] * 39 + [0.5],
                                    [0.5, float("nan")] * 20, [0.5, 1] * 20])
def test_long_float_columns_are_packed_exactly(values: list[float | None]) -> None:
    """Floats (and None) are packed as doubles, None as a NaN; a column holding a NaN of its own, or an integer,
    stays plain JSON. A column's links decode the same whether converted at once or a slice at a time."""
    from strategease.catalogue.cache_codec import _Decoder, _Lazy, _pack_doubles

    packed = _pack_doubles(values, optional=True)
    plain = any(v != v for v in values if v is not None) or any(type(v) is int for v in values)
    assert (packed is values) == plain
    if any(type(v) is int for v in values):
        return  # a float field never holds an integer once validated: the decoder refuses one
    dec = _Decoder({"strings": []})
    decoded = dec.column(("opt", ("float",)), packed)
    assert [repr(v) for v in decoded] == [repr(v) for v in values]
    lazy = dec.lazy_column(("opt", ("float",)), packed, len(values))
    if not plain:
        assert type(lazy) is _Lazy
        assert [repr(v) for v in lazy.cut(3, 17) + lazy.take([5, 0, 39])] == [
            repr(v) for v in values[3:17] + [values[5], values[0], values[39]]]
    if None in values and not plain:  # a required column: its None (a NaN) is refused
        with pytest.raises(ValueError, match="missing"):
            dec.column(("float",), packed)


@pytest.mark.parametrize("damage", [b"\0\x11", "0011", 5, ["00"]])
def test_damaged_float_column_is_rebuilt(tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch,
                                         damage: object) -> None:
    """A column of doubles that is not whole doubles in packed bytes decodes to nothing."""
    expected, _ = load_catalogue(None, use_cache=True)  # the shipped catalogue: long enough to be packed

    def spoil(doc: dict[str, Any]) -> None:
        columns = doc["tables"]["Link"]["columns"]
        at = next(i for i, col in enumerate(columns) if type(col) is dict and "doubles" in col)
        columns[at] = {"doubles": damage}

    _resign(private_cache, spoil)
    parsed = _parses(monkeypatch)
    cat, report = load_catalogue(None, use_cache=True)
    assert parsed == expected.files and not report.errors
    assert cat.links == expected.links


def test_file_hash_is_read_as_the_bytes_are(tmp_path: Path) -> None:
    """A cache hit hashes the catalogue's files through one reused buffer (inputs.read_sha256): the same hash as
    the bytes read whole, over several buffers' worth, and the same refusals (size limit, not a regular file)."""
    import hashlib

    from strategease.errors import UsageError
    from strategease.inputs import _CHUNK, read_bytes, read_sha256

    path = tmp_path / "big.yaml"
    path.write_bytes(bytes(range(256)) * (2 * _CHUNK // 256 + 7))
    data = read_bytes(path, limit=len(path.read_bytes()))
    assert read_sha256(path, limit=len(data)) == hashlib.sha256(data).hexdigest()
    with pytest.raises(UsageError, match="limit"):
        read_sha256(path, limit=len(data) - 1)
    with pytest.raises(UsageError, match="directory"):
        read_sha256(tmp_path, limit=10)
