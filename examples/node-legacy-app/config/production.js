// The institution serves online banking (and so its OIDC endpoints) from its own domain.
const fiHost = process.env.BANNO_FI_HOST || 'banking.gardenbank.com';
const oidcBase = `https://${fiHost}/a/consumer/api/oidc`;

module.exports = {
  environment: `https://${fiHost}`,
  // Banno signs every ID token with this issuer, whatever host we talk to.
  issuer: 'https://www.banno.com/a/consumer/api/oidc',
  authorization_endpoint: `${oidcBase}/auth`,
  token_endpoint: `${oidcBase}/token`,
  userinfo_endpoint: `${oidcBase}/me`,
  jwks_uri: `${oidcBase}/certs`,
  client_id: process.env.CLIENT_ID,
  client_secret: process.env.CLIENT_SECRET,
  redirect_uri: `https://rewards.gardenbank.com/auth/cb`,
  scope: process.env.OIDC_SCOPE || 'openid profile banno',
};
