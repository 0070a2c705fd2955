"""Slicing: blank out what no rule needs from a module before LibCST sees it.

A file that passes the prefilter is mostly code the rules never look at: an
OAuth library's 3,000-line module may build one authorization request. LibCST
costs a parse and several pure-Python tree walks per byte, so these become a
blank string statement (or a `0`), every other character staying where it was:

- the body of a function (at module level, or a method of a kept class) whose
  text, docstring aside, holds none of the rules' strings (their triggers and
  `slice_context`, in rules/*.yaml), and names no kept function and nothing that
  a statement holding one binds (values are followed from where they are made
  to where they are used, through returns and module-level names);
- the body of a class that holds none of them anywhere;
- the docstrings of the module and of the classes kept: prose, which no rule reads.

What stays: every other statement (imports, assignments, class attributes) and
every definition's decorators and signature, so each name is still bound to
what it was and a route decorator still marks a handler. Line and column of
everything kept are unchanged: findings, fixes and suppressions need no mapping
back.

CPython's own parser (in C, many times faster than a LibCST pass) finds the
regions; a text it cannot parse is not sliced. The slice is not parsed again
here: LibCST parses it next, and the Python front end falls back to the whole
text should it fail (tests/test_properties.py generates programs to show every
slice parses). tests/test_equivalence.py and tests/test_slicing.py check that
slicing changes no finding.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Iterator

from banno_migrate.cpython_ast import first_line
from banno_migrate.cpython_ast import parse as parse_with_cpython
from banno_migrate.source import LINE_BREAK, line_starts
from banno_migrate.suppressions import UNUSED_SUPPRESSION

if TYPE_CHECKING:
    from banno_migrate.catalog import Catalog
    from banno_migrate.languages import LintRequest

_VISIBLE = re.compile(r"[^\r\n]")
_GLOBAL = re.compile(r"\bglobal\b")


def slice_needles(catalog: Catalog, request: LintRequest) -> tuple[str, ...] | None:
    """The strings whose function bodies the request's rules need, or None when they need every body."""
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


def relevant_code(text: str, needles: Iterable[str], tree: ast.Module | None = None) -> str | None:
    """`text` without the bodies and docstrings no rule needs, or None when nothing is left out.

    `tree` is CPython's tree of `text`, when the caller has parsed it already.
    """
    tree = tree or parse_with_cpython(text)
    if tree is None:
        return None
    regions = list(_Slicer(text, tuple(needles)).unneeded(tree.body))
    if not regions:
        return None
    pieces, position = [], 0
    for start, end in regions:
        pieces.append(text[position:start])
        pieces.append(_placeholder(text[start:end]))
        position = end
    pieces.append(text[position:])
    sliced = "".join(pieces)
    return sliced if len(sliced) == len(text) else None


class _Slicer:
    """Finds the regions (start and end offsets, whole lines) to leave out of one module.

    A function is kept when its text, docstring aside, holds a needle or a `global`
    statement, or when it names a kept function or a name that a statement holding
    a needle binds outside functions: a value is followed from where it is made to
    where it is used (BM003 follows a parsed fragment to the `["access_token"]` read
    of the function that called the parser, or that reads the module-level result).
    """

    def __init__(self, text: str, needles: tuple[str, ...]) -> None:
        self._text = text
        self._needles = needles
        self._line_starts = line_starts(text)
        self._kept: set[ast.AST] = set()

    def unneeded(self, body: list[ast.stmt]) -> Iterator[tuple[int, int]]:
        self._keep(list(self._functions(body)), set(self._needled_bindings(body)))
        return self._regions(body)

    def _needled_bindings(self, body: list[ast.stmt]) -> Iterator[str]:
        """Names bound outside functions by a statement that holds a needle (`params = parse_qs(u.fragment)`,
        an import's alias)."""
        for statement in body:
            if isinstance(statement, ast.ClassDef):
                yield from self._needled_bindings(statement.body)
            elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if self._holds_needle(self._start(statement), self._end(statement)):
                    for node in ast.walk(statement):
                        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                            yield node.id
                        elif isinstance(node, ast.alias):  # `import MobileApplicationClient as M`: M is used
                            yield node.asname or node.name.partition(".")[0]

    def _functions(self, body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
        """Each function of the module and of its classes (not those inside functions)."""
        for statement in body:
            if isinstance(statement, ast.ClassDef):
                yield from self._functions(statement.body)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield statement

    def _keep(self, functions: list[ast.FunctionDef | ast.AsyncFunctionDef], bound: set[str]) -> None:
        pending = []
        for function in functions:
            code = self._code(function)
            if any(needle in code for needle in self._needles) or _GLOBAL.search(code):
                self._kept.add(function)
            else:
                pending.append((function, code))
        names = bound | {function.name for function in self._kept}
        searched: set[str] = set()
        while names and pending:
            uses = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
            users = [(function, code) for function, code in pending if uses.search(code)]
            self._kept.update(function for function, _ in users)
            pending = [item for item in pending if item[0] not in self._kept]
            searched |= names
            names = {function.name for function, _ in users} - searched

    def _regions(self, body: list[ast.stmt]) -> Iterator[tuple[int, int]]:
        """In order: docstrings of the module and of kept classes, and the bodies nobody needs."""
        if _docstring(body) is not None:
            region = self._statements(body[:1], body[1:2])
            if region is not None:
                yield region
        for statement in body:
            if isinstance(statement, ast.ClassDef):
                yield from self._class(statement)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement not in self._kept:
                region = self._statements(statement.body, [])
                if region is not None:
                    yield region

    def _class(self, node: ast.ClassDef) -> Iterator[tuple[int, int]]:
        # Nothing in a class without a needle or a kept method is reached from elsewhere but its name,
        # which the header binds.
        if not self._holds_needle(self._definition_start(node), self._end(node)) and self._kept.isdisjoint(
            self._functions(node.body)
        ):
            region = self._statements(node.body, [])
            if region is not None:
                yield region
                return
        yield from self._regions(node.body)

    def _code(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        """The whole definition (a parameter, FastAPI's `code: str`, makes its body needed) but its docstring."""
        start, end = self._definition_start(node), self._end(node)
        docstring = _docstring(node.body)
        if docstring is None:
            return self._text[start:end]
        return self._text[start : self._start(docstring)] + "\n" + self._text[self._end(docstring) : end]

    def _statements(self, statements: list[ast.stmt], following: list[ast.stmt]) -> tuple[int, int] | None:
        """The lines of `statements`, when they have them to themselves (not `def f(): return x`)."""
        first, last = statements[0], statements[-1]
        start = self._start(first)
        line_start = self._line_starts[first_line(first) - 1]
        if self._text[line_start:start].strip(" \t\f"):
            return None
        if following and following[0].lineno == last.end_lineno:
            return None  # `"""doc"""; x = 1`
        return start, self._line_end(last.end_lineno or last.lineno)

    def _holds_needle(self, start: int, end: int) -> bool:
        code = self._text[start:end]
        return any(needle in code for needle in self._needles)

    def _definition_start(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
        return self._line_starts[first_line(node) - 1]

    def _start(self, node: ast.stmt) -> int:
        """Offset of the statement's first character: its first decorator's `@` for a decorated definition."""
        line = first_line(node)
        line_start, text = self._line_starts[line - 1], self._line(line)
        if line != node.lineno:  # `lineno` is the `def` line; a decorator begins its own line
            return line_start + len(text) - len(text.lstrip(" \t\f"))
        prefix = text.encode("utf-8", "surrogatepass")[: node.col_offset]  # `col_offset` counts UTF-8 bytes
        return line_start + len(prefix.decode("utf-8", "surrogatepass"))

    def _end(self, node: ast.stmt) -> int:
        return self._line_end(node.end_lineno or node.lineno)

    def _line(self, line: int) -> str:
        return self._text[self._line_starts[line - 1] : self._line_end(line)]

    def _line_end(self, line: int) -> int:
        """Offset of the end of `line`, before its line break."""
        match = LINE_BREAK.search(self._text, self._line_starts[line - 1])
        return match.start() if match else len(self._text)


def _placeholder(region: str) -> str:
    """What stands for a region left out: as many characters, as few nodes for LibCST as can be.

    Over several lines, one string (`\"\"\"` + blanks + `\"\"\"`), which LibCST reads as one
    node where blank lines would each be an `EmptyLine` node; else `0` and blanks. A region
    starts with a statement's first character, so there is always room for `0`.
    """
    lines = LINE_BREAK.split(region)
    breaks = LINE_BREAK.findall(region)
    closing = next((index for index in range(len(lines) - 1, 0, -1) if len(lines[index]) >= 3), None)
    if len(lines[0]) < 3 or closing is None:
        return "0" + _VISIBLE.sub(" ", region[1:])
    rendered = ['"""'.ljust(len(lines[0]))]
    for index, line in enumerate(lines[1:], start=1):
        rendered.append('"""'.ljust(len(line)) if index == closing else " " * len(line))
    return "".join(line + newline for line, newline in zip(rendered, [*breaks, ""]))


def _docstring(body: list[ast.stmt]) -> ast.Expr | None:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None
