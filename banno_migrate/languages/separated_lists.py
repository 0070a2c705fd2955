"""Removing one item of a list written in text: an entry on lines of its own, or one comma-separated item.

The span-based counterpart of banno_migrate/rules/edits.py, shared by the
front ends that read with tree-sitter (JavaScript, configuration files). The
layout decisions are the same: commas stay right, a line that held only the
item goes, a comment after it stays, and the only item of a list is never
removed (that would change what the code means, not just drop a value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from banno_migrate.findings import Edit

# Lines end at \n, \r\n or \r.
_BREAK = re.compile(r"[\r\n]")


def end_of_line(text: str, position: int, end: int | None = None) -> int:
    """Where the line holding `position` ends: its line break, or `end` (the text's end) without one."""
    limit = len(text) if end is None else end
    found = _BREAK.search(text, position, limit)
    return found.start() if found else limit


def after_break(text: str, index: int) -> int:
    """Past the line break at `index` (none at the text's end)."""
    return index + (2 if text.startswith("\r\n", index) else 1 if index < len(text) else 0)


def line_removal(text: str, start: int, end: int, comment_prefixes: tuple[str, ...] = ("#",)) -> Edit | None:
    """Remove an entry that has its lines to itself; a comment after it stays where it was."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    if text[line_start:start].strip():
        return None
    content_end = end_of_line(text, end)
    after = text[end:content_end]
    if not after.strip():
        return Edit(line_start, after_break(text, content_end), "")
    if after.lstrip().startswith(comment_prefixes):
        return Edit(start, end + len(after) - len(after.lstrip()), "")
    return None


@dataclass(frozen=True)
class Separated:
    """An item of a comma-separated sequence: its span and the end of the comma after it, if any."""

    start: int
    end: int
    comma_end: int | None


def separated_children(children: Iterable[Any], span: Callable[[Any], tuple[int, int]]) -> list[tuple[Any, Separated]]:
    """The items among a tree-sitter list node's children (its named ones, comments aside), each with
    its span and the comma right after it. `span`: a node's character offsets."""
    listed = [child for child in children if child.type != "comment"]
    found = []
    for index, child in enumerate(listed):
        if child.is_named:
            following = listed[index + 1] if index + 1 < len(listed) else None
            comma_end = span(following)[1] if following is not None and following.type == "," else None
            found.append((child, Separated(*span(child), comma_end)))
    return found


def separated_removal(
    text: str,
    items: Sequence[Separated],
    index: int,
    *,
    trailing_comma: bool,
    comment_prefix: str | None = "#",
) -> Edit | None:
    """Remove items[index] with one comma (the rules/edits.remove_item decisions, on spans).

    `trailing_comma`: whether the format allows a comma after the last item
    (JSON does not). None when it is the only item.
    """
    if len(items) < 2:
        return None
    item = items[index]
    start, end = item.start, item.comma_end if item.comma_end is not None else item.end
    last = index == len(items) - 1
    # An item alone on its line takes the line along, unless it is a last item that must
    # take the previous comma with it (JSON allows no comma after the last item).
    prefixes = (comment_prefix,) if comment_prefix else ()
    if (trailing_comma or not last) and (edit := line_removal(text, start, end, prefixes)):
        return edit
    if index == 0:
        return Edit(start, items[1].start, "")
    previous = items[index - 1]
    if previous.comma_end is not None and not last:
        return Edit(previous.comma_end, end, "")  # keep the previous comma: it separates from the next item
    return Edit(previous.end, end, "")
