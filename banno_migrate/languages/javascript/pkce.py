"""BM007 missing-pkce and BM008 pkce-plain in JavaScript.

BM007 mirrors banno_migrate/rules/bm007_missing_pkce.py: a code request (a
library defaults to `code`) to Banno or to a destination the code does not
show, whose parameters are all visible, without `code_challenge` (hand-built)
or whose client is configured without PKCE (passport-openidconnect's `pkce`,
openid-client's `usePKCE: false`). BM008: a PKCE method `plain`, wherever it
is written (`code_challenge_method`, passport's `pkce`, openid-client's
`usePKCE`). Neither has an automatic fix.
"""

from __future__ import annotations

from banno_migrate.languages.javascript.context import Context
from banno_migrate.languages.javascript.parameters import OAuthParameter
from banno_migrate.languages.javascript.requests import HAND_BUILT, OPENID_CLIENT, PASSPORT, Parameter, Request, Requests
from banno_migrate.languages.string_checks import Destination

MISSING, PLAIN = "BM007", "BM008"
# The library spellings: codeChallengeMethod (oidc-client-ts, AppAuth-JS), passport's pkce, openid-client's usePKCE.
CODE_CHALLENGE_METHOD = OAuthParameter("code_challenge_method", "codeChallengeMethod", "pkce", "pkce_method", "usePKCE")
_HOW = {
    PASSPORT: "enable PKCE in the Strategy options (pkce: true, which sends S256)",
    OPENID_CLIENT: "send code_challenge: generators.codeChallenge(verifier) with code_challenge_method: 'S256' "
    "(keep the generators.codeVerifier() verifier for client.callback()), or leave the Strategy's usePKCE at its default",
    HAND_BUILT: "send code_challenge (base64url SHA-256 of a random verifier, e.g. crypto.randomBytes(32).toString('base64url')) "
    "with code_challenge_method=S256, then code_verifier to the token endpoint",
}


def check_missing(context: Context, requests: Requests) -> None:
    for request in requests.requests:
        response_type = request.parameter("response_type")
        if not _lacks_pkce(requests, request, response_type):
            continue
        if response_type is not None:
            context.report_node(MISSING, response_type.node, library=request.library, how=_HOW[request.library])
        else:
            context.report_at(MISSING, *request.span, library=request.library, how=_HOW[request.library])


def _lacks_pkce(requests: Requests, request: Request, response_type: Parameter | None) -> bool:
    if request.open_ended:
        return False  # hidden parameters may hold the challenge
    if requests.destination(request) is Destination.OTHER:
        return False  # another provider's rules, not Banno's
    if response_type is None:
        if request.library == HAND_BUILT:
            return False
    elif response_type.text != "code":
        return False  # the implicit flow is BM003's; an unknown value is not judged
    if request.library == HAND_BUILT:
        return request.parameter("code_challenge") is None
    return request.pkce is False


def check_plain(context: Context) -> None:
    for literal, method in CODE_CHALLENGE_METHOD.written(context.values):
        if method == "plain":
            context.report_node(PLAIN, literal, found="PKCE method 'plain'")
