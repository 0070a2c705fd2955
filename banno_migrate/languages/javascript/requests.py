"""Authorization requests in JavaScript: where a file sends a user to an OAuth server, and with which parameters.

BM006 (`prompt=consent` with `offline_access`) and BM007 (a code request
without PKCE) judge requests, written in one of these ways:

- passport-openidconnect: `new Strategy({ authorizationURL, scope, prompt, pkce, ... }, verify)`;
- openid-client: `client.authorizationUrl({ ... })` (v2-v5), `buildAuthorizationUrl(config, { ... })`
  (v6), and its passport `new Strategy({ client, params: { ... }, usePKCE }, verify)`;
- hand-built: an object of parameters (`{ response_type: "code", client_id, ... }`), also given to
  `new URLSearchParams(...)`, a `URLSearchParams` or `url.searchParams` filled with
  `.set(...)` / `.append(...)`, and parameters added later (`params.code_challenge = ...`);
- a URL or query string (`.../oidc/auth?response_type=code&...`), read by string_checks (BM006) and
  `query_requests` here (BM007).

Where a request goes is judged by its URL's path (string_checks.Destination).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote_plus

from tree_sitter import Node

from banno_migrate.findings import Edit
from banno_migrate.languages.javascript.bindings import Import, outermost, unwrap
from banno_migrate.languages.javascript.context import Context
from banno_migrate.languages.javascript.edits import items_of, remove_item
from banno_migrate.languages.javascript.syntax import Tree
from banno_migrate.languages.javascript.values import (
    ADDERS,
    JsValue,
    arguments_of,
    dotted_name,
    first_argument,
    method_name,
    operator_of,
    receiver_of,
)
from banno_migrate.domain_patterns import HOLE, TOKEN_REQUEST_PARAMETERS, query_segments
from banno_migrate.languages.string_checks import Destination

PASSPORT = "passport-openidconnect"
OPENID_CLIENT = "openid-client"
HAND_BUILT = "hand-built"
_CLIENT_PARAMETERS = frozenset({"client_id", "redirect_uri"})
_REQUEST_KEYS = frozenset({"response_type", "scope", "prompt", *_CLIENT_PARAMETERS})
_SERIALIZERS = frozenset({"querystring.stringify", "qs.stringify", "stringify", "querystring.encode"})
# Keys that hold the authorization endpoint in a configuration object (`authorizationURL`, `authorization_endpoint`).
_URL_KEYS = frozenset({"authorizationurl", "authorizationendpoint", "authorizeurl", "authurl"})


@dataclass(frozen=True)
class Parameter:
    name: str
    node: Node  # the property, the `.set(...)` call, or the literal holding `name=value`
    value: Node | None  # the value's expression (None in a query string)
    text: str | None  # the value, when it is one string known entirely
    removal: Callable[[], Edit | None] | None = None  # how to drop it (object properties only)


@dataclass(eq=False)  # a request is the one found at its place: compared and hashed by identity
class Request:
    library: str
    span: tuple[int, int]  # where a finding about the request as a whole goes (character offsets)
    parameters: list[Parameter] = field(default_factory=list)
    urls: list[JsValue] = field(default_factory=list)  # where it is sent, when known
    url_names: list[str] = field(default_factory=list)  # names of URL expressions we cannot read
    open_ended: bool = False  # parameters may be added where they cannot be seen
    pkce: bool | None = None  # a library client's PKCE setting; None: not known

    def parameter(self, name: str) -> Parameter | None:
        return next((parameter for parameter in self.parameters if parameter.name == name), None)

    @property
    def names(self) -> set[str]:
        return {parameter.name for parameter in self.parameters}


def is_authorization_parameters(names: set[str]) -> bool:
    """A response type with the client named, or a prompt with a scope; never a token request."""
    if names & TOKEN_REQUEST_PARAMETERS:
        return False
    return ("response_type" in names and bool(names & _CLIENT_PARAMETERS)) or {"prompt", "scope"} <= names


# Reads a library call's request from the call, its options' parameters, and whether more may be hidden.
_Build = Callable[[Node, list[Parameter], bool], Request]


class Requests:
    """Every authorization request of a file."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.tree = context.tree
        self.requests: list[Request] = []
        self._claimed: set[Node] = set()  # objects that are a library's options, not hand-built requests
        self._destinations: dict[Request, Destination] = {}
        for node in self.tree.nodes("new_expression", "call_expression"):
            self._library_request(node)
        for node in self.tree.nodes("object"):
            if node not in self._claimed:
                self._object_request(node)
        self._search_params_requests()
        for value in context.values.all:
            self._query_request(value)

    def destination(self, request: Request) -> Destination:
        """Where a request goes, judged by its URLs (once: BM006 and BM007 both ask)."""
        if request not in self._destinations:
            urls = [self.context.value(url) for url in request.urls]
            self._destinations[request] = self.context.checks.destination(urls, request.url_names)
        return self._destinations[request]

    # Objects and their parameters
    def _object(self, node: Node | None) -> Node | None:
        """The object literal an expression is, directly or through a const."""
        node = self.context.bindings.resolve(node) if node is not None else None
        return node if node is not None and node.type == "object" else None

    def _parameters(self, obj: Node) -> tuple[list[Parameter], bool]:
        """The properties of an object with a known key, and whether some key cannot be known."""
        parameters, open_ended = [], False
        for item in items_of(obj):
            if item.type == "pair":
                key = self.context.values.key_text(item.child_by_field_name("key"))
                value = item.child_by_field_name("value")
            elif item.type == "shorthand_property_identifier":
                key, value = self.tree.source(item), item
            else:  # a spread, a method, a getter: what it adds is not known
                open_ended = open_ended or item.type == "spread_element"
                continue
            if key is None:
                open_ended = True
                continue
            removal = (lambda obj=obj, item=item: remove_item(self.tree, obj, item))
            parameters.append(Parameter(key, item, value, self._text(value), removal))
        return parameters, open_ended

    def _text(self, node: Node | None) -> str | None:
        return self.context.values.text(node)

    def _url(self, request: Request, node: Node | None) -> None:
        if node is None:
            return
        value = self.context.values.of(node)
        if value is not None:
            request.urls.append(value)
        elif name := dotted_name(self.tree, node):
            request.url_names.append(name)

    # Libraries
    def _library_request(self, node: Node) -> None:
        library = self._library_call(node)
        if library is None:
            return
        build, argument = library
        options = self._options(argument)
        if options is not None:
            self.requests.append(build(node, *options))

    def _library_call(self, node: Node) -> tuple[_Build, Node | None] | None:
        """How a library call's request is read, and the argument holding its options (None: not a library's)."""
        if node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            imported = self.context.bindings.imported(constructor) if constructor is not None else None
            if imported is not None and _is_strategy(imported, PASSPORT):
                return self._passport, first_argument(node)
            if imported is not None and imported.module == OPENID_CLIENT and imported.member == "Strategy":
                return self._openid_client_strategy, first_argument(node)
            return None
        method = method_name(self.tree, node)
        if method in ("authorizationUrl", "buildAuthorizationUrl") and self.context.bindings.imports_module(OPENID_CLIENT):
            args = arguments_of(node)
            index = 0 if method == "authorizationUrl" else 1  # v6 takes the configuration first
            return self._authorization_url, args[index] if len(args) > index else None
        return None

    def _authorization_url(self, node: Node, parameters: list[Parameter], open_ended: bool) -> Request:
        request = Request(OPENID_CLIENT, self._span(node.child_by_field_name("function")), parameters, open_ended=open_ended)
        request.pkce = request.parameter("code_challenge") is not None
        return request

    def _passport(self, node: Node, parameters: list[Parameter], open_ended: bool) -> Request:
        request = Request(PASSPORT, self._constructor_span(node), parameters, open_ended=open_ended)
        url = request.parameter("authorizationURL")
        self._url(request, url.value if url is not None else None)
        request.pkce = self._pkce(request.parameter("pkce"), open_ended, default=False)
        return request

    def _openid_client_strategy(self, node: Node, settings: list[Parameter], open_ended: bool) -> Request:
        by_name = {parameter.name: parameter for parameter in settings}
        parameters, params_open = self._options(by_name["params"].value if "params" in by_name else None) or ([], False)
        request = Request(OPENID_CLIENT, self._constructor_span(node), parameters, open_ended=params_open)
        # openid-client's Strategy defaults to PKCE.
        request.pkce = self._pkce(by_name.get("usePKCE"), open_ended, default=True)
        return request

    def _options(self, node: Node | None) -> tuple[list[Parameter], bool] | None:
        """The parameters of a library's options object (then no hand-built request), and whether some are hidden."""
        obj = self._object(node)
        if obj is None:
            return None
        self._claimed.add(obj)
        return self._parameters(obj)

    def _pkce(self, setting: Parameter | None, open_ended: bool, *, default: bool) -> bool | None:
        """A client's PKCE setting: as written, else the library's default unless hidden options may set it."""
        if setting is None:
            return None if open_ended else default
        return _truth(self.tree, setting.value, setting.text)

    # Hand-built
    def _object_request(self, obj: Node) -> None:
        parameters, open_ended = self._parameters(obj)
        if not {parameter.name for parameter in parameters} & _REQUEST_KEYS:
            return  # not worth following where it goes
        request = Request(HAND_BUILT, self._span(obj), parameters, open_ended=open_ended)
        for parameter in parameters:  # a configuration that names its authorization endpoint
            if parameter.name.replace("_", "").lower() in _URL_KEYS:
                self._url(request, parameter.value)
        holder = obj
        parent = self._parent(obj)
        if parent is not None and parent.type == "arguments" and _is_search_params(self.tree, self._parent(parent)):
            holder = self._parent(parent)
        self._follow(request, holder)
        if is_authorization_parameters(request.names):
            self.requests.append(request)

    def _search_params_requests(self) -> None:
        """`p = new URLSearchParams(); p.set(...)` and `url.searchParams.set(...)`: the calls are the request."""
        groups: dict[str, list[Node]] = {}  # the calls on one receiver, by its text
        for call in self.tree.nodes("call_expression"):
            if method_name(self.tree, call) in ADDERS:
                groups.setdefault(self.tree.source(receiver_of(call)), []).append(call)
        for calls in groups.values():
            receiver = receiver_of(calls[0])
            request = Request(HAND_BUILT, self._span(calls[0]))
            url_object = _searchparams_of(self.tree, receiver)
            if url_object is not None:
                self._url_object(request, url_object)
            elif (search_params := self._empty_search_params(receiver)) is not None:
                self._follow(request, search_params)
                calls = []  # `_follow` read the calls through the name's uses
            else:
                continue
            for call in calls:
                self._add_call(request, call)
            if is_authorization_parameters(request.names):
                self.requests.append(request)

    def _empty_search_params(self, receiver: Node) -> Node | None:
        """The `new URLSearchParams()` without an object (that case is `_object_request`'s) a name is bound to once."""
        declarator = self._declarator_of(unwrap(receiver))
        value = declarator.child_by_field_name("value") if declarator is not None else None
        if value is None or not _is_search_params(self.tree, unwrap(value)):
            return None
        return value if self._object(first_argument(unwrap(value))) is None else None

    def _declarator_of(self, name: Node) -> Node | None:
        return self.context.bindings.declarator(name) if name.type == "identifier" else None

    def _url_object(self, request: Request, url_object: Node) -> None:
        """`new URL(AUTH_URL)`, directly or through the name it is bound to."""
        declarator = self._declarator_of(url_object) if url_object.type == "identifier" else None
        constructed = unwrap(declarator.child_by_field_name("value")) if declarator is not None else url_object
        if constructed is not None and constructed.type == "new_expression" and self.tree.source(
            constructed.child_by_field_name("constructor")
        ) == "URL":
            self._url(request, first_argument(constructed))

    def _follow(self, request: Request, holder: Node) -> None:
        """Where the parameters go, and what is added to them, from how the holder is used."""
        parent = self._parent(holder)
        if parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("value") == holder:
            name = parent.child_by_field_name("name")
            if name is None or name.type != "identifier":
                return
            if not self.context.bindings.bound_once(name):
                request.open_ended = True  # bound again: anything may be added
            for use in self.context.bindings.reads(name):
                self._use(request, use)
        else:
            self._use(request, holder)

    def _use(self, request: Request, node: Node) -> None:
        node, parent = outermost(self.tree, node)
        if parent is None:
            return
        if parent.type == "member_expression" and parent.child_by_field_name("object") == node:
            call = self._parent(parent)
            name = self.tree.source(parent.child_by_field_name("property"))
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent:
                if name in ADDERS:
                    self._add_call(request, call)
                elif name == "toString":
                    self._enclosing_url(request, call)
                return
            assignment = self._assignment_to(parent)
            if assignment is not None:  # params.code_challenge = ...
                value = assignment.child_by_field_name("right")
                request.parameters.append(Parameter(name, assignment, value, self._text(value)))
            return
        if parent.type == "subscript_expression" and parent.child_by_field_name("object") == node:
            assignment = self._assignment_to(parent)
            if assignment is not None:  # params["code_challenge"] = ...
                key = self._text(parent.child_by_field_name("index"))
                value = assignment.child_by_field_name("right")
                if key is None:
                    request.open_ended = True
                else:
                    request.parameters.append(Parameter(key, assignment, value, self._text(value)))
            return
        if parent.type == "arguments":
            call = self._parent(parent)
            callee = dotted_name(self.tree, call.child_by_field_name("function") or call.child_by_field_name("constructor"))
            if callee == "Object.assign" and first_argument(call) == node:
                request.open_ended = True
            elif _is_search_params(self.tree, call) or callee in _SERIALIZERS:
                self._enclosing_url(request, call)
            return
        if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
            self._search_assignment(request, parent)
            return
        self._enclosing_url(request, node)

    def _assignment_to(self, target: Node) -> Node | None:
        """The assignment whose left side `target` is."""
        assignment = self._parent(target)
        if assignment is None or assignment.type != "assignment_expression":
            return None
        return assignment if assignment.child_by_field_name("left") == target else None

    def _add_call(self, request: Request, call: Node) -> None:
        args = arguments_of(call)
        key = self._text(args[0]) if args else None
        if key is None or len(args) < 2:
            request.open_ended = True
            return
        request.parameters.append(Parameter(key, call, args[1], self._text(args[1])))

    def _enclosing_url(self, request: Request, node: Node) -> None:
        """The URL an expression is a part of: `${AUTH_URL}?${params}`, AUTH_URL + "?" + params."""
        current = node
        for ancestor in self.tree.ancestors(node):
            if ancestor.type in ("template_substitution", "template_string", "parenthesized_expression") or (
                ancestor.type == "binary_expression" and operator_of(ancestor) == "+"
            ):
                current = ancestor
                continue
            if ancestor.type == "member_expression" and self.tree.source(ancestor.child_by_field_name("property")) == "toString":
                current = ancestor
                continue
            if ancestor.type == "call_expression" and ancestor.child_by_field_name("function") == current:
                current = ancestor
                continue
            if ancestor.type == "assignment_expression" and ancestor.child_by_field_name("right") == current:
                self._search_assignment(request, ancestor)
                return
            break
        value = self.context.values.of(current)
        if value is not None:
            request.urls.append(value)

    def _search_assignment(self, request: Request, assignment: Node) -> None:
        """`url.search = params` (or `params.toString()`): the URL object it belongs to."""
        left = unwrap(assignment.child_by_field_name("left"))
        if left.type == "member_expression" and self.tree.source(left.child_by_field_name("property")) == "search":
            self._url_object(request, unwrap(left.child_by_field_name("object")))

    # URLs and query strings
    def _query_request(self, value: JsValue) -> None:
        if value.role.prose or "=" not in value.text:
            return
        text = value.text
        segments = query_segments(text)
        if not is_authorization_parameters({name for name, _, _ in segments if name is not None}):
            return
        request = Request(HAND_BUILT, self._span(value.root))
        for name, start, end in segments:
            if name is None:  # `&${extra}`: parameters we cannot see
                request.open_ended = request.open_ended or HOLE in text[start:end]
                continue
            literal = value.literal_at(start) or value.root
            raw = text[start + len(name) + 1 : end]
            request.parameters.append(Parameter(name, literal, None, None if HOLE in raw else unquote_plus(raw)))
        if "?" in text:
            request.urls.append(value)
        self.requests.append(request)

    def _span(self, node: Node) -> tuple[int, int]:
        return self.tree.start(node), self.tree.end(node)

    def _constructor_span(self, node: Node) -> tuple[int, int]:
        """`new Strategy`, without its arguments: the options may run for many lines."""
        constructor = node.child_by_field_name("constructor")
        return self.tree.start(node), self.tree.end(constructor if constructor is not None else node)

    def _parent(self, node: Node | None) -> Node | None:
        return self.tree.parent(node) if node is not None else None


def _is_strategy(imported: Import, module: str) -> bool:
    """passport-openidconnect exports its Strategy as the module itself and as `.Strategy`."""
    return imported.module == module and imported.member in (None, "default", "Strategy")


def _is_search_params(tree: Tree, node: Node | None) -> bool:
    if node is None or node.type != "new_expression":
        return False
    constructor = node.child_by_field_name("constructor")
    return constructor is not None and tree.source(constructor) == "URLSearchParams"


def _searchparams_of(tree: Tree, receiver: Node | None) -> Node | None:
    """`url` for `url.searchParams`."""
    receiver = unwrap(receiver) if receiver is not None else None
    if receiver is None or receiver.type != "member_expression":
        return None
    if tree.source(receiver.child_by_field_name("property")) != "searchParams":
        return None
    return unwrap(receiver.child_by_field_name("object"))


def _truth(tree: Tree, node: Node | None, text: str | None) -> bool | None:
    """What a PKCE option says: false/absent-like values are no PKCE; a method name or true is PKCE."""
    if text is not None:
        return bool(text)
    if node is None:
        return None
    source = tree.source(unwrap(node))
    if source in ("false", "null", "undefined", "0"):
        return False
    if source == "true":
        return True
    return None
