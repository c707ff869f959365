// @ts-check
// The overview: every worker of the team with its state, how long and why, health, task, tokens, cost, its last
// line and a badge when it needs someone. Loaded once (the board for leads: since when and the last line; the
// list for everyone: stopped workers too), then moved by events, rendered at most once per animation frame.
import {
  Badge,
  Button,
  ErrorNote,
  formatCost,
  formatSpan,
  formatTokens,
  html,
  Table,
  useCallback,
  useEffect,
  useFleet,
  useFrameState,
  useNow,
  useRef,
  useState,
  View,
} from 'fleet-dashboard';
import { ENDED_STATES, needsAttention, ROW_EVENTS, TASK_EVENTS, WorkerTable } from './worker-table.js';

/** Badge tones by state and health. */
export const STATE_TONE = {
  starting: 'info',
  ready: 'ok',
  working: 'info',
  idle: 'neutral',
  paused: 'warning',
  stopping: 'neutral',
  stopped: 'neutral',
  failed: 'danger',
};
export const HEALTH_TONE = { healthy: 'ok', degraded: 'warning', unhealthy: 'danger' };

const workerLink = (/** @type {string} */ handle) => `#/worker/${encodeURIComponent(handle)}`;

/**
 * Load the team's workers into the table: the list (any agent), the board (leads: since when, the last line),
 * the in-progress tasks (when the tasks plugin is on). Missing extras are left out, not errors.
 * @param {any} fleet
 * @param {WorkerTable} table
 */
export async function loadWorkers(fleet, table) {
  const team = encodeURIComponent(fleet.identity.teamName);
  const [views, board, tasks] = await Promise.all([
    fleet.api('GET', '/orchestrate/workers'),
    fleet.identity.isLead ? fleet.api('GET', '/orchestrate/board').catch(() => undefined) : undefined,
    fleet.api('GET', `/teams/${team}/tasks?status=in_progress&limit=1000`).catch(() => []),
  ]);
  table.load(Array.isArray(views) ? views : [], board?.workers ?? []);
  table.loadTasks(Array.isArray(tasks) ? tasks : (tasks?.tasks ?? []));
}

export function OverviewView() {
  const fleet = useFleet();
  const table = useRef(new WorkerTable()).current;
  // One number bumped per frame in which anything changed: the render reads the table itself.
  const [, bump] = useFrameState(0);
  const [error, setError] = useState(/** @type {any} */ (undefined));
  const [loaded, setLoaded] = useState(false);
  const [showEnded, setShowEnded] = useState(false);
  const [quota, setQuota] = useState(/** @type {any} */ (null));
  const now = useNow(1_000);

  const reload = useCallback(() => {
    loadWorkers(fleet, table).then(
      () => {
        setError(undefined);
        setLoaded(true);
        bump((n) => n + 1);
      },
      (/** @type {any} */ failure) => setError(failure),
    );
    fleet.api('GET', '/orchestrate/quota').then(setQuota, () => setQuota(null));
  }, [fleet, table]);

  useEffect(() => {
    // Events first, then the load: nothing that happens while it loads is missed (a reload keeps them).
    const unsubscribe = fleet.subscribe([...ROW_EVENTS, ...TASK_EVENTS], (/** @type {any} */ event) => {
      if (table.apply(event)) bump((n) => n + 1);
    });
    const unQuota = fleet.subscribe(['quota_limited', 'quota_cleared'], () =>
      fleet.api('GET', '/orchestrate/quota').then(setQuota, () => undefined),
    );
    const unResync = fleet.onResync(reload);
    reload();
    return () => {
      unsubscribe();
      unQuota();
      unResync();
    };
  }, [fleet, table, reload]);

  const rows = table.list();
  const live = rows.filter((row) => !ENDED_STATES.includes(row.state) || row.state === 'failed');
  const shown = (showEnded ? rows : live).sort(
    (a, b) =>
      Number(Boolean(needsAttention(b))) - Number(Boolean(needsAttention(a))) || a.handle.localeCompare(b.handle),
  );
  const attention = rows.filter((row) => needsAttention(row)).length;
  const ended = rows.length - live.length;

  const columns = [
    {
      key: 'handle',
      label: 'Worker',
      render: (/** @type {any} */ row) =>
        html`<a class="wk-handle" href=${workerLink(row.handle)}>${row.handle}</a>
          ${row.adapter !== 'claude' ? html`<span class="wk-dim"> ${row.adapter}</span>` : null}`,
    },
    {
      key: 'state',
      label: 'State',
      render: (/** @type {any} */ row) =>
        html`<${Badge}
            tone=${STATE_TONE[/** @type {keyof typeof STATE_TONE} */ (row.state)] ?? 'neutral'}
            data-state=${row.state}
            >${row.state}<//
          >
          <span class="wk-dim wk-since" title=${new Date(row.stateSince).toLocaleString()}>
            ${formatSpan(Math.max(0, now - row.stateSince))}</span
          >`,
    },
    {
      key: 'why',
      label: 'Why',
      className: 'wk-why',
      render: (/** @type {any} */ row) => html`<span title=${row.whyEvent ?? ''}>${row.why}</span>`,
    },
    {
      key: 'health',
      label: 'Health',
      render: (/** @type {any} */ row) =>
        row.state === 'stopped' || row.adapter === 'external'
          ? html`<span class="wk-dim">—</span>`
          : html`<${Badge} tone=${HEALTH_TONE[/** @type {keyof typeof HEALTH_TONE} */ (row.health)] ?? 'neutral'}
              >${row.health}<//
            >`,
    },
    {
      key: 'task',
      label: 'Task',
      className: 'wk-task',
      render: (/** @type {any} */ row) =>
        row.task ? html`<span title=${row.task.id}>${row.task.subject}</span>` : html`<span class="wk-dim">—</span>`,
    },
    { key: 'tokens', label: 'Tokens', align: 'right', render: (/** @type {any} */ row) => formatTokens(row.tokens) },
    { key: 'cost', label: 'Cost', align: 'right', render: (/** @type {any} */ row) => formatCost(row.costUsd) },
    {
      key: 'last',
      label: 'Last line',
      className: 'wk-last',
      render: (/** @type {any} */ row) => html`<code>${row.lastLine ?? ''}</code>`,
    },
    {
      key: 'needs',
      label: '',
      render: (/** @type {any} */ row) => {
        const why = needsAttention(row);
        return why ? html`<${Badge} tone="action" data-needs-you="true" title=${why}>needs you<//>` : null;
      },
    },
  ];

  const tools = html`
    <span class="wk-dim" data-count="live">${live.length} live</span>
    ${attention > 0 ? html`<${Badge} tone="action" data-count="attention">${attention} need you<//>` : null}
    ${
      ended > 0
        ? html`<${Button} small kind="ghost" data-action="toggle-ended" onClick=${() => setShowEnded(!showEnded)}>
            ${showEnded ? 'Hide' : 'Show'} ${ended} ended
          <//>`
        : null
    }
  `;

  return html`<${View} id="workers" title="Workers" tools=${tools}>
    ${quota?.limited ? html`<${QuotaBanner} quota=${quota} />` : null}
    <${ErrorNote} error=${error} title="Could not load the workers" onRetry=${reload} />
    ${
      loaded || rows.length > 0
        ? html`<${Table}
            className="wk-table"
            columns=${columns}
            rows=${shown}
            rowKey=${(/** @type {any} */ row) => row.handle}
            rowProps=${(/** @type {any} */ row) => ({
              'data-worker': row.handle,
              'data-state': row.state,
              'data-needs-you': needsAttention(row) ? 'true' : 'false',
              class: needsAttention(row) ? 'wk-row wk-attention' : 'wk-row',
              onClick: (/** @type {MouseEvent} */ event) => {
                if (!(/** @type {HTMLElement} */ (event.target).closest('a, button')))
                  fleet.navigate(workerLink(row.handle));
              },
            })}
            empty=${fleet.identity.isLead ? 'No workers yet: spawn one with `fleet spawn` or team_spawn.' : 'No workers yet.'}
          />`
        : error
          ? null
          : html`<div class="wk-dim">Loading workers…</div>`
    }
  <//>`;
}

/** The account's usage limit: new workers wait, parked ones resume at the reset (or when a lead says). */
function QuotaBanner({ quota }) {
  const fleet = useFleet();
  const resets = quota.resetsAt ? new Date(quota.resetsAt).toLocaleString() : null;
  return html`<div class="wk-banner" data-quota="limited">
    <strong>Usage limit reached</strong> (${quota.kind ?? 'limit'}${quota.window ? `, ${quota.window}` : ''}): new
    workers wait${resets ? html`, resets ${resets}` : ''}.
    ${quota.resumesBySelf ? ' Parked workers resume by themselves.' : ' A lead decides when it is over.'}
    ${
      fleet.identity.isLead
        ? html`<${Button}
            small
            data-action="quota-resume"
            onClick=${() => fleet.api('POST', '/orchestrate/quota/resume')}
            >Resume now<//
          >`
        : null
    }
  </div>`;
}
