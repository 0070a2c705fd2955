"""What string expressions evaluate to, and where each character of the value is written.

Legacy endpoints are rarely one literal: `API + "/oidc/token"`, `f"{API}/oidc/me"`,
`urljoin(BASE, "oidc/certs")`, `"https://%s/a/consumer/api/oidc" % host`. The
`StringValueProvider` evaluates every outermost string expression of a module
into a `StringValue`: its text, made of pieces that remember the literal they
came from (so a fix can edit exactly that literal), with holes (`HOLE`) where a
part is not known statically. Names bound once to a string expression (module
constants, single local assignments) are followed through LibCST's scope
analysis. Each value also carries its `Role`: the keyword, dict key or
variable it is given to, and whether it is prose (a docstring, a log message)
rather than a value the program uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Mapping, Sequence

import libcst as cst
from libcst.metadata import BatchableMetadataProvider, CodeRange, ImportAssignment

from banno_migrate.analysis.bindings import bound_value, only_assignment
from banno_migrate.analysis.imports import ProjectModules
from banno_migrate.analysis.literals import decode
from banno_migrate.analysis.metadata import ParentNodeProvider, PositionProvider, ScopeProvider
from banno_migrate.domain_patterns import HOLE
from banno_migrate.findings import Edit
from banno_migrate.source import SourceText

# HOLE (banno_migrate.domain_patterns) stands for a part of the value that is not known statically.
_MAX_DEPTH = 8  # how many names deep a value is followed


class LiteralStart:
    """Where a literal's body starts: its line and column are looked up when a finding's edit asks.

    Positions cost a pass over the whole module, which a file without findings never pays.
    """

    __slots__ = ("_node", "_positions", "_shift")

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange], node: cst.CSTNode, shift: int) -> None:
        self._positions, self._node, self._shift = positions, node, shift

    @property
    def line(self) -> int:
        return self._positions[self._node].start.line

    @property
    def column(self) -> int:
        return self._positions[self._node].start.column + self._shift


@dataclass(frozen=True)
class Piece:
    """A run of the value that comes from one literal (or a hole, `literal is None`)."""

    text: str
    literal: cst.BaseExpression | None  # the SimpleString or FormattedString it is written in
    body: LiteralStart | None  # where the literal's body (after prefix and quote) starts
    offsets: tuple[int, ...] = ()  # per character, its source offset from `body`; plus the end
    hint: str = ""  # for a hole: the dotted name of the expression it stands for, if any

    def slice(self, start: int, end: int) -> Piece:
        if self.literal is None:
            return self
        return Piece(self.text[start:end], self.literal, self.body, self.offsets[start : end + 1])


_HOLE_PIECE = Piece(HOLE, None, None)


def _hole(node: cst.CSTNode) -> Piece:
    name = dotted_name(node) if isinstance(node, cst.BaseExpression) else ""
    return Piece(HOLE, None, None, hint=name) if name else _HOLE_PIECE


class RoleKind(str, Enum):
    KEYWORD = "keyword"  # f(scope=...)
    DICT_VALUE = "dict_value"  # {"scope": ...}
    ASSIGNMENT = "assignment"  # SCOPE = ...
    RETURN = "return"  # def scopes(): return ...
    ARGUMENT = "argument"  # f(...)
    COMPARISON = "comparison"  # x == ...
    OTHER = "other"


@dataclass(frozen=True)
class Role:
    kind: RoleKind = RoleKind.OTHER
    names: tuple[str, ...] = ()  # keyword, dict key, assigned names, or function returned from
    prose: bool = False  # text for people (docstring, log or exception message), not a value
    call: str | None = None  # dotted name of the call the value is passed to

    def names_contain(self, word: str) -> bool:
        return any(word in name.lower() for name in self.names)


@dataclass(frozen=True)
class StringValue:
    root: cst.BaseExpression
    pieces: tuple[Piece, ...]
    role: Role
    element: cst.Element | None = None  # the root is an element of a list/tuple/set display...
    container: cst.List | cst.Tuple | cst.Set | None = None  # ...this one

    @cached_property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    def piece_at(self, index: int) -> tuple[Piece, int]:
        """The piece holding character `index` of the text, and the index within it."""
        for piece in self.pieces:
            if index < len(piece.text):
                return piece, index
            index -= len(piece.text)
        raise IndexError(index)

    def literal_at(self, index: int) -> cst.BaseExpression | None:
        return self.piece_at(index)[0].literal

    def edit(self, source: SourceText, start: int, end: int, replacement: str) -> Edit | None:
        """An edit replacing text[start:end], or None when that text spans literals.

        An insertion (start == end) goes into the literal of the character that
        follows it.
        """
        piece, local_start = self.piece_at(start)
        local_end = local_start + (end - start)
        if piece.literal is None or piece.body is None or local_end > len(piece.text):
            return None
        base = source.offset(piece.body.line, piece.body.column)
        return Edit(base + piece.offsets[local_start], base + piece.offsets[local_end], replacement)


class StringValueProvider(BatchableMetadataProvider[StringValue]):
    """Sets a `StringValue` on every outermost string expression of a module.

    Its cache (`MetadataWrapper(..., cache={StringValueProvider: ProjectModules(path)})`)
    tells where the file is, so that constants imported from the project's own
    modules are known too.
    """

    METADATA_DEPENDENCIES = (ParentNodeProvider, PositionProvider, ScopeProvider)

    @staticmethod
    def gen_cache(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {}  # never used: a non-None gen_cache makes MetadataWrapper pass our cache in

    def __init__(self, cache: object = None) -> None:
        super().__init__(cache)
        self._modules = cache if isinstance(cache, ProjectModules) else ProjectModules(None)
        self._names: dict[cst.Name, tuple[Piece, ...] | None] = {}

    # Roots: the outermost node of each string expression.
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._consider(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._consider(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._consider(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Add, cst.Modulo)):
            self._consider(node)

    def visit_Call(self, node: cst.Call) -> None:
        if _string_call(node):
            self._consider(node)

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.get_metadata(ParentNodeProvider, node, None)

    def _is_percent_argument(self, parent: cst.CSTNode | None) -> bool:
        """An element of the tuple in `"%s/%s" % (a, b)`: part of the formatted value."""
        if not isinstance(parent, cst.Element):
            return False
        display = self._parent(parent)
        operation = self._parent(display) if isinstance(display, cst.Tuple) else None
        return isinstance(operation, cst.BinaryOperation) and isinstance(operation.operator, cst.Modulo) and operation.right is display

    def _consider(self, node: cst.BaseExpression) -> None:
        parent = self._parent(node)
        if parent is not None and _builds_string(parent, node, self._parent(parent)):
            return
        if self._is_percent_argument(parent):
            return
        pieces = self._evaluate(node, 0)
        if not pieces or all(piece.literal is None for piece in pieces):
            return
        role, element, container = self._role(node)
        self.set_metadata(node, StringValue(node, pieces, role, element, container))

    # Evaluation
    def _evaluate(self, node: cst.CSTNode, depth: int) -> tuple[Piece, ...] | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.SimpleString):
            return self._simple_string(node)
        if isinstance(node, cst.FormattedString):
            return self._formatted_string(node, depth)
        if isinstance(node, cst.ConcatenatedString):
            left, right = self._evaluate(node.left, depth + 1), self._evaluate(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.BinaryOperation):
            return self._binary_operation(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        if isinstance(node, cst.Name):
            return self._name(node, depth)
        if isinstance(node, cst.Attribute):
            return self._imported_attribute(node)
        return None

    def _evaluate_or_hole(self, node: cst.CSTNode, depth: int) -> tuple[Piece, ...]:
        return self._evaluate(node, depth) or (_hole(node),)

    def _simple_string(self, node: cst.SimpleString) -> tuple[Piece, ...] | None:
        prefix = node.prefix.lower()
        if "b" in prefix:
            return None
        body = LiteralStart(self.metadata[PositionProvider], node, len(node.prefix) + len(node.quote))
        text, offsets = decode(node.raw_value, is_raw="r" in prefix, is_fstring_text=False)
        return (Piece(text, node, body, tuple(offsets)),)

    def _formatted_string(self, node: cst.FormattedString, depth: int) -> tuple[Piece, ...] | None:
        prefix = node.prefix.lower()
        if "b" in prefix:
            return None
        pieces: list[Piece] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                body = LiteralStart(self.metadata[PositionProvider], part, 0)
                text, offsets = decode(part.value, is_raw="r" in prefix, is_fstring_text=True)
                pieces.append(Piece(text, node, body, tuple(offsets)))
            elif isinstance(part, cst.FormattedStringExpression) and part.format_spec is None:
                pieces.extend(self._evaluate_or_hole(part.expression, depth + 1))
            else:
                pieces.append(_HOLE_PIECE)
        return tuple(pieces)

    def _binary_operation(self, node: cst.BinaryOperation, depth: int) -> tuple[Piece, ...] | None:
        left = self._evaluate(node.left, depth + 1)
        if isinstance(node.operator, cst.Modulo):
            if left is None:
                return None
            right = node.right
            args = [el.value for el in right.elements] if isinstance(right, cst.Tuple) else [right]
            return _substitute(left, _PERCENT_FIELD, lambda i, _name: self._arg(args, i, depth))
        if not isinstance(node.operator, cst.Add):
            return None
        right = self._evaluate(node.right, depth + 1)
        if left is None and right is None:
            return None
        return (left or (_hole(node.left),)) + (right or (_hole(node.right),))

    def _arg(self, args: Sequence[cst.CSTNode], index: int | None, depth: int) -> tuple[Piece, ...]:
        if index is None or index >= len(args):
            return (_HOLE_PIECE,)
        return self._evaluate_or_hole(args[index], depth + 1)

    def _call(self, node: cst.Call, depth: int) -> tuple[Piece, ...] | None:
        kind = _string_call(node)
        if kind == "urljoin" and len(node.args) >= 2:
            base = self._evaluate(node.args[0].value, depth + 1)
            url = self._evaluate(node.args[1].value, depth + 1)
            return None if url is None else _urljoin(base, url, _hole(node.args[0].value))
        if kind == "format" and isinstance(node.func, cst.Attribute):
            template = self._evaluate(node.func.value, depth + 1)
            if template is None:
                return None
            positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
            keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}

            def field(index: int | None, name: str | None) -> tuple[Piece, ...]:
                if name is not None:
                    value = keywords.get(name)
                    return (_HOLE_PIECE,) if value is None else self._evaluate_or_hole(value, depth + 1)
                return self._arg(positional, index, depth)

            return _substitute(template, _FORMAT_FIELD, field)
        return None

    def _name(self, node: cst.Name, depth: int) -> tuple[Piece, ...] | None:
        if node in self._names:
            return self._names[node]
        self._names[node] = None  # a cycle evaluates to "unknown"
        imported = self._import_of(node)
        if imported is not None:
            module, level, name = imported
            result = self._foreign(self._modules.constant(module, level, name), node) if name else None
        else:
            value = bound_value(self.get_metadata, node)
            result = None if value is None else self._evaluate(value, depth + 1)
        self._names[node] = result
        return result

    def _import_of(self, node: cst.Name) -> tuple[str, int, str | None] | None:
        """(module, relative level, imported name or None for a module) when `node` is bound by an import."""
        assignment = only_assignment(self.get_metadata, node)
        if not isinstance(assignment, ImportAssignment):
            return None
        statement = assignment.node
        if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
            module = dotted_name(statement.module) if statement.module is not None else ""
            level = len(statement.relative)
            for alias in statement.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name) and bound.value == node.value and isinstance(alias.name, cst.Name):
                    submodule = f"{module}.{alias.name.value}".lstrip(".")
                    if self._modules.is_module(submodule, level):
                        return submodule, level, None
                    return module, level, alias.name.value
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name) and alias.asname.name.value == node.value:
                    return dotted_name(alias.name), 0, None
        return None

    def _imported_attribute(self, node: cst.Attribute) -> tuple[Piece, ...] | None:
        """`settings.BANNO_BASE`, where `settings` is one of the project's modules."""
        if not isinstance(node.value, cst.Name):
            return None
        imported = self._import_of(node.value)
        if imported is None or imported[2] is not None:
            return None
        module, level, _ = imported
        return self._foreign(self._modules.constant(module, level, node.attr.value), node)

    @staticmethod
    def _foreign(text: str | None, node: cst.CSTNode) -> tuple[Piece, ...] | None:
        """Known text written in another file: it can be matched, not edited from here."""
        if text is None:
            return None
        return (Piece(text, None, None, hint=dotted_name(node) if isinstance(node, cst.BaseExpression) else ""),)

    # Roles
    def _role(self, root: cst.BaseExpression) -> tuple[Role, cst.Element | None, cst.BaseExpression | None]:
        node: cst.CSTNode = root
        element = container = None
        parent = self._parent(node)
        if isinstance(parent, cst.Element):
            element, container = parent, self._parent(parent)
            node, parent = container, self._parent(container)
        while parent is not None:
            if isinstance(parent, cst.Element) or (isinstance(parent, (cst.IfExp, cst.BooleanOperation))):
                node, parent = self._climb(parent)
                continue
            if isinstance(parent, cst.Arg):
                call = self._parent(parent)
                if not isinstance(call, cst.Call):
                    break
                callee = dotted_name(call.func)
                if parent.keyword is not None:
                    return Role(RoleKind.KEYWORD, (parent.keyword.value,), call=callee), element, container
                if callee.rsplit(".", 1)[-1] in _TRANSPARENT_CALLS:
                    node, parent = call, self._parent(call)
                    continue
                prose = is_prose_call(callee) or isinstance(self._parent(call), cst.Raise)
                return Role(RoleKind.ARGUMENT, prose=prose, call=callee), element, container
            if isinstance(parent, cst.Attribute) and parent.value is node:
                call = self._parent(parent)
                if isinstance(call, cst.Call) and parent.attr.value in _TRANSPARENT_METHODS:
                    node, parent = call, self._parent(call)
                    continue
                break
            if isinstance(parent, cst.DictElement) and parent.value is node:
                key = self._evaluate(parent.key, 0)
                names = ("".join(piece.text for piece in key),) if key else ()
                return Role(RoleKind.DICT_VALUE, names), element, container
            if isinstance(parent, cst.Assign):
                names = tuple(name for target in parent.targets for name in self._target_names(target.target))
                return Role(RoleKind.ASSIGNMENT, names), element, container
            if isinstance(parent, (cst.AnnAssign, cst.AugAssign)):
                return Role(RoleKind.ASSIGNMENT, self._target_names(parent.target)), element, container
            if isinstance(parent, cst.Param) and parent.default is node:  # def f(scope="openid banno")
                return Role(RoleKind.ASSIGNMENT, (parent.name.value,)), element, container
            if isinstance(parent, cst.Return):
                return Role(RoleKind.RETURN, self._enclosing_function(parent)), element, container
            if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
                return Role(RoleKind.COMPARISON), element, container
            if isinstance(parent, cst.Expr):
                return Role(prose=True), element, container  # a docstring or a bare string statement
            break
        return Role(), element, container

    def _climb(self, node: cst.CSTNode) -> tuple[cst.CSTNode, cst.CSTNode | None]:
        """Move from a transparent wrapper to whatever holds it."""
        if isinstance(node, cst.Element):
            node = self._parent(node)  # the list/tuple/set display
        return node, self._parent(node)

    def _target_names(self, target: cst.BaseExpression) -> tuple[str, ...]:
        if isinstance(target, cst.Name):
            return (target.value,)
        if isinstance(target, cst.Attribute):
            return (target.attr.value,)
        if isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and (key := self._evaluate(index.value, 0)):
                return ("".join(piece.text for piece in key),)
        return ()

    def _enclosing_function(self, node: cst.CSTNode) -> tuple[str, ...]:
        current = self._parent(node)
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = self._parent(current)
        return (current.name.value,) if isinstance(current, cst.FunctionDef) else ()


# Calls that pass a string through unchanged in meaning: " ".join([...]), list((...)).
_TRANSPARENT_CALLS = frozenset({"join", "list", "tuple", "set", "frozenset", "sorted", "str"})
_TRANSPARENT_METHODS = frozenset({"split", "strip", "lower", "upper", "format", "rstrip", "lstrip"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_PROSE_CALLS = frozenset({"print", "warnings.warn", "click.echo", "echo", "_", "gettext", "ngettext", "flash"})


def is_prose_call(callee: str) -> bool:
    if callee in _PROSE_CALLS:
        return True
    receiver, _, method = callee.rpartition(".")
    if method in _LOG_METHODS and ("log" in receiver.lower() or receiver in {"warnings", "messages"}):
        return True
    return method.endswith(("Error", "Exception", "Warning")) or receiver.endswith(("Error", "Exception"))


def dotted_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Call):
        return f"{dotted_name(node.func)}()"
    return ""


def _string_call(node: cst.Call) -> str | None:
    """'urljoin' or 'format' when the call builds a string we can evaluate."""
    func = node.func
    if isinstance(func, cst.Attribute):
        if func.attr.value == "format" and isinstance(
            func.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Name)
        ):
            return "format"
        return "urljoin" if func.attr.value == "urljoin" else None
    if isinstance(func, cst.Name) and func.value == "urljoin":
        return "urljoin"
    return None


def _builds_string(parent: cst.CSTNode, node: cst.CSTNode, grandparent: cst.CSTNode | None) -> bool:
    """Whether `parent` is itself a string expression made partly of `node`."""
    if isinstance(parent, (cst.ConcatenatedString, cst.FormattedStringExpression)):
        return True
    if isinstance(parent, cst.BinaryOperation):
        return isinstance(parent.operator, (cst.Add, cst.Modulo))
    if isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call):
        return _string_call(grandparent) is not None
    if isinstance(parent, cst.Attribute) and isinstance(grandparent, cst.Call):
        return _string_call(grandparent) == "format"
    return False


_PERCENT_FIELD = re.compile(r"%%|%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")


def _substitute(pieces: tuple[Piece, ...], pattern: re.Pattern[str], value_of) -> tuple[Piece, ...]:
    """Replace the %-style or {}-style fields of literal pieces by the values of their arguments."""
    result: list[Piece] = []
    position = 0  # the next automatic positional argument
    for piece in pieces:
        if piece.literal is None:
            result.append(piece)
            continue
        last = 0
        for match in pattern.finditer(piece.text):
            result.append(piece.slice(last, match.start()))
            last = match.end()
            token = match.group()
            if token in ("%%", "{{", "}}"):
                escaped = piece.slice(match.start(), match.end())
                result.append(Piece(token[0], piece.literal, piece.body, (escaped.offsets[0], escaped.offsets[-1])))
                continue
            name = match.groupdict().get("name")
            field = match.groupdict().get("field")
            if field is not None:
                field_name = re.split(r"[.\[!:]", field, maxsplit=1)[0]
                if field_name != field:
                    result.append(_HOLE_PIECE)  # attribute access, index, conversion or spec
                elif field == "":
                    result.extend(value_of(position, None))
                    position += 1
                elif field.isdigit():
                    result.extend(value_of(int(field), None))
                else:
                    result.extend(value_of(None, field))
            elif name is not None:
                result.append(_HOLE_PIECE)
            else:
                result.extend(value_of(position, None))
                position += 1
        result.append(piece.slice(last, len(piece.text)))
    return tuple(p for p in result if p.text)


def _urljoin(base: tuple[Piece, ...] | None, url: tuple[Piece, ...], unknown_base: Piece) -> tuple[Piece, ...]:
    text = "".join(piece.text for piece in url)
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return url
    if base is None:
        return (unknown_base, *url)
    if text.startswith("/"):
        return (_HOLE_PIECE, *url)
    # A relative reference replaces what follows the base's last '/'.
    base_text = "".join(piece.text for piece in base)
    cut = base_text.rfind("/")
    if cut < 0 or HOLE in base_text[cut:]:
        return (_HOLE_PIECE, *url)
    kept: list[Piece] = []
    remaining = cut + 1
    for piece in base:
        if remaining <= 0:
            break
        kept.append(piece.slice(0, min(len(piece.text), remaining)))
        remaining -= len(piece.text)
    return (*kept, *url)
