"""A cache of validated catalogues, keyed by the content of their files.

Loading a catalogue parses YAML and validates every entry; the result only depends on the
files' bytes (and this tool's version), so it is kept in the user's cache directory and reused
while the bytes are unchanged. The cache is never trusted blindly:

* the key is a SHA-256 over the tool version, a format number, the field names of the cached
  classes and each file's path, layer and content hash — any edit, any other file, any upgrade or
  changed model gives a different key (a stale entry is simply never found);
* each cache file carries a SHA-256 of its payload, checked before anything is unpickled;
* it is read only if owned by the current user and not writable by others;
* anything unexpected (corruption, an unreadable or foreign file, an unpickling error) means the
  catalogue is loaded from its files again and the cache entry rewritten.

Only catalogues without errors are cached. ``STRATEGEASE_NO_CACHE=1`` turns the cache off and
``STRATEGEASE_CACHE_DIR`` moves it (default: the platform's user cache directory).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import tempfile
from pathlib import Path
from typing import Any

from strategease import __version__

FORMAT = 1
_MAGIC = b"strategease-cache\x00"


def cache_dir() -> Path | None:
    """Where cache files live, or None when caching is turned off."""
    if os.environ.get("STRATEGEASE_NO_CACHE", "").strip() not in ("", "0"):
        return None
    override = os.environ.get("STRATEGEASE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("strategease", appauthor=False))


def cache_key(parts: list[tuple[int, str, str]], shape: str = "") -> str:
    """Key for a list of (layer, absolute path, content sha256) in load order.

    SHAPE describes the cached classes (their field names), so that a development build whose
    models changed under an unchanged version number never unpickles an entry of the old shape.
    """
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{shape}".encode())
    for layer, path, sha in parts:
        digest.update(f"|{layer}|{path}|{sha}".encode())
    return digest.hexdigest()


def _path(directory: Path, key: str) -> Path:
    return directory / f"catalogue-{key[:32]}.pickle"


def load(key: str) -> Any | None:
    """The cached object for KEY, or None (missing, foreign, corrupt or stale entries)."""
    directory = cache_dir()
    if directory is None:
        return None
    path = _path(directory, key)
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC)
    if not blob.startswith(_MAGIC) or len(blob) < head + 64 + 32:
        _discard(path)
        return None
    stored_key = blob[head:head + 64].decode("ascii", "replace")
    checksum = blob[head + 64:head + 96]
    payload = blob[head + 96:]
    if stored_key != key or hashlib.sha256(payload).digest() != checksum:
        _discard(path)
        return None
    try:
        return pickle.loads(payload)  # noqa: S301 - our own file, owner-checked and checksummed
    except Exception:  # noqa: BLE001 - any failure means "rebuild"
        _discard(path)
        return None


def store(key: str, value: Any) -> None:
    """Write VALUE for KEY atomically; failures are ignored (the cache is an optimisation)."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        blob = _MAGIC + key.encode("ascii") + hashlib.sha256(payload).digest() + payload
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".catalogue-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.chmod(tmp, 0o600)
            os.replace(tmp, _path(directory, key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError, TypeError):
        return


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
