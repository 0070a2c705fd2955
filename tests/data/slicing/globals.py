# BM001: a module-level name reassigned through `global` in a body without a trigger.
import requests

TOKEN_URL = "https://digital.garden-fi.com/a/consumer/api/oidc/token"


def use_staging():
    global TOKEN_URL
    TOKEN_URL = compute_url()


def fetch(code):
    return requests.post(TOKEN_URL, data={"code": code})


def compute_url():
    return "https://elsewhere.example/token"
