"""Login with Banno (members) and with Okta (staff)."""

import json
import logging
import secrets
from urllib.parse import urlencode

import jwt
import requests
from flask import Blueprint, abort, jsonify, redirect, request, session, url_for

from . import settings, tokens

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

# Poor man's user table until the rewards DB is ready.
_USERS = {}


def _new_state():
    state = secrets.token_urlsafe(16)
    session["oauth_state"] = state
    return state


@bp.route("/login")
def login():
    """Send the member to Banno to sign in (authorization code flow)."""
    params = {
        "response_type": "code",
        "client_id": settings.CLIENT_ID,
        "redirect_uri": settings.REDIRECT_URI,
        "scope": settings.SCOPES + " offline_access",
        # without prompt=consent Banno never hands out a refresh token
        "prompt": "consent",
        "state": _new_state(),
        # the banno scope alone stopped including institution_id for some FIs
        "claims": json.dumps({"id_token": {"institution_id": None}}),
    }
    return redirect(settings.AUTHORIZATION_URL + "?" + urlencode(params))


@bp.route("/m/login")
def mobile_login():
    """Login for the in-app web view: tokens come back in the URL fragment."""
    params = {
        "response_type": "token",
        "client_id": settings.CLIENT_ID,
        "redirect_uri": settings.MOBILE_REDIRECT_URI,
        "scope": "openid banno",
        "state": _new_state(),
    }
    return redirect(f"{settings.AUTHORIZATION_URL}?{urlencode(params)}")


@bp.route("/m/token", methods=["POST"])
def mobile_token():
    # /m/done has a bit of JS that posts window.location.href back to us
    token = tokens.parse_implicit_redirect(request.form["url"])
    session["access_token"] = token["access_token"]
    return jsonify(ok=True)


@bp.route("/m/native/start")
def native_start():
    """The iOS/Android shell asks us for the login URL and keeps the verifier."""
    verifier, url = tokens.native_authorization_url(_new_state())
    return jsonify(authorize_url=url, code_verifier=verifier)


@bp.route("/callback")
def callback():
    # Launches from the Banno app menu arrive here with a code but no state,
    # so we only check state when we sent one.
    expected_state = session.pop("oauth_state", None)
    if expected_state and request.args.get("state") != expected_state:
        abort(400)
    code = request.args["code"]

    resp = requests.post(
        settings.TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.REDIRECT_URI,
        },
        auth=(settings.CLIENT_ID, settings.CLIENT_SECRET),
        timeout=settings.HTTP_TIMEOUT,
    )
    resp.raise_for_status()
    token_response = resp.json()

    id_token = token_response["id_token"]
    key = tokens.signing_key(id_token)
    claims = jwt.decode(
        id_token,
        key,
        algorithms=["RS256"],
        audience=settings.CLIENT_ID,
        issuer=settings.ISSUER,
    )

    institution_id = claims["institution_id"]
    netteller_id = claims.get("netteller_id")
    log.info("banno login ok sub=%s institution=%s", claims["sub"], institution_id)

    _USERS[claims["sub"]] = {
        "institution_id": institution_id,
        "netteller_id": netteller_id,
        "email": claims.get("email"),
    }
    session["user"] = claims["sub"]
    session["institution_id"] = institution_id
    session["access_token"] = token_response["access_token"]
    session["refresh_token"] = token_response.get("refresh_token")
    return redirect(url_for("auth.whoami"))


@bp.route("/refresh", methods=["POST"])
def refresh():
    data = tokens.refresh_access_token(session["refresh_token"])
    session["access_token"] = data["access_token"]
    session["refresh_token"] = data["refresh_token"]
    return jsonify(ok=True)


@bp.route("/whoami")
def whoami():
    user = _USERS.get(session.get("user"))
    if user is None:
        return redirect(url_for("auth.login"))
    return jsonify(sub=session["user"], **user)


@bp.route("/admin/login")
def admin_login():
    """Back-office staff sign in with Okta, not Banno."""
    session["admin_state"] = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": settings.OKTA_CLIENT_ID,
        "redirect_uri": url_for("auth.admin_callback", _external=True),
        "scope": "openid email groups",
        "state": session["admin_state"],
    }
    return redirect(settings.OKTA_AUTH_URL + "?" + urlencode(params))


@bp.route("/admin/callback")
def admin_callback():
    code = request.args.get("code")
    if not code or request.args.get("state") != session.pop("admin_state", None):
        log.warning("okta callback without code/state: %s", request.args.get("error"))
        return redirect(url_for("auth.admin_login"))
    resp = requests.post(
        settings.OKTA_TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": url_for("auth.admin_callback", _external=True),
        },
        auth=(settings.OKTA_CLIENT_ID, settings.OKTA_CLIENT_SECRET),
        timeout=settings.HTTP_TIMEOUT,
    )
    resp.raise_for_status()
    session["admin"] = True
    return redirect("/admin/")


@bp.route("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
