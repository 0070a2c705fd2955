"""Drop-ins for parts of LibCST that cost more than a linter needs, with the same results.

A file that passes the prefilter costs a parse plus one tree walk per metadata
provider, in pure Python. Four of LibCST's providers do more than they need to:

- `libcst.metadata.ParentNodeProvider` asks every node for its `children`,
  which rebuilds the child list with a second visit; reading each node's fields
  gives the same parents without a visitor, and formatting's (most nodes, which
  no rule asks about) only when one of them is asked for.
- `libcst.metadata.ExpressionContextProvider` walks the whole tree again for
  LibCST's scope analysis, the one user of it here. The loop that finds the
  parents tells each node's context on its way, from the same rules as tables;
  `ScopeProvider` is LibCST's analysis asking those.
- `libcst.metadata.QualifiedNameProvider` walks the whole tree to store a lazy
  value per node, then computes only the names asked for. Here nothing is walked:
  the names of a node are computed from its scope when asked.
- `libcst.metadata.PositionProvider` generates the whole module's code to
  place every node, a third of the lint of a file with findings, for the few
  positions its findings need (most files that pass the prefilter have none).
  Here nothing is placed until a position is asked for, and then only the
  statement holding the node (analysis/positions.py).

Rules and analyses import these instead of LibCST's (the values are the same:
tests/test_metadata.py compares both on real code), and LibCST's scope analysis
from here too: a module asking for one of LibCST's twins would have it computed
a second time.
"""

from __future__ import annotations

from typing import Any, Collection, Iterator, Mapping

import libcst as cst
from libcst import MaybeSentinel
from libcst import metadata as libcst_metadata
from libcst.metadata import BaseMetadataProvider, CodeRange, ExpressionContext, MetadataWrapper, QualifiedName
from libcst.metadata.scope_provider import Scope

from banno_migrate.analysis.positions import ModuleCode, StatementPositions
from banno_migrate.analysis.traversal import FORMATTING, remember_walk_order, reversed_child_fields

__all__ = ["ExpressionContextProvider", "ParentNodeProvider", "PositionProvider", "QualifiedNameProvider", "ScopeProvider"]


class ParentNodeProvider(BaseMetadataProvider[cst.CSTNode]):
    """The parent of every node but the module (as `libcst.metadata.ParentNodeProvider`)."""

    def _gen(self, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, cst.CSTNode]:
        return _Parents(wrapper.module)


class ExpressionContextProvider(BaseMetadataProvider[ExpressionContext]):
    """Load, store or del for names, attributes, subscripts, tuples, lists and starred elements
    (as `libcst.metadata.ExpressionContextProvider`), found by the parents loop on its way."""

    METADATA_DEPENDENCIES = (ParentNodeProvider,)

    def _gen(self, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, ExpressionContext]:
        parents = wrapper.resolve(ParentNodeProvider)
        contexts = parents.contexts if isinstance(parents, _Parents) else None
        return contexts if contexts is not None else wrapper.resolve(libcst_metadata.ExpressionContextProvider)


class ScopeProvider(libcst_metadata.ScopeProvider):
    """LibCST's scope analysis, the one of a lint, told the expression contexts the parents loop found.

    LibCST's own analysis asks its expression-context pass, one more walk of the whole tree,
    for the same values (tests/test_metadata.py compares both, and the scopes).
    """

    METADATA_DEPENDENCIES = (ExpressionContextProvider,)

    @classmethod
    def get_inherited_dependencies(cls) -> Collection[type[BaseMetadataProvider[object]]]:
        return cls.METADATA_DEPENDENCIES  # not LibCST's provider besides: it would be computed too

    def get_metadata(self, key: type[BaseMetadataProvider[Any]], node: cst.CSTNode, *default: Any) -> Any:
        if key is libcst_metadata.ExpressionContextProvider:  # what LibCST's ScopeVisitor asks for
            key = ExpressionContextProvider
        return super().get_metadata(key, node, *default)


class _Parents(Mapping[cst.CSTNode, cst.CSTNode]):
    """Parents read from the fields LibCST visits (six times faster than its `children`).

    Formatting (whitespace, commas, brackets: six nodes in ten) is left out until a
    parent is asked for a node that is not there: no rule asks about formatting.
    """

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._parents, order, self.contexts = _index(module, FORMATTING)
        self._complete = False
        if order is not None:
            remember_walk_order(module, order)

    def _all(self) -> dict[cst.CSTNode, cst.CSTNode]:
        if not self._complete:
            self._parents, self._complete = _index(self._module, frozenset())[0], True
        return self._parents

    def __getitem__(self, node: cst.CSTNode) -> cst.CSTNode:
        try:
            return self._parents[node]
        except KeyError:
            if node is self._module:  # the top of every walk up the tree: it has no parent
                raise
            return self._all()[node]

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


# LibCST's `ExpressionContextVisitor` as tables. The classes that take the context they are in:
_TAKES_CONTEXT = frozenset((cst.Name, cst.Attribute, cst.Subscript, cst.Tuple, cst.List, cst.StarredElement))
_SAME = "the parent's context"
_LOAD, _STORE, _DEL = ExpressionContext.LOAD, ExpressionContext.STORE, ExpressionContext.DEL
# The classes it handles itself: the context of each field it visits. A field it does not visit
# (an attribute's name, type parameters) gives nothing below it a context; every other class's
# fields are in the class's own context.
_FIELD_CONTEXTS: dict[type[cst.CSTNode], dict[str, object]] = {
    cst.Assign: {"targets": _STORE, "value": _SAME},
    cst.AnnAssign: {"target": _STORE, "annotation": _SAME, "value": _SAME},
    cst.AugAssign: {"target": _STORE, "value": _SAME},
    cst.NamedExpr: {"target": _STORE, "value": _SAME},
    cst.Name: {},
    cst.AsName: {"name": _STORE},
    cst.CompFor: {"target": _STORE, "iter": _SAME, "ifs": _SAME, "inner_for_in": _SAME},
    cst.For: {"target": _STORE, "iter": _SAME, "body": _SAME, "orelse": _SAME},
    cst.Del: {"target": _DEL},
    cst.Attribute: {"value": _LOAD},
    cst.Subscript: {"value": _LOAD, "slice": _LOAD},
    cst.ClassDef: {"name": _STORE, "body": _SAME, "bases": _SAME, "keywords": _SAME, "decorators": _SAME},
    cst.FunctionDef: {"name": _STORE, "params": _SAME, "body": _SAME, "decorators": _SAME, "returns": _SAME},
    cst.Param: {"name": _STORE, "annotation": _SAME, "default": _SAME},
}


def _index(
    module: cst.Module, left_out: frozenset[type]
) -> tuple[dict[cst.CSTNode, cst.CSTNode], list[cst.CSTNode] | None, dict[cst.CSTNode, ExpressionContext] | None]:
    """Each node's parent, but for nodes of the `left_out` classes and what lies below them; the
    nodes in the order a walk visits them; and their expression contexts (as LibCST's provider).

    Children are read from the fields LibCST visits right in the loop, without a list per
    node: it runs over every node of every file that passes the prefilter. They are taken
    last first, so that nodes leave the stack in walk order: with formatting left out, the
    walks of the lint that follow need not walk the tree again (`traversal.remember_walk_order`),
    nor LibCST's scope analysis run its expression-context pass. A class whose fields cannot be
    read is walked by LibCST's own visit: no order or contexts then.
    """
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    order: list[cst.CSTNode] = []
    contexts: dict[cst.CSTNode, ExpressionContext] = {}
    readable = True
    pending: list[cst.CSTNode] = [module]
    pending_contexts: list[object] = [_LOAD]
    push, pop, push_context, pop_context = pending.append, pending.pop, pending_contexts.append, pending_contexts.pop
    while pending:
        node, context = pop(), pop_context()
        order.append(node)
        kind = node.__class__
        if context is not None and kind in _TAKES_CONTEXT:
            contexts[node] = context  # type: ignore[assignment]
        field_contexts = _FIELD_CONTEXTS.get(kind)
        fields = reversed_child_fields(kind)
        for name in fields if fields is not None else ():
            value = getattr(node, name)
            value_kind = value.__class__
            if field_contexts is None or context is None:  # below a field LibCST does not visit: no context
                child_context = context
            else:
                child_context = field_contexts.get(name)
                if child_context is _SAME:
                    child_context = context
            if value_kind is tuple or value_kind is list:
                for child in reversed(value):
                    if child.__class__ not in left_out:
                        parents[child] = node
                        push(child)
                        push_context(child_context)
            elif value is not None and value_kind is not MaybeSentinel and value_kind not in left_out:
                parents[value] = node
                push(value)
                push_context(child_context)
        if fields is None:  # a class whose fields could not be read: LibCST's own list
            children = [child for child in node.children if child.__class__ not in left_out]
            parents.update(dict.fromkeys(children, node))
            pending.extend(reversed(children))
            pending_contexts.extend([None] * len(children))
            readable = False
    return parents, order if readable else None, contexts if readable else None


class QualifiedNameProvider(BaseMetadataProvider[Collection[QualifiedName]]):
    """The qualified names a node may refer to (as `libcst.metadata.QualifiedNameProvider`), computed on demand."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def _gen(self, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, Collection[QualifiedName]]:
        return _QualifiedNames(wrapper.resolve(ScopeProvider))


class _QualifiedNames(Mapping[cst.CSTNode, Collection[QualifiedName]]):
    """A node maps to its qualified names; a node without a scope (a keyword, whitespace), to none.

    LibCST stores an empty set for each node without a scope, and callers here
    always ask with an empty default: a node outside the module gets one too.
    """

    def __init__(self, scopes: Mapping[cst.CSTNode, Scope | None]) -> None:
        self._scopes = scopes
        self._known: dict[cst.CSTNode, Collection[QualifiedName]] = {}

    def __getitem__(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        names = self._known.get(node)
        if names is None:
            scope = self._scopes.get(node)
            names = self._known[node] = scope.get_qualified_names_for(node) if scope is not None else set()
        return names

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._scopes)

    def __len__(self) -> int:
        return len(self._scopes)


class PositionProvider(BaseMetadataProvider[CodeRange]):
    """Each node's range (as `libcst.metadata.PositionProvider`), placed one statement at a time when asked.

    Its cache (`MetadataWrapper(..., cache={PositionProvider: ModuleCode(module.code)})`)
    is the code LibCST's positions count, against which each statement placed is
    checked; without it, the first position asked for places every node, as LibCST does.
    """

    @staticmethod
    def gen_cache(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {}  # never used: a non-None gen_cache makes MetadataWrapper pass our cache in

    def __init__(self, cache: object = None) -> None:
        super().__init__(cache if cache is not None else ())  # LibCST insists on a cache: none means "no code"
        self._code = cache if isinstance(cache, ModuleCode) else None

    def _gen(self, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, CodeRange]:
        # Parents only when a first position is asked for: a lint without findings never asks.
        return StatementPositions(wrapper.module, lambda: wrapper.resolve(ParentNodeProvider), self._code)
