"""Parsing JavaScript and TypeScript with tree-sitter, and moving between its byte offsets and our characters.

tree-sitter counts UTF-8 bytes; findings and edits count code points of
`SourceText.text`. `Tree` converts, and keeps one index of the syntax tree
(parents, nodes by type) built in a single pass, because tree-sitter's own
`parent` walks down from the root each time.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from typing import Iterator

from tree_sitter import Language, Node, Parser

from banno_migrate.source import SourceError, SourceText


@dataclass(frozen=True)
class Dialect:
    name: str  # as error messages say it
    grammar: str  # tree-sitter-javascript, or tree-sitter-typescript's typescript / tsx
    jsx: bool


JAVASCRIPT = Dialect("JavaScript", "javascript", jsx=True)
TYPESCRIPT = Dialect("TypeScript", "typescript", jsx=False)
TSX = Dialect("TSX", "tsx", jsx=True)
_BY_EXTENSION = {".ts": TYPESCRIPT, ".mts": TYPESCRIPT, ".cts": TYPESCRIPT, ".tsx": TSX}


_BY_LANGUAGE = {"javascript": JAVASCRIPT, "typescript": TYPESCRIPT, "tsx": TSX}


def dialect_for(path: str, language: str | None = None) -> Dialect:
    """The language the file types gave the file (a user's `file-types` glob included); else by extension:
    TypeScript's own, and everything else (.js, .mjs, .cjs, .jsx) JavaScript, whose grammar reads JSX too."""
    if language in _BY_LANGUAGE:
        return _BY_LANGUAGE[language]
    name = path.rsplit("/", 1)[-1].lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    return _BY_EXTENSION.get(extension, JAVASCRIPT)


@cache
def _parser(grammar: str) -> Parser:
    if grammar == "javascript":
        import tree_sitter_javascript

        return Parser(Language(tree_sitter_javascript.language()))
    import tree_sitter_typescript

    language = tree_sitter_typescript.language_tsx() if grammar == "tsx" else tree_sitter_typescript.language_typescript()
    return Parser(Language(language))


def parse_root(data: bytes, dialect: Dialect) -> Node:
    """The root of a file's syntax tree (errors included: see Tree.check)."""
    root = _parser(dialect.grammar).parse(data).root_node
    if root.has_error and dialect.jsx:
        root = _without_jsx_ampersand_errors(root, data, dialect)
    return root


_MAX_REPAIRS = 16
_JSX_NODES = ("jsx_element", "jsx_self_closing_element", "jsx_opening_element", "jsx_attribute", "jsx_text")


def _without_jsx_ampersand_errors(root: Node, data: bytes, dialect: Dialect) -> Node:
    """The tree of the file with JSX's bare `&` read as text.

    JSX allows a bare `&` in text and attribute strings (`<a href="?a=1&b=2">`);
    the tree-sitter grammars accept only character references there. Each
    round replaces the `&`s in (or just after) an error in a JSX context by a
    character of the same length, for the parser only (offsets and the text
    stay), and parses again, as long as that moves the first error further or
    removes it: an error that remains is the file's own.
    """
    patched = bytearray(data)
    best = root
    for _ in range(_MAX_REPAIRS):
        positions = _jsx_ampersands(best, patched)
        if not positions:
            break
        for position in positions:
            patched[position] = ord("_")
        candidate = _parser(dialect.grammar).parse(bytes(patched)).root_node
        if candidate.has_error and _first_error(candidate) <= _first_error(best):
            break
        best = candidate
        if not best.has_error:
            break
    return best


def _first_error(root: Node) -> int:
    return next((node.start_byte for node in errors(root)), root.end_byte)


def errors(root: Node) -> Iterator[Node]:
    """The ERROR and MISSING nodes under `root`, in document order (only subtrees with an error are visited)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
        stack.extend(child for child in reversed(node.children) if child.has_error)


def _jsx_ampersands(root: Node, data: bytearray) -> list[int]:
    positions = []
    for error in errors(root):
        if not error.is_error or not _in_jsx(error):
            continue
        end = error.end_byte
        while end < len(data) and data[end] in b" \t":
            end += 1
        span = range(error.start_byte, min(end + 1, len(data)))
        positions.extend(
            index
            for index in span
            if data[index] == ord("&") and data[index + 1 : index + 2] not in (b"&", b"=") and data[index - 1 : index] != b"&"
        )
    return positions


def _in_jsx(error: Node) -> bool:
    if any(node.type in _JSX_NODES for node in Tree.walk(error)):
        return True
    parent = error.parent
    while parent is not None:
        if parent.type in _JSX_NODES:
            return True
        parent = parent.parent
    return False


class Tree:
    """One parsed file: the tree, its text, and an index of its nodes."""

    def __init__(self, text: str, dialect: Dialect) -> None:
        self.text = text
        self.dialect = dialect
        data = text.encode("utf-8", "surrogatepass")
        self.root: Node = parse_root(data, dialect)
        self._parents: dict[Node, Node] = {}
        self._by_type: dict[str, list[Node]] = {}
        self._index()
        # Bytes beyond the first of each non-ASCII character, to turn byte offsets into characters.
        self._wide_starts: list[int] = []
        self._wide_extra: list[int] = [0]
        if len(data) != len(text):
            position = 0
            last = 0
            for match in re.finditer(r"[^\x00-\x7f]", text):
                position += len(text[last : match.start()].encode("utf-8", "surrogatepass"))
                width = len(match.group().encode("utf-8", "surrogatepass"))
                self._wide_starts.append(position)
                self._wide_extra.append(self._wide_extra[-1] + width - 1)
                position += width
                last = match.end()

    def _index(self) -> None:
        """Parents and types of the named nodes (punctuation is read from its parent's children)."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            self._by_type.setdefault(node.type, []).append(node)
            children = node.named_children
            for child in children:
                self._parents[child] = node
            stack.extend(reversed(children))

    def check(self) -> None:
        """Raise SourceError at the first syntax error."""
        if not self.root.has_error:
            return
        for node in errors(self.root):  # the first one
            line, column = self.position(self.start(node))
            raise SourceError(f"cannot parse: {self.dialect.name} syntax error at line {line}, column {column + 1}")
        raise SourceError(f"cannot parse: {self.dialect.name} syntax error")

    # Navigation
    def parent(self, node: Node) -> Node | None:
        return self._parents.get(node)

    def nodes(self, *types: str) -> list[Node]:
        """Every node of these types, in document order."""
        found = [node for kind in types for node in self._by_type.get(kind, ())]
        if len(types) > 1:
            found.sort(key=lambda node: node.start_byte)
        return found

    @staticmethod
    def walk(node: Node) -> Iterator[Node]:
        """`node` and everything under it, in document order (no recursion: trees can be deep)."""
        stack = [node]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    def ancestors(self, node: Node) -> Iterator[Node]:
        current = self._parents.get(node)
        while current is not None:
            yield current
            current = self._parents.get(current)

    # Offsets
    def char(self, byte_offset: int) -> int:
        if not self._wide_starts:
            return byte_offset
        return byte_offset - self._wide_extra[bisect_left(self._wide_starts, byte_offset)]

    def start(self, node: Node) -> int:
        return self.char(node.start_byte)

    def end(self, node: Node) -> int:
        return self.char(node.end_byte)

    def source(self, node: Node | None) -> str:
        """The text of a node ("" for a field that is absent)."""
        return "" if node is None else self.text[self.start(node) : self.end(node)]

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based column) of a character offset."""
        return SourceText(self.text, "utf-8").position(offset)


def parse(text: str, path: str, language: str | None = None) -> Tree:
    """Parse a file, raising SourceError for a syntax error."""
    tree = Tree(text, dialect_for(path, language))
    tree.check()
    return tree
