"""BM008 pkce-plain: the PKCE method `plain`, where v0 accepts only `S256`.

Written out (`code_challenge_method="plain"`, requests-oauthlib's `pkce="plain"`,
`?code_challenge_method=plain`), or left to oauthlib, whose
`create_code_challenge(verifier)` and `prepare_request_uri(..., code_challenge=...)`
default to `plain` when no method is given. Report only: switching the method
name to `S256` without hashing the verifier into the challenge would make every
token exchange fail.
"""

from __future__ import annotations

import libcst as cst

from banno_migrate.analysis.metadata import PositionProvider, QualifiedNameProvider
from banno_migrate.analysis.oauth_libraries import (
    OAuthParameter,
    is_library_api,
    keyword_argument,
    method_name,
    positional_argument,
    writes_any,
)
from banno_migrate.analysis.strings import StringValue, StringValueProvider
from banno_migrate.rules.base import RuleContext, StringRule

# requests-oauthlib names it `pkce`: OAuth2Session(..., pkce="plain").
CODE_CHALLENGE_METHOD = OAuthParameter("code_challenge_method", "pkce", "pkce_method")
_PLAIN = "plain"
# oauthlib's calls that take the method, at this position, and default it to `plain`:
# create_code_challenge(verifier, method), prepare_request_uri(uri, redirect_uri, scope, state, challenge, method).
_OAUTHLIB_METHODS = {"create_code_challenge": 1, "prepare_request_uri": 5}
_OAUTHLIB_FUNCTIONS = {"prepare_grant_uri": 7}  # (uri, client_id, response_type, redirect_uri, scope, state, challenge, method)


class PkcePlain(StringRule):
    CODE = "BM008"
    METADATA_DEPENDENCIES = (PositionProvider, StringValueProvider, QualifiedNameProvider)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._writes_oauthlib_functions = writes_any(context.source.text, _OAUTHLIB_FUNCTIONS)

    def check_string(self, value: StringValue) -> None:
        for start, end in CODE_CHALLENGE_METHOD.spans(value):
            self._check_method(value, start, end)

    def visit_Call(self, node: cst.Call) -> None:
        position = self._method_position(node)
        if position is None:
            return
        argument = positional_argument(node, position)
        if argument is not None:
            value = self.get_metadata(StringValueProvider, argument, None)
            if value is not None:
                self._check_method(value, 0, len(value.text))
        elif _defaults_to_plain(node):
            self.report(node, found="oauthlib's default PKCE method 'plain' (no code_challenge_method given)")

    def _method_position(self, node: cst.Call) -> int | None:
        position = _OAUTHLIB_METHODS.get(method_name(node) or "")
        if position is not None:
            return position
        if not self._writes_oauthlib_functions:
            return None
        names = self.get_metadata(QualifiedNameProvider, node.func, set())
        return next((index for api, index in _OAUTHLIB_FUNCTIONS.items() if is_library_api(names, api, {"oauthlib"})), None)

    def _check_method(self, value: StringValue, start: int, end: int) -> None:
        literal = value.literal_at(start)
        if literal is not None and value.text[start:end] == _PLAIN:
            self.report(literal, found="PKCE method 'plain'")


def _defaults_to_plain(call: cst.Call) -> bool:
    """A challenge made or sent with no method at all (and no **kwargs that could hold one)."""
    if any(arg.star for arg in call.args) or keyword_argument(call, CODE_CHALLENGE_METHOD.names.wire_name) is not None:
        return False
    if method_name(call) == "create_code_challenge":
        return bool(call.args)
    challenge = keyword_argument(call, "code_challenge")
    return challenge is not None and not (isinstance(challenge, cst.Name) and challenge.value == "None")
