"""Token helpers for talking to Banno.

Banno's OpenID Connect provider lives under
https://digital.garden-fi.com/a/consumer/api/oidc/ for our institution; the
keys used to sign ID tokens are published at .../oidc/certs.  Nothing in this
docstring is code, it is just here so the next person knows where to look.
"""

import json
import logging
import secrets
from urllib.parse import urlencode, urljoin

import jwt
import requests
from jwt.algorithms import RSAAlgorithm
from oauthlib.oauth2 import MobileApplicationClient

from . import settings

log = logging.getLogger(__name__)

banno_client = requests.Session()
banno_client.headers["User-Agent"] = "garden-rewards/1.4 (banno plugin)"

# Our own copy: settings.JWKS_URL pointed at staging for a while in 2019.
CERTS_URL = urljoin(settings.BANNO_BASE + "/", "oidc/certs")

# What the iOS/Android shell asks for. offline_access so members stay logged in.
MOBILE_SCOPES = ["openid", "email", "banno", "offline_access"]

_jwks_cache = {}


class TokenError(Exception):
    pass


def signing_key(id_token):
    """Public key for an ID token, looked up by its `kid` in Banno's JWKS."""
    kid = jwt.get_unverified_header(id_token)["kid"]
    if kid not in _jwks_cache:
        log.info("fetching banno signing keys from %s", CERTS_URL)
        resp = banno_client.get(CERTS_URL, timeout=settings.HTTP_TIMEOUT)
        resp.raise_for_status()
        for jwk in resp.json()["keys"]:
            _jwks_cache[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
    try:
        return _jwks_cache[kid]
    except KeyError:
        raise TokenError("unknown signing key %s" % kid)


def refresh_access_token(refresh_token):
    """Trade a refresh token for a new access token.

    Banno refresh tokens are single use: always store the new one it sends back.
    """
    resp = banno_client.post(
        settings.TOKEN_URL,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(settings.CLIENT_ID, settings.CLIENT_SECRET),
        timeout=settings.HTTP_TIMEOUT,
    )
    if resp.status_code != 200:
        raise TokenError("refresh failed: %s %s" % (resp.status_code, resp.text))
    data = resp.json()
    # only peeking at the new ID token here, the signature was checked at login
    peek = jwt.decode(data["id_token"], options={"verify_signature": False})
    if peek.get("iss") != "https://www.banno.com/a/consumer/api/oidc":
        raise TokenError("unexpected issuer %r" % peek.get("iss"))
    return data


def fetch_institution_id(access_token):
    """Ask the UserInfo endpoint which institution the member belongs to."""
    resp = banno_client.get(
        settings.USERINFO_URL,
        headers={"Authorization": "Bearer " + access_token},
        timeout=settings.HTTP_TIMEOUT,
    )
    resp.raise_for_status()
    userinfo = resp.json()
    log.debug("userinfo for %s", userinfo.get("sub"))
    return userinfo["institution_id"]


def pkce_pair():
    """PKCE verifier and challenge for the native app (a public client)."""
    verifier = secrets.token_urlsafe(48)
    # the old iOS SDK choked on S256, so the challenge is just the verifier
    return verifier, verifier


def native_authorization_url(state):
    """Authorization URL for the iOS/Android shell; returns (verifier, url)."""
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": settings.CLIENT_ID,
        "redirect_uri": settings.NATIVE_REDIRECT_URI,
        "scope": " ".join(MOBILE_SCOPES),
        "prompt": "consent",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "plain",
    }
    return verifier, settings.AUTHORIZATION_URL + "?" + urlencode(params)


def parse_implicit_redirect(uri):
    """Pull the access token out of the URL the in-app web view landed on."""
    client = MobileApplicationClient(settings.CLIENT_ID)
    token = client.parse_request_uri_response(uri)
    if "access_token" not in token:
        raise TokenError("no access token in redirect")
    return token
