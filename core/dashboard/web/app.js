// The dashboard's entry: signs the tab in (a `fleet open` link's one-time code, a token kept in this tab's
// session storage, or a pasted one), then mounts the shell with the tab's Fleet object and the panels.
import { render } from 'preact';
import { html, useEffect, useState, FleetApiError } from './panel-kit.js';
import { createFleet } from './fleet-client.js';
import { InboxStore } from './inbox-store.js';
import { PanelRegistry } from './panels.js';
import { notifyNewItems } from './notifications.js';
import { Shell } from './shell.js';
import { SignIn } from './sign-in.js';
import { exchangeCode, forgetToken, identityOf, storeToken, storedToken, takeCodeFromUrl } from './session.js';

/**
 * @typedef {{ fleet: any, inbox: InboxStore, registry: PanelRegistry, stop: () => void }} Session
 * @typedef {{ phase: 'starting' } | { phase: 'signed-out', message?: string }
 *   | { phase: 'signed-in', session: Session }} Phase
 */

/** Everything one signed-in tab runs; `stop` ends it (sign-out, or the token stopped working). */
function startSession(
  /** @type {string} */ token,
  /** @type {any} */ identity,
  /** @type {(reason: string) => void} */ onSignedOut,
) {
  const inbox = new InboxStore();
  const fleet = createFleet({ token, identity, inbox, onSignedOut });
  const registry = new PanelRegistry(fleet);
  let wasDown = false;
  let started = false;
  const stops = [
    fleet.onConnection((/** @type {string} */ state) => (document.body.dataset.connection = state)),
    notifyNewItems(inbox, fleet.identity, fleet.navigate),
    inbox.listen((items) => {
      const name = `Fleet · ${identity.teamName}`;
      document.title = items.length ? `(${items.length}) ${name}` : name;
    }),
    // Panels follow the config: look again when the socket comes back (the fleet may have restarted
    // with another config), after a resync, and when the tab is shown again.
    fleet.onResync(() => started && void registry.refresh()),
    fleet.onConnection((/** @type {string} */ state) => {
      if (state === 'live' && wasDown && started) void registry.refresh();
      wasDown = state !== 'live';
    }),
  ];
  const onVisible = () => {
    if (document.visibilityState === 'visible' && started) void registry.refresh();
  };
  document.addEventListener('visibilitychange', onVisible);
  document.body.dataset.connection = fleet.connection;
  document.title = `Fleet · ${identity.teamName}`;
  // Panels load once the socket is live (or after 3 s without it): a view that GETs its data at mount
  // then misses no event, since every event after the socket's auth reaches it live.
  const firstLoad = () => {
    if (started) return;
    started = true;
    clearTimeout(fallback);
    stopWaiting();
    void registry.refresh();
  };
  const fallback = setTimeout(firstLoad, 3000);
  const stopWaiting = fleet.onConnection((/** @type {string} */ state) => state === 'live' && firstLoad());
  stops.push(() => clearTimeout(fallback), stopWaiting);
  return {
    fleet,
    inbox,
    registry,
    stop() {
      document.removeEventListener('visibilitychange', onVisible);
      for (const stop of stops) stop();
      registry.close();
      fleet.close();
      inbox.clear();
      document.body.dataset.connection = 'offline';
      document.title = 'Fleet';
    },
  };
}

/** The running session (one per tab). @type {Session | undefined} */
let current;

function App() {
  const [state, setState] = useState(/** @type {Phase} */ ({ phase: 'starting' }));

  const signOut = (/** @type {string | undefined} */ message) => {
    forgetToken();
    current?.stop();
    current = undefined;
    setState({ phase: 'signed-out', message });
  };

  const signIn = (/** @type {string} */ token, /** @type {any} */ identity) => {
    storeToken(token);
    const session = startSession(token, identity, (reason) =>
      signOut(`Signed out: ${reason}. Run fleet open again, or paste a token.`),
    );
    current?.stop();
    current = session;
    setState({ phase: 'signed-in', session });
  };

  useEffect(() => {
    void boot(signIn, (message) => setState({ phase: 'signed-out', message }));
  }, []);

  if (state.phase === 'starting') return html`<div class="fd-boot">Signing in…</div>`;
  if (state.phase === 'signed-out') {
    return html`<${SignIn}
      message=${state.message}
      onToken=${async (/** @type {string} */ token) => signIn(token, await identityOf(token))}
    />`;
  }
  const { session } = state;
  return html`<${Shell}
    fleet=${session.fleet}
    inbox=${session.inbox}
    registry=${session.registry}
    onSignOut=${() => signOut('Signed out.')}
  />`;
}

/**
 * The first sign-in of the page: a code in the fragment wins (a fresh `fleet open`), else the tab's token.
 * @param {(token: string, identity: any) => void} signIn
 * @param {(message?: string) => void} signedOut
 */
async function boot(signIn, signedOut) {
  const code = takeCodeFromUrl();
  if (code) {
    try {
      const { token, identity } = await exchangeCode(code);
      signIn(token, identity);
      return;
    } catch (error) {
      const kept = storedToken();
      const why =
        error instanceof FleetApiError && error.status === 401
          ? 'This sign-in link was already used or has expired: run fleet open again.'
          : `Could not sign in: ${String(/** @type {any} */ (error)?.message ?? error)}`;
      if (!kept) {
        signedOut(why);
        return;
      }
      console.warn(why);
    }
  }
  const token = storedToken();
  if (!token) {
    signedOut(undefined);
    return;
  }
  try {
    signIn(token, await identityOf(token));
  } catch (error) {
    if (error instanceof FleetApiError && (error.status === 401 || error.status === 403)) {
      forgetToken();
      signedOut(`This tab’s token no longer works (${error.message}). Run fleet open again, or paste a token.`);
    } else {
      signedOut(`The fleet did not answer: ${String(/** @type {any} */ (error)?.message ?? error)}`);
    }
  }
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
