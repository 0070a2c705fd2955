"""LibCST's parse, without validating each node its parser makes.

Every LibCST node checks itself when it is made (`CSTNode.__post_init__` calls
`_validate`): a `Name` that its value is an identifier, a string that its
quotes match, and so on. That is for trees built by hand. A tree the parser
makes from text it accepted needs no such check (LibCST's even refuses some of
them: `() if 0 else(lambda:())`, its issue #1061, which is linted here), and the
checks are a sixth of the parse: the 130 files of the benchmark corpus parse in
0.70 s instead of 0.83 s without them.

So a parse here turns the check off for its own duration, only while LibCST's
`__post_init__` is still what it is today (it does nothing but call
`_validate`); otherwise the parse is LibCST's, as it comes. The check is off
process-wide meanwhile: nodes that another thread builds during a parse are not
validated either (banno-migrate builds none; its fixes are text edits).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import libcst as cst
from libcst._nodes.base import CSTNode


def _validate_only(self: CSTNode) -> None:
    self._validate()


def _only_validates(post_init: object) -> bool:
    """Whether `post_init` is, instruction for instruction, `_validate_only` (its names and constants too)."""
    code, known = getattr(post_init, "__code__", None), _validate_only.__code__
    return code is not None and (code.co_code, code.co_names, code.co_consts, code.co_argcount) == (
        known.co_code,
        known.co_names,
        known.co_consts,
        known.co_argcount,
    )


def _unvalidated_post_init(self: CSTNode) -> None:
    pass


_VALIDATING_POST_INIT = CSTNode.__dict__.get("__post_init__")
_SKIPPABLE = _only_validates(_VALIDATING_POST_INIT)


@contextmanager
def _nodes_unvalidated() -> Iterator[None]:
    if not _SKIPPABLE:
        yield
        return
    CSTNode.__post_init__ = _unvalidated_post_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        CSTNode.__post_init__ = _VALIDATING_POST_INIT  # type: ignore[method-assign]


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module(text)`, its nodes unvalidated; raises what LibCST raises."""
    with _nodes_unvalidated():
        return cst.parse_module(text)
