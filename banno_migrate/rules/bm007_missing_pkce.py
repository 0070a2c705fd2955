"""BM007 missing-pkce: an authorization-code request sent without a PKCE code challenge."""

from __future__ import annotations

import libcst as cst

from banno_migrate.analysis.authorization_requests import (
    AuthorizationRequest,
    AuthorizationRequestProvider,
    Destination,
    Library,
)
from banno_migrate.analysis.metadata import PositionProvider
from banno_migrate.rules.base import Rule

# What to do, in the words of each way to build the request (the catalog's guidance has the details).
_HOW = {
    Library.AUTHLIB: 'configure the client with code_challenge_method="S256" (client_kwargs of oauth.register or OAuth2Session(...))',
    Library.REQUESTS_OAUTHLIB: 'create the OAuth2Session with pkce="S256"',
    Library.HAND_BUILT: "send code_challenge (base64url SHA-256 of a secrets.token_urlsafe(64) verifier) "
    "with code_challenge_method=S256, then code_verifier to the token endpoint",
}


class MissingPkce(Rule):
    CODE = "BM007"
    METADATA_DEPENDENCIES = (PositionProvider, AuthorizationRequestProvider)

    def visit_Module(self, node: cst.Module) -> None:
        for request in self.get_metadata(AuthorizationRequestProvider, node):
            if self._lacks_pkce(request):
                response_type = request.parameter("response_type")
                where = response_type.node if response_type is not None else request.node
                self.report(where, library=request.library.value, how=_HOW[request.library])

    def _lacks_pkce(self, request: AuthorizationRequest) -> bool:
        if request.configuration or request.open_ended:
            return False  # a configuration is judged where it is used; hidden parameters may hold the challenge
        if request.destination(self.domain) is Destination.OTHER:
            return False  # another provider's rules, not Banno's
        if not self._is_code_request(request):
            return False  # the implicit flow is BM003's
        if request.library is Library.HAND_BUILT:
            return request.parameter("code_challenge") is None
        # A library client: PKCE is its configuration; None means it cannot be seen from here.
        return request.client_pkce is False

    @staticmethod
    def _is_code_request(request: AuthorizationRequest) -> bool:
        response_type = request.parameter("response_type")
        if response_type is None:
            return request.library is not Library.HAND_BUILT  # the libraries default to `code`
        return response_type.text == "code"
