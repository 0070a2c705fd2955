"""Read-only tree walks that do not rebuild the tree.

`CSTNode.visit` rebuilds every node it leaves (`_visit_and_replace_children`
constructs a new node from the visited children) even for a `CSTVisitor`,
which throws the copy away ("TODO: provide traversal where children are not
replaced", says LibCST). A lint only reads: walking the same child fields in
the same order, with the same `on_visit` / `on_leave` and attribute hooks, is
the same walk at less than half the cost. LibCST's own providers
(`ScopeProvider`, `ExpressionContextProvider`) call `visit` from inside their
visitors, so `read_only_walks()` swaps `CSTNode.visit` for the time of one
lint; transformers (the fixer) still go through LibCST's own.

The order of a node class's children is read once from its
`_visit_and_replace_children`, where each child field is visited by a
`visit_*(self, "field", ...)` call in source order. A class whose order cannot
be read that way, and a visitor with attribute hooks of its own making, are
walked by LibCST itself. tests/test_traversal.py compares the events of both
walks on real code.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from contextlib import contextmanager
from typing import Iterator

import libcst as cst
from libcst._batched_visitor import _BatchedCSTVisitor

__all__ = ["child_fields", "read_only_walks"]

_LIBCST_VISIT = cst.CSTNode.visit
_DEFAULT_ATTRIBUTE_HOOKS = (cst.CSTVisitor.on_visit_attribute, cst.CSTVisitor.on_leave_attribute)
_ATTRIBUTE_HOOK = re.compile(r"(?:visit|leave)_([A-Z][A-Za-z0-9]*)_(\w+)")

_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}
_HOOKS_BY_VISITOR_CLASS: dict[type, frozenset[tuple[str, str]] | None] = {}


def child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The fields LibCST visits for a node class, in its order; None when they cannot be read."""
    try:
        return _CHILD_FIELDS[kind]
    except KeyError:
        fields = _CHILD_FIELDS[kind] = _read_child_fields(kind)
        return fields


def _read_child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    try:
        source = textwrap.dedent(inspect.getsource(kind._visit_and_replace_children))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):  # no source shipped, or not Python we can read
        return None
    fields: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("visit_"):
            if (
                len(node.args) < 2
                or not (isinstance(node.args[0], ast.Name) and node.args[0].id == "self")
                or not (isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str))
            ):
                return None
            fields.append((node.lineno, node.col_offset, node.args[1].value))
    known = set(kind.__dataclass_fields__)  # type: ignore[attr-defined]
    ordered = tuple(dict.fromkeys(name for _, _, name in sorted(fields)))
    return ordered if known.issuperset(ordered) else None


def _attribute_hooks(visitor: cst.CSTVisitor) -> frozenset[tuple[str, str]] | None:
    """The (node type, field) pairs the visitor has attribute hooks for; None when it decides them itself."""
    if isinstance(visitor, _BatchedCSTVisitor):
        return _hook_pairs(visitor.visitor_methods)
    kind = type(visitor)
    try:
        return _HOOKS_BY_VISITOR_CLASS[kind]
    except KeyError:
        custom = (kind.on_visit_attribute, kind.on_leave_attribute) != _DEFAULT_ATTRIBUTE_HOOKS
        hooks = _HOOKS_BY_VISITOR_CLASS[kind] = None if custom else _hook_pairs(dir(kind))
        return hooks


def _hook_pairs(names: object) -> frozenset[tuple[str, str]]:
    return frozenset(match.groups() for name in names if (match := _ATTRIBUTE_HOOK.fullmatch(name)))  # type: ignore[attr-defined]


def _visit(node: cst.CSTNode, visitor: cst.CSTVisitor | cst.CSTTransformer) -> object:
    """`CSTNode.visit`, without the rebuilding, for a read-only visitor."""
    if not isinstance(visitor, cst.CSTVisitor) or any(name.startswith(("visit_", "leave_")) for name in vars(visitor)):
        return _LIBCST_VISIT(node, visitor)  # a transformer uses the rebuilt nodes; hooks set on an instance
    hooks = _attribute_hooks(visitor)
    if hooks is None:
        return _LIBCST_VISIT(node, visitor)
    if _module_only(visitor) and isinstance(node, cst.Module):
        visitor.on_visit(node)
        visitor.on_leave(node)
    else:
        _walk(node, visitor, hooks)
    return node


def _module_only(visitor: cst.CSTVisitor) -> bool:
    """A batch whose every method is about the module: nothing below it would be told anything.

    LibCST's scope and expression-context providers do their work in `visit_Module`
    (with a walk of their own), after which their batch would walk the whole tree for nothing.
    """
    return (
        isinstance(visitor, _BatchedCSTVisitor)
        and visitor.before_visit is None
        and visitor.after_leave is None
        and set(visitor.visitor_methods) <= {"visit_Module", "leave_Module"}
    )


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, hooks: frozenset[tuple[str, str]]) -> None:
    fields = _CHILD_FIELDS.get(type(node)) or child_fields(type(node))
    if fields is None:
        _LIBCST_VISIT(node, visitor)
        return
    if visitor.on_visit(node):
        kind = type(node).__name__
        for name in fields:
            hooked = (kind, name) in hooks
            if hooked:
                visitor.on_visit_attribute(node, name)
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                _walk(value, visitor, hooks)
            elif isinstance(value, (tuple, list)):
                for child in value:
                    _walk(child, visitor, hooks)
            if hooked:
                visitor.on_leave_attribute(node, name)
    visitor.on_leave(node)


@contextmanager
def read_only_walks() -> Iterator[None]:
    """Within the block, every `CSTVisitor` walk reads the tree instead of rebuilding it."""
    cst.CSTNode.visit = _visit  # type: ignore[method-assign]
    try:
        yield
    finally:
        cst.CSTNode.visit = _LIBCST_VISIT  # type: ignore[method-assign]
