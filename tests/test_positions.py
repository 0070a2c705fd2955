"""Positions placed one statement at a time (analysis/positions.py) are LibCST's, node for node."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst import metadata as libcst_metadata

import banno_migrate
from banno_migrate.analysis import metadata
from banno_migrate.analysis.positions import ModuleCode
from cst_nodes import nodes_of

ROOT = Path(__file__).resolve().parents[1]
# Real code: decorated methods in classes, nested functions, comments before decorators, module-level
# control flow (LibCST's own sources and ours); CONSTRUCTS adds what they lack.
SOURCES = [
    *sorted((ROOT / "examples" / "legacy-app").rglob("*.py")),
    Path(banno_migrate.__file__).parent / "analysis" / "positions.py",
    Path(banno_migrate.__file__).parent / "cli.py",
    Path(cst.__file__).parent / "metadata" / "scope_provider.py",
    Path(cst.__file__).parent / "_nodes" / "statement.py",
    Path(cst.__file__).parent / "_parser" / "conversions" / "expression.py",
]


CONSTRUCTS = """\
import os; import sys
x = 1; y = 2;


class A:
    class B:  # nested
        z = 3; w = [
            4,
        ]

    async def run(self):
        async with lock:
            async for item in items:
                match item:
                    case {"kind": "a", **rest}:
                        pass
                    case [first, *others] if first:
                        return first; others.clear()
                    case _:
                        ...

        if x: y = 1; z = 2
        try:
            pass
        except* ValueError:
            pass


\f
def tabbed():
\tif True:
\t\treturn 'tab'
"""


def _positions(code: str, text: str | None) -> tuple[cst.Module, object, libcst_metadata.MetadataWrapper]:
    module = cst.parse_module(code)
    wrapper = libcst_metadata.MetadataWrapper(module, unsafe_skip_copy=True, cache={metadata.PositionProvider: ModuleCode(text) if text is not None else None})
    return module, wrapper.resolve(metadata.PositionProvider), wrapper


def _placed_as_libcst_places_them(code: str) -> tuple[cst.Module, object, object]:
    """Every node in the module's statements, placed statement by statement where LibCST places it."""
    module, ours, wrapper = _positions(code, code)
    theirs = wrapper.resolve(libcst_metadata.PositionProvider)
    nodes = nodes_of(*module.body)
    assert [ours[node] for node in nodes] == [theirs[node] for node in nodes]
    assert ours._all is None  # every statement placed on its own  # type: ignore[attr-defined]
    return module, ours, theirs


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_node_is_placed_where_libcst_places_it_without_the_whole_pass(path: Path) -> None:
    module, ours, theirs = _placed_as_libcst_places_them(path.read_text(encoding="utf-8"))
    assert ours[module] == theirs[module]  # the module itself is no statement: the whole pass
    assert ours._all is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_statements_with_semicolons_suites_match_and_async_are_placed_where_libcst_places_them(ending: str) -> None:
    _placed_as_libcst_places_them(CONSTRUCTS.replace("\n", ending))


def test_parents_are_asked_for_only_with_a_first_position() -> None:
    """A lint without findings never asks for a position, so it never needs the parent map for one."""
    from banno_migrate.analysis.positions import StatementPositions

    code = "def f():\n    return 'x'\n"
    module = cst.parse_module(code)
    asked: list[int] = []

    def parents() -> dict[cst.CSTNode, cst.CSTNode]:
        asked.append(1)
        return dict(libcst_metadata.MetadataWrapper(module, unsafe_skip_copy=True).resolve(libcst_metadata.ParentNodeProvider))

    positions = StatementPositions(module, parents, ModuleCode(code))
    assert asked == []
    assert positions[module.body[0].body.body[0]].start.line == 2
    assert asked == [1]


def test_only_the_statement_holding_the_node_is_placed() -> None:
    code = textwrap.dedent(
        """\
        import os


        class Client:
            # a comment before the decorator
            @property
            def url(self):
                base = "https://bank.example"; path = "/a/consumer/api/oidc/auth"
                return base + path

            def other(self):
                return 1
        """
    )
    module, ours, wrapper = _positions(code, code)
    klass = module.body[1]
    url = klass.body.body[0]
    second = url.body.body[0]
    path_string = second.body[1].value
    assert ours[path_string] == wrapper.resolve(libcst_metadata.PositionProvider)[path_string]
    placed = ours._placed  # type: ignore[attr-defined]
    assert second in placed and klass not in placed and url not in placed and klass.body.body[1] not in placed


def test_a_decorated_definition_starts_at_its_leading_lines() -> None:
    _placed_as_libcst_places_them("x = 1\n\n\n# why\n@decorator(\n    1,\n)\n\n@other\nasync def f():\n    pass\n")


def _changed_private_code_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    from banno_migrate.analysis import positions

    def changed(**_arguments: object) -> None:
        raise TypeError("unexpected keyword argument 'line'")

    monkeypatch.setattr(positions, "PositionProvidingCodegenState", changed)


RETURN_X = "def f():\n    return 'x'\n"


def _first_statement(module: cst.Module) -> cst.CSTNode:
    return module.body[0].body.body[0]


@pytest.mark.parametrize(
    ("code", "text_given", "node_of", "before"),
    [
        pytest.param(RETURN_X, False, _first_statement, None, id="no code given"),
        pytest.param("def f():\n    print(*a for a in b)\n", True, _first_statement, None, id="LibCST reads it, CPython does not"),
        # CPython puts this decorator on line 2 (after the continuation), LibCST's code starts with its `@`.
        pytest.param("@\\\ndecorator\ndef f():\n    return 'x'\n", True, lambda module: module.body[0].name, None, id="a statement that does not check out"),
        pytest.param(RETURN_X, True, _first_statement, _changed_private_code_generation, id="LibCST's private code generation changed"),
    ],
)
def test_what_cannot_be_placed_by_statement_is_placed_by_libcsts_whole_pass(
    monkeypatch: pytest.MonkeyPatch, code: str, text_given: bool, node_of, before
) -> None:
    if before is not None:
        before(monkeypatch)
    module, ours, wrapper = _positions(code, code if text_given else None)
    node = node_of(module)
    assert ours[node] == wrapper.resolve(libcst_metadata.PositionProvider)[node]
    assert ours._all is not None  # type: ignore[attr-defined]


def test_a_decorated_definition_that_cpython_reads_otherwise_gets_no_line() -> None:
    """Should the two parses ever pair a decorated definition with another statement, no line is
    made up from it: line 0 is outside the text, so LibCST's pass places the node."""
    import ast

    from banno_migrate.analysis.positions import _first_line

    definition = cst.parse_module("@decorator\ndef f():\n    pass\n").body[0]
    assert _first_line(definition, ast.parse("x = 1\n").body[0]) == 0
    assert _first_line(definition, ast.parse("def f():\n    pass\n").body[0]) == 0
    assert _first_line(definition, ast.parse("@decorator\ndef f():\n    pass\n").body[0]) == 1


def test_a_lint_places_statements_with_the_tree_slicing_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slicing parses the file with CPython already, and keeps every line: positions use that tree."""
    from banno_migrate.analysis import positions
    from banno_migrate.catalog import load_catalog
    from banno_migrate.lint import LintRequest, lint_source
    from banno_migrate.source import SourceText

    def no_second_parse(text: str) -> None:
        raise AssertionError("CPython parsed the file a second time")

    text = 'def unrelated():\n    return 1\n\n\ndef urls():\n    return "https://bank.example/a/consumer/api/oidc/token"\n'
    monkeypatch.setattr(positions, "parse_with_cpython", no_second_parse)
    findings = lint_source(SourceText(text, "utf-8"), "app.py", load_catalog(), LintRequest(codes=frozenset({"BM001"})))
    assert [(finding.rule, finding.line, finding.column) for finding in findings] == [("BM001", 6, 12)]
