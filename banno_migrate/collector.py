"""Python's cycle collector held off where a phase makes many objects that outlive it, and no cycles.

Each collection scans every object of the generations it collects: while a phase
makes objects by the hundred thousand (a LibCST tree, a report per file) and frees
none through cycles, the collector runs again and again and finds nothing.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector held off within the block, and left as the caller had it after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
