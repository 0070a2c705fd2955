"""Edits that several rules need: removing one item of a comma-separated sequence.

Used for list/tuple/set elements (BM004), dict entries and keyword arguments
(BM006). Keeps the code readable afterwards: commas stay right, a line that
held only the item goes, a comment after it stays, and a tuple of one keeps its
trailing comma.
"""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst
from libcst.metadata import CodeRange

from banno_migrate.findings import Edit
from banno_migrate.source import SourceText

# An item of a sequence: cst.Element, cst.DictElement, cst.StarredDictElement or cst.Arg (all have `.comma`).
Item = cst.CSTNode


def remove_item(
    source: SourceText,
    range_of: Callable[[cst.CSTNode], CodeRange],
    items: Sequence[Item],
    index: int,
    *,
    keep_comma_when_one_left: bool = False,
) -> Edit | None:
    """An edit removing items[index]; None when it is the only item."""
    if len(items) < 2:
        return None

    def offset(node: cst.CSTNode, *, end: bool) -> int:
        where = range_of(node)
        position = where.end if end else where.start
        return source.offset(position.line, position.column)

    def content_end(item: Item) -> int:
        comma = getattr(item, "comma", None)
        return offset(comma, end=True) if isinstance(comma, cst.Comma) else offset(item, end=True)

    item = items[index]
    start, end = offset(item, end=False), content_end(item)
    line, _ = source.position(start)
    line_start = source.line_starts[line - 1]
    line_end = line_start + len(source.line_text(line))
    after = source.text[end:line_end]
    if not source.text[line_start:start].strip():
        if not after.strip():  # alone on its line: the line goes
            newline = 2 if source.text.startswith("\r\n", line_end) else 1
            return Edit(line_start, min(line_end + newline, len(source.text)), "")
        if after.lstrip().startswith("#"):  # keep the comment where it was
            return Edit(start, end + len(after) - len(after.lstrip()), "")

    if index == 0:
        return Edit(start, offset(items[1], end=False), "")
    previous = items[index - 1]
    previous_comma = getattr(previous, "comma", None)
    if isinstance(previous_comma, cst.Comma) and (
        index < len(items) - 1 or (keep_comma_when_one_left and len(items) == 2)
    ):
        # Keep the previous comma: it separates from the next item, or keeps a tuple a tuple.
        return Edit(offset(previous_comma, end=True), end, "")
    return Edit(offset(previous, end=True), end, "")
