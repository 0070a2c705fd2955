"""Authorization requests: where a module sends a user to an OAuth server, and with which parameters.

BM006 (`prompt=consent` with `offline_access`) and BM007 (a code request without
PKCE) both judge "an authorization request". One is written in several ways:

- a call of an OAuth client library: authlib's `create_authorization_url` and
  `authorize_redirect`, requests-oauthlib's `OAuth2Session.authorization_url`.
  Its parameters are the call's keyword arguments, then what its client was
  configured with (`OAuth2Session(scope=...)`, `oauth.register(client_kwargs=...,
  authorize_params=...)`); the clients are recognised with LibCST's
  `QualifiedNameProvider`, through aliases and from-imports;
- a hand-built params dict (`{"response_type": "code", ...}` or `dict(...)`),
  sent with `urlencode(...)` or `requests.get(url, params=...)`;
- a URL or query string (`.../oidc/auth?response_type=code&scope=...`).

Each parameter keeps its nodes (the keyword argument or dict entry and the
sequence it belongs to, or the span of `name=value` in a query) and its value
as string spans, followed through names, lists and `" ".join(...)`, so that a
rule can remove the parameter or edit its value. Where a request goes is judged
by the path of its URL (`Destination`): a Banno endpoint, another provider's
URL, or unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator
from urllib.parse import unquote_plus

import libcst as cst
from libcst.metadata import BatchableMetadataProvider

from banno_migrate.analysis.bindings import bound_value, only_assignment
from banno_migrate.analysis.metadata import ParentNodeProvider, QualifiedNameProvider, ScopeProvider
from banno_migrate.analysis.strings import HOLE, Piece, StringValue, StringValueProvider, dotted_name
from banno_migrate.catalog import Domain
from banno_migrate.domain_patterns import TOKEN_REQUEST_PARAMETERS, Destination, combined_destination, query_segments

_MAX_DEPTH = 8  # how many names deep a value is followed


class Library(str, Enum):
    AUTHLIB = "authlib"
    REQUESTS_OAUTHLIB = "requests-oauthlib"
    HAND_BUILT = "hand-built"  # a params dict or a query string


class _Mutated(Enum):
    """A params dict changed in a way that is not followed (`params.update(extra)`)."""

    MUTATED = "mutated"


_MUTATED = _Mutated.MUTATED


# Where a request goes: its URL's value, or only the dotted name of an expression we cannot evaluate.
Url = StringValue | str | None


@dataclass(frozen=True)
class Span:
    """A run of a string value that a parameter's value is written in."""

    value: StringValue
    start: int
    end: int
    in_query: bool = False  # inside a URL query string, so percent-encoded

    @property
    def text(self) -> str:
        return self.value.text[self.start : self.end]


@dataclass(frozen=True)
class Parameter:
    name: str
    node: cst.CSTNode  # the keyword argument, the dict entry, or the literal holding `name=value`
    value: cst.BaseExpression | None  # the value's expression (None in a query string)
    spans: tuple[Span, ...]  # the value's strings, one per list element; empty when unknown
    items: tuple[cst.CSTNode, ...] = ()  # the arguments or entries it is one of, for removing it...
    index: int = -1  # ...at this index
    query: Span | None = None  # in a query string: the whole `name=value`

    @property
    def text(self) -> str | None:
        """The value when it is one string known statically (a query value decoded)."""
        if len(self.spans) != 1 or HOLE in self.spans[0].text:
            return None
        span = self.spans[0]
        return unquote_plus(span.text) if span.in_query else span.text


@dataclass(frozen=True)
class Client:
    """An OAuth client object as its constructor or registration configures it."""

    library: Library
    call: cst.Call  # OAuth2Session(...) or oauth.register(...)
    oauth1: bool  # OAuth 1 has no authorization code, scope or PKCE
    name: str | None  # a registered app's name
    pkce: bool | None  # PKCE configured; None when it cannot be told (**kwargs)
    parameters: tuple[Parameter, ...]  # what every authorization request of the client sends
    url: Url  # its authorization endpoint (or discovery document), when given


@dataclass(frozen=True)
class AuthorizationRequest:
    library: Library
    node: cst.CSTNode  # the call, the dict, or the string value's root
    parameters: tuple[Parameter, ...]  # its own first, then those its client is configured with
    urls: tuple[Url, ...]  # where it is sent (None: a use that tells nothing)
    open_ended: bool = False  # parameters may be added where they cannot be seen (**kwargs, a mutated dict)
    client_pkce: bool | None = None  # PKCE configured on the client; None when it cannot be told
    configuration: bool = False  # a client's configuration: not a request of its own

    def parameter(self, name: str) -> Parameter | None:
        return next(self.named(name), None)

    def named(self, name: str) -> Iterator[Parameter]:
        return (parameter for parameter in self.parameters if parameter.name == name)

    def destination(self, domain: Domain) -> Destination:
        """Banno when any URL it goes to is Banno's, other when all of them are known others'."""
        return combined_destination(_classify(url, domain) for url in self.urls)


def _classify(url: Url, domain: Domain) -> Destination:
    if url is None:
        return Destination.UNKNOWN
    if isinstance(url, str):  # only the name is known: `BANNO_AUTH_URL` from somewhere we cannot read
        return Destination.BANNO if "banno" in url.lower() else Destination.UNKNOWN
    path = url.text.split("?", 1)[0]
    holes = (piece.hint for piece in _pieces_before(url, len(path)) if HOLE in piece.text)
    return domain.text.url_destination(path, holes)


def _pieces_before(value: StringValue, end: int) -> Iterator[Piece]:
    position = 0
    for piece in value.pieces:
        if position >= end:
            break
        yield piece
        position += len(piece.text)


# What the libraries are (by qualified name) and what their calls mean.
_REQUEST_METHODS = {
    "create_authorization_url": Library.AUTHLIB,
    "authorize_redirect": Library.AUTHLIB,
    "authorization_url": Library.REQUESTS_OAUTHLIB,
}
# Session classes by package: class name -> whether it is OAuth 1.
_SESSION_CLASSES = {
    "authlib": {
        "OAuth2Session": False,
        "OAuth2Client": False,
        "AsyncOAuth2Client": False,
        "OAuth1Session": True,
        "OAuth1Client": True,
        "AsyncOAuth1Client": True,
    },
    "requests_oauthlib": {"OAuth2Session": False, "OAuth1Session": True},
}
_LIBRARY_OF_PACKAGE = {"authlib": Library.AUTHLIB, "requests_oauthlib": Library.REQUESTS_OAUTHLIB}
_PACKAGE_OF_LIBRARY = {library: package for package, library in _LIBRARY_OF_PACKAGE.items()}
# Other code has methods of this name too (python-social-auth's backends): on an object we cannot
# resolve, it is requests-oauthlib's only in a module that imports requests-oauthlib.
_SHARED_METHOD_NAMES = frozenset({"authorization_url"})
_PKCE_KEYWORD = {Library.AUTHLIB: "code_challenge_method", Library.REQUESTS_OAUTHLIB: "pkce"}
# Keywords only authlib's `OAuth.register(...)` takes (a registry imported from elsewhere is unresolvable).
_REGISTER_KEYWORDS = frozenset({"client_kwargs", "authorize_url", "authorize_params", "server_metadata_url", "access_token_url"})
_URL_KEYWORDS = ("authorize_url", "server_metadata_url")
_HTTP_METHODS = frozenset({"GET", "POST", "HEAD"})  # requests.request("GET", url, params=...)
_CLIENT_PARAMETERS = frozenset({"client_id", "redirect_uri"})


def _is_authorization_parameters(names: set[str]) -> bool:
    """A dict or query that has a response type and names the client, or asks for a prompt with a scope."""
    if names & TOKEN_REQUEST_PARAMETERS:
        return False
    return ("response_type" in names and bool(names & _CLIENT_PARAMETERS)) or {"prompt", "scope"} <= names


class AuthorizationRequestProvider(BatchableMetadataProvider[tuple[AuthorizationRequest, ...]]):
    """Sets, on the Module node, every authorization request of the module."""

    METADATA_DEPENDENCIES = (ParentNodeProvider, QualifiedNameProvider, ScopeProvider, StringValueProvider)

    def __init__(self, cache: object = None) -> None:
        super().__init__(cache)
        self._calls: list[cst.Call] = []
        self._dicts: list[cst.Dict] = []
        self._imported: set[str] = set()  # top-level packages the module imports

    def visit_Import(self, node: cst.Import) -> None:
        self._imported.update(dotted_name(alias.name).split(".", 1)[0] for alias in node.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative:
            self._imported.add(dotted_name(node.module).split(".", 1)[0])

    def visit_Call(self, node: cst.Call) -> None:
        self._calls.append(node)

    def visit_Dict(self, node: cst.Dict) -> None:
        self._dicts.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        clients = [client for call in self._calls if (client := self._client(call)) is not None]
        requests = [request for call in self._calls if (request := self._library_request(call, clients)) is not None]
        requests.extend(self._configuration(client) for client in clients if not client.oauth1)
        requests.extend(request for node in self._dicts if (request := self._dict_request(node)) is not None)
        requests.extend(request for call in self._calls if (request := self._dict_call_request(call)) is not None)
        values = self.metadata[StringValueProvider].values()  # type: ignore[union-attr]
        requests.extend(request for value in values if (request := self._query_request(value)) is not None)
        self.set_metadata(original_node, tuple(requests))

    # Names and values
    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.get_metadata(ParentNodeProvider, node, None)

    def _bound_value(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        return bound_value(self.get_metadata, node) if isinstance(node, cst.Name) else None

    def _resolve(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """Follow names bound once to the expression they stand for."""
        for _ in range(_MAX_DEPTH):
            bound = self._bound_value(node)
            if bound is None:
                break
            node = bound
        return node

    def _string(self, node: cst.BaseExpression) -> StringValue | None:
        return self.get_metadata(StringValueProvider, self._resolve(node), None)

    def _url(self, node: cst.BaseExpression) -> Url:
        return self._string(node) or dotted_name(node) or None

    def _spans(self, node: cst.BaseExpression, depth: int = 0) -> tuple[Span, ...]:
        """The strings a value is made of: a string, a list of them, their join."""
        if depth > _MAX_DEPTH:
            return ()
        node = self._resolve(node)
        value = self.get_metadata(StringValueProvider, node, None)
        if value is not None:
            return (Span(value, 0, len(value.text)),)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return tuple(span for element in node.elements for span in self._spans(element.value, depth + 1))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):  # list + list
            return self._spans(node.left, depth + 1) + self._spans(node.right, depth + 1)
        if isinstance(node, cst.Call) and len(node.args) == 1 and _passes_items_through(node.func):
            return self._spans(node.args[0].value, depth + 1)
        return ()

    def _text(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        string = self._string(node)
        return string.text if string is not None and HOLE not in string.text else None

    def _enclosing_string(self, node: cst.CSTNode) -> StringValue | None:
        """The string value that `node` is a part of, as in `AUTH_URL + "?" + urlencode(params)`."""
        while True:
            value = self.get_metadata(StringValueProvider, node, None)
            if value is not None:
                return value
            parent = self._parent(node)
            if isinstance(parent, cst.Arg):  # an argument of "...".format(...)
                parent = self._parent(parent)
                if not (isinstance(parent, cst.Call) and isinstance(parent.func, cst.Attribute) and parent.func.attr.value == "format"):
                    return None
            elif not isinstance(parent, (cst.BinaryOperation, cst.FormattedStringExpression, cst.FormattedString, cst.ConcatenatedString)):
                return None
            node = parent

    # Parameters
    def _keyword_parameters(self, call: cst.Call) -> tuple[Parameter, ...]:
        args = tuple(call.args)
        return tuple(
            Parameter(arg.keyword.value, arg, arg.value, self._spans(arg.value), args, index)
            for index, arg in enumerate(args)
            if arg.keyword is not None
        )

    def _dict_parameters(self, node: cst.Dict) -> tuple[tuple[Parameter, ...], bool]:
        """The entries with a known key, and whether some key cannot be known."""
        elements = tuple(node.elements)
        parameters: list[Parameter] = []
        open_ended = False
        for index, element in enumerate(elements):
            key = self._text(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                open_ended = True
                continue
            assert isinstance(element, cst.DictElement)
            parameters.append(Parameter(key, element, element.value, self._spans(element.value), elements, index))
        return tuple(parameters), open_ended

    def _dict_value_parameters(self, node: cst.BaseExpression | None) -> tuple[tuple[Parameter, ...], bool]:
        """The entries of a dict given as a value (`client_kwargs={...}` or a name bound to one)."""
        if node is None:
            return (), False
        resolved = self._resolve(node)
        if isinstance(resolved, cst.Dict):
            return self._dict_parameters(resolved)
        if isinstance(resolved, cst.Call) and _is_dict_call(resolved, self._qualified_names(resolved.func)):
            return self._keyword_parameters(resolved), any(arg.star for arg in resolved.args)
        return (), True

    # Library clients
    def _qualified_names(self, node: cst.CSTNode) -> set[str]:
        return {name.name for name in self.get_metadata(QualifiedNameProvider, node, set())}

    def _session_class(self, call: cst.Call) -> tuple[Library, bool] | None:
        """(library, is OAuth 1) when the call constructs a library's OAuth session."""
        if self._imported.isdisjoint(_SESSION_CLASSES):
            return None  # its qualified name would start with a package the module imports
        for name in self._qualified_names(call.func):
            package, _, class_name = name.rpartition(".")
            top = package.split(".", 1)[0]
            if top in _SESSION_CLASSES and class_name in _SESSION_CLASSES[top]:
                return _LIBRARY_OF_PACKAGE[top], _SESSION_CLASSES[top][class_name]
        return None

    def _is_authlib_registry(self, node: cst.BaseExpression) -> bool:
        if "authlib" not in self._imported:
            return False
        resolved = self._resolve(node)
        return isinstance(resolved, cst.Call) and any(
            name.startswith("authlib.") and name.endswith(".OAuth") for name in self._qualified_names(resolved.func)
        )

    def _client(self, call: cst.Call) -> Client | None:
        session = self._session_class(call)
        if session is not None:
            library, oauth1 = session
            parameters = self._keyword_parameters(call)
            return Client(library, call, oauth1, None, self._pkce(call, library, parameters), parameters, None)
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "register"):
            return None
        keywords = {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}
        if not (self._is_authlib_registry(func.value) or _REGISTER_KEYWORDS & set(keywords)):
            return None
        client_kwargs, unknown_kwargs = self._dict_value_parameters(_value(keywords.get("client_kwargs")))
        authorize_params, _ = self._dict_value_parameters(_value(keywords.get("authorize_params")))
        parameters = (*self._keyword_parameters(call), *client_kwargs)
        pkce = self._pkce(call, Library.AUTHLIB, parameters)
        if pkce is False and unknown_kwargs:
            pkce = None
        urls = [self._url(keywords[key].value) for key in _URL_KEYWORDS if key in keywords]
        return Client(
            Library.AUTHLIB,
            call,
            "request_token_url" in keywords,
            self._app_name(call),
            pkce,
            (*authorize_params, *client_kwargs),
            next((url for url in urls if url is not None), None),
        )

    def _pkce(self, call: cst.Call, library: Library, parameters: tuple[Parameter, ...]) -> bool | None:
        keyword = _PKCE_KEYWORD[library]
        for parameter in parameters:
            if parameter.name == keyword:
                return not (isinstance(parameter.value, cst.Name) and parameter.value.value == "None")
        return None if any(arg.star == "**" for arg in call.args) else False

    def _app_name(self, call: cst.Call) -> str | None:
        for arg in call.args:
            if (arg.keyword is None and not arg.star) or (arg.keyword is not None and arg.keyword.value == "name"):
                return self._text(arg.value)
        return None

    def _client_of(self, receiver: cst.BaseExpression, clients: list[Client]) -> Client | None:
        """The client a method is called on: a session or registration of this module, or a registered app by name."""
        resolved = self._resolve(receiver)
        by_call = next((client for client in clients if client.call is resolved), None)
        if by_call is not None:
            return by_call
        name = None
        if isinstance(resolved, cst.Attribute):  # oauth.banno
            name = resolved.attr.value
        elif isinstance(resolved, cst.Call) and isinstance(resolved.func, cst.Attribute) and resolved.func.attr.value == "create_client":
            name = self._app_name(resolved)
        registered = [client for client in clients if name is not None and client.name == name]
        return registered[0] if len(registered) == 1 else None

    def _library_request(self, call: cst.Call, clients: list[Client]) -> AuthorizationRequest | None:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _REQUEST_METHODS:
            return None
        client = self._client_of(func.value, clients)
        if client is not None and client.oauth1:
            return None
        library = client.library if client is not None else _REQUEST_METHODS[func.attr.value]
        if client is None and func.attr.value in _SHARED_METHOD_NAMES and _PACKAGE_OF_LIBRARY[library] not in self._imported:
            return None
        own = self._keyword_parameters(call)
        if client is not None:
            pkce = client.pkce
        else:
            pkce = _module_pkce([c for c in clients if c.library is library and not c.oauth1])
        # A challenge passed by hand. (authlib ignores a `code_verifier` unless the client has a
        # code_challenge_method, so a verifier alone is no PKCE.)
        if any(parameter.name == "code_challenge" for parameter in own):
            pkce = True
        return AuthorizationRequest(
            library,
            call,
            own + (client.parameters if client is not None else ()),
            (self._request_url(call, client),),
            open_ended=any(arg.star == "**" for arg in call.args),
            client_pkce=pkce,
        )

    def _request_url(self, call: cst.Call, client: Client | None) -> Url:
        """A session's methods take the endpoint first; a registered app knows it from its registration."""
        if client is not None and client.name is not None:
            return client.url
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
        if client is None and method != "authorization_url":
            return None  # an unknown authlib app: its first argument may be the redirect_uri
        for arg in call.args:
            if (arg.keyword is None and not arg.star) or (arg.keyword is not None and arg.keyword.value == "url"):
                return self._url(arg.value)
        return None

    def _configuration(self, client: Client) -> AuthorizationRequest:
        return AuthorizationRequest(client.library, client.call, client.parameters, (client.url,), configuration=True)

    # Hand-built requests
    def _dict_request(self, node: cst.Dict) -> AuthorizationRequest | None:
        parameters, open_ended = self._dict_parameters(node)
        return self._hand_built(node, parameters, open_ended)

    def _dict_call_request(self, call: cst.Call) -> AuthorizationRequest | None:
        # `dict(...)`, `builtins.dict(...)`, or a name imported from builtins: no other call's qualified names are asked.
        if dotted_name(call.func).rpartition(".")[2] != "dict" and "builtins" not in self._imported:
            return None
        if not _is_dict_call(call, self._qualified_names(call.func)):
            return None
        return self._hand_built(call, self._keyword_parameters(call), any(arg.star for arg in call.args))

    def _hand_built(
        self, node: cst.Dict | cst.Call, parameters: tuple[Parameter, ...], open_ended: bool
    ) -> AuthorizationRequest | None:
        if not _is_authorization_parameters({parameter.name for parameter in parameters}):
            return None
        urls: list[Url] = []
        added: list[Parameter] = []
        uses = self._uses(node)
        if uses is None:  # a name bound again (`params |= pkce`) may gain any parameter
            uses, open_ended = [], True
        for use in uses:
            outcome = self._use(use)
            if isinstance(outcome, Parameter):
                added.append(outcome)
            elif outcome is _MUTATED:
                open_ended = True
            else:
                urls.append(outcome)
        return AuthorizationRequest(Library.HAND_BUILT, node, (*parameters, *added), tuple(urls) or (None,), open_ended)

    def _uses(self, node: cst.CSTNode) -> list[cst.CSTNode] | None:
        """The dict itself where it is used inline, or every use of the one name it is assigned to;
        None when the name is bound more than once."""
        holder = self._parent(node)
        if not (isinstance(holder, cst.Assign) and holder.value is node):
            return [node]
        if len(holder.targets) != 1 or not isinstance(holder.targets[0].target, cst.Name):
            return []
        assignment = only_assignment(self.get_metadata, holder.targets[0].target)
        if assignment is None:
            return None
        return [access.node for access in assignment.references]

    def _use(self, node: cst.CSTNode) -> Url | Parameter | _Mutated:
        """What one use of the params says: where they go, a parameter added, or a change we cannot follow."""
        parent = self._parent(node)
        if isinstance(parent, cst.Arg):
            call = self._parent(parent)
            if not isinstance(call, cst.Call):
                return None
            if parent.keyword is None and not parent.star and self._is_urlencode(call):
                return self._enclosing_string(call)
            if parent.keyword is not None and parent.keyword.value == "params":
                url = self._url_argument(call)
                return self._url(url) if url is not None else None
            return None
        if isinstance(parent, cst.Attribute) and parent.attr.value in ("update", "setdefault", "pop"):
            return _MUTATED
        if isinstance(parent, cst.Subscript) and isinstance(self._parent(parent), cst.AssignTarget):
            return self._item_assignment(parent)
        return None

    def _url_argument(self, call: cst.Call) -> cst.BaseExpression | None:
        """The URL of `requests.get(url, params=...)` or `requests.request("GET", url, params=...)`."""
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "url":
                return arg.value
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        if len(positional) > 1 and (self._text(positional[0]) or "").upper() in _HTTP_METHODS:
            return positional[1]
        return positional[0] if positional else None

    def _item_assignment(self, subscript: cst.Subscript) -> Parameter | _Mutated:
        """`params["code_challenge"] = challenge`: a parameter added after the dict was written."""
        index = subscript.slice[0].slice if len(subscript.slice) == 1 else None
        key = self._text(index.value) if isinstance(index, cst.Index) else None
        statement = self._parent(self._parent(subscript))  # Subscript -> AssignTarget -> Assign
        if key is None or not isinstance(statement, cst.Assign):
            return _MUTATED
        return Parameter(key, statement, statement.value, self._spans(statement.value))

    def _is_urlencode(self, call: cst.Call) -> bool:
        names = self._qualified_names(call.func) or {dotted_name(call.func)}
        return any(name.rsplit(".", 1)[-1] == "urlencode" for name in names)

    def _query_request(self, value: StringValue) -> AuthorizationRequest | None:
        if value.role.prose or "=" not in value.text:
            return None
        parameters, open_ended = _query_parameters(value)
        if not _is_authorization_parameters({parameter.name for parameter in parameters}):
            return None
        url = value if "?" in value.text else None  # a bare query string does not say where it goes
        return AuthorizationRequest(Library.HAND_BUILT, value.root, parameters, (url,), open_ended)


def _value(arg: cst.Arg | None) -> cst.BaseExpression | None:
    return None if arg is None else arg.value


def _passes_items_through(func: cst.BaseExpression) -> bool:
    """`" ".join(scopes)`, `list(scopes)`: the same strings, differently held."""
    if isinstance(func, cst.Attribute):
        return func.attr.value == "join"
    return isinstance(func, cst.Name) and func.value in ("list", "tuple", "set", "sorted", "frozenset")


def _is_dict_call(call: cst.Call, qualified_names: set[str]) -> bool:
    return "builtins.dict" in qualified_names or (isinstance(call.func, cst.Name) and call.func.value == "dict" and not qualified_names)


def _module_pkce(clients: list[Client]) -> bool | None:
    """For a request whose client is not resolved: what the module's clients of that library say."""
    if not clients or any(client.pkce is None for client in clients):
        return None  # the client is configured where we cannot see
    return any(client.pkce for client in clients)


def _query_parameters(value: StringValue) -> tuple[tuple[Parameter, ...], bool]:
    """The `name=value` pairs of a URL's query (or of a bare query string)."""
    parameters: list[Parameter] = []
    open_ended = False
    for name, start, end in query_segments(value.text):
        if name is None:
            open_ended = True  # `{extra}` or `urlencode(...)`: parameters we cannot see
            continue
        node = value.literal_at(start) or value.root
        value_start = start + len(name) + 1
        parameters.append(
            Parameter(
                name,
                node,
                None,
                (Span(value, value_start, end, in_query=True),),
                query=Span(value, start, end, in_query=True),
            )
        )
    return tuple(parameters), open_ended
