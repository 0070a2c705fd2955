"""What the tree-sitter readers share: one parser per grammar, byte → character offsets, syntax errors,
comma-separated items, escapes."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from typing import Callable, Iterator, Sequence

from banno_migrate.languages.config_files.model import Item, Node
from banno_migrate.languages.separated_lists import separated_children, separated_removal
from banno_migrate.source import SourceError, SourceText

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
Escape = Callable[[str, int], tuple[str, int]]  # (raw, index after the backslash) -> (value, length read)


@cache
def parser(grammar: str):  # noqa: ANN201 - tree_sitter.Parser, imported only here
    import importlib

    import tree_sitter

    module = importlib.import_module(f"tree_sitter_{grammar}")
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


class Tree:
    """A parsed text: its tree-sitter tree and character offsets of nodes (tree-sitter counts UTF-8 bytes)."""

    def __init__(self, grammar: str, format_name: str, text: str, max_lines: int | None = None) -> None:
        """Raises SourceError for a syntax error, or for more lines than the grammar can count (`max_lines`)."""
        self.text = text
        data = text.encode("utf-8", "surrogatepass")
        self._offsets = _ByteOffsets(text) if len(data) != len(text) else None
        self.root = parser(grammar).parse(data).root_node
        if self.root.has_error:
            source = SourceText(text, "utf-8")
            if max_lines is not None and len(source.line_starts) > max_lines:
                raise SourceError(f"cannot parse: {format_name} file longer than {max_lines} lines (the parser's limit)")
            line, column = source.position(self.char(_first_error(self.root).start_byte))
            raise SourceError(f"cannot parse: {format_name} syntax error at line {line}, column {column + 1}")

    def char(self, byte: int) -> int:
        return byte if self._offsets is None else self._offsets.char(byte)

    def span(self, node) -> tuple[int, int]:  # noqa: ANN001 - tree_sitter.Node
        return self.char(node.start_byte), self.char(node.end_byte)

    def source(self, node) -> str:  # noqa: ANN001
        start, end = self.span(node)
        return self.text[start:end]


class _ByteOffsets:
    """UTF-8 byte offset → character offset, from the non-ASCII characters only (most text is ASCII)."""

    def __init__(self, text: str) -> None:
        self._starts: list[int] = []  # byte offset of each non-ASCII character
        self._extra: list[int] = []  # bytes beyond one per character, up to and including it
        extra = 0
        for match in _NON_ASCII.finditer(text):
            self._starts.append(match.start() + extra)
            extra += len(match.group().encode("utf-8", "surrogatepass")) - 1
            self._extra.append(extra)

    def char(self, byte: int) -> int:
        """The character starting at `byte` (tree-sitter's offsets are always character boundaries)."""
        before = bisect_left(self._starts, byte)  # non-ASCII characters wholly before it
        return byte - (self._extra[before - 1] if before else 0)


def _first_error(node):  # noqa: ANN001, ANN202
    """The first ERROR or MISSING node, depth first (where the parser gave up)."""
    for child in node.children:
        if child.is_error or child.is_missing:
            return child
        if child.has_error:
            return _first_error(child)
    return node


def named_children(node, skip: frozenset[str] = frozenset({"comment"})) -> Iterator:  # noqa: ANN001
    return (child for child in node.children if child.is_named and child.type not in skip)


def descendants(node, node_type: str) -> Iterator:  # noqa: ANN001
    """Every node of a type under `node` (comments, wherever the grammar puts them)."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            if cursor.node.type == node_type:
                yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


def separated_items(
    tree: Tree,
    node,  # noqa: ANN001
    item_of: Callable[..., tuple[str | None, Node]],
    *,
    trailing_comma: bool,
    comment_prefix: str | None,
) -> tuple[Item, ...]:
    """The items of a comma-separated container (JSON object/array, TOML array/inline table, YAML flow
    collection), each removable with one comma (separated_lists.separated_removal)."""
    children = separated_children(node.children, tree.span)
    spans = [span for _, span in children]

    def removal(index: int) -> Callable[[], object]:
        return lambda: separated_removal(tree.text, spans, index, trailing_comma=trailing_comma, comment_prefix=comment_prefix)

    return tuple(
        Item(*item_of(child), (span.start, span.end), removal(index))
        for index, (child, span) in enumerate(children)
    )


def escapes(simple: dict[str, str], hex_lengths: dict[str, int]) -> Escape:
    """An escape reader for a format: one-character escapes and \\xHH / \\uHHHH / \\UHHHHHHHH."""

    def read(raw: str, index: int) -> tuple[str, int]:
        char = raw[index]
        if char in simple:
            return simple[char], 1
        if char in hex_lengths:
            digits = raw[index + 1 : index + 1 + hex_lengths[char]]
            if len(digits) == hex_lengths[char]:
                try:
                    return chr(int(digits, 16)), 1 + len(digits)
                except ValueError:
                    pass
        return "\\", 0  # not an escape we know: the backslash stands for itself

    return read


def decode_escaped(
    raw: str, base: int, escape: Escape, *, line_continuation: bool = False, surrogates: bool = False
) -> tuple[str, Sequence[int]]:
    """Value and per-character source offsets (plus the end) of a quoted string's body at `base`.

    `line_continuation`: a backslash ending a line drops the line break and the
    white space after it (TOML's multi-line basic strings). `surrogates`: two
    \\u escapes of a UTF-16 pair are one character (JSON).
    """
    if "\\" not in raw:
        return raw, range(base, base + len(raw) + 1)
    chars: list[str] = []
    offsets: list[int] = []
    index, size = 0, len(raw)
    while index < size:
        char = raw[index]
        if char == "\\" and index + 1 < size:
            if line_continuation and _ends_line(raw, index + 1):
                index = _skip_blank(raw, index + 1)
                continue
            value, length = escape(raw, index + 1)
            if surrogates and "\ud800" <= value <= "\udbff" and raw.startswith("\\u", index + 1 + length):
                low, low_length = escape(raw, index + 2 + length)
                if "\udc00" <= low <= "\udfff":
                    value = (value + low).encode("utf-16", "surrogatepass").decode("utf-16")
                    length += 1 + low_length
            chars.append(value)
            offsets.append(base + index)
            index += 1 + length
            continue
        chars.append(char)
        offsets.append(base + index)
        index += 1
    offsets.append(base + size)
    return "".join(chars), tuple(offsets)


def _ends_line(raw: str, index: int) -> bool:
    """Only blanks between `index` and the line break."""
    while index < len(raw) and raw[index] in " \t":
        index += 1
    return index < len(raw) and raw[index] in "\r\n"


def _skip_blank(raw: str, index: int) -> int:
    while index < len(raw) and raw[index] in " \t\r\n":
        index += 1
    return index
