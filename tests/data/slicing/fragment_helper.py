# BM003: a fragment parsed in one function, its access_token read in the caller (a return followed).
from urllib.parse import parse_qs, urlparse


def params_of(url):
    return parse_qs(urlparse(url).fragment)


def handle(url):
    token = params_of(url)["access_token"][0]
    return token


def other(url):
    params = parse_qs(urlparse(url).fragment)
    helper = params
    return helper


def use(url):
    return other(url)["id_token"]


def describe(url):
    return "a redirect to " + url
