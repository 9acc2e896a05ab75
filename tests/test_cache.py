"""The validated-catalogue cache: reused while bytes are unchanged, never trusted blindly."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES

from strategease import cache
from strategease.catalogue import load_catalogue

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
    assert len(list(private_cache.glob("catalogue-*.pickle"))) == 1
    from strategease import catalogue as module

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
    entry = next(private_cache.glob("catalogue-*.pickle"))
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
    blob = entry.read_bytes()
    start = len(b"strategease-cache\x00")
    return blob[start:start + 64].decode()


def test_world_writable_cache_file_is_ignored(tmp_path: Path, private_cache: Path) -> None:
    path = _catalogue(tmp_path)
    load_catalogue([path], use_cache=True)
    entry = next(private_cache.glob("catalogue-*.pickle"))
    entry.chmod(0o666)
    assert cache.load(_key_of(entry)) is None


def test_invalid_catalogue_is_never_cached(tmp_path: Path, private_cache: Path) -> None:
    path = _catalogue(tmp_path, MINIMAL.replace("from: tdf.knowledge", "from: tdf.knowlege"))
    _, report = load_catalogue([path], use_cache=True)
    assert report.errors
    assert not list(private_cache.glob("catalogue-*.pickle"))


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
    assert not list(private_cache.glob("*.pickle"))


def test_entry_of_an_older_model_shape_is_not_used(tmp_path: Path, private_cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A development build whose models gained a field (same version number) must not unpickle old entries."""
    from strategease import catalogue as module

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
    assert len(list(private_cache.glob("catalogue-*.pickle"))) == 2
