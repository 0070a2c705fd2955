"""What a name stands for, kept modest: `const` names bound once in the file, and imported modules.

JavaScript scoping is rich (blocks, hoisting, closures); following it all is
not needed to read configuration code. A name counts as a constant when the
whole file binds it exactly once, by a `const` declaration: then every read of
that name, anywhere in the file, is that value. A name bound twice (a
parameter in one function, a `const` in another, a `let` assigned again) is
unknown everywhere.

Imports: `require("m")`, `require("m").Strategy`, `const { Strategy } = require("m")`,
`import X from "m"`, `import { Strategy as S } from "m"`, `import * as m from "m"`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tree_sitter import Node

from banno_migrate.languages.javascript.syntax import Tree

# Parents that make an identifier under them a binding (the key is the parent's type; the value,
# the field the identifier must be in, or None for any position).
_BINDING_PARENTS: dict[str, str | None] = {
    "variable_declarator": "name",
    "array_pattern": None,
    "assignment_pattern": "left",
    "object_assignment_pattern": "left",
    "rest_pattern": None,
    "formal_parameters": None,
    "required_parameter": "pattern",
    "optional_parameter": "pattern",
    "function_declaration": "name",
    "generator_function_declaration": "name",
    "function_expression": "name",
    "class_declaration": "name",
    "class": "name",
    "catch_clause": "parameter",
    "arrow_function": "parameter",
    "for_in_statement": "left",
    "import_clause": None,
    "namespace_import": None,
    "import_specifier": None,
    "pair_pattern": "value",
    # Not declarations, but they bind the name again: `let p = {...}; p = other;` is not one value.
    "assignment_expression": "left",
    "augmented_assignment_expression": "left",
}
_BINDING_NODES = ("shorthand_property_identifier_pattern",)
_MAX_NAMES = 8  # how many `const` names deep `resolve` follows


@dataclass(frozen=True)
class Import:
    module: str  # as written: "passport-openidconnect", "./config"
    member: str | None  # None: the module itself; "default" for a default import


class Bindings:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self._counts: Counter[str] = Counter()
        self._declarators: dict[str, Node] = {}  # name -> its `const`/`let`/`var` declarator
        self._imports: dict[str, Import] = {}
        self._reads: dict[str, list[Node]] = {}  # name -> the identifiers that read it
        self._collect()

    def _collect(self) -> None:
        tree = self.tree
        for node in tree.nodes("identifier", "shorthand_property_identifier", *_BINDING_NODES):
            parent = tree.parent(node)
            if node.type in _BINDING_NODES or (parent is not None and self._binds(parent, node)):
                self._counts[tree.source(node)] += 1
            else:
                self._reads.setdefault(tree.source(node), []).append(node)
        for declarator in tree.nodes("variable_declarator"):
            self._declarator(declarator)
        for statement in tree.nodes("import_statement"):
            self._import_statement(statement)

    @staticmethod
    def _binds(parent: Node, node: Node) -> bool:
        if parent.type not in _BINDING_PARENTS:
            return False
        field = _BINDING_PARENTS[parent.type]
        return field is None or parent.child_by_field_name(field) == node

    def _declarator(self, declarator: Node) -> None:
        name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        if name is None or value is None:
            return
        if name.type == "identifier":
            self._declarators[self.tree.source(name)] = declarator
        required = self.required(value)
        if required is None:
            return
        if name.type == "identifier":
            self._imports[self.tree.source(name)] = required
        elif name.type == "object_pattern" and required.member is None:
            for member, local in self._pattern_members(name):
                self._imports[local] = Import(required.module, member)

    def _pattern_members(self, pattern: Node) -> list[tuple[str, str]]:
        """(property, local name) of `{ Strategy, Issuer: I }`."""
        members = []
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                members.append((self.tree.source(child), self.tree.source(child)))
            elif child.type == "pair_pattern":
                key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key is not None and value is not None and value.type == "identifier":
                    members.append((self.tree.source(key), self.tree.source(value)))
        return members

    def required(self, node: Node) -> Import | None:
        """`require("m")` or `require("m").Member` (also through `await import("m")`)."""
        node = unwrap(node)
        if node.type == "member_expression":
            inner = self.required(node.child_by_field_name("object"))
            property_ = node.child_by_field_name("property")
            if inner is None or inner.member is not None or property_ is None:
                return None
            return Import(inner.module, self.tree.source(property_))
        if node.type != "call_expression":
            return None
        function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if function is None or arguments is None or self.tree.source(function) not in ("require", "import"):
            return None
        first = arguments.named_children[0] if arguments.named_children else None
        if first is None or first.type != "string":
            return None
        return Import(self.tree.source(first)[1:-1], None)

    def _import_statement(self, statement: Node) -> None:
        source = statement.child_by_field_name("source")
        clause = next((child for child in statement.named_children if child.type == "import_clause"), None)
        if source is None or clause is None:
            return
        module = self.tree.source(source)[1:-1]
        for child in clause.named_children:
            if child.type == "identifier":
                self._imports[self.tree.source(child)] = Import(module, "default")
            elif child.type == "namespace_import":
                names = [n for n in child.named_children if n.type == "identifier"]
                if names:
                    self._imports[self.tree.source(names[-1])] = Import(module, None)
            elif child.type == "named_imports":
                for specifier in child.named_children:
                    name, alias = specifier.child_by_field_name("name"), specifier.child_by_field_name("alias")
                    if name is not None:
                        local = alias if alias is not None else name
                        self._imports[self.tree.source(local)] = Import(module, self.tree.source(name).strip("'\""))

    # Queries
    def constant(self, name: Node) -> Node | None:
        """The value of the `const` an identifier reads, when the file binds that name only there."""
        declarator = self.declarator(name)
        declaration = self.tree.parent(declarator) if declarator is not None else None
        if declaration is None or declaration.type != "lexical_declaration":
            return None
        kind = declaration.child_by_field_name("kind")
        return declarator.child_by_field_name("value") if kind is not None and kind.type == "const" else None

    def resolve(self, node: Node) -> Node:
        """The expression `node` stands for, through wrappers and `const` names bound once (a few deep: cycles end)."""
        node = unwrap(node)
        for _ in range(_MAX_NAMES):
            bound = self.constant(node) if node.type == "identifier" else None
            if bound is None:
                return node
            node = unwrap(bound)
        return node

    def declarator(self, name: Node) -> Node | None:
        """The declarator of the name an identifier reads (`const`, `let` or `var`), when the file binds it once."""
        text = self.tree.source(name)
        return self._declarators.get(text) if self._counts[text] == 1 else None

    def bound_once(self, name: Node) -> bool:
        return self._counts[self.tree.source(name)] == 1

    def reads(self, name: Node) -> list[Node]:
        """The identifiers that read the value a name is bound to (empty unless the file binds it once)."""
        text = self.tree.source(name)
        return list(self._reads.get(text, ())) if self._counts[text] == 1 else []

    def imported(self, node: Node) -> Import | None:
        """What an identifier or `name.Member` is, when it comes from an import or a require."""
        node = unwrap(node)
        if node.type == "identifier":
            text = self.tree.source(node)
            return self._imports.get(text) if self._counts[text] == 1 else None
        if node.type == "member_expression":
            inner = self.imported(node.child_by_field_name("object"))
            property_ = node.child_by_field_name("property")
            if inner is not None and inner.member in (None, "default") and property_ is not None:
                return Import(inner.module, self.tree.source(property_))
            return self.required(node)
        return self.required(node)

    def imports_module(self, module: str) -> bool:
        return any(imported.module == module for imported in self._imports.values())


# Expressions that only wrap another, for what its value is: (x), x as T, x!, x satisfies T, <T>x.
WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)


def unwrap(node: Node) -> Node:
    while node.type in WRAPPERS and node.named_children:
        node = node.named_children[0] if node.type != "type_assertion" else node.named_children[-1]
    return node


def outermost(tree: Tree, node: Node) -> tuple[Node, Node | None]:
    """The outermost wrapper around `node` (or `node` itself), and its parent: what the value is given to."""
    parent = tree.parent(node)
    while parent is not None and parent.type in WRAPPERS:
        node, parent = parent, tree.parent(parent)
    return node, parent
