// The tab's session: the token in sessionStorage (this tab only, gone when it closes; never a cookie), the
// one-time code of a `fleet open` link exchanged for a token, and the identity the token stands for.
import { requestJson } from './fleet-client.js';

export const TOKEN_KEY = 'fleet.token';

export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(/** @type {string} */ token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
}

/**
 * The one-time code in the URL's fragment (`#code=…`), removed from the address bar and history at once
 * so it is never bookmarked, shared or shown again; undefined when there is none.
 */
export function takeCodeFromUrl() {
  const match = /^#code=([^&]+)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * Exchange a one-time code for a token and its identity (POST /dashboard/sign-in).
 * @param {string} code
 * @returns {Promise<{ token: string, identity: any }>}
 */
export async function exchangeCode(code) {
  const body = await requestJson('', 'POST', '/dashboard/sign-in', { code });
  if (!body || typeof body.token !== 'string' || !body.identity) throw new Error('The fleet answered without a token');
  return body;
}

/**
 * The identity of a token (GET /dashboard/me); throws FleetApiError when the fleet refuses it.
 * @param {string} token
 */
export async function identityOf(token) {
  const body = await requestJson(token, 'GET', '/dashboard/me');
  // The contract's shape; tolerate `{ identity }` around it.
  return body && typeof body === 'object' && 'identity' in body ? body.identity : body;
}
