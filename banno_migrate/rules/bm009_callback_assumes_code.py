"""BM009 callback-assumes-code: an OAuth callback that fails when the user arrives without `code`.

Banno's v0 app launches send the user to the client's callback with no `code`:
the client is expected to start the code flow itself. A handler that requires
`code` (`request.args["code"]`, a required FastAPI parameter, a `.get("code")`
used as if it were always there) fails on every launch.
"""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst

from banno_migrate.analysis.metadata import PositionProvider, QualifiedNameProvider, ScopeProvider
from banno_migrate.analysis.strings import is_prose_call, dotted_name
from banno_migrate.analysis.web_handlers import Framework, WebHandler, WebHandlerProvider, call_argument
from banno_migrate.rules.base import Rule

_KEY = "code"
# The query string of a request: Flask/Quart `args` (and `values`, query + form), Django `GET`,
# Starlette/FastAPI and DRF `query_params`. A form or JSON body is not read here: an app launch
# arrives as a plain GET, and a body `code` is most often something else (a one-time code, a coupon).
_QUERY_ATTRIBUTES = frozenset({"args", "values", "GET", "query_params"})
_GLOBAL_REQUESTS = frozenset({"flask.request", "flask.globals.request", "quart.request", "quart.globals.request"})
# What a missing key raises (KeyError, Werkzeug's BadRequestKeyError, Django's MultiValueDictKeyError), and their bases.
_KEY_ERRORS = frozenset(
    {"KeyError", "LookupError", "Exception", "BaseException", "BadRequest", "BadRequestKeyError", "HTTPException", "MultiValueDictKeyError"}
)
# What makes a handler an OAuth callback rather than any page with a `code` (a country, a coupon).
_CALLBACK_WORDS = re.compile(r"oauth|oidc|openid|callback|authoriz|token|sso|log_?in|sign_?in|redirect_uri|grant_type|banno", re.IGNORECASE)
# FastAPI's parameter declarations; only `Query` declares a query parameter.
_FASTAPI_MARKERS = frozenset({"Query", "Path", "Body", "Form", "File", "Header", "Cookie", "Depends", "Security"})


class CallbackAssumesCode(Rule):
    CODE = "BM009"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider, WebHandlerProvider)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        handler = self.get_metadata(WebHandlerProvider, node, None)
        skip_paths = self.context.catalog.rules[self.CODE].skip_paths
        if handler is None or (skip_paths is not None and skip_paths.search(self.context.path)):
            return
        body = _Body.of(node)
        names = (node.name.value, handler.view_class or "", handler.route or "")
        if not any(_CALLBACK_WORDS.search(word) for word in (*names, *body.words)):
            return
        if handler.framework is Framework.FASTAPI:
            for param in _required_code_parameters(node, handler.route):
                self.report_read(param)
        _CodeReads(self, handler, body).check()

    def report_read(self, node: cst.CSTNode) -> None:
        shown = node
        if isinstance(node, cst.Param):  # without the comma and space that belong to the parameter node
            shown = node.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_param=cst.SimpleWhitespace(""))
        self.report(node, access=" ".join(cst.Module([]).code_for_node(shown).split()))

    def start(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self.range_of(node).start
        return position.line, position.column

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        return {qualified.name for qualified in self.get_metadata(QualifiedNameProvider, node, set())}


class _Body(cst.CSTVisitor):
    """What BM009 looks at in one handler's own body (nested functions and classes are other scopes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tests: list[tuple[cst.BaseExpression, cst.CSTNode]] = []  # a condition and the node it decides
        self.ancestors: dict[cst.CSTNode, tuple[cst.CSTNode, ...]] = {}  # of each subscript, call and name
        self.bindings: dict[cst.CSTNode, cst.Name] = {}  # value -> the name it is assigned to
        self.words: list[str] = []  # names and string values, for telling a callback from other pages
        self._stack: list[cst.CSTNode] = []

    @classmethod
    def of(cls, function: cst.FunctionDef) -> _Body:
        body = cls()
        function.body.visit(body)
        return body

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.If, cst.While, cst.IfExp)):
            self.tests.append((node.test, node))
        elif isinstance(node, cst.BooleanOperation):
            self.tests.append((node.left, node))
        elif isinstance(node, cst.Match):
            self.tests.append((node.subject, node))
        elif isinstance(node, (cst.Assign, cst.AnnAssign, cst.NamedExpr)):
            self._bind(node)
        if isinstance(node, (cst.Subscript, cst.Call, cst.Name)):
            self.ancestors[node] = tuple(self._stack)
        if isinstance(node, cst.Name):
            self.words.append(node.value)
        elif isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            self.words.append(node.evaluated_value)
        elif isinstance(node, cst.FormattedStringText):
            self.words.append(node.value)
        self._stack.append(node)
        return not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()

    def _bind(self, node: cst.Assign | cst.AnnAssign | cst.NamedExpr) -> None:
        if isinstance(node, cst.Assign):
            target = node.targets[0].target if len(node.targets) == 1 else None
        else:
            target = node.target
        if isinstance(target, cst.Name) and node.value is not None:
            self.bindings[node.value] = target


class _CodeReads:
    """The reads of the `code` query parameter in one handler, each judged for a path without it."""

    def __init__(self, rule: CallbackAssumesCode, handler: WebHandler, body: _Body) -> None:
        self.rule, self.handler, self.body = rule, handler, body
        self.aliases: set[str] = set()  # local names of the query mapping: `args = request.args` (one step)
        self.aliases = {name.value for value, name in body.bindings.items() if self._is_query(value)}
        self.reads = [node for node in body.ancestors if self._is_subscript_read(node) or self._is_get_read(node)]
        self.names = {body.bindings[read].value for read in self.reads if read in body.bindings}
        self._test_nodes = {test for test, _ in body.tests}

    def check(self) -> None:
        for read in self.reads:
            if isinstance(read, cst.Subscript) and not self._guarded(read):
                self.rule.report_read(read)
            elif isinstance(read, cst.Call) and self._used_unchecked(read):
                self.rule.report_read(read)

    # What a read is
    def _is_subscript_read(self, node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Subscript)
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
            and _is_key(node.slice[0].slice.value)
            and self._is_query(node.value)
        )

    def _is_get_read(self, node: cst.CSTNode) -> bool:
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get"):
            return False
        return _is_key(call_argument(node, 0, "key")) and self._is_query(node.func.value)

    def _is_query(self, node: cst.BaseExpression) -> bool:
        """`request.args`, `request.GET`, `request.query_params`, or a local name bound to one."""
        if isinstance(node, cst.Name):
            return node.value in self.aliases
        return isinstance(node, cst.Attribute) and node.attr.value in _QUERY_ATTRIBUTES and self._is_request(node.value)

    def _is_request(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Name) and node.value in self.handler.request_params:
            return True
        if self.handler.view_class and dotted_name(node) == "self.request":
            return True
        return bool(self.rule.qualified_names(node) & _GLOBAL_REQUESTS)

    # Whether there is a path without `code`
    def _used_unchecked(self, read: cst.Call) -> bool:
        """A `.get("code")` whose value is used before anything checks that it is there."""
        if self._in_test(read) or self._in_prose(read) or self._guarded(read):
            return False
        target = self.body.bindings.get(self._result_of(read))
        if target is None:
            return True  # used where it is read: passed on, put in a dict or a string
        use = self._first_use(target)
        return use is not None and not self._in_test(use) and not self._guarded(use)

    def _result_of(self, read: cst.Call) -> cst.CSTNode:
        """The expression that holds the read's value: `request.args.get("code", "").strip()` for the read inside."""
        node: cst.CSTNode = read
        ancestors = self.body.ancestors[read]
        while len(ancestors) >= 2:
            method, call = ancestors[-1], ancestors[-2]
            if not (isinstance(method, cst.Attribute) and method.value is node and isinstance(call, cst.Call) and call.func is method):
                break
            node, ancestors = call, ancestors[:-2]
        return node

    def _first_use(self, target: cst.Name) -> cst.Name | None:
        scope = self.rule.get_metadata(ScopeProvider, target, None)
        if scope is None:
            return None
        after = self.rule.start(target)
        uses = [
            access.node
            for assignment in scope.assignments[target.value]
            if assignment.node is target
            for access in assignment.references
            if isinstance(access.node, cst.Name) and self.rule.start(access.node) > after and not self._in_prose(access.node)
        ]
        return min(uses, key=self.rule.start, default=None)

    def _in_prose(self, node: cst.CSTNode) -> bool:
        """In a log message or a print: a missing code is harmless there."""
        return any(
            isinstance(ancestor, cst.Call) and is_prose_call(dotted_name(ancestor.func))
            for ancestor in self.body.ancestors.get(node, ())
        )

    def _in_test(self, node: cst.CSTNode) -> bool:
        return node in self._test_nodes or any(ancestor in self._test_nodes for ancestor in self.body.ancestors.get(node, ()))

    def _guarded(self, node: cst.CSTNode) -> bool:
        """A condition on `code` comes before `node` or decides whether it runs, or a `try` catches its KeyError."""
        ancestors = self.body.ancestors.get(node, ())
        start = self.rule.start(node)
        return _caught(ancestors) or any(
            (self.rule.start(test) < start or owner in ancestors) and self._mentions_code(test, node)
            for test, owner in self.body.tests
        )

    def _mentions_code(self, test: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """Whether `test` is about `code` being there (leaving `node` itself out: `if request.args["code"]:` is not)."""
        if self._is_query(_without_not(test)):
            return True  # `if not request.args:` — nothing in the query at all
        return any(
            _is_key(part) or (isinstance(part, cst.Name) and part.value in self.names) for part in _walk(test, node)
        )


def _is_key(node: cst.CSTNode | None) -> bool:
    return isinstance(node, cst.SimpleString) and node.evaluated_value == _KEY


def _without_not(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.expression if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not) else node


def _walk(node: cst.CSTNode, skip: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and everything under it, except `skip` and what is under it."""
    if node is skip:
        return
    yield node
    for child in node.children:
        yield from _walk(child, skip)


def _caught(ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """Whether the node is in the body of a `try` that catches a missing key."""
    return any(
        isinstance(ancestor, (cst.Try, cst.TryStar))
        and ancestors[index + 1 : index + 2] == (ancestor.body,)
        and any(_catches_key_error(handler) for handler in ancestor.handlers)
        for index, ancestor in enumerate(ancestors)
    )


def _catches_key_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    if handler.type is None:
        return True
    types = [element.value for element in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
    return any(dotted_name(kind).rsplit(".", 1)[-1] in _KEY_ERRORS for kind in types)


# FastAPI: a query parameter `code` without a default is required; a request without it gets a 422.
def _required_code_parameters(function: cst.FunctionDef, route: str | None) -> Iterator[cst.Param]:
    params = function.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        marker = _marker(param)
        if marker is not None and dotted_name(marker.func).rsplit(".", 1)[-1] != "Query":
            continue  # a body, form, header, path or dependency parameter
        alias = call_argument(marker, None, "alias") if marker is not None else None
        name = alias.evaluated_value if isinstance(alias, cst.SimpleString) else param.name.value
        if name == _KEY and _is_text(param.annotation) and _required(param, marker) and not _in_path(name, route):
            yield param


def _marker(param: cst.Param) -> cst.Call | None:
    """The `Query(...)`/`Form(...)`/... call that declares the parameter, as its default or in `Annotated[...]`."""
    candidates: list[cst.BaseExpression] = [param.default] if param.default is not None else []
    annotation = param.annotation.annotation if param.annotation is not None else None
    if isinstance(annotation, cst.Subscript) and dotted_name(annotation.value).endswith("Annotated"):
        candidates += [element.slice.value for element in annotation.slice[1:] if isinstance(element.slice, cst.Index)]
    return next(
        (
            candidate
            for candidate in candidates
            if isinstance(candidate, cst.Call) and dotted_name(candidate.func).rsplit(".", 1)[-1] in _FASTAPI_MARKERS
        ),
        None,
    )


def _required(param: cst.Param, marker: cst.Call | None) -> bool:
    """No default, or `Query(...)`/`Query()`. `Optional[str]` alone does not make it optional in FastAPI."""
    if param.default is not None and param.default is not marker:
        return False
    if marker is None:
        return True
    default = call_argument(marker, 0, "default")
    return (default is None or isinstance(default, cst.Ellipsis)) and call_argument(marker, None, "default_factory") is None


def _is_text(annotation: cst.Annotation | None) -> bool:
    """No annotation, or `str`: a query value, not a body model."""
    return annotation is None or _base_type(annotation.annotation) == "str"


def _base_type(node: cst.BaseExpression) -> str:
    """`str` for `str`, `Optional[str]`, `Union[str, None]`, `str | None` and `Annotated[str, ...]`."""
    if isinstance(node, cst.Subscript) and dotted_name(node.value).rsplit(".", 1)[-1] in {"Annotated", "Optional", "Union"}:
        first = node.slice[0].slice
        return _base_type(first.value) if isinstance(first, cst.Index) else ""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _base_type(node.right if dotted_name(node.left) == "None" else node.left)
    return dotted_name(node)


def _in_path(name: str, route: str | None) -> bool:
    """A path parameter of the route (`/countries/{code}`), not a query parameter."""
    return route is not None and re.search(r"\{" + re.escape(name) + r"(?::[^}]*)?\}", route) is not None
