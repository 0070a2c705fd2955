"""JSON and TOML, read with tree-sitter into the shared model (model.py)."""

from __future__ import annotations

from banno_migrate.languages.config_files.model import Comment, Container, Document, Item, Node, Scalar
from banno_migrate.languages.config_files.syntax import (
    Tree,
    decode_escaped,
    descendants,
    escapes,
    named_children,
    separated_items,
)
from banno_migrate.languages.separated_lists import line_removal

_JSON_ESCAPE = escapes({'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}, {"u": 4})
_TOML_ESCAPE = escapes(
    {'"': '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "e": "\x1b"},
    {"x": 2, "u": 4, "U": 8},
)


# JSON
def read_json(text: str) -> Document:
    tree = Tree("json", "JSON", text)
    reader = _Json(tree)
    return Document(tuple(reader.node(child) for child in named_children(tree.root)))


class _Json:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    def node(self, node) -> Node:  # noqa: ANN001
        if node.type == "string":
            return self.string(node)
        if node.type in ("object", "array"):
            mapping = node.type == "object"
            item_of = self.pair if mapping else (lambda child: (None, self.node(child)))
            items = separated_items(self.tree, node, item_of, trailing_comma=False, comment_prefix=None)
            return Container(items, mapping)
        return None

    def pair(self, node) -> tuple[str | None, Node]:  # noqa: ANN001
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
        key_scalar = self.string(key) if key is not None and key.type == "string" else None
        return (key_scalar.text if key_scalar else None), (self.node(value) if value is not None else None)

    def string(self, node) -> Scalar:  # noqa: ANN001
        start, end = self.tree.span(node)
        text, offsets = decode_escaped(self.tree.text[start + 1 : end - 1], start + 1, _JSON_ESCAPE, surrogates=True)
        return Scalar(text, offsets, (start, end))


# TOML
def read_toml(text: str) -> Document:
    tree = Tree("toml", "TOML", text)
    reader = _Toml(tree)
    comments = tuple(Comment(tree.char(node.start_byte), tree.source(node)) for node in descendants(tree.root, "comment"))
    return Document((reader.table(tree.root),), comments)


class _Toml:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    def table(self, node) -> Container:  # noqa: ANN001
        """The document or a [table]: its key/value lines, and (for the document) its tables."""
        items = []
        for child in named_children(node):
            if child.type == "pair":
                key, value = self.pair(child)
                start, end = self.tree.char(child.start_byte), self._value_end(child)
                items.append(Item(key, value, (start, end), lambda start=start, end=end: line_removal(self.tree.text, start, end)))
            elif child.type in ("table", "table_array_element"):
                items.append(Item(self.key(self._header(child)), self.table(child), self.tree.span(child), lambda: None))
        return Container(tuple(items), True)

    def _value_end(self, pair) -> int:  # noqa: ANN001
        """Where a pair ends: its value (tree-sitter puts a trailing comment inside the pair)."""
        children = [child for child in pair.children if child.type != "comment"]
        return self.tree.char(children[-1].end_byte)

    @staticmethod
    def _header(table):  # noqa: ANN001, ANN205
        return next(child for child in table.children if child.type in ("bare_key", "quoted_key", "dotted_key"))

    def pair(self, node) -> tuple[str, Node]:  # noqa: ANN001
        children = list(named_children(node))
        return self.key(children[0]), (self.value(children[-1]) if len(children) > 1 else None)

    def key(self, node) -> str:  # noqa: ANN001
        if node.type == "dotted_key":
            return ".".join(self.key(child) for child in named_children(node))
        if node.type == "quoted_key":
            return self.string(node).text
        return self.tree.source(node)

    def value(self, node) -> Node:  # noqa: ANN001
        if node.type == "string":
            return self.string(node)
        if node.type == "array":
            items = separated_items(self.tree, node, lambda child: (None, self.value(child)), trailing_comma=True, comment_prefix="#")
            return Container(items, False)
        if node.type == "inline_table":
            items = separated_items(self.tree, node, self.pair, trailing_comma=False, comment_prefix=None)
            return Container(items, True)
        return None

    def string(self, node) -> Scalar:  # noqa: ANN001
        """Basic ("..."), literal ('...') and their multi-line forms; a multi-line string drops its first line break."""
        text = self.tree.text
        start, end = self.tree.span(node)
        quote = text[start : start + 3] if text.startswith(('"""', "'''"), start) else text[start]
        body_start, body_end = start + len(quote), end - len(quote)
        if len(quote) == 3:
            body_start += 2 if text.startswith("\r\n", body_start) else 1 if text.startswith("\n", body_start) else 0
        if quote[0] == "'":  # a literal string has no escapes
            return Scalar(text[body_start:body_end], range(body_start, body_end + 1), (start, end))
        decoded, offsets = decode_escaped(text[body_start:body_end], body_start, _TOML_ESCAPE, line_continuation=len(quote) == 3)
        return Scalar(decoded, offsets, (start, end))
