# BM003: a fragment parsed at module level, its access_token read in a function (a name followed).
from urllib.parse import parse_qs, urlparse

PARAMS = parse_qs(urlparse(CALLBACK_URL).fragment)


def token():
    return PARAMS["access_token"][0]


def other():
    return 1
