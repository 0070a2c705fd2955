"""Atomic writes: a file is replaced by a complete new one in one rename, never rewritten in place.

The temporary file each write goes through (a fix, a cache entry, a report, a
baseline, a configuration from `init`) is created next to its target.
`tempfile.mkstemp` does the same, but importing tempfile costs a pre-commit
run's start-up several milliseconds (it pulls in `random` and `shutil`).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path


def new_temporary(folder: Path, prefix: str = ".") -> tuple[int, Path]:
    """A new, empty file in `folder` (created exclusively, mode 0600), open for writing, and its path."""
    attempt = 0
    while True:
        path = folder / f"{prefix}{os.getpid()}-{time.monotonic_ns()}-{attempt}.tmp"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), path
        except FileExistsError:
            attempt += 1


def replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader, or a crash, finds the old content or the new one, never part.

    A file replaced keeps its permission bits, a new one gets the usual ones
    (0666 less the umask); a symlink is written through, to its target; a
    device or a pipe (`-o /dev/stdout`) is written to as it is, not replaced.
    Raises OSError.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as handle:
            handle.write(data)
        return
    write_through_temporary(target, data, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())


def write_through_temporary(
    target: Path, data: bytes, mode: int, *, durable: bool = False, owner: tuple[int, int] | None = None
) -> None:
    """Write `data` to a new file next to `target`, give it `mode` (and `owner`), and rename it over `target`.

    `durable`: on disk before the rename (a fix of the user's code). On any failure,
    Ctrl-C included, the temporary file is removed and `target` is as it was. Raises OSError.
    """
    descriptor, temporary = new_temporary(target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if owner is not None:
            os.chown(temporary, *owner)  # before chmod: chown clears set-id bits
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass  # the first error is the one to report
        raise


def _umask() -> int:
    current = os.umask(0)  # the only way to read it is to set it
    os.umask(current)
    return current
