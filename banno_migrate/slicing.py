"""Slicing: blank out the function bodies of a module that no rule needs, before LibCST sees it.

A file that passes the prefilter is mostly code the rules never look at: an
OAuth library's 3,000-line module may build one authorization request. LibCST
costs a parse and several pure-Python tree walks per byte, so the body of each
function (at module level, or a method at any depth of classes) whose text
holds none of the rules' strings (their triggers and `slice_context`, in
rules/*.yaml) becomes a `0` statement and blank space, every other character
staying where it was. What stays: every statement outside function bodies
(imports, assignments, class bodies) and every definition's decorators and
signature, so each name is still bound to what it was and a route decorator
still marks a handler. Line and column of everything kept are unchanged:
findings, fixes and suppressions need no mapping back.

CPython's own parser (in C, many times faster than a LibCST pass) finds the
bodies. A text it cannot parse, or whose slice it would not parse, is not
sliced. tests/test_equivalence.py checks that slicing changes no finding.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from banno_migrate.catalog import Catalog
    from banno_migrate.languages import LintRequest

_NEWLINE = re.compile(r"\r\n|\r|\n")
_VISIBLE = re.compile(r"[^\r\n]")
_INDENT = re.compile(r"[ \t\f]*")
_BLANKS = b" \t\f"
_GLOBAL = re.compile(r"\bglobal\b")


def slice_needles(catalog: Catalog, request: LintRequest) -> tuple[str, ...] | None:
    """The strings whose function bodies the request's rules need, or None when they need every body."""
    from banno_migrate.suppressions import UNUSED_SUPPRESSION

    if request.report_unused_suppressions and UNUSED_SUPPRESSION in request.enabled:
        return None  # a suppression comment in any body may be unused
    needles: list[str] = []
    for code in sorted(request.codes):
        spec = catalog.rules.get(code)
        if spec is None or spec.slice_context is None:
            return None
        # A group's first string is what its findings are written around ('"code"' of `request.args["code"]`).
        needles += (group[0].decode() for group in spec.triggers)
        needles += spec.slice_context
        if spec.triggers_include_claims:
            needles += (*catalog.domain.custom_claims, *request.rule_options.extra_claims)
    return tuple(dict.fromkeys(needles))


def relevant_code(text: str, needles: Iterable[str]) -> str | None:
    """`text` without the function bodies that hold none of `needles`, or None when nothing is left out."""
    tree = _parse(text)
    if tree is None:
        return None
    line_starts = (0, *(match.end() for match in _NEWLINE.finditer(text)))
    bodies = list(_unneeded_bodies(tree.body, text, line_starts, tuple(needles)))
    if not bodies:
        return None
    pieces, position = [], 0
    for first, last in bodies:
        start, end = line_starts[first - 1], _line_end(text, line_starts, last)
        indent_end = _INDENT.match(text, start).end()
        pieces.append(text[position:indent_end])
        # The body's first line holds at least one character of its first statement: room for `0`.
        pieces.append("0" + _VISIBLE.sub(" ", text[indent_end + 1 : end]))
        position = end
    pieces.append(text[position:])
    sliced = "".join(pieces)
    return sliced if len(sliced) == len(text) and _parse(sliced) is not None else None


def _unneeded_bodies(
    body: list[ast.stmt], text: str, line_starts: tuple[int, ...], needles: tuple[str, ...]
) -> Iterator[tuple[int, int]]:
    """(first line, last line) of each function body to leave out, in order."""
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            yield from _unneeded_bodies(statement.body, text, line_starts, needles)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first_statement = statement.body[0]
            first, last = first_statement.lineno, statement.end_lineno or first_statement.lineno
            line = text[line_starts[first - 1] : _line_end(text, line_starts, first)]
            if line.encode("utf-8", "surrogatepass")[: first_statement.col_offset].strip(_BLANKS):
                continue  # `def f(): return x`: the body shares a line with the signature
            # The whole definition is searched: a parameter (FastAPI's `code: str`) makes its body needed.
            start = min([statement.lineno, *(decorator.lineno for decorator in statement.decorator_list)])
            code = text[line_starts[start - 1] : _line_end(text, line_starts, last)]
            # A `global` statement makes the body assign a module-level name: what that name resolves to.
            if not any(needle in code for needle in needles) and not _GLOBAL.search(code):
                yield first, last


def _line_end(text: str, line_starts: tuple[int, ...], line: int) -> int:
    """Offset of the end of `line`, before its line break."""
    match = _NEWLINE.search(text, line_starts[line - 1])
    return match.start() if match else len(text)


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the user's own warnings (invalid escapes...) are not ours to print
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
