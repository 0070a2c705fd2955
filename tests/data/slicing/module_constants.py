# BM007: where each request goes is a module constant without any needle, built from another one.
from urllib.parse import urlencode

GOOGLE = "https://accounts.google.com"
GOOGLE_AUTHORIZE = GOOGLE + "/o/oauth2/v2/auth"
CLIENT_ID = "web-app"


def google_login(state):
    params = {"response_type": "code", "client_id": CLIENT_ID, "state": state}
    return GOOGLE_AUTHORIZE + "?" + urlencode(params)


def login(authorize_url, state):
    params = {"response_type": "code", "client_id": CLIENT_ID, "state": state}
    return authorize_url + "?" + urlencode(params)


def other():
    return 1
