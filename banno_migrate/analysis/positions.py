"""Positions placed one statement at a time, not by generating the whole module's code.

LibCST's `PositionProvider` places every node of a module with one pass of
code generation over all of it: a third of the lint of a file with findings,
for the few nodes its findings and fixes need. The same code generation run on
one statement places the nodes within it, given where the statement starts:

- the statement is the innermost one holding the node in a body of the module,
  a class or a function (a method's statement, not its class: a test class may
  be most of a file);
- where it starts is read from CPython's parse of the module's code (in C, a
  small part of LibCST's cost): the line of its first token, less its leading
  lines (blank lines and comments, which LibCST gives to the statement);
- the code it generates must be the module's code at that place, character for
  character, before any of its positions is kept.

The code is `module.code`, which LibCST's positions count: the file's text,
unless the text holds a backslash continuation or a form feed LibCST leaves out
(lint.py passes `module.code` then). A statement that cannot be placed so (code
CPython refuses, a decorator CPython places on another line, the last statement
of a file without a final line break) costs LibCST's whole-module pass, as
before: never a wrong position. tests/test_positions.py and a property on
generated programs compare positions with LibCST's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper
from libcst.metadata import PositionProvider as LibcstPositionProvider

from banno_migrate.cpython_ast import first_line
from banno_migrate.cpython_ast import parse as parse_with_cpython
from banno_migrate.source import line_starts

try:  # LibCST's code generation with positions: private, so without it every lookup takes the whole pass
    from libcst.metadata.position_provider import PositionProvidingCodegenState
except ImportError:  # pragma: no cover - a LibCST that moved it
    PositionProvidingCodegenState = None  # type: ignore[assignment, misc]

__all__ = ["ModuleCode", "StatementPositions"]

_Placed = tuple[cst.BaseStatement, ast.stmt, tuple[str, ...]]  # a statement, CPython's, the indentation around it


@dataclass(frozen=True)
class ModuleCode:
    """The code LibCST's positions count (`module.code`), and CPython's tree of it when the caller has one.

    Slicing's tree of the file serves a slice of it: slicing keeps every line, and
    replaces a body by one statement only where no node of the slice can be.
    """

    code: str
    cpython_tree: ast.Module | None = None


class StatementPositions(Mapping[cst.CSTNode, CodeRange]):
    """Each node's range, as LibCST's `PositionProvider` gives it; placed one statement at a time when asked."""

    def __init__(
        self, module: cst.Module, parents: Callable[[], Mapping[cst.CSTNode, cst.CSTNode]], code: ModuleCode | None
    ) -> None:
        """`parents` gives the parent map when a first position is asked for (a lint with no finding
        may never need it); without `code`, every position comes from LibCST's pass."""
        self._module, self._parents_when_asked = module, parents
        self._code = code.code if code is not None else None
        self._placed: dict[cst.CSTNode, CodeRange] = {}  # the nodes of the statements placed so far
        self._all: Mapping[cst.CSTNode, CodeRange] | None = None  # LibCST's pass, once it has run
        self._by_statement = code is not None and PositionProvidingCodegenState is not None
        self._tree = code.cpython_tree if code is not None else None
        self._line_starts: tuple[int, ...] = ()

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        if self._all is not None:
            return self._all[node]
        found = self._placed.get(node)
        if found is None and self._by_statement and self._place_statement_of(node):
            found = self._placed.get(node)
        return found if found is not None else self._whole_module()[node]

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._whole_module())

    def __len__(self) -> int:
        return len(self._whole_module())

    def _whole_module(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._all is None:
            self._all = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(LibcstPositionProvider)
        return self._all

    def _place_statement_of(self, node: cst.CSTNode) -> bool:
        """Place the statement holding `node`; False when it cannot be placed (the whole pass is next)."""
        placed = self._statement_of(node)
        if placed is None:
            return False
        statement, cpython_statement, indents = placed
        start = _first_line(statement, cpython_statement)
        if not 1 <= start <= len(self._line_starts):
            return False
        try:
            code, positions = _generated_ranges(self._module, statement, start, indents)
        except (TypeError, AttributeError, KeyError):  # LibCST's private code generation changed: its pass
            self._by_statement = False
            return False
        assert self._code is not None
        if not self._code.startswith(code, self._line_starts[start - 1]):
            return False
        self._placed.update(positions)
        return True

    def _statement_of(self, node: cst.CSTNode) -> _Placed | None:
        """The innermost statement holding `node` in a body of the module, a class or a function, with
        CPython's statement for it and the indentation of the blocks around it."""
        tree = self._cpython_tree()
        if tree is None:
            return None
        parents = self._parents_when_asked()
        path = [node]  # from the node up to, not including, the module
        while (parent := parents.get(path[-1])) is not None and parent is not self._module:
            path.append(parent)
        path.reverse()
        statements, cpython_statements = self._module.body, tree.body
        indents: list[str] = []
        placed: _Placed | None = None
        depth = 0
        while depth < len(path):
            index = _cpython_index(statements, path[depth])
            if index is None or index >= len(cpython_statements):
                return placed
            statement, cpython_statement = path[depth], cpython_statements[index]
            placed = (statement, cpython_statement, tuple(indents))  # type: ignore[assignment]
            block = getattr(statement, "body", None)
            inside = depth + 2 < len(path) and path[depth + 1] is block
            if not (isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and isinstance(block, cst.IndentedBlock) and inside):
                return placed
            if not isinstance(cpython_statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return None  # the two parses disagree: let LibCST place it
            indents.append(self._module.default_indent if block.indent is None else block.indent)
            statements, cpython_statements = block.body, cpython_statement.body
            depth += 2
        return placed

    def _cpython_tree(self) -> ast.Module | None:
        assert self._code is not None
        if self._tree is None:
            self._tree = parse_with_cpython(self._code)
            if self._tree is None:
                self._by_statement = False  # LibCST reads what CPython refuses: every position from its pass
                return None
        if not self._line_starts:
            self._line_starts = line_starts(self._code)
        return self._tree


class _Ranges:
    """Where the code generation of one statement records its nodes' ranges."""

    __slots__ = ("_computed",)

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


def _generated_ranges(
    module: cst.Module, statement: cst.BaseStatement, start: int, indents: tuple[str, ...]
) -> tuple[str, dict[cst.CSTNode, CodeRange]]:
    """The code LibCST generates for `statement` starting at line `start` inside blocks indented by
    `indents`, and the range of each node in it (private LibCST API: its changes raise here)."""
    recorded = _Ranges()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=recorded,  # type: ignore[arg-type]  # only its `_computed` is used
        indent_tokens=list(indents),
        line=start,
    )
    statement._codegen(state)
    return "".join(state.tokens), recorded._computed


def _cpython_index(statements: Sequence[cst.BaseStatement], statement: cst.CSTNode) -> int | None:
    """Where `statement` is in CPython's list for the same body, where `a = 1; b = 2` is two statements."""
    index = 0
    for candidate in statements:
        if candidate is statement:
            return index
        index += len(candidate.body) if isinstance(candidate, cst.SimpleStatementLine) else 1
    return None


def _first_line(statement: cst.BaseStatement, cpython_statement: ast.stmt) -> int:
    """The line where LibCST's code for `statement` starts: its leading lines, then its decorators or itself."""
    decorators = getattr(statement, "decorators", ())
    if bool(decorators) != bool(getattr(cpython_statement, "decorator_list", None)):
        return 0  # the two parses disagree: no line, so LibCST places it
    between = len(decorators[0].leading_lines) if decorators else 0  # lines LibCST gives the first decorator
    return first_line(cpython_statement) - between - len(statement.leading_lines)
