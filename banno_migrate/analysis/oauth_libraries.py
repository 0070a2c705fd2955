"""OAuth request parameters as code writes them, and the client libraries' APIs by qualified name.

One authorization-request parameter reaches the wire from many spellings: a
keyword argument (`create_authorization_url(url, response_type="token")`), a
dict entry (`client_kwargs={"code_challenge_method": "plain"}`), a constant or
an attribute (`RESPONSE_TYPE = "token"`), a `(name, value)` pair given to
`urlencode`, or a query string (`?response_type=token`). `OAuthParameter.spans`
finds where its values are written in the evaluated strings of
`StringValueProvider`.

The libraries (authlib, requests-oauthlib, oauthlib) re-export their classes
from several modules (`oauthlib.oauth2.MobileApplicationClient` is also
`oauthlib.oauth2.rfc6749.clients.mobile_application.MobileApplicationClient`),
so an API is matched by its package and its last name, on the qualified names
LibCST's `QualifiedNameProvider` resolves through aliases and from-imports.
"""

from __future__ import annotations

from typing import Collection, Iterable, Iterator

import libcst as cst
from libcst.metadata import QualifiedName

from banno_migrate.analysis.strings import Role, RoleKind, StringValue
from banno_migrate.domain_patterns import ParameterNames

OAUTH_LIBRARIES = frozenset({"authlib", "oauthlib", "requests_oauthlib"})

# How a list of values is written in one parameter: "id_token token", "id_token+token", "id_token%20token".
# A request value is passed under the parameter's own name; a constant, an attribute or a
# function may add a prefix (`OAUTH_RESPONSE_TYPE = ...`, `def pkce_method(): ...`).
_EXACT_ROLES = (RoleKind.KEYWORD, RoleKind.DICT_VALUE)
_PREFIXED_ROLES = (RoleKind.ASSIGNMENT, RoleKind.RETURN)


class OAuthParameter:
    """A request parameter: its name on the wire, and the names code keeps its value under."""

    def __init__(self, wire_name: str, *holder_names: str) -> None:
        self.names = ParameterNames(wire_name, *holder_names)

    def spans(self, value: StringValue) -> Iterator[tuple[int, int]]:
        """Where in `value.text` a value of this parameter is written (start, end).

        A list element counts only as the value of a `(name, value)` pair: a
        list under the parameter's name is a server's set of supported values.
        """
        if value.element is not None:
            if self._is_pair_value(value):
                yield 0, len(value.text)
        elif self._holds(value.role):
            yield 0, len(value.text)
        else:
            for query in self.names.in_query.finditer(value.text):
                yield query.span(1)

    def _holds(self, role: Role) -> bool:
        if role.kind not in _EXACT_ROLES and role.kind not in _PREFIXED_ROLES:
            return False
        return self.names.held_by(role.names, exactly=role.kind in _EXACT_ROLES)

    def _is_pair_value(self, value: StringValue) -> bool:
        """The value of a `(name, value)` pair, as in `urlencode([("response_type", "token")])`."""
        container = value.container
        if not isinstance(container, cst.Tuple) or len(container.elements) != 2 or container.elements[1] is not value.element:
            return False
        name = container.elements[0].value
        return isinstance(name, cst.SimpleString) and name.evaluated_value == self.names.wire_name


def is_library_api(names: Collection[QualifiedName], api: str, libraries: Collection[str] = OAUTH_LIBRARIES) -> bool:
    """Whether a qualified name is `api` of one of the OAuth client libraries."""
    return any(name.name.partition(".")[0] in libraries and name.name.rpartition(".")[2] == api for name in names)


def writes_any(text: str, apis: Iterable[str]) -> bool:
    """Whether a module's text writes one of the APIs' names. A qualified name ends with a name the
    module writes (in an import, an attribute): without one, no node is one of them, and a rule need
    not resolve any node's qualified names to find out (thousands of calls in a server's module)."""
    return any(api in text for api in apis)


def keyword_argument(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    return next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == keyword), None)


def positional_argument(call: cst.Call, index: int) -> cst.BaseExpression | None:
    """The expression passed as positional argument `index`, when it is written out."""
    for position, arg in enumerate(arg for arg in call.args if arg.keyword is None):
        if arg.star:
            return None  # *args: which argument lands where is not known
        if position == index:
            return arg.value
    return None


def method_name(call: cst.Call) -> str | None:
    """`token_from_fragment` for `session.token_from_fragment(url)`: an instance method's name
    is all that is known of it statically."""
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None
