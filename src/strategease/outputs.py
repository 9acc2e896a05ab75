"""Writing output files safely: atomically, never overwriting without --force."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
import tempfile
import time
from pathlib import Path

from strategease.errors import UsageError
from strategease.inputs import kind_of_file, os_error

STDOUT_NAMES = ("-", "/dev/stdout")
"""Output names that mean standard output: the text is streamed there, not written to a file."""
STALE_TEMP_SECONDS = 60
"""A hidden ``.NAME.*.tmp`` sibling older than this is left over from a killed write and removed."""


def is_stdout(path: Path | str) -> bool:
    return str(path) in STDOUT_NAMES


def output_path(text: str) -> Path:
    """The output file TEXT names, as typed (the parser of every output option and argument).

    A name that ends in a path separator, or in ``.`` or ``..``, names a directory; ``Path`` would
    quietly drop the ending ('newdir/' becomes a file called 'newdir'), so it is refused here, while
    the text is still as typed (exit 2), like a directory given as the output file. Directories are
    never created: as with ``cp``, the file's directory must exist.
    """
    if not is_stdout(text):
        separators = os.sep + (os.altsep or "")
        if text.endswith(tuple(separators)) or os.path.basename(text) in (".", ".."):
            raise UsageError("names a directory, expected an output file path", path=text,
                             hint="add the file's name, e.g. 'DIR/NAME'; the directory must exist")
    return Path(text)


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write DATA to PATH atomically: to a file in the same directory that gets PATH's name only
    once it is complete and synced (an unnamed ``O_TMPFILE`` where the system has it, else a
    hidden temporary file and a rename). ``-`` and ``/dev/stdout`` stream DATA to standard output.

    A crash or kill mid-write leaves any existing file intact and no partial file (hidden
    temporary files a killed write left behind are removed by the next write). Refuses to
    replace an existing file unless ``force`` (exit 2 with a hint), and never replaces anything
    but a regular file (a device, FIFO or socket stays, even with ``force``). A new file gets
    the usual mode (0666 less the umask); a replaced file keeps its mode. Disk full, permission
    denied, a name too long and the like are one-line :class:`UsageError` (exit 2).
    """
    target = Path(path)
    if is_stdout(target):
        _to_stdout(data)
        return
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise os_error(exc, target, action="cannot write output", what="output directory") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError("is a directory, expected an output file path", path=str(target))
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"is {kind_of_file(info.st_mode)}; refusing to write over it, even with --force",
                             path=str(target), hint="give a regular file's name, or '-o -' for standard output")
        if not force:
            raise _exists(target)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        if not stat.S_ISDIR(os.stat(directory).st_mode):
            raise UsageError("the output's parent is a file, not a directory", path=str(directory))
    except FileNotFoundError:
        raise UsageError("output directory does not exist", path=str(directory), hint="create it first") from None
    except OSError as exc:
        raise os_error(exc, directory, action="cannot write output", what="output directory") from None
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    _remove_stale_temps(directory, target.name)
    fd = _unnamed_file(directory)
    if fd is not None:
        _link_into_place(fd, target, directory, data, force, mode)
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
            os.fchmod(handle.fileno(), mode)
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


def _to_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stale_temps(directory: Path, name: str) -> None:
    """Remove ``.NAME.*.tmp`` files a killed write left in DIRECTORY (ours, regular, not recent)."""
    pattern = re.compile(rf"\.{re.escape(name)}\.[A-Za-z0-9_]+\.tmp")
    limit = time.time() - STALE_TEMP_SECONDS
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        with os.scandir(directory) as listing:
            for item in listing:
                if not pattern.fullmatch(item.name):
                    continue
                info = item.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < limit and uid in (None, info.st_uid):
                    with contextlib.suppress(OSError):
                        os.unlink(item.path)
    except OSError:
        return


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


def _link_into_place(fd: int, target: Path, directory: Path, data: bytes, force: bool, mode: int) -> None:
    """Write DATA to the unnamed file FD, then give it TARGET's name: without --force by a link
    that fails if TARGET exists (so a file that appeared meanwhile is never replaced); with
    --force by a link to a temporary name (complete from the moment it has one) and a rename."""
    temp: Path | None = None
    dir_fd = -1
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
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
    if exc.errno == errno.ENOSPC:
        return UsageError("cannot write output: disk full", path=str(target))
    return os_error(exc, target, action="cannot write output", what="output directory")
