// Which plugins are on and why, and whether each one's panel loaded. Read from GET /dashboard/plugins; an
// older fleet without it answers through GET /debug (a lead) or GET /health (running names only).
import { html, useEffect, useState, useFleet, useApi, Badge, Button, ErrorNote, Table, View } from './panel-kit.js';

/** @param {{ registry: import('./panels.js').PanelRegistry }} props */
export function PluginsView({ registry }) {
  const fleet = useFleet();
  const [, setTick] = useState(0);
  useEffect(() => {
    void registry.refresh();
    return registry.listen(() => setTick((tick) => tick + 1));
  }, [registry]);
  const { data, error, loading, reload } = useApi('/dashboard/plugins');
  const [fallback, setFallback] = useState(/** @type {any[] | undefined} */ (undefined));

  // An older fleet has no /dashboard/plugins: fall back to what it already serves.
  useEffect(() => {
    if (!error || /** @type {any} */ (error).status !== 404) return;
    let cancelled = false;
    const path = fleet.identity.isLead ? '/debug' : '/health';
    fleet.api('GET', path).then(
      (/** @type {any} */ body) => {
        if (cancelled) return;
        const plugins = Array.isArray(body?.plugins) ? body.plugins : [];
        setFallback(plugins.map((p) => (typeof p === 'string' ? { name: p, state: 'on' } : p)));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [error, fleet]);

  const plugins = Array.isArray(data?.plugins) ? data.plugins : fallback;
  const rows = (plugins ?? [])
    .map((/** @type {any} */ plugin) => ({ ...plugin, entry: registry.panel(plugin.name) }))
    // The ones on first, then by name.
    .sort((a, b) => Number(b.state === 'on') - Number(a.state === 'on') || String(a.name).localeCompare(b.name));
  const on = rows.filter((row) => row.state === 'on').length;

  return html`<${View}
    id="plugins"
    title="Plugins"
    tools=${html`<span class="fd-muted fd-small">${plugins ? `${on} of ${rows.length} on` : ''}</span>
      <${Button} small kind="ghost" onClick=${() => (reload(), registry.refresh())}>Refresh<//>`}
  >
    ${
      error && !fallback
        ? html`<${ErrorNote} error=${error} title="Could not read the plugins" onRetry=${reload} />`
        : null
    }
    ${
      registry.listError
        ? html`<${ErrorNote}
            error=${registry.listError}
            title="Could not read the panels"
            onRetry=${() => registry.refresh()}
          />`
        : null
    }
    ${
      !plugins && loading
        ? html`<div class="fd-loading">Loading…</div>`
        : html`<${Table}
            columns=${[
              {
                key: 'name',
                label: 'Plugin',
                render: (/** @type {any} */ row) =>
                  html`<code>${row.name}</code>${
                      row.description ? html`<div class="fd-muted fd-small">${row.description}</div>` : null
                    }`,
              },
              {
                key: 'state',
                label: 'State',
                render: (/** @type {any} */ row) =>
                  html`<${Badge} tone=${row.state === 'on' ? 'ok' : 'neutral'}>${row.state ?? '?'}<//>`,
              },
              {
                key: 'reason',
                label: 'Why',
                className: 'fd-nowrap',
                render: (/** @type {any} */ row) =>
                  row.reason ? html`<span>${row.reason}</span>` : html`<span class="fd-muted">on in the config</span>`,
              },
              {
                key: 'panel',
                label: 'Panel',
                className: 'fd-nowrap',
                render: (/** @type {any} */ row) => html`<${PanelCell} row=${row} />`,
              },
            ]}
            rows=${rows}
            rowKey=${(/** @type {any} */ row) => row.name}
            rowProps=${(/** @type {any} */ row) => ({ 'data-plugin': row.name, 'data-state': row.state })}
            empty="The fleet reported no plugins."
          />`
    }
  <//>`;
}

/** @param {{ row: any }} props */
function PanelCell({ row }) {
  const entry = row.entry;
  if (entry?.status === 'error')
    return html`<${Badge} tone="danger" title=${String(entry.error?.message ?? entry.error)}>failed to load<//>`;
  if (entry?.status === 'loading') return html`<span class="fd-muted">loading…</span>`;
  if (entry?.status === 'ok') {
    const first = entry.views.find((/** @type {any} */ view) => view.nav) ?? entry.views[0];
    const label = entry.title;
    return first ? html`<a href=${`#/${first.id}`}>${label}</a>` : html`<span>${label}</span>`;
  }
  const panel = row.panel;
  if (panel && typeof panel === 'object' && panel.title) return html`<span class="fd-muted">${panel.title}</span>`;
  if (typeof panel === 'string') return html`<span class="fd-muted">${panel}</span>`;
  return html`<span class="fd-muted">—</span>`;
}
