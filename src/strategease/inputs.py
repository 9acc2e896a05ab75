"""Reading an input file safely: a regular file, at most a byte budget, whatever it claims to be.

Every input (catalogue and scope YAML, ratings and import CSV, templates) is read through
:func:`read_bytes`:

* it is opened without blocking (``O_NONBLOCK``: a FIFO with no writer cannot hang the command)
  and checked *on the open descriptor*, so what is checked is what is read: a directory, a
  device (``/dev/zero``, ``/dev/urandom``), a FIFO or a socket is refused with exit 2;
* at most ``limit + 1`` bytes are ever read, whatever ``st_size`` says (it is 0 for devices and
  pipes, and a file may grow while it is read): one byte over the budget is an error, exit 2;
* every OS condition (missing, permission denied, a name over 255 bytes, a file as a parent,
  too many symlinks, out of memory) is one line naming the path (:func:`os_error`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from strategease.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

_CHUNK = 1024 * 1024


def os_error(exc: OSError, path: str | os.PathLike[str], action: str = "cannot read", what: str = "file") -> UsageError:
    """The one-line, exit-2 error for an OS failure on PATH (its condition named in plain words)."""
    display = str(path)
    code = exc.errno
    if code == errno.ENOENT:
        return UsageError(f"{what} not found", path=display, hint="check the path")
    if code in (errno.EACCES, errno.EPERM):
        return UsageError("permission denied" if action == "cannot read" else f"{action}: permission denied",
                          path=display,
                          hint="check the permissions of the file and of the directories above it")
    if code == errno.ENAMETOOLONG:
        return UsageError(f"{action}: the file name is too long (over 255 bytes a name, or 4096 a path)",
                          path=display[:200] + ("…" if len(display) > 200 else ""), hint="use a shorter name")
    if code == errno.ENOTDIR:
        return UsageError(f"{action}: a part of the path is a file, not a directory", path=display)
    if code == errno.EISDIR:
        return UsageError(f"is a directory, expected a {what}", path=display)
    if code == errno.ELOOP:
        return UsageError(f"{action}: too many levels of symbolic links", path=display)
    if code == errno.ENOSPC:
        return UsageError(f"{action}: no space left on the device", path=display)
    reason = exc.strerror or type(exc).__name__
    return UsageError(f"{action}: {reason[:1].lower()}{reason[1:]}", path=display)


def kind_of_file(mode: int) -> str:
    """What a non-regular file is, in plain words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: Path, *, what: str = "file", limit: int) -> bytes:
    """The bytes of regular file PATH, at most LIMIT of them (see the module docstring)."""
    chunks: list[bytes] = []
    _read(path, what, limit, lambda fd, room: _append_chunk(chunks, os.read(fd, room)))
    return b"".join(chunks)


def _append_chunk(chunks: list[bytes], chunk: bytes) -> int:
    if chunk:
        chunks.append(chunk)
    return len(chunk)


def read_sha256(path: Path, *, what: str = "file", limit: int) -> str:
    """The SHA-256 of regular file PATH (what ``sha256sum`` prints), read exactly as :func:`read_bytes` reads it
    but never held whole: one buffer of ``_CHUNK`` bytes is filled again and again. A cached catalogue needs
    only its files' hashes: holding 18 MB of YAML that is never parsed cost ~2 page faults per 4 KiB page (the
    chunks, then their join) and ~40 ms of a cached ``select`` at 10^5 links."""
    import hashlib

    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)

    def feed(fd: int, room: int) -> int:
        if not hasattr(os, "readv"):  # Windows reads into new bytes only
            chunk = os.read(fd, room)
            digest.update(chunk)
            return len(chunk)
        got = os.readv(fd, [view[:room]])
        digest.update(view[:got])
        return got

    _read(path, what, limit, feed)
    return digest.hexdigest()


def _read(path: Path, what: str, limit: int, read: Callable[[int, int], int]) -> None:
    """Open PATH safely and hand its bytes to READ(fd, at most n bytes) -> bytes read, until the end of the file
    or one byte over LIMIT (see the module docstring); every refusal is a one-line :class:`UsageError`."""
    display = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise os_error(exc, display, what=what) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"is {kind_of_file(info.st_mode)}, expected a {what}", path=display,
                             hint="give a regular file")
        if info.st_size > limit:
            raise _too_big(display, info.st_size, limit)
        total = 0
        while total <= limit:
            got = read(fd, min(_CHUNK, limit + 1 - total))
            if not got:
                break
            total += got
        if total > limit:
            raise _too_big(display, None, limit)
    except OSError as exc:
        raise os_error(exc, display, what=what) from None
    except MemoryError:
        raise UsageError("out of memory while reading", path=display) from None
    finally:
        os.close(fd)


def _too_big(display: str, size: int | None, limit: int) -> UsageError:
    told = f"file is {size} bytes" if size is not None else "file is longer than"
    return UsageError(f"{told}, over the {limit}-byte limit" if size is not None else f"{told} the {limit}-byte limit",
                      path=display, hint="split it into smaller files")
