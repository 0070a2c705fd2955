"""What JavaScript string expressions evaluate to, where each character is written, and what they are given to.

Legacy endpoints are rarely one literal: `BASE + "/oidc/token"`,
`` `${base}/oidc/me` ``, a `const` defined at the top of the file. `Values`
evaluates every outermost string expression of a file (string literals,
template literals, `+` concatenations, through `const` names bound once) into
a `JsValue`: its text, with `HOLE` where a part is not known statically, the
source offset of each character, and the literals it is written in (so that
string_checks can edit exactly one literal). Each value also has a `Role`: the
property, variable or call it is given to, and whether it is prose (a log
message, an error) or a key (an object key, `x["key"]`, a module name), which
string rules never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Callable

from tree_sitter import Node

from banno_migrate.languages.javascript.bindings import WRAPPERS, Bindings, outermost, unwrap
from banno_migrate.languages.javascript.literals import decode
from banno_migrate.languages.javascript.syntax import Tree
from banno_migrate.languages.string_checks import HOLE, Literal, Value

_MAX_DEPTH = 8  # how many names deep a value is followed
NAMES = ("identifier", "shorthand_property_identifier")  # a read of a name (`{ scope }` reads `scope`)
_STRING_ROOTS = ("string", "template_string", "binary_expression")


@dataclass(frozen=True)
class Piece:
    """A run of the value written in one literal (or a hole: `literal is None`)."""

    text: str
    literal: Node | None
    offsets: tuple[int, ...] = ()  # per character, its source offset; plus the end
    hint: str = ""  # for a hole: the dotted name of what it stands for, if any
    at: int = 0  # for a hole: where its expression starts


class RoleKind(str, Enum):
    PROPERTY = "property"  # { scope: ... }, <a href=...>, params.set("scope", ...), class field
    ASSIGNMENT = "assignment"  # const SCOPE = ..., x.scope = ..., function f(scope = ...)
    RETURN = "return"
    ARGUMENT = "argument"
    COMPARISON = "comparison"
    KEY = "key"  # an object key, x["key"], a module name: names something, is not a value
    OTHER = "other"


@dataclass(frozen=True)
class Role:
    kind: RoleKind = RoleKind.OTHER
    names: tuple[str, ...] = ()
    prose: bool = False

    @property
    def name(self) -> str | None:
        return self.names[0] if self.names else None


@dataclass(frozen=True, eq=False)
class JsValue:
    root: Node
    pieces: tuple[Piece, ...]
    role: Role
    element: Node | None = None  # the root is an element of this array...
    container: Node | None = None  # ...an `array` node

    @cached_property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    def literal_at(self, index: int) -> Node | None:
        """The literal that character `index` of the text is written in (None: a hole)."""
        for piece in self.pieces:
            if index < len(piece.text):
                return piece.literal
            index -= len(piece.text)
        raise IndexError(index)

    @cached_property
    def offsets(self) -> tuple[int, ...]:
        offsets: list[int] = []
        for piece in self.pieces:
            offsets.extend(piece.offsets[:-1] if piece.literal is not None else (piece.at,))
        last = self.pieces[-1]
        offsets.append(last.offsets[-1] if last.literal is not None else last.at)
        return tuple(offsets)

    def value(self, tree: Tree, removal: Callable[[], object] | None = None, elements: tuple[str, ...] | None = None) -> Value:
        """This value as string_checks reads it."""
        literals, hints, position = [], {}, 0
        for piece in self.pieces:
            end = position + len(piece.text)
            if piece.literal is not None:
                literals.append(Literal(position, end, tree.start(piece.literal), tree.end(piece.literal)))
            elif piece.hint:
                hints[position] = piece.hint
            position = end
        return Value(
            self.text,
            self.offsets,
            self.role.name,
            _merge(literals),
            hints,
            elements,
            removal,  # type: ignore[arg-type]
        )


def _merge(literals: list[Literal]) -> tuple[Literal, ...]:
    """One Literal per literal node, even when a template's text is cut by substitutions."""
    merged: list[Literal] = []
    for literal in literals:
        if merged and merged[-1].source_start == literal.source_start:
            merged[-1] = Literal(merged[-1].start, literal.end, literal.source_start, literal.source_end)
        else:
            merged.append(literal)
    return tuple(merged)


def dotted_name(tree: Tree, node: Node) -> str:
    node = unwrap(node)
    if node.type in ("identifier", "this", "property_identifier", "private_property_identifier"):
        return tree.source(node)
    if node.type == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and prop is not None:
            inner = dotted_name(tree, obj)
            return f"{inner}.{tree.source(prop)}" if inner else ""
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        inner = dotted_name(tree, function) if function is not None else ""
        return f"{inner}()" if inner else ""
    return ""


def method_name(tree: Tree, call: Node) -> str | None:
    """`set` for `params.set(...)`."""
    function = call.child_by_field_name("function") if call.type == "call_expression" else None
    if function is None or unwrap(function).type != "member_expression":
        return None
    prop = unwrap(function).child_by_field_name("property")
    return tree.source(prop) if prop is not None else None


def receiver_of(call: Node) -> Node | None:
    """`params` for `params.set(...)`."""
    function = unwrap(call.child_by_field_name("function"))
    return function.child_by_field_name("object") if function.type == "member_expression" else None


def arguments_of(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":
        return []
    return [child for child in arguments.named_children if child.type != "comment"]


def first_argument(call: Node) -> Node | None:
    return next(iter(arguments_of(call)), None)


# Calls whose string arguments are text for people.
_LOG_METHODS = frozenset({"log", "debug", "info", "warn", "warning", "error", "trace", "fatal", "critical"})
_PROSE_CALLS = frozenset({"alert", "confirm", "debug", "t", "i18n.t", "gettext", "__", "print"})
# Methods that pass a string (or array of strings) through unchanged in meaning.
_TRANSPARENT_METHODS = frozenset({"join", "split", "trim", "toLowerCase", "toUpperCase", "concat", "toString"})
# `params.set("scope", value)`: the first argument names the value that follows.
ADDERS = frozenset({"set", "append"})
_KEY_METHODS = frozenset({"get", "getAll", "has", "delete"})
_COMPARISONS = frozenset({"==", "===", "!=", "!=="})
# Values that pick one of several (`a || "x"`, `c ? "x" : "y"`): the value is still the holder's.
_CHOICES = frozenset({"ternary_expression", "jsx_expression", "spread_element"})


def is_prose_call(callee: str) -> bool:
    if callee in _PROSE_CALLS:
        return True
    receiver, _, method = callee.rpartition(".")
    if method in _LOG_METHODS and (receiver in ("console", "winston") or "log" in receiver.lower()):
        return True
    # An error's constructor or factory (`makeError(...)`, `AuthError.from(...)`), as analysis.strings.is_prose_call.
    return method.endswith(("Error", "Exception")) or receiver.endswith(("Error", "Exception"))


class Values:
    """Every outermost string expression of a file, evaluated, with its role."""

    def __init__(self, tree: Tree, bindings: Bindings) -> None:
        self.tree = tree
        self.bindings = bindings
        self._names: dict[Node, tuple[Piece, ...] | None] = {}
        self._values: dict[Node, JsValue] = {}
        for node in tree.nodes(*_STRING_ROOTS):
            self._consider(node)

    @property
    def all(self) -> list[JsValue]:
        return list(self._values.values())

    def of(self, node: Node | None) -> JsValue | None:
        """The value of an expression: a string expression of the file, or a `const` name bound to one."""
        if node is None:
            return None
        node = unwrap(node)
        if node in self._values:
            return self._values[node]
        if node.type in NAMES and (bound := self.bindings.constant(node)) is not None:
            return self._values.get(unwrap(bound))
        return None

    def text(self, node: Node | None) -> str | None:
        """The text of an expression when it is known entirely."""
        value = self.of(node)
        return value.text if value is not None and HOLE not in value.text else None

    def key_text(self, node: Node | None) -> str | None:
        """The name a property key (or a declared name) spells: `scope`, `"scope"`, `["scope"]`."""
        if node is None:
            return None
        if node.type in ("property_identifier", "identifier", "shorthand_property_identifier", "private_property_identifier"):
            return self.tree.source(node)
        if node.type == "computed_property_name" and node.named_children:
            return self.text(node.named_children[0])
        if node.type == "number":
            return self.tree.source(node)
        return self.text(node)

    # Roots
    def _consider(self, node: Node) -> None:
        if node.type == "binary_expression" and operator_of(node) != "+":
            return
        if self._is_part(node):
            return
        pieces = self._evaluate(node, 0)
        if not pieces or all(piece.literal is None for piece in pieces):
            return
        self._values[node] = JsValue(node, pieces, *self._role(node))

    def _is_part(self, node: Node) -> bool:
        """Whether `node` is a part of a bigger string expression (then that one is the root)."""
        node, parent = outermost(self.tree, node)
        if parent is None:
            return False
        if parent.type == "template_substitution":
            return True
        return parent.type == "binary_expression" and operator_of(parent) == "+"

    # Evaluation
    def _evaluate(self, node: Node, depth: int) -> tuple[Piece, ...] | None:
        if depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        if node.type == "string":
            return (self._string(node),)
        if node.type == "template_string":
            return self._template(node, depth)
        if node.type == "binary_expression" and operator_of(node) == "+":
            left = self._evaluate(node.child_by_field_name("left"), depth + 1)
            right = self._evaluate(node.child_by_field_name("right"), depth + 1)
            if left is None and right is None:
                return None
            return (left or (self._hole(node.child_by_field_name("left")),)) + (
                right or (self._hole(node.child_by_field_name("right")),)
            )
        if node.type == "identifier":
            return self._name(node, depth)
        return None

    def _hole(self, node: Node) -> Piece:
        return Piece(HOLE, None, hint=dotted_name(self.tree, node), at=self.tree.start(node))

    def _string(self, node: Node) -> Piece:
        start, end = self.tree.start(node), self.tree.end(node)
        parent = self.tree.parent(node)
        jsx = parent is not None and parent.type == "jsx_attribute"
        text, offsets = decode(self.tree.text[start + 1 : end - 1], jsx=jsx)
        return Piece(text, node, tuple(start + 1 + offset for offset in offsets))

    def _template(self, node: Node, depth: int) -> tuple[Piece, ...]:
        raw = self._is_raw(node)
        pieces: list[Piece] = []
        text_start = self.tree.start(node) + 1  # after the backtick
        for child in node.children:
            if child.type == "template_substitution":
                pieces.extend(self._text_piece(node, text_start, self.tree.start(child), raw))
                expressions = [c for c in child.named_children if c.type != "comment"]
                evaluated = self._evaluate(expressions[0], depth + 1) if len(expressions) == 1 else None
                pieces.extend(evaluated or (self._hole(expressions[0] if expressions else child),))
                text_start = self.tree.end(child)
        pieces.extend(self._text_piece(node, text_start, self.tree.end(node) - 1, raw))
        return tuple(pieces) or (Piece("", node, (text_start,)),)

    def _text_piece(self, node: Node, start: int, end: int, raw: bool) -> tuple[Piece, ...]:
        if start >= end:
            return ()
        text, offsets = decode(self.tree.text[start:end], template=True, raw_template=raw)
        return (Piece(text, node, tuple(start + offset for offset in offsets)),)

    def _is_raw(self, node: Node) -> bool:
        parent = self.tree.parent(node)
        return (
            parent is not None
            and parent.type == "call_expression"
            and parent.child_by_field_name("arguments") == node
            and dotted_name(self.tree, parent.child_by_field_name("function")) == "String.raw"
        )

    def _name(self, node: Node, depth: int) -> tuple[Piece, ...] | None:
        if node in self._names:
            return self._names[node]
        self._names[node] = None  # a cycle evaluates to "unknown"
        bound = self.bindings.constant(node)
        result = None if bound is None else self._evaluate(bound, depth + 1)
        self._names[node] = result
        return result

    # Roles
    def _role(self, root: Node) -> tuple[Role, Node | None, Node | None]:
        tree = self.tree
        node, parent = root, tree.parent(root)
        element = container = None
        if parent is not None and parent.type == "array":
            element, container = root, parent
            node, parent = parent, tree.parent(parent)
        while parent is not None:
            if parent.type in WRAPPERS or parent.type in _CHOICES or (
                parent.type == "binary_expression" and operator_of(parent) in ("||", "??", "&&")
            ):
                node, parent = parent, tree.parent(parent)
                continue
            if parent.type == "member_expression" and parent.child_by_field_name("object") == node:
                call = tree.parent(parent)
                name = tree.source(parent.child_by_field_name("property"))
                if call is not None and call.type == "call_expression" and name in _TRANSPARENT_METHODS:
                    node, parent = call, tree.parent(call)
                    continue
                return Role(), element, container
            kind = parent.type
            if kind == "pair":
                if parent.child_by_field_name("value") == node:
                    return Role(RoleKind.PROPERTY, self._names_of(parent.child_by_field_name("key"))), element, container
                return Role(RoleKind.KEY), element, container
            if kind == "jsx_attribute":
                names = tuple(tree.source(c) for c in parent.named_children[:1])
                return Role(RoleKind.PROPERTY, names), element, container
            if kind in ("public_field_definition", "field_definition"):
                return Role(RoleKind.PROPERTY, self._names_of(parent.child_by_field_name("name"))), element, container
            if kind == "variable_declarator":
                return Role(RoleKind.ASSIGNMENT, self._names_of(parent.child_by_field_name("name"))), element, container
            if kind in ("assignment_expression", "augmented_assignment_expression"):
                if parent.child_by_field_name("right") == node:
                    return Role(RoleKind.ASSIGNMENT, self._target_names(parent.child_by_field_name("left"))), element, container
                return Role(), element, container
            if kind in ("assignment_pattern", "object_assignment_pattern"):
                return Role(RoleKind.ASSIGNMENT, self._names_of(parent.child_by_field_name("left"))), element, container
            if kind in ("required_parameter", "optional_parameter"):
                return Role(RoleKind.ASSIGNMENT, self._names_of(parent.child_by_field_name("pattern"))), element, container
            if kind == "return_statement" or (kind == "arrow_function" and parent.child_by_field_name("body") == node):
                return Role(RoleKind.RETURN, self._function_name(parent)), element, container
            if kind == "arguments":
                return self._argument_role(parent, node), element, container
            if kind == "binary_expression" and operator_of(parent) in _COMPARISONS:
                return Role(RoleKind.COMPARISON), element, container
            if kind in ("subscript_expression", "computed_property_name", "literal_type", "import_statement",
                        "export_statement", "import_require_clause", "external_module_reference", "case"):  # fmt: skip
                return Role(RoleKind.KEY), element, container
            if kind in ("expression_statement", "throw_statement"):
                return Role(prose=True), element, container
            if kind in ("template_substitution", "jsx_element", "jsx_fragment"):
                return Role(), element, container
            break
        return Role(), element, container

    def _argument_role(self, arguments: Node, node: Node) -> Role:
        tree = self.tree
        call = tree.parent(arguments)
        if call is None:
            return Role()
        function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        callee = dotted_name(tree, function) if function is not None else ""
        if callee in ("require", "import"):
            return Role(RoleKind.KEY)
        if call.type == "new_expression" and (callee.endswith(("Error", "Exception"))):
            return Role(prose=True)
        args = arguments_of(call)
        method = method_name(tree, call) if call.type == "call_expression" else None
        if method in ADDERS and len(args) >= 2:
            if args[0] == node:
                return Role(RoleKind.KEY)
            if args[1] == node:
                return Role(RoleKind.PROPERTY, tuple(filter(None, (self.text(args[0]),))))
        if method in _KEY_METHODS and args and args[0] == node:
            return Role(RoleKind.KEY)
        return Role(RoleKind.ARGUMENT, prose=is_prose_call(callee))

    def _names_of(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        text = self.key_text(node)
        return (text,) if text else ()

    def _target_names(self, target: Node | None) -> tuple[str, ...]:
        if target is None:
            return ()
        target = unwrap(target)
        if target.type == "identifier":
            return (self.tree.source(target),)
        if target.type == "member_expression":
            return self._names_of(target.child_by_field_name("property"))
        if target.type == "subscript_expression":  # params["scope"] = ...; an index that is a variable names nothing
            index = self.text(target.child_by_field_name("index"))
            return (index,) if index else ()
        return ()

    def _function_name(self, node: Node) -> tuple[str, ...]:
        """The name of the function a return belongs to: declared, or assigned to a name."""
        for ancestor in [node, *self.tree.ancestors(node)]:
            if ancestor.type in ("function_declaration", "method_definition", "generator_function_declaration"):
                return self._names_of(ancestor.child_by_field_name("name"))
            if ancestor.type in ("function_expression", "arrow_function", "function"):
                holder = self.tree.parent(ancestor)
                if holder is not None and holder.type == "variable_declarator":
                    return self._names_of(holder.child_by_field_name("name"))
                if holder is not None and holder.type == "pair":
                    return self._names_of(holder.child_by_field_name("key"))
                return ()
        return ()


def operator_of(node: Node) -> str:
    """`+` for `a + b`, `delete` for `delete x.y` ("" when none)."""
    operator = node.child_by_field_name("operator")
    return operator.type if operator is not None else ""
