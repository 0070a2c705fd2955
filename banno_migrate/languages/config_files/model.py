"""What every configuration format is read into: mappings, sequences and string scalars with source spans.

Each reader (JSON, YAML, TOML with tree-sitter; INI and .env line by line)
produces a `Document`; the front end then judges values the same way whatever
the format. Offsets are character offsets into the decoded text.
"""

from __future__ import annotations

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
