"""Removing one item of a comma-separated JavaScript list: an object's property, an array's element.

The tree-sitter counterpart of banno_migrate/rules/edits.py, with the same
layout decisions: commas stay right, a line that held only the item goes, a
`//` comment after it stays, and the only item of a list is never removed
(that would change what the code means, not just drop a value).
"""

from __future__ import annotations

from tree_sitter import Node

from banno_migrate.findings import Edit
from banno_migrate.languages.javascript.syntax import Tree


def items_of(container: Node) -> list[Node]:
    return [child for child in container.named_children if child.type != "comment"]


def remove_item(tree: Tree, container: Node, item: Node) -> Edit | None:
    """An edit removing `item` from `container` (an object or an array); None when it is the only item."""
    items = items_of(container)
    if len(items) < 2 or item not in items:
        return None
    index = items.index(item)
    text = tree.text
    start, end = tree.start(item), _end_with_comma(tree, container, item)
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    line_end = _line_end(text, end)
    after = text[end:line_end]
    if not text[line_start:start].strip():
        if not after.strip():  # alone on its line: the line goes
            newline = 2 if text.startswith("\r\n", line_end) else 1 if line_end < len(text) else 0
            return Edit(line_start, line_end + newline, "")
        if after.lstrip().startswith("//"):  # keep the comment where it was
            return Edit(start, end + len(after) - len(after.lstrip()), "")
    if index == 0:
        return Edit(start, tree.start(items[1]), "")
    previous = items[index - 1]
    previous_comma = _comma_after(container, previous)
    if previous_comma is not None and index < len(items) - 1:
        return Edit(tree.end(previous_comma), end, "")  # the previous comma now separates from the next item
    return Edit(tree.end(previous), end, "")


def _comma_after(container: Node, item: Node) -> Node | None:
    children = container.children
    position = children.index(item)
    for child in children[position + 1 :]:
        if child.type == ",":
            return child
        if child.type != "comment":
            return None
    return None


def _end_with_comma(tree: Tree, container: Node, item: Node) -> int:
    comma = _comma_after(container, item)
    return tree.end(comma) if comma is not None else tree.end(item)


def _line_end(text: str, offset: int) -> int:
    ends = [position for position in (text.find("\n", offset), text.find("\r", offset)) if position >= 0]
    return min(ends) if ends else len(text)
