"""Settings for the Garden Rewards plugin.

Everything Banno-related lives here so we only have one place to touch when
the digital banking team changes something on their side.
"""

import os

BANNO_HOST = "digital.garden-fi.com"
BANNO_BASE = "https://digital.garden-fi.com/a/consumer/api"

# OpenID Connect endpoints (see the Banno developer portal, "Authentication").
AUTHORIZATION_URL = "https://digital.garden-fi.com/a/consumer/api/oidc/auth"
TOKEN_URL = BANNO_BASE + "/oidc/token"
USERINFO_URL = f"{BANNO_BASE}/oidc/me"
JWKS_URL = BANNO_BASE + "/oidc/certs"
DISCOVERY_URL = BANNO_BASE + "/oidc/.well-known/openid-configuration"

# NB: Banno signs every ID token with this issuer, whatever host you talk to.
ISSUER = "https://www.banno.com/a/consumer/api/oidc"

# banno scope gives us custom claims (institution_id, netteller_id, ...)
SCOPES = "openid profile banno"

CLIENT_ID = os.environ.get("BANNO_CLIENT_ID", "garden-rewards-dev")
CLIENT_SECRET = os.environ.get("BANNO_CLIENT_SECRET", "dev-secret-change-me")
REDIRECT_URI = os.environ.get("BANNO_REDIRECT_URI", "https://rewards.garden-fi.com/callback")
MOBILE_REDIRECT_URI = "https://rewards.garden-fi.com/m/done"
NATIVE_REDIRECT_URI = "com.gardenfi.rewards://oauth/callback"

# Staff back-office pages sign in through our Okta tenant, not Banno.
OKTA_ISSUER = "https://garden-fi.okta.com/oauth2/default"
OKTA_AUTH_URL = OKTA_ISSUER + "/v1/authorize"
OKTA_TOKEN_URL = f"{OKTA_ISSUER}/v1/token"
OKTA_DISCOVERY_URL = OKTA_ISSUER + "/.well-known/openid-configuration"
OKTA_CLIENT_ID = os.environ.get("OKTA_CLIENT_ID", "0oa-garden-admin-dev")
OKTA_CLIENT_SECRET = os.environ.get("OKTA_CLIENT_SECRET", "dev-secret-change-me")

SECRET_KEY = os.environ.get("FLASK_SECRET_KEY", "dev-secret-change-me")
HTTP_TIMEOUT = 10
