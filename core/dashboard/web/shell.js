// The signed-in page: top bar (team, who, connection, sign-out), the nav (needs-you first with its count,
// the panels' views by order, plugins last) and the routed view inside an error boundary, so a panel that
// throws shows an error card and the rest of the page keeps working.
import { Component } from 'preact';
import { html, useEffect, useState, Badge, Button, Empty, ErrorNote, FleetContext, View } from './panel-kit.js';
import { useConnection } from './panel-kit.js';
import { useRoute, hashOf } from './router.js';
import { NeedsYouView } from './needs-you.js';
import { PluginsView } from './plugins-view.js';

/**
 * @param {{ fleet: any, inbox: import('./inbox-store.js').InboxStore,
 *   registry: import('./panels.js').PanelRegistry, onSignOut: () => void }} props
 */
export function Shell({ fleet, inbox, registry, onSignOut }) {
  const route = useRoute();
  const [, setTick] = useState(0);
  useEffect(() => registry.listen(() => setTick((tick) => tick + 1)), [registry]);
  return html`<${FleetContext.Provider} value=${fleet}>
    <div class="fd-shell">
      <${TopBar} fleet=${fleet} onSignOut=${onSignOut} />
      <${Nav} inbox=${inbox} registry=${registry} current=${route.view} />
      <main class="fd-main" id="fd-main">
        <${ViewBoundary} key=${`${route.view}/${route.param ?? ''}`}>
          <${Routed} route=${route} inbox=${inbox} registry=${registry} />
        <//>
      </main>
    </div>
  <//>`;
}

/** @param {{ fleet: any, onSignOut: () => void }} props */
function TopBar({ fleet, onSignOut }) {
  const connection = useConnection();
  const { identity } = fleet;
  const label = { live: 'Live', resuming: 'Reconnecting…', offline: 'Offline' }[connection] ?? connection;
  return html`<header class="fd-topbar">
    <a class="fd-brand" href="#/needs-you"><span class="fd-logo" aria-hidden="true"></span> Fleet</a>
    <span class="fd-team" title="Team">${identity.teamName}</span>
    <span class="fd-spacer"></span>
    <span
      class=${`fd-conn fd-conn-${connection}`}
      title=${`WebSocket: ${connection}${fleet.connectionError ? ` (${fleet.connectionError})` : ''}`}
      data-connection-label
    >
      <span class="fd-conn-dot" aria-hidden="true"></span>${label}
    </span>
    <span
      class="fd-who"
      title=${`${identity.agentType}${identity.role ? ` · ${identity.role}` : ''} · ${identity.uid}`}
    >
      ${identity.handle}
      <${Badge} tone=${identity.isLead ? 'info' : 'neutral'}>${identity.isLead ? 'lead' : 'read-only'}<//>
    </span>
    <${Button} small kind="ghost" data-action="sign-out" onClick=${onSignOut}>Sign out<//>
  </header>`;
}

/**
 * @param {{ inbox: import('./inbox-store.js').InboxStore, registry: import('./panels.js').PanelRegistry,
 *   current: string }} props
 */
function Nav({ inbox, registry, current }) {
  const [count, setCount] = useState(inbox.size);
  useEffect(() => {
    setCount(inbox.size);
    return inbox.listen((items) => setCount(items.length));
  }, [inbox]);
  const views = registry.views().filter((view) => view.nav);
  const failed = registry.panels().filter((entry) => entry.status === 'error');
  const link = (/** @type {string} */ id, /** @type {any} */ label, /** @type {any} */ extra = null) =>
    html`<a
      key=${id}
      href=${hashOf(id)}
      class=${`fd-nav-link${current === id ? ' fd-nav-current' : ''}`}
      aria-current=${current === id ? 'page' : undefined}
      data-nav=${id}
      >${label}${extra}</a
    >`;
  return html`<nav class="fd-nav" aria-label="Views">
    ${link(
      'needs-you',
      'Needs you',
      count > 0 ? html`<${Badge} tone="action" data-inbox-count=${count}>${count}<//>` : null,
    )}
    ${views.map((view) => link(view.id, view.title))}
    ${failed.map(
      (entry) =>
        html`<a
          key=${`panel-${entry.plugin}`}
          href=${hashOf('panel', entry.plugin)}
          class="fd-nav-link fd-nav-broken"
          title="This panel failed to load"
          >${entry.title} <${Badge} tone="danger">!<//></a
        >`,
    )}
    ${registry.loading && registry.listed === false ? html`<span class="fd-nav-note">Loading panels…</span>` : null}
    <span class="fd-nav-gap"></span>
    ${link('plugins', 'Plugins')}
  </nav>`;
}

/**
 * @param {{ route: { view: string, param?: string }, inbox: import('./inbox-store.js').InboxStore,
 *   registry: import('./panels.js').PanelRegistry }} props
 */
function Routed({ route, inbox, registry }) {
  useEffect(() => {
    document.getElementById('fd-main')?.scrollTo?.(0, 0);
  }, [route.view, route.param]);
  if (route.view === 'needs-you') return html`<${NeedsYouView} inbox=${inbox} />`;
  if (route.view === 'plugins') return html`<${PluginsView} registry=${registry} />`;
  if (route.view === 'panel') return html`<${PanelStatus} registry=${registry} plugin=${route.param} />`;
  const view = registry.view(route.view);
  if (view) {
    const Panel = view.component;
    return html`<${Panel} param=${route.param} />`;
  }
  if (registry.loading) return html`<div class="fd-loading" data-view-loading=${route.view}>Loading…</div>`;
  return html`<${View} id="not-found" title="No such view">
    <${Empty} title=${`Nothing at #/${route.view}`}>
      Its plugin may be off, or its panel failed to load: see <a href="#/plugins">Plugins</a>.
    <//>
  <//>`;
}

/** A panel's state: why it failed to load, with a retry. */
function PanelStatus(/** @type {{ registry: import('./panels.js').PanelRegistry, plugin?: string }} */ props) {
  const entry = props.plugin ? props.registry.panel(props.plugin) : undefined;
  return html`<${View} id="panel" title=${entry ? `${entry.title} panel` : 'Panel'}>
    ${
      !entry
        ? html`<${Empty}>No panel of ${props.plugin ?? '?'} is on.<//>`
        : entry.status === 'error'
          ? html`<${ErrorNote}
                title=${`The ${entry.title} panel failed to load`}
                error=${entry.error}
                onRetry=${() => location.reload()}
              />
              <p class="fd-muted fd-small">Module: <code>${entry.url}</code></p>`
          : html`<${Empty}>The ${entry.title} panel is ${entry.status === 'ok' ? 'loaded' : 'loading'}.<//>`
    }
  <//>`;
}

/** Catches a view's render errors: an error card in its place, the nav and the rest keep working. */
class ViewBoundary extends Component {
  constructor() {
    super();
    this.state = { error: undefined };
  }

  /** @param {unknown} error */
  static getDerivedStateFromError(error) {
    return { error };
  }

  /** @param {unknown} error */
  componentDidCatch(error) {
    console.warn('a dashboard view failed', error);
    this.setState({ error });
  }

  render() {
    const { error } = /** @type {{ error: any }} */ (this.state);
    if (error) {
      return html`<div class="fd-view" data-view-error>
        <${ErrorNote} title="This view failed" error=${error} onRetry=${() => this.setState({ error: undefined })} />
      </div>`;
    }
    return /** @type {any} */ (this.props).children;
  }
}
