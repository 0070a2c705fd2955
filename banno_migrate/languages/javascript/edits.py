"""Removing one item of a comma-separated JavaScript list: an object's property, an array's element.

The decisions are separated_lists.separated_removal's (those of
banno_migrate/rules/edits.py): commas stay right, a line that held only the
item goes, a `//` comment after it stays, and the only item of a list is never
removed (that would change what the code means, not just drop a value).
"""

from __future__ import annotations

from tree_sitter import Node

from banno_migrate.findings import Edit
from banno_migrate.languages.javascript.syntax import Tree
from banno_migrate.languages.separated_lists import separated_children, separated_removal


def items_of(container: Node) -> list[Node]:
    return [child for child in container.named_children if child.type != "comment"]


def remove_item(tree: Tree, container: Node, item: Node) -> Edit | None:
    """An edit removing `item` from `container` (an object or an array); None when it is the only item."""
    children = separated_children(container.children, lambda node: (tree.start(node), tree.end(node)))
    items = [child for child, _ in children]
    if item not in items:
        return None
    spans = [span for _, span in children]
    return separated_removal(tree.text, spans, items.index(item), trailing_comma=True, comment_prefix="//")
