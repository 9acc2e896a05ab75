"""A cache of validated catalogues, keyed by the content of their files, that cannot carry code.

Loading a catalogue parses YAML and validates every entry; the result only depends on the
files' bytes (and this tool's version), so it is kept in the user's cache directory and reused
while the bytes are unchanged. The cache is never trusted blindly:

* **data, not code**: an entry is a JSON document and the bytes of its packed number columns
  (:mod:`strategease.catalogue.cache_codec`), rebuilt into fixed
  classes with every value's type checked; nothing is ever unpickled;
* **authenticated**: each entry carries an HMAC-SHA256 of its bytes under a per-user secret key,
  the file ``key`` (32 random bytes, mode 0600) in the cache directory: an entry someone else
  wrote, or copied from another machine, does not match and is ignored (a restored CI cache
  brings its key along, so a cache from an untrusted source should not be restored at all —
  even then the worst it can do is describe a catalogue, never run anything);
* **a private directory**: the cache directory is created 0700; one that is not owned by the
  current user, or is writable by group or others, is not used at all (one warning, the run
  goes on uncached). Every file is opened relative to the directory's descriptor with
  ``O_NOFOLLOW | O_NONBLOCK`` and checked *on the descriptor* — a regular file, owned by the
  user, not writable by others, of a sane size — before a byte is read, so neither a symlink
  swapped in nor a FIFO at an entry's path can redirect or block a run;
* **keys**: a SHA-256 over the format, the tool version, the field names of the cached classes
  and each file's layer, path (as given, and absolute: independent of the working directory for
  absolute paths) and content hash — any edit, any other file, any upgrade gives another key;
* **pruned**: on each write, entries unused for :data:`MAX_AGE_DAYS` days are removed, then the
  least recently used until the entries total at most :data:`MAX_TOTAL_BYTES`.

Anything unexpected (corruption, a foreign file, a decoding error) means the catalogue is loaded
from its files again and the entry rewritten. Only catalogues without errors are cached.
``STRATEGEASE_NO_CACHE=1`` turns the cache off and ``STRATEGEASE_CACHE_DIR`` moves it (default:
the platform's user cache directory).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from strategease import __version__

FORMAT = 6  # with strategease.catalogue.cache_codec.FORMAT: its entries get other keys
MAGIC = b"strategease-cache 2\n"
KEY_FILE = "key"
KEY_BYTES = 32
MAX_ENTRY_BYTES = 1024 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_AGE_DAYS = 30
_STALE_TEMP_SECONDS = 3600
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))

_warned: set[str] = set()


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
    """Key for a list of (layer, path, content sha256) in load order.

    Each path is keyed as given (messages name files as the user wrote them) and as an absolute
    path: the key of an absolute path does not depend on the working directory. SHAPE describes
    the cached classes (their field names), so that a development build whose models changed
    under an unchanged version number never reads an entry of the old shape.
    """
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{shape}".encode())
    for layer, path, sha in parts:
        digest.update(f"|{layer}|{path}|{os.path.abspath(path)}|{sha}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def _warn_once(directory: Path, problem: str) -> None:
    if str(directory) in _warned:
        return
    _warned.add(str(directory))
    sys.stderr.write(f"warning: {directory}: cache directory {problem}; running without the cache "
                     f"(make it yours with 'chmod 700', or set STRATEGEASE_CACHE_DIR)\n")


@contextlib.contextmanager
def _open_dir(create: bool) -> Iterator[int | None]:
    """A descriptor of the private cache directory, or None (no cache, or not a private one)."""
    directory = cache_dir()
    if directory is None:
        yield None
        return
    if create:
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            yield None
            return
    try:
        fd = os.open(directory, _DIR)
    except OSError:
        yield None
        return
    try:
        info = os.fstat(fd)
        uid = _uid()
        if not stat.S_ISDIR(info.st_mode):
            yield None
        elif uid is not None and info.st_uid != uid:
            _warn_once(directory, f"is owned by another user (uid {info.st_uid})")
            yield None
        elif uid is not None and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            _warn_once(directory, "is writable by group or others")
            yield None
        else:
            yield fd
    finally:
        os.close(fd)


def _open_file(dir_fd: int, name: str, max_bytes: int, private: bool = False) -> tuple[int, os.stat_result] | None:
    """NAME in the directory, opened without following a symlink or blocking on a FIFO, if it is a
    regular file of ours, not writable (PRIVATE: not readable either) by others, of at most MAX_BYTES."""
    try:
        fd = os.open(name, _READ, dir_fd=dir_fd)
    except OSError:
        return None
    info = os.fstat(fd)
    forbidden = 0o077 if private else (stat.S_IWGRP | stat.S_IWOTH)
    uid = _uid()
    if (not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid)
            or info.st_mode & forbidden or info.st_size > max_bytes):
        os.close(fd)
        return None
    return fd, info


def _read_all(fd: int, size: int) -> bytes | None:
    """Exactly SIZE bytes from FD (None if the file is shorter or longer than its size said)."""
    chunks = []
    left = size + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    data = b"".join(chunks)
    return data if len(data) == size else None


def _secret(dir_fd: int, create: bool) -> bytes | None:
    """The per-user key (created on first use when CREATE), or None."""
    opened = _open_file(dir_fd, KEY_FILE, KEY_BYTES, private=True)
    if opened is not None:
        fd, info = opened
        try:
            key = _read_all(fd, info.st_size)
        finally:
            os.close(fd)
        if key is not None and len(key) == KEY_BYTES:
            return key
    if not create:
        return None
    key = secrets.token_bytes(KEY_BYTES)
    tmp = f".key-{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(tmp, _CREATE, 0o600, dir_fd=dir_fd)
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
        try:
            os.link(tmp, KEY_FILE, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)  # never replaces a key another run made
        except FileExistsError:
            made = _secret(dir_fd, create=False)  # another run's, complete since it was linked whole
            if made is not None:
                return made
            # unusable (another owner, mode or size): replace it; entries made with it no longer match
            os.replace(tmp, KEY_FILE, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        return key
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)


def _entry(key: str) -> str:
    return f"catalogue-{key[:32]}.json"


def _mac(secret: bytes, key: str, payload: bytes | memoryview) -> bytes:
    """The MAC of KEY followed by PAYLOAD (fed in two parts: a payload of megabytes is not copied to prefix it)."""
    mac = hmac.new(secret, key.encode("ascii"), hashlib.sha256)
    mac.update(payload)
    return mac.hexdigest().encode("ascii")


def load(key: str) -> memoryview | None:
    """The payload stored for KEY (a view into the entry's bytes, not a copy), or None (missing, foreign, forged,
    corrupt or stale entries)."""
    with _open_dir(create=False) as dir_fd:
        if dir_fd is None:
            return None
        secret = _secret(dir_fd, create=False)
        if secret is None:
            return None
        opened = _open_file(dir_fd, _entry(key), MAX_ENTRY_BYTES)
        if opened is None:
            return None
        fd, info = opened
        try:
            blob = _read_all(fd, info.st_size)
            with contextlib.suppress(OSError):
                os.utime(fd)  # most recently used: kept longest by pruning
        except OSError:
            return None
        finally:
            os.close(fd)
    head = len(MAGIC) + 64 + 1
    if blob is None or not blob.startswith(MAGIC) or blob[head - 1:head] != b"\n":
        return None
    payload = memoryview(blob)[head:]
    if not hmac.compare_digest(blob[len(MAGIC):head - 1], _mac(secret, key, payload)):
        return None
    return payload


def store(key: str, payload: bytes) -> None:
    """Write PAYLOAD for KEY atomically, then prune; failures are ignored (the cache is an optimisation)."""
    with _open_dir(create=True) as dir_fd:
        if dir_fd is None:
            return
        secret = _secret(dir_fd, create=True)
        if secret is None:
            return
        blob = MAGIC + _mac(secret, key, payload) + b"\n" + payload
        tmp = f".catalogue-{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, _CREATE, 0o600, dir_fd=dir_fd)
            try:
                view = memoryview(blob)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, _entry(key), src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dir_fd)
            return
        _prune(dir_fd, keep=_entry(key))


def _prune(dir_fd: int, keep: str) -> None:
    """Remove old entries (and stale temporary files, and entries of the old pickle format)."""
    now = time.time()
    uid = _uid()
    entries: list[tuple[float, int, str]] = []
    try:
        with os.scandir(dir_fd) as listing:
            for item in listing:
                name = item.name
                info = item.stat(follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
                    continue
                old = now - info.st_mtime
                if name.endswith(".pickle") and name.startswith("catalogue-") or (
                        name.startswith((".catalogue-", ".key-")) and name.endswith(".tmp")
                        and old > _STALE_TEMP_SECONDS):
                    _remove(dir_fd, name)
                elif name.startswith("catalogue-") and name.endswith(".json") and name != keep:
                    if old > MAX_AGE_DAYS * 86400:
                        _remove(dir_fd, name)
                    else:
                        entries.append((info.st_mtime, info.st_size, name))
                elif name == keep:
                    entries.append((now, info.st_size, name))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, name in sorted(entries):
        if total <= MAX_TOTAL_BYTES or name == keep:
            break
        _remove(dir_fd, name)
        total -= size


def _remove(dir_fd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=dir_fd)
