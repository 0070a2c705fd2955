'use strict';

// Garden Rewards: members sign in with their Banno online banking credentials
// (OpenID Connect), staff sign in through Okta.
require('dotenv').config();

const path = require('path');
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const OpenIDConnectStrategy = require('passport-openidconnect');
const jwt = require('jsonwebtoken');

const env = process.env.NODE_ENV || 'development';
const config = require(`./config/${env}`);
const db = require('./db');

const USERINFO_PATH = '/a/consumer/api/oidc/me';

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.use(passport.session());

passport.use('banno', new OpenIDConnectStrategy({
  issuer: config.issuer,
  authorizationURL: config.authorization_endpoint,
  tokenURL: config.token_endpoint,
  userInfoURL: config.userinfo_endpoint,
  clientID: config.client_id,
  clientSecret: config.client_secret,
  callbackURL: config.redirect_uri,
  scope: config.scope + ' offline_access',
  // Banno only hands out a refresh token with prompt=consent.
  prompt: 'consent',
}, (issuer, profile, context, idToken, accessToken, refreshToken, cb) => {
  // passport-openidconnect has verified the ID token already: just read it.
  const claims = jwt.decode(idToken);
  return cb(null, {
    id: profile.id,
    name: profile.displayName,
    institutionId: claims.institution_id,
    nettellerId: profile._json.netteller_id,
    refreshToken,
  });
}));

// Staff use Okta (another provider: its own rules, nothing to migrate).
passport.use('okta', new OpenIDConnectStrategy({
  issuer: 'https://garden-fi.okta.com/oauth2/default',
  authorizationURL: 'https://garden-fi.okta.com/oauth2/default/v1/authorize',
  tokenURL: 'https://garden-fi.okta.com/oauth2/default/v1/token',
  clientID: process.env.OKTA_CLIENT_ID,
  clientSecret: process.env.OKTA_CLIENT_SECRET,
  callbackURL: '/staff/cb',
  scope: ['profile', 'offline_access'],
  prompt: 'consent',
}, (issuer, profile, cb) => cb(null, { id: profile.id, staff: true })));

passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user, done) => done(null, user));

app.get('/', (req, res) => {
  if (!req.user) {
    return res.sendFile(path.join(__dirname, 'views', 'login.html'));
  }
  return res.redirect('/rewards');
});

app.get('/login', passport.authenticate('banno'));
app.get('/auth/cb', passport.authenticate('banno', { failureRedirect: '/' }), (req, res) => res.redirect('/rewards'));
app.get('/staff/login', passport.authenticate('okta'));
app.get('/staff/cb', passport.authenticate('okta', { failureRedirect: '/' }), (req, res) => res.redirect('/admin'));

// Members who bank at several institutions pick another one: straight to the authorization endpoint.
app.get('/switch-institution', (req, res) => {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: config.scope,
    prompt: 'login',
  });
  res.redirect(`${config.authorization_endpoint}?${params}`);
});

app.get('/rewards', async (req, res) => {
  if (!req.user) {
    return res.redirect('/');
  }
  // The institution may have changed since login: ask UserInfo again.
  const response = await fetch(config.environment + USERINFO_PATH, {
    headers: { Authorization: `Bearer ${await accessTokenFor(req.user)}` },
  });
  const userinfo = await response.json();
  const row = await db.get('SELECT points FROM rewards WHERE institution_id = ? AND member = ?', [
    userinfo.institution_id,
    req.user.id,
  ]);
  console.log('banno rewards for %s at institution %s', req.user.id, row.institution_id);
  return res.json({ name: req.user.name, points: row.points });
});

async function accessTokenFor(user) {
  const response = await fetch(config.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
      client_id: config.client_id,
      client_secret: config.client_secret,
    }),
  });
  const tokens = await response.json();
  user.refreshToken = tokens.refresh_token;
  return tokens.access_token;
}

app.listen(process.env.PORT || 8080);
