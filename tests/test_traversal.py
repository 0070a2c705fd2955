"""A read-only walk is LibCST's walk, event for event, on real code; transformers are untouched."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import ExpressionContextProvider, MetadataWrapper, ScopeProvider

import banno_migrate
from banno_migrate.analysis import traversal
from banno_migrate.analysis.metadata import ParentNodeProvider
from banno_migrate.analysis.traversal import child_fields, read_only_walks
from cst_nodes import described_scopes, nodes_of
from walk_recorders import (
    BatchMember,
    Calls,
    CallsAndComments,
    CommaBatchMember,
    EnteringBatchMember,
    HookedBatchMember,
    LeavingBatchMember,
    OtherBatchMember,
    Recorder,
)

ROOT = Path(__file__).resolve().parents[1]
# Syntax the example apps and the sources below rarely use, each form once.
RARE_SYNTAX = '''
from . import a
from ..b import (c as d, e)
from f import *
import g.h as i
async def j(k, /, l: int = 1, *m, n, o=2, **p) -> "q":
    global r
    async with s as (t, u), v:
        async for w in x:
            await y
    match z:
        case {"a": 1, **rest} | [1, 2, *others] if rest:
            pass
        case Point(x=0) as point:
            pass
        case _:
            pass
    lambda a, *b, c=1: (yield)
    print(f"{a!r:>{b}} {c=} {d:{e}.{f}}", x if y else z, *a, **b)
    del a[1:2:3], b.c
    (a := 1); a @= b; a **= c
    try:
        pass
    except* (A, B) as e:
        raise X from e
    else:
        pass
    finally:
        nonlocal_thing = [a async for a in b if c]
type Alias[T: int, *Ts, **P] = list[T]
class K[T](Base, metaclass=M):
    """doc"""
    @decorator(1)
    def method[U](self): return {a: b for a, b in c}, {a, *b}, (), [a, *b]
while a: break
else: continue
assert a, "b"
'''
SOURCES = {
    **{path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples" / "legacy-app").rglob("*.py"))},
    "strings.py": (Path(banno_migrate.__file__).parent / "analysis" / "strings.py").read_text(encoding="utf-8"),
    "scope_provider.py": (Path(cst.__file__).parent / "metadata" / "scope_provider.py").read_text(encoding="utf-8"),
    "statement.py": (Path(cst.__file__).parent / "_nodes" / "statement.py").read_text(encoding="utf-8"),
    "rare syntax": RARE_SYNTAX,
}


def _events(module: cst.Module) -> list[tuple[str, int, str]]:
    recorder = Recorder()
    module.visit(recorder)
    return recorder.events


@pytest.mark.parametrize("name", SOURCES)
def test_children_in_libcsts_order(name: str) -> None:
    module = cst.parse_module(SOURCES[name])
    for node in nodes_of(module):
        assert child_fields(type(node)) is not None, type(node).__name__
        fields = child_fields(type(node))
        values = [getattr(node, name) for name in fields]
        children = [child for value in values for child in (value if isinstance(value, (tuple, list)) else [value])]
        assert [child for child in children if isinstance(child, cst.CSTNode)] == list(node.children), type(node).__name__


def test_a_methods_source_is_what_inspect_finds() -> None:
    """The child fields are read from each node class's `_visit_and_replace_children`, its lines found
    from its code object (inspect's tokenizer pass was most of a worker's warm-up): the same text."""
    import inspect
    import textwrap

    from banno_migrate.analysis.traversal import _source_of

    kinds = [kind for kind in vars(cst).values() if isinstance(kind, type) and issubclass(kind, cst.CSTNode)]
    methods = {kind._visit_and_replace_children for kind in kinds}
    assert len(methods) > 100
    for method in methods:
        assert _source_of(method).rstrip() == textwrap.dedent(inspect.getsource(method)).rstrip(), method.__qualname__


@pytest.mark.parametrize("name", SOURCES)
def test_the_same_events_as_libcsts_walk(name: str) -> None:
    module = cst.parse_module(SOURCES[name])
    theirs = _events(module)
    with read_only_walks():
        ours = _events(module)
    assert ours == theirs
    assert any(event[0] == "visit bases" for event in theirs) or "class" not in SOURCES[name]


@pytest.mark.parametrize("name", SOURCES)
def test_scopes_and_expression_contexts_as_libcsts(name: str) -> None:
    """LibCST's own providers call `visit` from inside their visitors (and ScopeProvider has attribute hooks)."""

    def resolved() -> tuple[dict[str, object], dict[str, object]]:
        module = cst.parse_module(SOURCES[name])
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        nodes = {id(node): index for index, node in enumerate(nodes_of(module))}
        scopes = wrapper.resolve(ScopeProvider)
        contexts = wrapper.resolve(ExpressionContextProvider)
        described_contexts = {f"{nodes[id(node)]}": context.name for node, context in contexts.items() if id(node) in nodes}
        scope_of_every_node = {  # but formatting, whose scope no one asks (the walk leaves most of it out)
            nodes[id(node)]: (type(scope).__name__, nodes.get(id(getattr(scope, "node", module)), -1)) if scope else None
            for node, scope in scopes.items()
            if id(node) in nodes and type(node) not in traversal.FORMATTING
        }
        formatting = sum(type(node) in traversal.FORMATTING for node in scopes if id(node) in nodes)
        return (described_scopes(module, scopes), described_contexts, scope_of_every_node), formatting

    theirs, their_formatting = resolved()
    with read_only_walks():
        ours, our_formatting = resolved()
    assert ours == theirs
    assert theirs[0] and theirs[1]
    assert our_formatting < their_formatting / 4  # the scope analysis is not walked into formatting


def test_a_transformer_still_rebuilds_the_tree() -> None:
    class Rename(cst.CSTTransformer):
        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
            return updated_node.with_changes(value=updated_node.value.upper())

    module = cst.parse_module("def f(a):\n    return a + b\n")
    with read_only_walks():
        renamed = module.visit(Rename())
    assert renamed.code == "def F(A):\n    return A + B\n"


def test_a_node_class_whose_order_cannot_be_read_is_walked_by_libcst(monkeypatch: pytest.MonkeyPatch) -> None:
    module = cst.parse_module(RARE_SYNTAX)
    theirs = _events(module)
    monkeypatch.setitem(traversal._CHILD_FIELDS, cst.FunctionDef, None)
    monkeypatch.setitem(traversal._CHILD_FIELDS, cst.Module, None)
    with read_only_walks():
        ours = _events(module)
    assert ours == theirs


def test_a_visitor_with_its_own_attribute_dispatch_is_walked_by_libcst() -> None:
    class OwnDispatch(Recorder):
        def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
            self.events.append(("attribute", id(node), attribute))

    module = cst.parse_module("x = f(a, b=1)\n")
    theirs, ours = OwnDispatch(), OwnDispatch()
    module.visit(theirs)
    with read_only_walks():
        module.visit(ours)
    assert ours.events == theirs.events
    assert ("attribute", id(module), "body") in ours.events


def test_libcsts_walk_is_back_after_the_block_even_on_error() -> None:
    original = cst.CSTNode.visit
    with pytest.raises(RuntimeError), read_only_walks():
        assert cst.CSTNode.visit is not original
        raise RuntimeError
    assert cst.CSTNode.visit is original


@pytest.mark.parametrize("visitor_class", [Calls, CallsAndComments])
@pytest.mark.parametrize("name", SOURCES)
def test_a_visitor_not_told_of_formatting_is_told_the_same(name: str, visitor_class: type[Calls]) -> None:
    module = cst.parse_module(SOURCES[name])
    theirs, ours = visitor_class(), visitor_class()
    module.visit(theirs)
    with read_only_walks():
        module.visit(ours)
    assert ours.calls == theirs.calls and theirs.calls
    assert traversal._PLANS[visitor_class].skipped == (
        traversal.FORMATTING if visitor_class is Calls else {cst.SimpleWhitespace, cst.Newline, cst.ImportStar}
    )


@pytest.mark.parametrize("name", SOURCES)
def test_a_batch_is_told_the_same(name: str) -> None:
    module = cst.parse_module(SOURCES[name])

    def calls() -> list[tuple[str, str, int]]:
        recorded: list[tuple[str, str, int]] = []
        MetadataWrapper(module, unsafe_skip_copy=True).visit_batched(
            [BatchMember("a", recorded), OtherBatchMember("b", recorded)]
        )
        return recorded

    theirs = calls()
    with read_only_walks():
        ours = calls()
    assert ours == theirs
    assert {call[1] for call in theirs} >= {"Call", "left Name", "Name", "Comma"}


@pytest.mark.parametrize("name", SOURCES)
def test_the_parents_loop_lists_the_nodes_in_walk_order(name: str) -> None:
    module = cst.parse_module(SOURCES[name])

    class Entered(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.nodes: list[int] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            if type(node) not in traversal.FORMATTING:  # nothing but formatting lies below formatting
                self.nodes.append(id(node))
            return True

    walked = Entered()
    module.visit(walked)
    with read_only_walks():
        MetadataWrapper(module, unsafe_skip_copy=True).resolve(ParentNodeProvider)
        assert [id(node) for node in traversal._ORDERS[id(module)]] == walked.nodes
    assert not traversal._ORDERS  # not kept beyond the block
    MetadataWrapper(module, unsafe_skip_copy=True).resolve(ParentNodeProvider)
    assert not traversal._ORDERS  # nor made outside one


_SECOND_MEMBER = {  # beside an EnteringBatchMember: what the batch is told besides entering nodes
    "entering only": (EnteringBatchMember, "Name"),
    "leaving too": (LeavingBatchMember, "left Name"),
    "attribute hook": (HookedBatchMember, "Call args"),
    "formatting": (CommaBatchMember, "Comma"),
}


@pytest.mark.parametrize("second", _SECOND_MEMBER)
@pytest.mark.parametrize("name", SOURCES)
def test_a_batch_after_the_parents_is_told_the_same(name: str, second: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch told only of entering nodes takes them from the parents loop's list, without a walk."""
    module = cst.parse_module(SOURCES[name])
    member, told = _SECOND_MEMBER[second]
    in_order = second == "entering only"

    def calls() -> list[tuple[str, str, int]]:
        recorded: list[tuple[str, str, int]] = []
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        wrapper.resolve(ParentNodeProvider)
        wrapper.visit_batched([EnteringBatchMember("a", recorded), member("b", recorded)])
        return recorded

    theirs = calls()
    walks: list[cst.CSTNode] = []
    walk = traversal._walk
    monkeypatch.setattr(traversal, "_walk", lambda node, *args: (walks.append(node), walk(node, *args)))
    with read_only_walks():
        ours = calls()
    assert ours == theirs
    assert {call[1] for call in theirs} >= {"Module", "Call", "Name", "left Module", told}
    assert (not any(node is module for node in walks)) is in_order


def test_a_libcst_without_its_batch_class_walks_as_ever(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(traversal, "_BatchedCSTVisitor", None)
    libcsts_visit = cst.CSTNode.visit
    with read_only_walks():
        assert cst.CSTNode.visit is libcsts_visit


def test_blocks_nest() -> None:
    libcsts_visit = cst.CSTNode.visit
    with read_only_walks():
        ours = cst.CSTNode.visit
        with read_only_walks():
            pass
        assert cst.CSTNode.visit is ours is not libcsts_visit
    assert cst.CSTNode.visit is libcsts_visit


def test_a_module_only_visitor_with_an_attribute_hook_is_walked() -> None:
    """`visit_Module_body` is a hook on the module: the visitor is not told of the module only."""

    class Hooked(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[str] = []

        def visit_Module(self, node: cst.Module) -> None:
            self.events.append("module")

        def visit_Module_body(self, node: cst.Module) -> None:
            self.events.append("body")

    module = cst.parse_module("x = 1\n")
    theirs, ours = Hooked(), Hooked()
    module.visit(theirs)
    with read_only_walks():
        module.visit(ours)
    assert ours.events == theirs.events == ["module", "body"]


def _node_classes(annotation: object) -> set[type]:
    """The concrete node classes a field annotation admits (abstract bases stand for their subclasses)."""
    if isinstance(annotation, type):
        if not issubclass(annotation, cst.CSTNode):
            return set()
        concrete = {kind for kind in vars(cst).values() if isinstance(kind, type) and issubclass(kind, annotation)}
        return {kind for kind in concrete if not inspect.isabstract(kind)}
    return set().union(*(_node_classes(argument) for argument in typing.get_args(annotation)))


def test_formatting_holds_nothing_but_formatting() -> None:
    """What `FORMATTING` claims, derived from LibCST's field types: its nodes' children are all formatting."""
    for kind in traversal.FORMATTING:
        hints = typing.get_type_hints(kind)
        fields = child_fields(kind)
        assert fields is not None
        for field in fields:
            admitted = _node_classes(hints[field])
            assert admitted and admitted <= traversal.FORMATTING, (kind.__name__, field)
    leaves = {kind for kind in traversal.FORMATTING if not child_fields(kind)}
    assert leaves == traversal._LEAVES


def test_visitor_methods_found_once_per_class_are_libcsts_for_every_rule_and_provider() -> None:
    from libcst.metadata import ExpressionContextProvider, ScopeProvider

    from banno_migrate.analysis.authorization_requests import AuthorizationRequestProvider
    from banno_migrate.analysis.claims import ClaimSourceProvider
    from banno_migrate.analysis.strings import StringValueProvider
    from banno_migrate.analysis.web_handlers import WebHandlerProvider
    from banno_migrate.catalog import load_catalog
    from banno_migrate.rules import RULES_BY_CODE
    from banno_migrate.rules.base import RuleContext
    from banno_migrate.source import SourceText

    context = RuleContext(source=SourceText("", "utf-8"), path="x.py", catalog=load_catalog())
    visitors: list[cst.BatchableCSTVisitor] = [rule(context) for rule in RULES_BY_CODE.values()]
    visitors += [StringValueProvider(object()), AuthorizationRequestProvider(), ClaimSourceProvider(object()), WebHandlerProvider()]
    visitors += [ScopeProvider(), ExpressionContextProvider()]
    libcsts_lookup = cst.BatchableCSTVisitor.get_visitors
    theirs = [visitor.get_visitors() for visitor in visitors]
    with read_only_walks():
        ours = [visitor.get_visitors() for visitor in visitors]
        assert cst.BatchableCSTVisitor.get_visitors is not libcsts_lookup
    assert cst.BatchableCSTVisitor.get_visitors is libcsts_lookup
    for visitor, mine, libcsts in zip(visitors, ours, theirs):
        assert mine.keys() == libcsts.keys() and mine, type(visitor).__name__
        assert all(mine[name] == libcsts[name] for name in mine)


def test_the_scope_analysis_is_walked_as_ever_if_libcst_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Formatting is left out of LibCST's scope walk, and leaving a node decided per class, only while its
    visitor's `on_leave` is the one traversal.py knows and no assignment-like node is formatting."""
    from libcst.metadata import scope_provider

    visitor, assignment_like = scope_provider.ScopeVisitor, scope_provider._ASSIGNMENT_LIKE_NODES
    assert traversal._known_scope_visitor() == (visitor, assignment_like)
    monkeypatch.setattr(scope_provider, "_ASSIGNMENT_LIKE_NODES", (*assignment_like, cst.BaseParenthesizableWhitespace))
    assert traversal._known_scope_visitor() == (None, ())  # a formatting class among them
    monkeypatch.delattr(scope_provider, "_ASSIGNMENT_LIKE_NODES")
    assert traversal._known_scope_visitor() == (None, ())
    monkeypatch.setattr(scope_provider, "_ASSIGNMENT_LIKE_NODES", assignment_like, raising=False)

    def on_leave(self: object, original_node: cst.CSTNode) -> None:
        self.provider.set_metadata(original_node, self.scope)  # type: ignore[attr-defined]

    monkeypatch.setattr(visitor, "on_leave", on_leave)
    assert traversal._known_scope_visitor() == (None, ())  # an `on_leave` that does something else


def test_leaving_a_node_in_the_scope_analysis_is_decided_per_class() -> None:
    from libcst.metadata import scope_provider

    plan = traversal._plan(scope_provider.ScopeVisitor(None))  # type: ignore[arg-type]
    assert plan is not None and plan.skipped is traversal.FORMATTING
    leaving = {kind: plan.handlers_for(kind)[1] for kind in (cst.Name, cst.Arg, cst.Assign, cst.ClassDef, cst.Call)}
    assert leaving[cst.Name] is leaving[cst.Arg] is traversal._record_scope
    # assignment-like, or with a `leave_` method of the visitor's: its own `on_leave`
    assert leaving[cst.Assign] is leaving[cst.ClassDef] is leaving[cst.Call] is traversal._on_leave


def test_a_visitor_with_a_method_set_on_the_instance_is_walked_by_libcst() -> None:
    """LibCST looks `visit_Name` up on the instance; the read-only walk plans from the class."""
    module = cst.parse_module("a = b(c)\n")
    seen: list[str] = []
    instance_methods, plain = cst.CSTVisitor(), Calls()
    instance_methods.visit_Name = lambda node: seen.append(node.value)  # type: ignore[method-assign]
    with read_only_walks():
        module.visit(plain)
        module.visit(instance_methods)
        assert traversal._READ_ONLY == {id(plain): plain}  # decided once per visitor in the block
    assert seen == ["a", "b", "c"] and plain.calls
    assert not traversal._READ_ONLY  # the block's visitors are not kept alive after it
