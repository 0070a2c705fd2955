# BM007: a requests-oauthlib session made in __init__ (no trigger there), used by another method.
from requests_oauthlib import OAuth2Session

AUTHORIZE_URL = "https://digital.garden-fi.com/a/consumer/api/v0/oidc/auth"
SCOPES = ["openid", "profile"]


class BankClient:
    def __init__(self, client_id, redirect_uri):
        self.session = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=SCOPES)

    def describe(self):
        return f"client for {AUTHORIZE_URL}"

    def start(self):
        url, state = self.session.authorization_url(AUTHORIZE_URL)
        return url, state

    def close(self):
        self.session.close()
