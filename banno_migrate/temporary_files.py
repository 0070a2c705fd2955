"""The temporary file an atomic write goes through (a fix, a cache entry): created next to its target.

`tempfile.mkstemp` does the same, but importing tempfile costs a pre-commit
run's start-up several milliseconds (it pulls in `random` and `shutil`).
"""

from __future__ import annotations

import os
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
