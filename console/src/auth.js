// Who is signed in: a bearer token plus the project it works in, kept for this browser tab only.
// Local mode asks the local stack's /local/token (as `psctl login --local` does); OIDC mode runs the
// authorization code flow with PKCE (RFC 7636) against the issuer the API's JWT authorizer trusts, with an
// OIDC nonce: the ID token must carry the one this tab sent, so a token minted for another sign-in is refused.
import { currentConfig } from './config.js';

const SESSION = 'palette.session';
const PKCE = 'palette.pkce';

export function session() {
  const raw = sessionStorage.getItem(SESSION);
  if (!raw) return null;
  const value = JSON.parse(raw);
  if (value.expiresAt && Date.now() > value.expiresAt) {
    sessionStorage.removeItem(SESSION);
    return null;
  }
  return value;
}

export function signOut() {
  sessionStorage.removeItem(SESSION);
}

function save(token, project, expiresInSeconds) {
  const claims = decodeClaims(token);
  const roles = Array.isArray(claims.roles) ? claims.roles : String(claims.roles ?? '').split(/[\s,]+/).filter(Boolean);
  const value = {
    token,
    project,
    tenant: claims.tenant ?? '',
    subject: claims.sub ?? '',
    roles,
    expiresAt: expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : (claims.exp ? claims.exp * 1000 : null),
  };
  sessionStorage.setItem(SESSION, JSON.stringify(value));
  return value;
}

function decodeClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '=')));
  } catch {
    return {};
  }
}

/** What the signed-in role allows in its project, as the API decides it (Caller.Granted). */
export function permissions(s = session()) {
  const has = (role) => s?.roles.includes(role);
  const admin = has('tenant-admin') || has(`project-admin:${s?.project}`);
  const editor = admin || has(`project-editor:${s?.project}`);
  return { write: editor, forceDelete: admin };
}

/** POST /local/token {tenant, project, role, subject}; throws the API's answer on an error. */
export async function signInLocal({ tenant, project, role, subject }) {
  const response = await fetch(`${currentConfig().apiUrl}/local/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tenant, project, role, subject }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.token) throw new Error(body.message ?? `sign-in failed: HTTP ${response.status}`);
  return save(body.token, project, body.expiresIn);
}

const base64Url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function discovery(issuer) {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`OIDC discovery at ${issuer}: HTTP ${response.status}`);
  return response.json();
}

const redirectUri = () => window.location.origin + window.location.pathname;

/** Sends the browser to the issuer's authorization endpoint with a fresh verifier, state, nonce and challenge. */
export async function beginOidcSignIn(project) {
  const { auth } = currentConfig();
  const metadata = await discovery(auth.issuer);
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const nonce = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, nonce, project }));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scope ?? 'openid',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
}

/** On the redirect back (?code=&state=): exchanges the code for tokens. Returns true when it signed in. */
export async function completeOidcSignIn() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  if (!code) return false;
  const pending = JSON.parse(sessionStorage.getItem(PKCE) ?? 'null');
  sessionStorage.removeItem(PKCE);
  window.history.replaceState(null, '', redirectUri() + '#/clusters');
  if (!pending || pending.state !== params.get('state')) throw new Error('sign-in answer does not match the request (state): sign in again');
  const { auth } = currentConfig();
  const metadata = await discovery(auth.issuer);
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(tokens.error_description ?? tokens.error ?? `token endpoint: HTTP ${response.status}`);
  // OIDC Core 3.1.3.7: the ID token's nonce must be the one this sign-in sent; anything else was minted for
  // another sign-in (or injected) and is not used, whichever token the API is then given.
  if (!tokens.id_token) throw new Error('sign-in failed: the identity provider sent no ID token, so its nonce cannot be checked');
  const { nonce } = decodeClaims(tokens.id_token);
  if (!pending.nonce || nonce !== pending.nonce) {
    throw new Error('sign-in answer does not match the request (nonce): the ID token was not issued for this sign-in; sign in again');
  }
  // The token the API's authorizer checks: the ID token carries aud = client id and the tenant and roles claims.
  const token = auth.tokenType === 'access_token' ? tokens.access_token : tokens.id_token;
  save(token, pending.project, tokens.expires_in);
  return true;
}
