"""Every node of a LibCST tree in the order of a walk: what the metadata tests compare node for node.

Shared by tests/test_metadata.py, tests/test_positions.py and tests/test_properties.py.
"""

from __future__ import annotations

import libcst as cst


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
