// The Fleet object panels get from useFleet(): the REST API with the tab's bearer token, one WebSocket
// with resume, the needs-you inbox and navigation. One per signed-in tab; the shell creates it at sign-in.
import { LiveSocket } from './live-socket.js';

/** A non-2xx answer of the API: `status`, the body's stable `code`, its human `message`, the whole `body`. */
export class FleetApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {unknown} body
   */
  constructor(status, code, message, body) {
    super(message);
    this.name = 'FleetApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Codes that mean the token itself is no good any more: the tab signs out instead of showing them. */
const TOKEN_DEAD = new Set(['FLEET_TOKEN_EXPIRED', 'FLEET_TOKEN_REVOKED', 'FLEET_TOKEN_INVALID']);

/**
 * A JSON request with a bearer token (no cookies anywhere: nothing for another site's requests to ride on).
 * @param {string} token
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
export async function requestJson(token, method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    throw new FleetApiError(0, 'NETWORK', `The fleet did not answer (${String(error)})`, undefined);
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const object = parsed && typeof parsed === 'object' ? parsed : {};
    const code = typeof object.code === 'string' ? object.code : `HTTP_${response.status}`;
    const message =
      typeof object.error === 'string'
        ? object.error
        : typeof object.message === 'string'
          ? object.message
          : `${method} ${path} answered ${response.status}`;
    throw new FleetApiError(response.status, code, message, parsed);
  }
  return parsed;
}

/**
 * @typedef {{ uid: string, handle: string, teamName: string, agentType: string, role?: string,
 *   isLead: boolean }} Identity
 * @typedef {{ label: string, run: () => Promise<unknown> | unknown, leadOnly?: boolean }} InboxAction
 * @typedef {{ key: string, kind: string, title: string, detail?: string, at: number | string,
 *   severity?: 'action' | 'warning' | 'info', link?: string, actions?: InboxAction[] }} InboxItem
 */

/**
 * @param {{ token: string, identity: Omit<Identity, 'isLead'>, inbox: import('./inbox-store.js').InboxStore,
 *   onSignedOut: (reason: string) => void }} options
 */
export function createFleet({ token, identity, inbox, onSignedOut }) {
  /** @type {Identity} */
  const me = Object.freeze({ ...identity, isLead: identity.agentType === 'team-lead' });
  let closed = false;

  const signOutOnce = (/** @type {string} */ reason) => {
    if (closed) return;
    closed = true;
    socket.close();
    onSignedOut(reason);
  };

  const socket = new LiveSocket({ token, onAuthFailed: signOutOnce });

  const fleet = {
    identity: me,
    /**
     * @param {string} method
     * @param {string} path
     * @param {unknown} [body]
     */
    async api(method, path, body) {
      try {
        return await requestJson(token, method.toUpperCase(), path, body);
      } catch (error) {
        if (error instanceof FleetApiError && TOKEN_DEAD.has(error.code)) signOutOnce(error.message);
        throw error;
      }
    },
    /**
     * Live events of these types (or '*') for the caller's team, from now on. Returns the unsubscribe.
     * @param {string[] | '*'} types
     * @param {(event: any) => void} onEvent
     */
    subscribe(types, onEvent) {
      return socket.subscribe(types, onEvent);
    },
    /**
     * Join a guarded topic (a chat: `follow('chatId', id)`); kept across reconnects. Returns the leave.
     * @param {string} key
     * @param {string} id
     */
    follow(key, id) {
      return socket.follow(key, id);
    },
    /** Called when the socket missed events it cannot replay: views reload their data. Returns the undo. */
    onResync(/** @type {() => void} */ listener) {
      return socket.onResync(listener);
    },
    inbox: {
      put: (/** @type {InboxItem} */ item) => inbox.put(item),
      drop: (/** @type {string} */ key) => inbox.drop(key),
    },
    navigate(/** @type {string} */ hash) {
      const target = hash.startsWith('#') ? hash : `#${hash.startsWith('/') ? '' : '/'}${hash}`;
      if (location.hash !== target) location.hash = target;
    },
    /** @returns {'live' | 'resuming' | 'offline'} */
    get connection() {
      return socket.state;
    },
    /** Why the socket last failed ('' while live). */
    get connectionError() {
      return socket.lastError;
    },
    /** Listen to connection changes; returns the undo. */
    onConnection(/** @type {(state: 'live' | 'resuming' | 'offline') => void} */ listener) {
      return socket.onState(listener);
    },
    /** End this tab's session (the shell's sign-out). */
    close() {
      closed = true;
      socket.close();
    },
    /** The socket's last seq (tests and the debug footer read it). */
    get lastSeq() {
      return socket.lastSeq;
    },
  };
  socket.connect();
  return fleet;
}
