import {
  Badge,
  Empty,
  ErrorNote,
  Table,
  View,
  html,
  timeAgo,
  useApi,
  useEffect,
  useEvents,
  useFleet,
  useRef,
  usePanelStyles,
} from 'fleet-dashboard';
import { Blackboard } from './blackboard.js';

const PANEL_CSS = new URL('./panel.css', import.meta.url).href;

/** pheromone:deposit comes with what every worker reads and edits: hot files reload at most this often. */
const HOT_RELOAD_MS = 2000;

const TRAIL_TONE = { error: 'danger', warning: 'warning', modify: 'info' };

/** @param {{ param?: string }} props */
export function SwarmView({ param }) {
  usePanelStyles(PANEL_CSS);
  const fleet = useFleet();
  const swarms = useApi('/swarms?includeAgents=true', {
    refreshOn: ['swarm_created', 'swarm_killed', 'worker_spawned', 'worker_dismissed', 'worker_exit'],
  });
  const list = Array.isArray(swarms.data) ? swarms.data : [];
  const swarmId = param && list.some((swarm) => swarm.id === param) ? param : list[0]?.id;
  const swarm = list.find((each) => each.id === swarmId);

  return html`<${View} id="swarm" title="Swarm">
    <${ErrorNote} error=${swarms.error} title="Could not load the swarms" onRetry=${swarms.reload} />
    ${
      list.length === 0 && !swarms.loading && !swarms.error
        ? html`<${Empty} title="No swarms yet">A lead creates one with POST /swarms or swarm_create.<//>`
        : null
    }
    ${
      list.length > 0
        ? html`<div class="fd-chips swarm-list" role="group" aria-label="Swarms">
            ${list.map(
              (each) =>
                html`<button
                  key=${each.id}
                  class=${`fd-chip${each.id === swarmId ? ' fd-chip-on' : ''}`}
                  data-swarm=${each.id}
                  onClick=${() => fleet.navigate(`#/swarm/${encodeURIComponent(each.id)}`)}
                >
                  ${each.name} <span class="fd-chip-count">${each.agents?.length ?? 0}/${each.maxAgents}</span>
                </button>`,
            )}
          </div>`
        : null
    }
    ${swarm ? html`<${SwarmDetail} key=${swarm.id} swarm=${swarm} />` : null}
  <//>`;
}

function SwarmDetail({ swarm }) {
  const hot = useApi(`/pheromones/${encodeURIComponent(swarm.id)}/hot?limit=25`);
  const timer = useRef(/** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined));
  const reloadHot = useRef(hot.reload);
  reloadHot.current = hot.reload;
  useEvents(['pheromone:deposit'], (event) => {
    if (event.trail?.swarmId && event.trail.swarmId !== swarm.id) return;
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      reloadHot.current();
    }, HOT_RELOAD_MS);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  const activity = hot.data?.activity ?? [];
  const top = activity[0]?.score ?? 1;
  const columns = [
    {
      key: 'resourceId',
      label: 'Resource',
      render: (row) => html`<span class="fd-mono swarm-resource" title=${row.resourceId}>${row.resourceId}</span>`,
    },
    {
      key: 'score',
      label: 'Heat',
      render: (row) =>
        html`<span class="swarm-heat" title=${row.score.toFixed(2)}>
          <span class="swarm-heat-fill" style=${`width:${Math.max(4, (row.score / top) * 100).toFixed(0)}%`}></span>
        </span>`,
    },
    {
      key: 'byType',
      label: 'Trails',
      render: (row) =>
        Object.entries(row.byType ?? {}).map(
          ([type, count]) => html`<${Badge} key=${type} tone=${TRAIL_TONE[type] ?? 'neutral'}> ${type} ${count} <//> `,
        ),
    },
    { key: 'uniqueDepositors', label: 'Agents', align: 'right' },
    { key: 'lastActivity', label: 'Last', render: (row) => timeAgo(row.lastActivity) },
  ];
  return html`<div class="swarm-detail">
    <section class="fd-card">
      <div class="fd-card-title">${swarm.name}</div>
      ${swarm.description ? html`<p class="fd-small">${swarm.description}</p>` : null}
      <dl class="fd-kv fd-small">
        <dt>Workers</dt>
        <dd>
          ${
            (swarm.agents ?? []).length === 0
              ? html`<span class="fd-muted">none live</span>`
              : swarm.agents.map(
                  (agent) =>
                    html`<a
                      key=${agent.handle}
                      class="swarm-agent"
                      href=${`#/worker/${encodeURIComponent(agent.handle)}`}
                    >
                      ${agent.handle}
                    </a> `,
                )
          }
        </dd>
        <dt>Capacity</dt>
        <dd>${(swarm.agents ?? []).length} of ${swarm.maxAgents}</dd>
        <dt>Created</dt>
        <dd>${timeAgo(swarm.createdAt)} by ${swarm.createdBy}</dd>
        <dt>Id</dt>
        <dd class="fd-mono">${swarm.id}</dd>
      </dl>
    </section>
    <section class="fd-card" data-swarm-hot>
      <div class="fd-card-title">Hot files</div>
      <${ErrorNote} error=${hot.error} onRetry=${hot.reload} />
      <${Table}
        columns=${columns}
        rows=${activity}
        rowKey=${(row) => row.resourceId}
        rowProps=${(row) => ({ 'data-resource': row.resourceId })}
        empty="No active trails: nothing read or edited lately."
      />
    </section>
    <${Blackboard} swarmId=${swarm.id} />
  </div>`;
}
