"""Writing output files safely: atomically, never overwriting without --force."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import tempfile
from pathlib import Path

from strategease.errors import UsageError


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write DATA to PATH atomically: to a file in the same directory that gets PATH's name only
    once it is complete and synced (an unnamed ``O_TMPFILE`` where the system has it, else a
    hidden temporary file and a rename).

    A crash or kill mid-write leaves any existing file intact and no partial file. Refuses to
    replace an existing file unless ``force`` (exit 2 with a hint); disk full, permission
    denied and the like are one-line :class:`UsageError` (exit 2).
    """
    target = Path(path)
    if target.is_dir():
        raise UsageError("is a directory, expected an output file path", path=str(target))
    if target.exists() and not force:
        raise _exists(target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError("output directory does not exist", path=str(directory), hint="create it first")
    fd = _unnamed_file(directory)
    if fd is not None:
        _link_into_place(fd, target, directory, data, force)
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except PermissionError:
        raise _permission_denied(directory) from None
    except OSError as exc:
        raise UsageError(f"cannot write to the output directory: {exc.strerror}", path=str(directory)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists() and not force:  # appeared meanwhile
            raise _exists(target)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _cannot_write(target, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _unnamed_file(directory: Path) -> int | None:
    """A file with no name yet in DIRECTORY (Linux ``O_TMPFILE``), or None where unsupported.

    Until it is linked into place it has no name, so a process killed while writing it
    (even with SIGKILL) leaves nothing behind: no partial file, not even a temporary one.
    """
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except PermissionError:
        raise _permission_denied(directory) from None
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None  # a file system without O_TMPFILE: use a named temporary file
        raise UsageError(f"cannot write to the output directory: {exc.strerror}", path=str(directory)) from None


def _link_into_place(fd: int, target: Path, directory: Path, data: bytes, force: bool) -> None:
    """Write DATA to the unnamed file FD, then give it TARGET's name: without --force by a link
    that fails if TARGET exists (so a file that appeared meanwhile is never replaced); with
    --force by a link to a temporary name (complete from the moment it has one) and a rename."""
    temp: Path | None = None
    dir_fd = -1
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            # link() would link the /proc symlink itself; a dir fd makes Python call linkat() with
            # AT_SYMLINK_FOLLOW, which links the file it points to (no privilege needed).
            dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            source = f"/proc/self/fd/{handle.fileno()}"
            if not force:
                try:
                    os.link(source, target, src_dir_fd=dir_fd, follow_symlinks=True)
                except FileExistsError:
                    raise _exists(target) from None
                return
            temp = directory / f".{target.name}.{secrets.token_hex(8)}.tmp"
            os.link(source, temp, src_dir_fd=dir_fd, follow_symlinks=True)
            os.replace(temp, target)
            temp = None
    except OSError as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise _cannot_write(target, exc) from None
    except BaseException:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise
    finally:
        if dir_fd >= 0:
            os.close(dir_fd)


def _exists(target: Path) -> UsageError:
    return UsageError("file exists; not overwriting", path=str(target), hint="pass --force to replace it")


def _permission_denied(directory: Path) -> UsageError:
    return UsageError("cannot write to the output directory (permission denied)", path=str(directory),
                      hint="choose a writable location")


def _cannot_write(target: Path, exc: OSError) -> UsageError:
    reason = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return UsageError(f"cannot write output: {reason}", path=str(target))
