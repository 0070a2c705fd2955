"""Every node of a LibCST tree in the order of a walk, and its scopes described by node index: what the
metadata tests compare node for node.

Shared by tests/test_metadata.py, tests/test_positions.py, tests/test_properties.py and tests/test_traversal.py.
"""

from __future__ import annotations

from typing import Mapping

import libcst as cst
from libcst.metadata import Scope


def nodes_of(*roots: cst.CSTNode) -> list[cst.CSTNode]:
    """The roots and every node below them (formatting included), in the order LibCST's walk visits them."""

    class Collect(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.nodes: list[cst.CSTNode] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            self.nodes.append(node)
            return True

    collect = Collect()
    for root in roots:
        root.visit(collect)
    return collect.nodes


def described_scopes(module: cst.Module, scopes: Mapping[cst.CSTNode, Scope | None]) -> dict[int, object]:
    """Each scope, by the node that makes it: its kind, its assignments, and its accesses with what
    each refers to, all by node index (a string annotation's nodes, parsed apart, are -1)."""
    index = {id(node): number for number, node in enumerate(nodes_of(module))}
    return {
        index[id(node)]: (
            type(scope).__name__,
            sorted((assignment.name, index.get(id(assignment.node), -1)) for assignment in scope.assignments),
            sorted(
                (
                    access.node.value,
                    index.get(id(access.node), -1),
                    sorted(index.get(id(getattr(referent, "node", None)), -1) for referent in access.referents),
                )
                for access in scope.accesses
            ),
        )
        for node, scope in scopes.items()
        if scope is not None and id(node) in index and isinstance(node, (cst.Module, cst.FunctionDef, cst.ClassDef, cst.Lambda))
    }
