# BM006/BM007: the client is configured in init_oauth, the request is made in login.
from authlib.integrations.flask_client import OAuth

oauth = OAuth()
METADATA_URL = "https://digital.garden-fi.com/a/consumer/api/v0/oidc/.well-known/openid-configuration"


def init_oauth(app):
    oauth.init_app(app)
    oauth.register(
        "bank",
        server_metadata_url=METADATA_URL,
        client_kwargs={"scope": "openid profile offline_access"},
    )


def unrelated_helper(items):
    total = 0
    for item in items:
        total += len(item)
    return total


def login(redirect_uri):
    return oauth.bank.authorize_redirect(redirect_uri, prompt="consent")
