// Banno UAT, "Garden" demo institution. Endpoints copied from the developer portal.
module.exports = {
  environment: 'https://digital.garden-fi.com',
  issuer: 'https://uat.banno.com/a/consumer/api/oidc',
  authorization_endpoint: 'https://digital.garden-fi.com/a/consumer/api/oidc/auth',
  token_endpoint: 'https://digital.garden-fi.com/a/consumer/api/oidc/token',
  userinfo_endpoint: 'https://digital.garden-fi.com/a/consumer/api/oidc/me',
  jwks_uri: 'https://digital.garden-fi.com/a/consumer/api/oidc/certs',
  client_id: process.env.CLIENT_ID,
  client_secret: process.env.CLIENT_SECRET,
  redirect_uri: 'http://localhost:8080/auth/cb',
  scope: 'openid profile banno',
};
