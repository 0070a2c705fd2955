"""Which expressions hold the claims of an ID token or of a UserInfo response.

`claims["institution_id"]` is a custom claim read from a token;
`row["institution_id"]` is a database column. The difference is where the
dict comes from, so the `ClaimSourceProvider` follows values through a module
and marks every expression that holds claims with its `Evidence`:

- `Evidence.SOURCE`: the value comes from a claims source: PyJWT's or
  python-jose's `jwt.decode`, authlib's `parse_id_token()`, `userinfo()` or
  `token["userinfo"]`, or the `.json()` of a request to the UserInfo endpoint
  (a URL ending in `/oidc/me` or `/userinfo`, also through constants of the
  project's other modules);
- `Evidence.NAME`: only a name says so (`claims`, `userinfo`, `id_token_claims`).

Values flow through assignments, through the returns of the module's own
functions (a call holds what the function returns) and into their parameters
(a parameter holds what a call of the module passes). The analysis is
flow-insensitive on purpose: a variable holds claims when any assignment gives
it claims, which fits code that decodes a token once and reads it many times.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Iterator

import libcst as cst
from libcst.metadata import Assignment, BatchableMetadataProvider, QualifiedNameSource, Scope

from banno_migrate.analysis.bindings import GetMetadata, assigned_values
from banno_migrate.analysis.imports import ProjectModules
from banno_migrate.analysis.metadata import ParentNodeProvider, QualifiedNameProvider, ScopeProvider
from banno_migrate.analysis.strings import StringValueProvider



class Evidence(IntEnum):
    """Why an expression is believed to hold claims; the stronger wins."""

    NAME = 1  # only its name says so
    SOURCE = 2  # it flows from a decoded ID token or a UserInfo response


_DECODERS = frozenset({"jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
_CLAIMS_METHODS = frozenset({"parse_id_token", "userinfo"})  # authlib clients return claims
USERINFO_KEY = "userinfo"  # authlib keeps the UserInfo claims under this key of the token
_USERINFO_ENDPOINT_KEY = "userinfo_endpoint"  # the discovery document's UserInfo URL
_USERINFO_PATHS = ("/oidc/me", "/userinfo")
_URL_ARGUMENT = {"get": 0, "post": 0, "request": 1}  # HTTP client method -> position of its URL
_CLAIMS_NAMES = frozenset({"claims", "id_token", "id_claims", "userinfo", "user_info", "id_token_claims"})
# Names on the way to a value that say it is the application's own data, not a token's:
# database rows, sessions, request bodies, settings.
_OTHER_DATA = frozenset(
    {
        "session", "request", "environ", "settings", "config", "cursor", "db", "form", "args",
        "objects", "query", "fetchone", "fetchall", "first", "one", "one_or_none", "scalar", "get_json",
    }
)  # fmt: skip
_DISPLAYS = (cst.Dict, cst.DictComp, cst.List, cst.ListComp, cst.Set, cst.SetComp, cst.Tuple, cst.BaseString)
_MAX_DEPTH = 8


def is_claims_name(name: str) -> bool:
    name = name.lower()
    return name in _CLAIMS_NAMES or name.endswith("_claims")


def qualified_names(get_metadata: GetMetadata, node: cst.CSTNode) -> set[str]:
    """What an imported name really is (`jwt.decode`, also as `from jwt import decode as d`)."""
    return {
        qualified.name
        for qualified in get_metadata(QualifiedNameProvider, node, set())
        if qualified.source is QualifiedNameSource.IMPORT
    }


def string_text(get_metadata: GetMetadata, node: cst.CSTNode) -> str | None:
    value = get_metadata(StringValueProvider, node, None)
    return None if value is None else value.text


def key_text(get_metadata: GetMetadata, node: cst.BaseExpression) -> str | None:
    """The string key of `x["key"]` or `x.get("key")`."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_text(get_metadata, node.slice[0].slice.value)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
        return string_text(get_metadata, node.args[0].value)
    return None


class ClaimSourceProvider(BatchableMetadataProvider[Evidence]):
    """Sets an `Evidence` on every name, attribute, call, subscript or await that holds claims.

    Like `StringValueProvider`, its cache is the `ProjectModules` of the file,
    so that a UserInfo URL imported from a settings module is known; without
    it, only the module's own constants are.
    """

    METADATA_DEPENDENCIES = (ParentNodeProvider, QualifiedNameProvider, ScopeProvider, StringValueProvider)

    @staticmethod
    def gen_cache(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {}  # never used: a non-None gen_cache makes MetadataWrapper pass our cache in

    def __init__(self, cache: object = None) -> None:
        modules = cache if isinstance(cache, ProjectModules) else ProjectModules(None)
        super().__init__(modules)
        self._modules = modules
        self._functions: list[cst.FunctionDef] = []  # the functions being visited, innermost last
        self._bindings: list[tuple[tuple[Scope, str], cst.BaseExpression]] = []
        self._returns: list[tuple[cst.FunctionDef, cst.BaseExpression]] = []
        self._calls: list[cst.Call] = []
        self._expressions: list[cst.BaseExpression] = []
        self._variables: dict[tuple[Scope, str], Evidence] = {}
        self._results: dict[cst.FunctionDef, Evidence] = {}  # what calls of a function hold
        self._callees: dict[cst.Call, tuple[cst.FunctionDef, bool]] = {}  # calls of the module's own functions

    # Collection: what may carry claims from one place to another.
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self._functions:
            self._returns.append((self._functions[-1], node.value))

    def visit_Call(self, node: cst.Call) -> None:
        self._calls.append(node)
        self._expressions.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._expressions.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._expressions.append(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._expressions.append(node)

    def visit_Await(self, node: cst.Await) -> None:
        self._expressions.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        self._solve()
        for node in self._expressions:
            evidence = self._evidence(node)
            if evidence is not None:
                self.set_metadata(node, evidence)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and (key := self._key(target)) is not None:
            self._bindings.append((key, value))

    def _key(self, name: cst.Name) -> tuple[Scope, str] | None:
        scope = self.get_metadata(ScopeProvider, name, None)
        return None if scope is None else (scope, name.value)

    # The fixed point: evidence only grows, and there are two levels of it.
    def _solve(self) -> None:
        self._callees = {call: callee for call in self._calls if (callee := self._callee(call)) is not None}
        parameters = [
            (key, argument) for call, callee in self._callees.items() for key, argument in self._parameters(call, *callee)
        ]
        changed = True
        while changed:
            changed = False
            for key, value in (*self._bindings, *parameters):
                changed |= _raise(self._variables, key, self._evidence(value))
            for function, value in self._returns:
                changed |= _raise(self._results, function, self._evidence(value))

    def _evidence(self, node: cst.BaseExpression) -> Evidence | None:
        if isinstance(node, cst.Await):
            return self._evidence(node.expression)
        if isinstance(node, cst.Name):
            return _stronger(self._variable(node), self._by_name(node))
        if isinstance(node, cst.Attribute):
            return self._by_name(node)
        if isinstance(node, cst.Subscript):
            return Evidence.SOURCE if key_text(self.get_metadata, node) == USERINFO_KEY else None
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.IfExp):  # claims if ok else None
            return _stronger(self._evidence(node.body), self._evidence(node.orelse))
        if isinstance(node, cst.BooleanOperation):  # token.get("userinfo") or {}
            return _stronger(self._evidence(node.left), self._evidence(node.right))
        return None

    def _variable(self, name: cst.Name) -> Evidence | None:
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        found = [self._variables.get((assignment.scope, assignment.name)) for assignment in scope[name.value]]
        return max((evidence for evidence in found if evidence is not None), default=None)

    def _by_name(self, node: cst.Name | cst.Attribute) -> Evidence | None:
        """NAME evidence, unless the value is visibly the application's own data."""
        name = node.value if isinstance(node, cst.Name) else node.attr.value
        if not is_claims_name(name):
            return None
        if isinstance(node, cst.Name):
            other = any(_is_other_data(value) for value in assigned_values(self.get_metadata, node))
        else:
            other = bool(_chain_names(node.value) & _OTHER_DATA)
        return None if other else Evidence.NAME

    def _call(self, node: cst.Call) -> Evidence | None:
        func = node.func
        if qualified_names(self.get_metadata, func) & _DECODERS:
            return Evidence.SOURCE
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _CLAIMS_METHODS or key_text(self.get_metadata, node) == USERINFO_KEY:
                return Evidence.SOURCE
            if method == "json" and not node.args and self._is_userinfo_response(func.value, 0):
                return Evidence.SOURCE
            if method == "copy":
                return self._evidence(func.value)
        if isinstance(func, cst.Name) and func.value == "dict" and len(node.args) == 1 and not node.args[0].keyword:
            return self._evidence(node.args[0].value)
        callee = self._callees.get(node)
        return None if callee is None else self._results.get(callee[0])

    # The module's own functions: `helper(...)` and `self.helper(...)`.
    def _callee(self, call: cst.Call) -> tuple[cst.FunctionDef, bool] | None:
        """The function a call runs, and whether it is a method (its first parameter is bound)."""
        func = call.func
        if isinstance(func, cst.Name):
            scope = self.get_metadata(ScopeProvider, func, None)
            assignments = scope[func.value] if scope is not None else ()
            definitions = [a.node for a in assignments if isinstance(a, Assignment) and isinstance(a.node, cst.FunctionDef)]
            return (definitions[0], False) if len(definitions) == 1 else None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            owner = self._enclosing_class(call)
            for statement in owner.body.body if owner is not None else ():
                if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                    return statement, True
        return None

    def _enclosing_class(self, node: cst.CSTNode) -> cst.ClassDef | None:
        current = self.get_metadata(ParentNodeProvider, node, None)
        while current is not None and not isinstance(current, cst.ClassDef):
            current = self.get_metadata(ParentNodeProvider, current, None)
        return current

    def _parameters(
        self, call: cst.Call, function: cst.FunctionDef, method: bool
    ) -> Iterator[tuple[tuple[Scope, str], cst.BaseExpression]]:
        """(parameter, argument) pairs of a call."""
        params = function.params
        positional = [*params.posonly_params, *params.params][1 if method else 0 :]
        by_name = {param.name.value: param for param in (*positional, *params.kwonly_params)}
        index = 0
        for arg in call.args:
            if arg.star:
                index = len(positional)  # what follows `*args` lands who knows where
                continue
            if arg.keyword is not None:
                param = by_name.get(arg.keyword.value)
            else:
                param = positional[index] if index < len(positional) else None
                index += 1
            if param is not None and (key := self._key(param.name)) is not None:
                yield key, arg.value

    # UserInfo responses: `requests.get(USERINFO_URL, ...)`, `await client.get(...)`, `resp = ...`.
    def _is_userinfo_response(self, node: cst.BaseExpression, depth: int) -> bool:
        if depth > _MAX_DEPTH:
            return False
        if isinstance(node, cst.Await):
            return self._is_userinfo_response(node.expression, depth + 1)
        if isinstance(node, cst.Name):
            return any(self._is_userinfo_response(value, depth + 1) for value in assigned_values(self.get_metadata, node))
        if isinstance(node, cst.Call):
            url = _url_argument(node)
            return url is not None and self._is_userinfo_url(url, depth + 1)
        return False

    def _is_userinfo_url(self, node: cst.BaseExpression, depth: int) -> bool:
        if key_text(self.get_metadata, node) == _USERINFO_ENDPOINT_KEY:
            return True
        text = self._url_text(node, depth)
        if text is None:
            return False
        path = text.split("?", 1)[0].split("#", 1)[0].rstrip("/")
        return path.endswith(_USERINFO_PATHS) or path == USERINFO_KEY  # authlib: oauth.x.get("userinfo")

    def _url_text(self, node: cst.BaseExpression, depth: int) -> str | None:
        text = string_text(self.get_metadata, node)
        if text is not None or depth > _MAX_DEPTH:
            return text
        if isinstance(node, (cst.Name, cst.Attribute)) and (text := self._imported_constant(node)) is not None:
            return text
        if isinstance(node, cst.Name):
            values = assigned_values(self.get_metadata, node)
            return self._url_text(values[0], depth + 1) if len(values) == 1 else None
        return None

    def _imported_constant(self, node: cst.BaseExpression) -> str | None:
        """A string constant of the project's own modules: `settings.USERINFO_URL`."""
        for name in qualified_names(self.get_metadata, node):
            relative = name.lstrip(".")
            module, _, constant = relative.rpartition(".")
            if constant and (text := self._modules.constant(module, len(name) - len(relative), constant)) is not None:
                return text
        return None


def _url_argument(call: cst.Call) -> cst.BaseExpression | None:
    if not isinstance(call.func, cst.Attribute) or (index := _URL_ARGUMENT.get(call.func.attr.value)) is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "url":
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return positional[index] if index < len(positional) else None


def _is_other_data(node: cst.BaseExpression) -> bool:
    """A display built here, or a value read from a database, session, request or settings."""
    return isinstance(node, _DISPLAYS) or bool(_chain_names(node) & _OTHER_DATA)


def _chain_names(node: cst.BaseExpression) -> set[str]:
    """The names along `a.b(...)[k].c`: {"a", "b", "c"}."""
    names: set[str] = set()
    while True:
        if isinstance(node, cst.Await):
            node = node.expression
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Attribute):
            names.add(node.attr.value)
            node = node.value
        else:
            if isinstance(node, cst.Name):
                names.add(node.value)
            return names


def _stronger(first: Evidence | None, second: Evidence | None) -> Evidence | None:
    return max((evidence for evidence in (first, second) if evidence is not None), default=None)


def _raise(table: dict, key: object, evidence: Evidence | None) -> bool:
    """Raise table[key] to `evidence`; whether it changed."""
    if evidence is None or table.get(key, 0) >= evidence:
        return False
    table[key] = evidence
    return True
