"""BM003 implicit-flow: tokens taken straight from the authorization endpoint.

Four shapes of the same flow: a `response_type` that asks for tokens (`token`,
`id_token`, hybrid `code id_token`), oauthlib's `MobileApplicationClient`, the
libraries' fragment parsers (`token_from_fragment`, `parse_implicit_response`),
and hand-written code that reads `access_token` / `id_token` out of a redirect
URL's fragment. There is no automatic fix: the flow itself must change.
"""

from __future__ import annotations

from typing import Collection

import libcst as cst
from libcst.metadata import QualifiedName

from banno_migrate.analysis.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider, ScopeProvider
from banno_migrate.analysis.oauth_libraries import (
    OAuthParameter,
    is_library_api,
    method_name,
    positional_argument,
    writes_any,
)
from banno_migrate.analysis.strings import StringValue, StringValueProvider
from banno_migrate.domain_patterns import asks_for_tokens
from banno_migrate.rules.base import RuleContext, StringRule

RESPONSE_TYPE = OAuthParameter("response_type")
# Library functions taking response_type positionally: prepare_grant_uri(uri, client_id, response_type, ...).
_RESPONSE_TYPE_POSITION = {"prepare_grant_uri": 2}
_LIBRARY_APIS = ("MobileApplicationClient", "parse_implicit_response", *_RESPONSE_TYPE_POSITION)
_TOKEN_KEYS = frozenset({"access_token", "id_token"})
# `url.split("#")[1]`, `url.partition("#")[2]`: the indexes of what follows the separator in each method's result.
_AFTER_SEPARATOR = {"split": {1, -1}, "rsplit": {1, -1}, "partition": {2, -1}, "rpartition": {2, -1}}
# `url.split("#access_token=")[1]`: the token itself, cut out of the fragment.
_TOKEN_IN_FRAGMENT = frozenset(f"#{key}=" for key in _TOKEN_KEYS)
_READ_METHODS = frozenset({"get", "pop", "getlist", "getone"})
_MAX_FLOW = 6  # how many assignments and returns a fragment is followed through


class ImplicitFlow(StringRule):
    CODE = "BM003"
    METADATA_DEPENDENCIES = (
        PositionProvider,
        StringValueProvider,
        QualifiedNameProvider,
        ParentNodeProvider,
        ScopeProvider,
    )

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._flows: dict[cst.CSTNode, bool] = {}
        self._writes_library_apis = writes_any(context.source.text, _LIBRARY_APIS)

    # response_type values, wherever they are written
    def check_string(self, value: StringValue) -> None:
        for start, end in RESPONSE_TYPE.spans(value):
            self._check_response_type(value, start, end)

    def _check_response_type(self, value: StringValue, start: int, end: int) -> None:
        response_type = value.text[start:end]
        literal = value.literal_at(start)
        if literal is not None and asks_for_tokens(response_type):
            self.report(literal, found=f"response_type '{response_type}'")

    # Library APIs
    def visit_Call(self, node: cst.Call) -> None:
        names = self.get_metadata(QualifiedNameProvider, node.func, set()) if self._writes_library_apis else set()
        if is_library_api(names, "MobileApplicationClient"):
            self.report(node, found="oauthlib's MobileApplicationClient")
        elif is_library_api(names, "parse_implicit_response"):
            self.report(node, found="parse_implicit_response()")
        elif method_name(node) == "token_from_fragment":
            self.report(node, found="token_from_fragment()")
        else:
            self._check_positional_response_type(node, names)

    def _check_positional_response_type(self, node: cst.Call, names: Collection[QualifiedName]) -> None:
        for api, index in _RESPONSE_TYPE_POSITION.items():
            argument = positional_argument(node, index) if is_library_api(names, api) else None
            value = self.get_metadata(StringValueProvider, argument, None) if argument is not None else None
            if value is not None:
                self._check_response_type(value, 0, len(value.text))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self._writes_library_apis:
            return
        for base in node.bases:
            if is_library_api(self.get_metadata(QualifiedNameProvider, base.value, set()), "MobileApplicationClient"):
                self.report(base.value, found="a subclass of oauthlib's MobileApplicationClient")

    # Hand-written fragment parsing: a fragment that flows into a read of access_token / id_token.
    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "fragment" and self._flows_to_token_read(node, 0):
            self._report_fragment(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        call = node.value
        separator = _split_separator(call) if isinstance(call, cst.Call) else None
        if separator is None or _index(node) not in _AFTER_SEPARATOR[method_name(call)]:
            return
        if separator in _TOKEN_IN_FRAGMENT or (separator == "#" and self._flows_to_token_read(node, 0)):
            self._report_fragment(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        """`base, fragment = url.split("#", 1)`: the last name is the fragment."""
        target = node.targets[0].target if len(node.targets) == 1 else None
        call = node.value
        if isinstance(call, cst.Call) and _split_separator(call) == "#" and isinstance(target, cst.Tuple):
            last = target.elements[-1].value if target.elements else None
            if isinstance(last, cst.Name) and any(self._flows_to_token_read(use, 1) for use in self._uses(last)):
                self._report_fragment(call)

    def _report_fragment(self, node: cst.CSTNode) -> None:
        self.report(node, found="tokens read from the redirect URL's fragment")

    def _flows_to_token_read(self, node: cst.CSTNode, depth: int) -> bool:
        """Whether the value of `node` ends up indexed with a token key, through calls
        (`parse_qs(fragment)`, `dict(...)`), methods, comprehensions, assignments and returns."""
        if depth > _MAX_FLOW:
            return False
        if node not in self._flows:
            self._flows[node] = False  # a loop that feeds a name back into itself adds nothing
            self._flows[node] = self._follow(node, depth)
        return self._flows[node]

    def _follow(self, node: cst.CSTNode, depth: int) -> bool:
        current: cst.CSTNode = node
        while (parent := self.get_metadata(ParentNodeProvider, current, None)) is not None:
            if self._reads_token(parent, current):
                return True
            if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and parent.value is current:
                return any(self._flows_to_token_read(use, depth + 1) for use in self._assigned_uses(parent))
            if isinstance(parent, cst.Return):
                return any(self._flows_to_token_read(call, depth + 1) for call in self._calls_of_function(parent))
            carrier = self._carrier(parent, current)
            if carrier is None:
                return False
            current = carrier
        return False

    def _reads_token(self, parent: cst.CSTNode, current: cst.CSTNode) -> bool:
        """`current["access_token"]` or `current.get("access_token")`."""
        if isinstance(parent, cst.Subscript) and parent.value is current and len(parent.slice) == 1:
            index = parent.slice[0].slice
            return isinstance(index, cst.Index) and _string(index.value) in _TOKEN_KEYS
        if isinstance(parent, cst.Attribute) and parent.value is current and parent.attr.value in _READ_METHODS:
            call = self.get_metadata(ParentNodeProvider, parent, None)
            key = positional_argument(call, 0) if isinstance(call, cst.Call) and call.func is parent else None
            return key is not None and _string(key) in _TOKEN_KEYS
        return False

    def _carrier(self, parent: cst.CSTNode, current: cst.CSTNode) -> cst.CSTNode | None:
        """The expression whose value is made from `current`'s: a call given it, a method or
        item of it, a comprehension over it."""
        if isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is current:
            return parent
        if isinstance(parent, cst.Call) and parent.func is current:
            return parent
        if isinstance(parent, cst.Arg) and parent.keyword is None:  # not `data=`: a request sends it away
            return self.get_metadata(ParentNodeProvider, parent, None)
        if isinstance(parent, cst.CompFor) and parent.iter is current:
            while isinstance(parent, cst.CompFor):
                parent = self.get_metadata(ParentNodeProvider, parent)
            return parent
        return None

    def _assigned_uses(self, statement: cst.Assign | cst.AnnAssign | cst.NamedExpr) -> list[cst.CSTNode]:
        if isinstance(statement, cst.Assign):
            targets = [target.target for target in statement.targets]
        else:
            targets = [statement.target]
        return [use for target in targets if isinstance(target, cst.Name) for use in self._uses(target)]

    def _uses(self, name: cst.Name, definition: cst.CSTNode | None = None) -> list[cst.CSTNode]:
        """The reads of the value bound to `name` by an assignment (or by `definition`, a def)."""
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return []
        binder = definition or name
        return [
            access.node
            for assignment in scope.assignments[name]
            if getattr(assignment, "node", None) is binder
            for access in assignment.references
        ]

    def _calls_of_function(self, node: cst.Return) -> list[cst.CSTNode]:
        """`parse_fragment(url)` for a `return` in `def parse_fragment(url)`: its result is the returned value."""
        function: cst.CSTNode | None = node
        while function is not None and not isinstance(function, cst.FunctionDef):
            function = self.get_metadata(ParentNodeProvider, function, None)
        if function is None:
            return []
        calls = []
        for use in self._uses(function.name, function):
            call = self.get_metadata(ParentNodeProvider, use, None)
            if isinstance(call, cst.Call) and call.func is use:
                calls.append(call)
        return calls


def _split_separator(call: cst.Call) -> str | None:
    """`#` for `url.split("#")` or `url.partition("#")`: the separator of a split, when it is one."""
    return _string(positional_argument(call, 0)) if method_name(call) in _AFTER_SEPARATOR else None


def _index(node: cst.Subscript) -> int | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    sign = 1
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        sign, value = -1, value.expression
    return sign * value.evaluated_value if isinstance(value, cst.Integer) else None


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
