"""YAML, read with tree-sitter into the shared model (model.py).

Scalars are decoded the way YAML 1.2 reads them, keeping each character's
source offset: plain and quoted scalars fold their line breaks (a break
becomes a space, an empty line a line feed, blanks around breaks go), single
quotes double to escape themselves, double quotes have backslash escapes
(and an escaped line break joins lines), and block scalars (`|`, `>`) drop
their indentation. A folded break is one value character written as several
source characters, so an edit across it is refused (string_checks only edits
text written verbatim).
"""

from __future__ import annotations

from typing import Sequence

from banno_migrate.languages.config_files.model import Comment, Container, Document, Item, Node, Scalar
from banno_migrate.languages.config_files.syntax import (
    Escape,
    Tree,
    descendants,
    escapes,
    named_children,
    separated_items,
)
from banno_migrate.languages.separated_lists import after_break, end_of_line, line_removal

_DOUBLE_QUOTE_ESCAPE = escapes(
    {
        "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
        "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
    },
    {"x": 2, "u": 4, "U": 8},
)  # fmt: skip
_DECORATIONS = frozenset({"anchor", "tag", "comment"})
# tree-sitter-yaml's scanner counts rows in 16 bits: a longer file is one ERROR node
# (tree-sitter-grammars/tree-sitter-yaml#49).
_MAX_LINES = 32768


def read_yaml(text: str) -> Document:
    tree = Tree("yaml", "YAML", text, max_lines=_MAX_LINES)
    reader = _Yaml(tree)
    roots = tuple(
        reader.node(child) for document in named_children(tree.root) for child in named_children(document)
    )
    comments = tuple(Comment(tree.char(node.start_byte), tree.source(node)) for node in descendants(tree.root, "comment"))
    return Document(roots, comments)


class _Yaml:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    def node(self, node) -> Node:  # noqa: ANN001 - tree_sitter.Node
        """A block_node or flow_node (or its content): a scalar, a mapping, a sequence."""
        if node is None:
            return None
        if node.type in ("block_node", "flow_node"):
            return self.node(next(named_children(node, _DECORATIONS), None))
        kind = node.type
        if kind == "plain_scalar":
            return self.plain(node) if any(child.type == "string_scalar" for child in node.children) else None
        if kind == "single_quote_scalar":
            return self.quoted(node, escape=None)
        if kind == "double_quote_scalar":
            return self.quoted(node, escape=_DOUBLE_QUOTE_ESCAPE)
        if kind == "block_scalar":
            return self.block(node)
        if kind == "block_mapping":
            return Container(self.lines(node, self.pair), True)
        if kind == "block_sequence":
            return Container(self.lines(node, lambda item: (None, self.node(_last_named(item)))), False)
        if kind in ("flow_mapping", "flow_sequence"):
            return Container(self.separated(node), kind == "flow_mapping")
        return None  # an alias

    def key(self, node) -> str | None:  # noqa: ANN001
        key = self.node(node)
        return key.text if isinstance(key, Scalar) else None

    def pair(self, node) -> tuple[str | None, Node]:  # noqa: ANN001
        if node.type != "flow_pair" and node.type != "block_mapping_pair":  # `{key}`: a key without a value
            return self.key(node), None
        return self.key(node.child_by_field_name("key")), self.node(node.child_by_field_name("value"))

    def lines(self, node, item_of) -> tuple[Item, ...]:  # noqa: ANN001
        """A block mapping's pairs or a block sequence's items: one removal = their lines (never the only one)."""
        children = list(named_children(node))
        items = []
        for child in children:
            start, end = self.tree.span(child)
            removal = (lambda: None) if len(children) < 2 else (lambda start=start, end=end: line_removal(self.tree.text, start, end))
            items.append(Item(*item_of(child), (start, end), removal))
        return tuple(items)

    def separated(self, node) -> tuple[Item, ...]:  # noqa: ANN001
        """A flow mapping's pairs or a flow sequence's items (a sequence may hold `key: value` pairs)."""
        mapping = node.type == "flow_mapping"

        def item_of(child) -> tuple[str | None, Node]:  # noqa: ANN001
            return self.pair(child) if mapping or child.type == "flow_pair" else (None, self.node(child))

        return separated_items(self.tree, node, item_of, trailing_comma=True, comment_prefix="#")

    # Scalars
    def plain(self, node) -> Scalar:  # noqa: ANN001
        start, end = self.tree.span(node)
        text, offsets = fold(self.tree.text[start:end], start, escape=None, single_quotes=False)
        return Scalar(text, offsets, (start, end))

    def quoted(self, node, escape: Escape | None) -> Scalar:  # noqa: ANN001
        start, end = self.tree.span(node)
        text, offsets = fold(self.tree.text[start + 1 : end - 1], start + 1, escape=escape, single_quotes=escape is None)
        return Scalar(text, offsets, (start, end))

    def block(self, node) -> Scalar:  # noqa: ANN001
        start, end = self.tree.span(node)
        text, offsets = block_scalar(self.tree.text, start, end)
        return Scalar(text, offsets, (start, end), report_at_literal=False)


def _last_named(node):  # noqa: ANN001, ANN202
    children = list(named_children(node))
    return children[-1] if children else None


def fold(raw: str, base: int, *, escape: Escape | None, single_quotes: bool) -> tuple[str, Sequence[int]]:
    """A flow scalar's value (plain, single- or double-quoted) and its source offsets (plus the end)."""
    if "\n" not in raw and "\r" not in raw and not (escape and "\\" in raw) and not (single_quotes and "'" in raw):
        return raw, range(base, base + len(raw) + 1)  # written as it reads
    chars: list[str] = []
    offsets: list[int] = []
    blanks = 0  # unescaped blanks at the end of `chars`: a line break drops them
    index, size = 0, len(raw)
    while index < size:
        char = raw[index]
        if char in "\r\n":
            start = offsets[-blanks] if blanks else base + index
            del chars[len(chars) - blanks :], offsets[len(offsets) - blanks :]
            index, breaks = _line_breaks(raw, index)
            # One break folds into a space; each empty line after it is a line feed.
            value = "\n" * (len(breaks) - 1) or " "
            chars.extend(value)
            offsets.extend([start, *(base + position for position in breaks[1 : len(value)])])
            blanks = 0
            continue
        if escape is not None and char == "\\" and index + 1 < size:
            if raw[index + 1] in "\r\n":  # an escaped line break: the lines join, blanks kept
                index, breaks = _line_breaks(raw, index + 1)
                chars.extend("\n" * (len(breaks) - 1))
                offsets.extend(base + position for position in breaks[1:])
                blanks = 0
                continue
            value, length = escape(raw, index + 1)
            chars.append(value)
            offsets.append(base + index)
            index += 1 + length
            blanks = 0
            continue
        if single_quotes and raw.startswith("''", index):
            chars.append("'")
            offsets.append(base + index)
            index += 2
            blanks = 0
            continue
        blanks = blanks + 1 if char in " \t" else 0
        chars.append(char)
        offsets.append(base + index)
        index += 1
    offsets.append(base + size)
    return "".join(chars), tuple(offsets)


def _line_breaks(raw: str, index: int) -> tuple[int, list[int]]:
    """From a line break: skip it, the empty lines after it and the next line's indentation.

    Returns where the next content starts and the offsets (in raw) of the breaks passed.
    """
    breaks: list[int] = []
    while True:
        breaks.append(index)
        index = after_break(raw, index)
        while index < len(raw) and raw[index] in " \t":
            index += 1
        if index >= len(raw) or raw[index] not in "\r\n":
            return index, breaks


def block_scalar(text: str, start: int, end: int) -> tuple[str, Sequence[int]]:
    """A `|` or `>` block scalar's value and its source offsets (plus the end).

    The indentation is the first content line's; a literal scalar keeps its
    line breaks, a folded one folds a break between two lines that are not
    more indented into a space; the final line breaks are chomped as the
    header says (`-` strip, `+` keep, else clip to one).
    """
    folded = text[start] == ">"
    if end and text[end - 1] not in "\r\n":
        end = end_of_line(text, end)  # tree-sitter leaves the last line's trailing blanks out
    header_end = end_of_line(text, start, end)
    header = text[start:header_end].split("#", 1)[0]
    chomping = "-" if "-" in header else "+" if "+" in header else ""
    lines: list[tuple[int, int]] = []  # content (after the indentation) of each line: start, end
    position = after_break(text, header_end)
    indent = None
    while position < end:
        line_end = end_of_line(text, position, end)
        line = text[position:line_end]
        if line.strip():
            if indent is None:
                indent = len(line) - len(line.lstrip(" "))
            lines.append((position + min(indent, len(line) - len(line.lstrip(" "))), line_end))
        else:
            lines.append((line_end, line_end))  # an empty line
        position = after_break(text, line_end)
    trailing: list[int] = []  # the breaks of trailing empty lines: only `+` keeps them
    while lines and lines[-1][0] == lines[-1][1]:
        trailing.insert(0, lines.pop()[1])
    chars: list[str] = []
    offsets: list[int] = []
    previous: tuple[int, int] | None = None  # the last line with content
    pending: list[int] = []  # the breaks since it
    for line_start, line_end in lines:
        if line_start == line_end:
            pending.append(line_end)
            continue
        if previous is not None:
            breaks = [previous[1], *pending]
            normal = folded and not _more_indented(text, previous[0]) and not _more_indented(text, line_start)
            value = ("\n" * len(pending) or " ") if normal else "\n" * len(breaks)
            chars.extend(value)
            offsets.extend(breaks[: len(value)] if not normal or pending else [previous[1]])
        else:
            chars.extend("\n" * len(pending))
            offsets.extend(pending)
        chars.extend(text[line_start:line_end])
        offsets.extend(range(line_start, line_end))
        previous, pending = (line_start, line_end), []
    last = previous[1] if previous is not None else end
    if previous is not None and chomping != "-" and last < len(text) and text[last] in "\r\n":
        breaks = [last, *trailing] if chomping == "+" else [last]
        chars.extend("\n" * len(breaks))
        offsets.extend(breaks)
        last = after_break(text, breaks[-1])
    offsets.append(last)
    return "".join(chars), tuple(offsets)


def _more_indented(text: str, content_start: int) -> bool:
    return text[content_start : content_start + 1] in (" ", "\t")
