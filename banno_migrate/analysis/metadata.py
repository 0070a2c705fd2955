"""Drop-in replacements for two LibCST metadata providers, with the same values at a fraction of the cost.

A file that passes the prefilter costs a parse plus one tree walk per metadata
provider, in pure Python. Two of LibCST's walks do more than they need to:

- `libcst.metadata.ParentNodeProvider` asks every node for its `children`,
  which rebuilds the child list with a second visit; a stack of the nodes being
  visited gives the same parents in one walk.
- `libcst.metadata.QualifiedNameProvider` walks the whole tree to store a lazy
  value per node, then computes only the names asked for. Here nothing is walked:
  the names of a node are computed from its scope when asked.

Rules and analyses import these instead of LibCST's (the values are the same:
tests/test_metadata.py compares both on real code).
"""

from __future__ import annotations

from typing import Collection, Iterator, Mapping

import libcst as cst
from libcst.metadata import BaseMetadataProvider, MetadataWrapper, QualifiedName, ScopeProvider
from libcst.metadata.scope_provider import Scope

__all__ = ["ParentNodeProvider", "QualifiedNameProvider"]


class ParentNodeProvider(BaseMetadataProvider[cst.CSTNode]):
    """The parent of every node but the module (as `libcst.metadata.ParentNodeProvider`)."""

    def _gen_impl(self, module: cst.Module) -> None:
        module.visit(_ParentRecorder(self))


class _ParentRecorder(cst.CSTVisitor):
    def __init__(self, provider: ParentNodeProvider) -> None:
        super().__init__()
        self._set = provider.set_metadata
        self._visiting: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._visiting:
            self._set(node, self._visiting[-1])
        self._visiting.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._visiting.pop()


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
