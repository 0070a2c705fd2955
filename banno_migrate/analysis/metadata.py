"""Drop-ins for parts of LibCST that cost more than a linter needs, with the same results.

A file that passes the prefilter costs a parse plus one tree walk per metadata
provider, in pure Python. Three of LibCST's providers do more than they need to:

- `libcst.metadata.ParentNodeProvider` asks every node for its `children`,
  which rebuilds the child list with a second visit; reading each node's fields
  gives the same parents without a visitor, and formatting's (most nodes, which
  no rule asks about) only when one of them is asked for.
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

from typing import Collection, Iterator, Mapping

import libcst as cst
from libcst import MaybeSentinel
from libcst import metadata as libcst_metadata
from libcst.metadata import BaseMetadataProvider, CodeRange, MetadataWrapper, QualifiedName
from libcst.metadata.scope_provider import Scope

from banno_migrate.analysis.positions import ModuleCode, StatementPositions
from banno_migrate.analysis.traversal import FORMATTING, remember_walk_order, reversed_child_fields

__all__ = ["ParentNodeProvider", "PositionProvider", "QualifiedNameProvider", "ScopeProvider"]


ScopeProvider = libcst_metadata.ScopeProvider  # LibCST's own: the one scope analysis of a lint


class ParentNodeProvider(BaseMetadataProvider[cst.CSTNode]):
    """The parent of every node but the module (as `libcst.metadata.ParentNodeProvider`)."""

    def _gen(self, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, cst.CSTNode]:
        return _Parents(wrapper.module)


class _Parents(Mapping[cst.CSTNode, cst.CSTNode]):
    """Parents read from the fields LibCST visits (six times faster than its `children`).

    Formatting (whitespace, commas, brackets: six nodes in ten) is left out until a
    parent is asked for a node that is not there: no rule asks about formatting.
    """

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._parents = _parents(module, FORMATTING)
        self._complete = False

    def _all(self) -> dict[cst.CSTNode, cst.CSTNode]:
        if not self._complete:
            self._parents, self._complete = _parents(self._module, frozenset()), True
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


def _parents(module: cst.Module, left_out: frozenset[type]) -> dict[cst.CSTNode, cst.CSTNode]:
    """Each node's parent, but for nodes of the `left_out` classes and what lies below them.

    Children are read from the fields LibCST visits right in the loop, without a list per
    node: it runs over every node of every file that passes the prefilter. They are taken
    last first, so that nodes leave the stack in the order a walk visits them: with
    formatting left out, that order is kept for the walks of the lint that follow
    (`traversal.remember_walk_order`), which then need not walk the tree again.
    """
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    order: list[cst.CSTNode] | None = [] if left_out is FORMATTING else None
    pending: list[cst.CSTNode] = [module]
    push, pop = pending.append, pending.pop
    while pending:
        node = pop()
        if order is not None:
            order.append(node)
        fields = reversed_child_fields(node.__class__)
        for name in fields if fields is not None else ():
            value = getattr(node, name)
            kind = value.__class__
            if kind is tuple or kind is list:
                for child in reversed(value):
                    if child.__class__ not in left_out:
                        parents[child] = node
                        push(child)
            elif value is not None and kind is not MaybeSentinel and kind not in left_out:
                parents[value] = node
                push(value)
        if fields is None:  # a class whose fields could not be read: LibCST's own list
            children = [child for child in node.children if child.__class__ not in left_out]
            parents.update(dict.fromkeys(children, node))
            pending.extend(reversed(children))
            order = None  # a walk gives such a class to LibCST's own visit: no list is kept for the lint
    if order is not None:
        remember_walk_order(module, order)
    return parents


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
