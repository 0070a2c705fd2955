"""CPython's own parser, for what needs only where statements are (in C: a small part of a LibCST parse).

Slicing finds the bodies it leaves out with it, positions find where a statement
starts, and a fix is written only if CPython accepts the fixed text.
"""

from __future__ import annotations

import ast
import warnings


def parse(text: str) -> ast.Module | None:
    """The module's tree, or None for a text CPython refuses (or cannot hold: too deep, too large)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the user's own warnings (invalid escapes...) are not ours to print
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def first_line(statement: ast.stmt) -> int:
    """The line a statement starts on: its first decorator's, for a decorated definition (whose
    `lineno` is its `def` or `class`)."""
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno
