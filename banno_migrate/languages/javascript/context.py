"""One file's run: the parsed tree, what its names and strings are, and where findings go."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from tree_sitter import Node

from banno_migrate.catalog import Catalog, Domain
from banno_migrate.findings import Applicability, Edit
from banno_migrate.languages.javascript.bindings import Bindings, unwrap
from banno_migrate.languages.javascript.edits import items_of, remove_item
from banno_migrate.languages.javascript.syntax import Tree
from banno_migrate.languages.javascript.values import NAMES, JsValue, Values
from banno_migrate.languages.string_checks import Reporter, StringChecks, Value, ValueEdit, ValueFinding
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceText

@dataclass
class Context:
    tree: Tree
    source: SourceText
    catalog: Catalog
    codes: frozenset[str]
    reporter: Reporter
    options: RuleOptions = field(default_factory=RuleOptions)

    def __post_init__(self) -> None:
        self.bindings = Bindings(self.tree)
        self.values = Values(self.tree, self.bindings)
        self.checks = StringChecks(self.catalog, self.options, self.codes)
        self._converted: dict[JsValue, Value] = {}
        self._siblings: dict[Node, tuple[str, ...]] = {}

    @property
    def domain(self) -> Domain:
        return self.catalog.domain

    # Values as string_checks reads them
    def value(self, js_value: JsValue) -> Value:
        """The string_checks Value of a JsValue (an array element knows its siblings and how to go)."""
        if js_value not in self._converted:
            elements = removal = None
            container = js_value.container
            if container is not None:
                elements = self._elements(container)
                element = js_value.element
                removal = lambda: remove_item(self.tree, container, element)  # noqa: E731
            self._converted[js_value] = js_value.value(self.tree, removal, elements)
        return self._converted[js_value]

    def _elements(self, container: Node) -> tuple[str, ...]:
        """The texts of an array's string elements (computed once per array: arrays can be long)."""
        if container not in self._siblings:
            self._siblings[container] = tuple(
                sibling.text for item in items_of(container) if (sibling := self.values.of(item)) is not None
            )
        return self._siblings[container]

    def string_values(self, node: Node | None, depth: int = 0) -> tuple[JsValue, ...]:
        """The strings an expression is made of: a string, an array of them, their `.join(...)`, a const."""
        if node is None or depth > 8:
            return ()
        node = unwrap(node)
        value = self.values.of(node)
        if value is not None:
            return (value,)
        if node.type == "array":
            return tuple(v for item in items_of(node) for v in self.string_values(item, depth + 1))
        if node.type in NAMES and (bound := self.bindings.constant(node)) is not None:
            return self.string_values(bound, depth + 1)
        if node.type == "call_expression":
            function = unwrap(node.child_by_field_name("function"))
            if function.type == "member_expression" and self.tree.source(function.child_by_field_name("property")) == "join":
                return self.string_values(function.child_by_field_name("object"), depth + 1)
        return ()

    # Reporting
    def report(self, found: ValueFinding) -> None:
        self.reporter.add(found)

    def report_at(
        self,
        code: str,
        start: int,
        end: int,
        edits: Iterable[ValueEdit | Edit | None] | None = None,
        applicability: Applicability = Applicability.SAFE,
        **arguments: Any,
    ) -> None:
        """A finding at a source span (character offsets)."""
        self.reporter.add_at(code, start, end, edits, applicability, **arguments)

    def report_node(self, code: str, node: Node, **kwargs: Any) -> None:
        self.report_at(code, self.tree.start(node), self.tree.end(node), **kwargs)
