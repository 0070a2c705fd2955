"""What every configuration format is read into: mappings, sequences and string scalars with source spans.

Each reader (JSON, YAML, TOML with tree-sitter; INI and .env line by line)
produces a `Document`; the front end then judges values the same way whatever
the format. Offsets are character offsets into the decoded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

from banno_migrate.findings import Edit

Removal = Callable[[], Union[Edit, None]]


@dataclass(frozen=True)
class Scalar:
    """A string value: decoded text, the source offset of each character plus the end, and its literal."""

    text: str
    offsets: Sequence[int]  # a range when the source is the text itself
    span: tuple[int, int]  # the literal, quotes included
    # False for a literal that runs over many lines (a YAML block scalar): a finding then
    # covers the matched text, so that it has a line of its own for a suppression comment.
    report_at_literal: bool = True
    hole_hints: dict[int, str] = field(default_factory=dict)  # `${BANNO_BASE}` in a .env value


@dataclass(frozen=True)
class Item:
    """An entry of a mapping (with its key) or an element of a sequence (key None)."""

    key: str | None
    node: Node
    span: tuple[int, int]  # the whole entry: key, separator and value
    removal: Removal  # the edit that removes the entry from its container, or None when it cannot


@dataclass(frozen=True)
class Container:
    items: tuple[Item, ...]
    mapping: bool  # a mapping (object, table, section, file of variables) or a sequence


Node = Union[Scalar, Container, None]  # None: a number, a boolean, an alias...


@dataclass(frozen=True)
class Comment:
    offset: int
    text: str  # as written, from its `#` (or `;`)


@dataclass(frozen=True)
class Document:
    roots: tuple[Node, ...]  # YAML streams hold several documents
    comments: tuple[Comment, ...] = ()


# Lines (\n, \r\n or \r), for the readers and for removals.
_BREAK = re.compile(r"[\r\n]")


def end_of_line(text: str, position: int, end: int | None = None) -> int:
    """Where the line holding `position` ends: its line break, or `end` (the text's end) without one."""
    limit = len(text) if end is None else end
    found = _BREAK.search(text, position, limit)
    return found.start() if found else limit


def after_break(text: str, index: int) -> int:
    """Past the line break at `index` (none at the text's end)."""
    return index + (2 if text.startswith("\r\n", index) else 1 if index < len(text) else 0)


# Removing an entry from its container.
def _line_bounds(text: str, start: int, end: int) -> tuple[int, int, int]:
    """Start of start's line, end of end's line content, and the end of that line's break."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    content_end = end_of_line(text, end)
    return line_start, content_end, after_break(text, content_end)


def line_removal(text: str, start: int, end: int, comment_prefixes: tuple[str, ...] = ("#",)) -> Edit | None:
    """Remove an entry that has its lines to itself; a comment after it stays where it was."""
    line_start, content_end, line_end = _line_bounds(text, start, end)
    if text[line_start:start].strip():
        return None
    after = text[end:content_end]
    if not after.strip():
        return Edit(line_start, line_end, "")
    if after.lstrip().startswith(comment_prefixes):
        return Edit(start, end + len(after) - len(after.lstrip()), "")
    return None


@dataclass(frozen=True)
class Separated:
    """An item of a comma-separated sequence: its span and the end of the comma after it, if any."""

    start: int
    end: int
    comma_end: int | None


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
    line_start, content_end, line_end = _line_bounds(text, start, end)
    after = text[end:content_end]
    last = index == len(items) - 1
    if not text[line_start:start].strip() and (trailing_comma or not last):
        if not after.strip():  # alone on its line: the line goes
            return Edit(line_start, line_end, "")
        if comment_prefix and after.lstrip().startswith(comment_prefix):  # keep the comment where it was
            return Edit(start, end + len(after) - len(after.lstrip()), "")
    if index == 0:
        return Edit(start, items[1].start, "")
    previous = items[index - 1]
    if previous.comma_end is not None and not last:
        return Edit(previous.comma_end, end, "")  # keep the previous comma: it separates from the next item
    return Edit(previous.end, end, "")
