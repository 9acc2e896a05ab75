"""Writing output files safely: atomically, never overwriting without --force."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from strategease.errors import UsageError


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write DATA to PATH via a temporary file in the same directory and an atomic rename.

    A crash or kill mid-write leaves any existing file intact. Refuses to replace an
    existing file unless ``force`` (exit 2 with a hint).
    """
    target = Path(path)
    if target.is_dir():
        raise UsageError("is a directory, expected an output file path", path=str(target))
    if target.exists() and not force:
        raise UsageError("file exists; not overwriting", path=str(target), hint="pass --force to replace it")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError("output directory does not exist", path=str(directory), hint="create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except PermissionError:
        raise UsageError("cannot write to the output directory (permission denied)", path=str(directory),
                         hint="choose a writable location") from None
    except OSError as exc:
        raise UsageError(f"cannot write to the output directory: {exc.strerror}", path=str(directory)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists() and not force:  # appeared meanwhile
            raise UsageError("file exists; not overwriting", path=str(target), hint="pass --force to replace it")
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise UsageError(f"cannot write output: {reason}", path=str(target)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
