// Runs in the page: renews the member's tokens in a hidden frame, without a full redirect.
(function () {
  const AUTHORIZE = 'https://digital.garden-fi.com/a/consumer/api/oidc/auth';

  function renew(clientId) {
    const query = new URLSearchParams({
      response_type: 'id_token token',
      client_id: clientId,
      redirect_uri: window.location.origin + '/silent-login.html',
      scope: 'openid banno',
      nonce: Math.random().toString(36).slice(2),
    });
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.src = `${AUTHORIZE}?${query}`;
    document.body.appendChild(frame);
  }

  // Back from the authorization endpoint: the tokens are in the fragment.
  if (window.location.hash) {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const accessToken = fragment.get('access_token');
    window.parent.postMessage({ type: 'banno-token', accessToken }, window.location.origin);
  } else {
    window.renewBannoSession = renew;
  }
})();
