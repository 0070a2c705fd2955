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

Three walks are cut short, as no visitor can tell: a visitor with no method for
any formatting node (whitespace, commas, operators: most of a tree) is not
walked into them; nor is LibCST's scope analysis, whose own `on_leave` records
each node's scope (no one asks the scope of a comma: half its walk was
formatting), and which, on leaving a node that is neither assignment-like nor
has a `leave_` method, only records it (one call, not four: its `on_leave` is
checked to be the one known here); and a visitor whose only method is
`visit_Module` (the batches of LibCST's scope and expression-context providers,
which walk on their own) is not walked below the module.

A batch told of nothing but entering nodes (and of leaving the module), as
the lint's providers and rules mostly are, is not walked at all once the
parents are known: the loop that finds them (analysis/metadata.py) lists every
node but formatting in walk order, and the batch is told of each from that
list (`remember_walk_order`), within the same `read_only_walks()` block.

The order of a node class's children is read once from its
`_visit_and_replace_children`, where each child field is visited by a
`visit_*(self, "field", ...)` call in source order. A class whose order cannot
be read that way, and a visitor with attribute hooks of its own making, are
walked by LibCST itself. tests/test_traversal.py compares the events of both
walks on real code.

What a visitor does on entering and leaving a node class is decided once per
class and visitor (LibCST formats `visit_<Class>` and looks it up on every
node, and calls a no-op stub where there is no method): a node the visitor
has no method for costs it no call at all.

LibCST also finds a batched visitor's methods with `inspect.getmembers` on every
instance; within the block, they are found once per class.
"""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import re
import textwrap
from contextlib import contextmanager
from functools import partial
from typing import Callable, Iterable, Iterator, Mapping

import libcst as cst
from libcst import MaybeSentinel
from libcst.metadata import scope_provider

try:
    from libcst._batched_visitor import _BatchedCSTVisitor
except ImportError:  # private to LibCST: without it, read_only_walks() leaves LibCST's walks as they are
    _BatchedCSTVisitor = None  # type: ignore[assignment, misc]

__all__ = ["FORMATTING", "child_fields", "read_only_walks", "remember_walk_order", "reversed_child_fields"]

_LIBCST_VISIT = cst.CSTNode.visit
_DEFAULT_ATTRIBUTE_HOOKS = (cst.CSTVisitor.on_visit_attribute, cst.CSTVisitor.on_leave_attribute)
_METHOD = re.compile(r"(?:visit|leave)_(?P<type>[A-Z][A-Za-z0-9]*)(?:_(?P<field>\w+))?")

_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}

# Formatting: nodes whose subtrees hold nothing but formatting (tests/test_traversal.py derives this
# from LibCST's field types). Most of a tree is formatting (six nodes in ten on real code); a visitor
# with no method for any of it is not told about it, so it is not walked for that visitor.
FORMATTING = frozenset(
    getattr(cst, name)
    for name in (
        "SimpleWhitespace Newline Comment EmptyLine TrailingWhitespace ParenthesizedWhitespace "
        "Comma Dot Colon Semicolon AssignEqual ImportStar Asynchronous "
        "LeftParen RightParen LeftSquareBracket RightSquareBracket LeftCurlyBrace RightCurlyBrace "
        "Add Subtract Multiply Divide FloorDivide Modulo Power LeftShift RightShift BitOr BitAnd BitXor "
        "MatrixMultiply And Or Not Minus Plus BitInvert "
        "Equal NotEqual LessThan LessThanEqual GreaterThan GreaterThanEqual In NotIn Is IsNot "
        "AddAssign SubtractAssign MultiplyAssign DivideAssign FloorDivideAssign ModuloAssign PowerAssign "
        "LeftShiftAssign RightShiftAssign BitOrAssign BitAndAssign BitXorAssign MatrixMultiplyAssign"
    ).split()
)
_LEAVES = frozenset((cst.SimpleWhitespace, cst.Newline, cst.Comment, cst.ImportStar))  # formatting without children


def child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The fields LibCST visits for a node class, in its order; None when they cannot be read."""
    try:
        return _CHILD_FIELDS[kind]
    except KeyError:
        fields = _CHILD_FIELDS[kind] = _read_child_fields(kind)
        return fields


@functools.cache
def reversed_child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """`child_fields`, last first (a stack that pops nodes in walk order pushes them so)."""
    fields = child_fields(kind)
    return tuple(reversed(fields)) if fields is not None else None


def _read_child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    try:
        tree = ast.parse(_source_of(kind._visit_and_replace_children))
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


def _source_of(function: Callable[..., object]) -> str:
    """A method's source, its lines found from its code object's positions.

    `inspect.getsource` finds where a method ends by running the tokenizer (in
    Python) over it, most of the warm-up of each process that lints; the code
    object knows its last line already. Where it does not, `inspect` decides.
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return textwrap.dedent(inspect.getsource(function))
    ends = [end for _line, end, _column, _end_column in code.co_positions() if end is not None]
    lines = linecache.getlines(code.co_filename)
    if not ends or not lines:
        return textwrap.dedent(inspect.getsource(function))
    return textwrap.dedent("".join(lines[code.co_firstlineno - 1 : max(ends)]))


Handler = Callable[[cst.CSTVisitor, cst.CSTNode], object]

# LibCST's scope analysis: its visitor has an `on_leave` of its own, which records the scope each node
# is in, counts the assignment-like nodes, then calls the visitor's `leave_<Class>` (LibCST's own). As
# long as it is this one, formatting is left out of its walk (nothing asks the scope of a comma or of
# whitespace, and no formatting node is assignment-like), and leaving any other node that is neither
# assignment-like nor has a `leave_` method records its scope with one call instead of four.
_SCOPE_VISITOR_ON_LEAVE = """
def on_leave(self, original_node: cst.CSTNode) -> None:
    self.provider.set_metadata(original_node, self.scope)
    if isinstance(original_node, _ASSIGNMENT_LIKE_NODES):
        self.scope._assignment_count += 1
    super().on_leave(original_node)
"""


def _known_scope_visitor() -> tuple[type | None, tuple[type, ...]]:
    """LibCST's scope visitor and its assignment-like classes, if its `on_leave` is the one above;
    (None, ()) otherwise: its walk is then left as it is."""
    visitor = getattr(scope_provider, "ScopeVisitor", None)
    assignment_like = getattr(scope_provider, "_ASSIGNMENT_LIKE_NODES", None)
    if visitor is None or not isinstance(assignment_like, tuple) or visitor.__bases__ != (cst.CSTVisitor,):
        return None, ()
    try:
        source = _source_of(visitor.on_leave)
    except (OSError, TypeError):
        return None, ()
    if _code_lines(source) != _code_lines(_SCOPE_VISITOR_ON_LEAVE):
        return None, ()
    if any(issubclass(kind, assignment_like) for kind in FORMATTING):
        return None, ()
    return visitor, assignment_like


def _code_lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if line.strip()]


def _scope_exit(visitor_class: type, kind: type[cst.CSTNode]) -> Handler:
    """What LibCST's scope visitor does on leaving a node of `kind`: record its scope, and only then
    (an assignment-like node, a `leave_` method) anything more, by its own `on_leave`."""
    if issubclass(kind, _ASSIGNMENT_LIKE) or f"leave_{kind.__name__}" in _visitor_methods(visitor_class):
        return _on_leave
    return _record_scope


def _record_scope(visitor: cst.CSTVisitor, node: cst.CSTNode) -> None:
    visitor.provider.set_metadata(node, visitor.scope)  # type: ignore[attr-defined]


_SCOPE_VISITOR, _ASSIGNMENT_LIKE = _known_scope_visitor()


class _Plan:
    """How to walk for one visitor: its attribute hooks, the node classes it need not be walked into,
    whether it is told of the module only (nothing below it would be told anything), whether a list of
    the nodes in walk order will do (`in_order`: a batch told only of entering nodes, and of leaving
    the module), and what to call on entering and leaving each node class (`handlers`)."""

    __slots__ = ("handlers", "hooks", "module_only", "in_order", "skipped", "_entering", "_leaving")

    def __init__(
        self,
        hooks: Mapping[str, frozenset[str]],
        skipped: frozenset[type],
        module_only: bool,
        in_order: bool,
        entering: Callable[[type[cst.CSTNode]], Handler | None],
        leaving: Callable[[type[cst.CSTNode]], Handler | None],
    ) -> None:
        self.hooks, self.skipped, self.module_only, self.in_order = hooks, skipped, module_only, in_order
        self._entering, self._leaving = entering, leaving
        self.handlers: dict[type[cst.CSTNode], tuple[Handler | None, Handler | None]] = {}

    def handlers_for(self, kind: type[cst.CSTNode]) -> tuple[Handler | None, Handler | None]:
        """What to call on entering (its result true: walk the children) and on leaving a node of `kind`;
        None where the visitor would do nothing (a node without methods costs no call)."""
        handlers = self.handlers[kind] = (self._entering(kind), self._leaving(kind))
        return handlers


def _plan(visitor: cst.CSTVisitor) -> _Plan | None:
    """None for a visitor that decides its attribute hooks itself (LibCST walks it)."""
    if isinstance(visitor, _BatchedCSTVisitor):
        if visitor.before_visit is not None or visitor.after_leave is not None:  # told of every node
            return _plan_for(visitor.visitor_methods, True, _generic_entry, _generic_exit)
        methods = visitor.visitor_methods
        return _plan_for(
            methods, False, partial(_batch_methods, "visit", methods), partial(_batch_methods, "leave", methods), batch=True
        )
    kind = type(visitor)
    custom_hooks = (kind.on_visit_attribute, kind.on_leave_attribute) != _DEFAULT_ATTRIBUTE_HOOKS
    if custom_hooks:
        return None
    own_entry, own_exit = kind.on_visit is not cst.CSTVisitor.on_visit, kind.on_leave is not cst.CSTVisitor.on_leave
    if kind is _SCOPE_VISITOR and not own_entry:
        return _plan_for(_visitor_methods(kind), False, partial(_method_entry, kind), partial(_scope_exit, kind))
    return _plan_for(
        _visitor_methods(kind),
        own_entry or own_exit,
        _generic_entry if own_entry else partial(_method_entry, kind),
        _generic_exit if own_exit else partial(_method_exit, kind),
    )


def _plan_for(
    method_names: Iterable[str],
    wants_everything: bool,
    entering: Callable[[type[cst.CSTNode]], Handler | None],
    leaving: Callable[[type[cst.CSTNode]], Handler | None],
    batch: bool = False,
) -> _Plan:
    hooks: dict[str, set[str]] = {}
    wanted: set[str] = set()
    left: set[str] = set()
    for name in method_names:
        if match := _METHOD.fullmatch(name):
            wanted.add(match["type"])
            if match["field"]:
                hooks.setdefault(match["type"], set()).add(match["field"])
            elif name.startswith("leave_"):
                left.add(match["type"])
    if wants_everything:
        skipped: frozenset[type] = frozenset()
    elif wanted.isdisjoint(kind.__name__ for kind in FORMATTING):
        skipped = FORMATTING
    else:
        skipped = frozenset(kind for kind in _LEAVES if kind.__name__ not in wanted)
    # LibCST's scope and expression-context providers do their work in `visit_Module`, with a walk of
    # their own: their batch would otherwise walk the whole tree for nothing.
    module_only = not wants_everything and not hooks and wanted <= {"Module"}
    # A batch calls every method whatever it returns: told of entering nodes only, it is told the
    # same in the same order by a list of the nodes in walk order (formatting left out).
    in_order = batch and not hooks and left <= {"Module"} and skipped is FORMATTING
    hook_sets = {kind: frozenset(fields) for kind, fields in hooks.items()}
    return _Plan(hook_sets, skipped, module_only, in_order, entering, leaving)


# What LibCST's `on_visit` / `on_leave` do for a node class, decided once per class and visitor.
# `CSTVisitor.on_visit` calls `visit_<Class>` when there is one and walks the children unless it returns
# False; `_BatchedCSTVisitor.on_visit` calls each rule's `visit_<Class>` and always walks them.


def _generic_entry(kind: type[cst.CSTNode]) -> Handler:
    return _on_visit


def _generic_exit(kind: type[cst.CSTNode]) -> Handler:
    return _on_leave


def _on_visit(visitor: cst.CSTVisitor, node: cst.CSTNode) -> object:
    return visitor.on_visit(node)


def _on_leave(visitor: cst.CSTVisitor, node: cst.CSTNode) -> object:
    return visitor.on_leave(node)


def _method_entry(visitor_class: type, kind: type[cst.CSTNode]) -> Handler | None:
    name = f"visit_{kind.__name__}"
    has_method = name in _visitor_methods(visitor_class)
    return (lambda visitor, node: getattr(visitor, name)(node) is not False) if has_method else None


def _method_exit(visitor_class: type, kind: type[cst.CSTNode]) -> Handler | None:
    name = f"leave_{kind.__name__}"
    return (lambda visitor, node: getattr(visitor, name)(node)) if name in _visitor_methods(visitor_class) else None


def _batch_methods(prefix: str, methods: Mapping[str, list[Callable[[cst.CSTNode], object]]], kind: type[cst.CSTNode]) -> Handler | None:
    called = methods.get(f"{prefix}_{kind.__name__}")
    if not called:
        return None

    def call_each(visitor: cst.CSTVisitor, node: cst.CSTNode) -> bool:
        for method in called:
            method(node)
        return True  # a batch walks every subtree, whatever its methods return

    return call_each


def _visit(node: cst.CSTNode, visitor: cst.CSTVisitor | cst.CSTTransformer) -> object:
    """`CSTNode.visit`, without the rebuilding, for a read-only visitor."""
    if not _reads_only(visitor):
        return _LIBCST_VISIT(node, visitor)  # a transformer uses the rebuilt nodes; methods set on an instance
    plan = _plan(visitor) if isinstance(visitor, _BatchedCSTVisitor) else _cached_plan(type(visitor), visitor)
    if plan is None:
        return _LIBCST_VISIT(node, visitor)
    if plan.module_only and isinstance(node, cst.Module):
        visitor.on_visit(node)
        visitor.on_leave(node)
    elif plan.in_order and (order := _ORDERS.get(id(node))) is not None:
        _visit_in_order(order, visitor, plan)
    else:
        _walk(node, visitor, plan)
    return node


_READ_ONLY: dict[int, cst.CSTVisitor] = {}  # visitor id -> the visitor (kept alive: the id stays its own)


def _reads_only(visitor: cst.CSTVisitor | cst.CSTTransformer) -> bool:
    """A visitor, not a transformer, whose methods are its class's (none set on the instance).

    Decided on its first walk in the block: LibCST's scope analysis walks each function
    and class by itself, tens of thousands of walks of one visitor per lint.
    """
    if _READ_ONLY.get(id(visitor)) is visitor:
        return True
    if not isinstance(visitor, cst.CSTVisitor) or any(name.startswith(("visit_", "leave_")) for name in vars(visitor)):
        return False
    _READ_ONLY[id(visitor)] = visitor
    return True


# Module id -> its nodes in walk order, formatting left out. Each list starts with its module and so
# keeps it alive: no other node can have that id while the entry is there.
_ORDERS: dict[int, list[cst.CSTNode]] = {}
_open_blocks = 0  # read_only_walks() blocks: orders are kept only within one


def remember_walk_order(module: cst.Module, order: list[cst.CSTNode]) -> None:
    """Let the walks of `module` within the current `read_only_walks()` block take its nodes from
    `order` (every node but formatting, in the order a walk visits them) where that will do."""
    if _open_blocks:
        _ORDERS[id(module)] = order


def _visit_in_order(order: list[cst.CSTNode], visitor: cst.CSTVisitor, plan: _Plan) -> None:
    handlers = plan.handlers
    for node in order:
        kind = node.__class__
        entry = handlers[kind][0] if kind in handlers else plan.handlers_for(kind)[0]
        if entry is not None:
            entry(visitor, node)
    module = order[0]
    exit = handlers[module.__class__][1]
    if exit is not None:
        exit(visitor, module)


_PLANS: dict[type, _Plan | None] = {}


def _cached_plan(kind: type, visitor: cst.CSTVisitor) -> _Plan | None:
    try:
        return _PLANS[kind]
    except KeyError:
        plan = _PLANS[kind] = _plan(visitor)
        return plan


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, plan: _Plan) -> None:
    kind = node.__class__
    fields = _CHILD_FIELDS[kind] if kind in _CHILD_FIELDS else child_fields(kind)  # inlined: the hottest line
    if fields is None:
        _LIBCST_VISIT(node, visitor)
        return
    entry, exit = plan.handlers[kind] if kind in plan.handlers else plan.handlers_for(kind)
    if entry is None or entry(visitor, node):
        hooks, skipped = plan.hooks, plan.skipped
        hooked = hooks.get(kind.__name__) if hooks else None
        for name in fields:
            if hooked and name in hooked:
                visitor.on_visit_attribute(node, name)
            value = getattr(node, name)
            value_kind = value.__class__
            if value_kind is tuple or value_kind is list:
                for child in value:
                    if child.__class__ not in skipped:
                        _walk(child, visitor, plan)
            elif value is not None and value_kind is not MaybeSentinel and value_kind not in skipped:
                _walk(value, visitor, plan)
            if hooked and name in hooked:
                visitor.on_leave_attribute(node, name)
    if exit is not None:
        exit(visitor, node)


_VISITOR_METHODS: dict[type, tuple[str, ...]] = {}


def _get_visitors(visitor: cst.BatchableCSTVisitor) -> dict[str, Callable[[cst.CSTNode], object]]:
    """`BatchableCSTVisitor.get_visitors`, its methods found once per class.

    LibCST looks them up with `inspect.getmembers` on every instance: a fifth of a
    small file's lint, for every rule and provider (its own scope analysis too).
    """
    return {name: getattr(visitor, name) for name in _visitor_methods(type(visitor))}


def _visitor_methods(kind: type) -> tuple[str, ...]:
    """A visitor class's `visit_*` and `leave_*` methods: LibCST's choice, its no-op stubs (one for
    every possible method) left out."""
    try:
        return _VISITOR_METHODS[kind]
    except KeyError:
        # Read from the classes' own namespaces, in the order attribute lookup follows (the first
        # definition of a name is the one `getattr` finds): `dir` would sort some 1,300 names first.
        found: dict[str, object] = {}
        for klass in kind.__mro__:
            for name, value in vars(klass).items():
                if name not in found and name.startswith(("visit_", "leave_")):
                    found[name] = value
        names = _VISITOR_METHODS[kind] = tuple(
            sorted(name for name, value in found.items() if not getattr(value, "_is_no_op", False))
        )
        return names


@contextmanager
def read_only_walks() -> Iterator[None]:
    """Within the block, every `CSTVisitor` walk reads the tree instead of rebuilding it, and a batch's
    visitor methods are found once per class. What was there before the block is put back after it
    (blocks may nest)."""
    if _BatchedCSTVisitor is None:
        yield
        return
    global _open_blocks
    visit, get_visitors = cst.CSTNode.visit, cst.BatchableCSTVisitor.get_visitors
    cst.CSTNode.visit = _visit  # type: ignore[method-assign]
    cst.BatchableCSTVisitor.get_visitors = _get_visitors  # type: ignore[method-assign]
    _open_blocks += 1
    try:
        yield
    finally:
        _open_blocks -= 1
        if not _open_blocks:
            _ORDERS.clear()  # the trees and visitors of the block are not kept alive by it
            _READ_ONLY.clear()
        cst.CSTNode.visit, cst.BatchableCSTVisitor.get_visitors = visit, get_visitors  # type: ignore[method-assign]
