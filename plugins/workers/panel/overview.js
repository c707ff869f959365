// @ts-check
// The overview: every worker of the team with its state, how long and why, health, task, tokens, cost, its last
// line and a badge when it needs someone. Loaded once (the board for leads: since when and the last line; the
// list for everyone: stopped workers too), then moved by events, rendered at most once per animation frame.
import { Component } from 'preact';
import {
  Badge,
  Button,
  Empty,
  ErrorNote,
  formatCost,
  formatSpan,
  formatTokens,
  html,
  useCallback,
  useEffect,
  useFleet,
  nextFrame,
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

/** An empty cell (a new vnode each time: one vnode is never mounted twice). */
const dash = () => html`<span class="wk-dim">—</span>`;

/** What the overview says with no worker to show. */
const emptyText = (/** @type {boolean} */ lead) =>
  lead ? 'No workers yet: spawn one with `fleet spawn` or team_spawn.' : 'No workers yet.';

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
  // One render per frame in which anything changed, and at most one per RENDER_GAP_MS: the render reads the
  // table itself. (A table whose cells all change reflows as a whole: at 50 workers writing, one reflow a
  // frame was most of the page's time; five a second read the same.)
  const bump = useThrottledRender();
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
        bump();
      },
      (/** @type {any} */ failure) => setError(failure),
    );
    fleet.api('GET', '/orchestrate/quota').then(setQuota, () => setQuota(null));
  }, [fleet, table]);

  useEffect(() => {
    // Events first, then the load: nothing that happens while it loads is missed (a reload keeps them).
    const unsubscribe = fleet.subscribe([...ROW_EVENTS, ...TASK_EVENTS], (/** @type {any} */ event) => {
      if (table.apply(event)) bump();
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
        ? shown.length === 0
          ? html`<${Empty}>${emptyText(fleet.identity.isLead)}<//>`
          : html`<div class="fd-table-wrap">
              <table class="fd-table wk-table">
                <thead>
                  <tr>
                    ${HEADINGS.map(([label, align]) => html`<th key=${label} class=${align}>${label}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${shown.map(
                    (row) =>
                      html`<${WorkerRowView}
                        key=${row.handle}
                        row=${row}
                        version=${row.version}
                        second=${Math.floor(now / 1000)}
                        navigate=${fleet.navigate}
                      />`,
                  )}
                </tbody>
              </table>
            </div>`
        : error
          ? null
          : html`<div class="wk-dim">Loading workers…</div>`
    }
  <//>`;
}

/** The least time between two renders of the overview while events stream. */
const RENDER_GAP_MS = 200;

/** A function that asks for a render: at the next animation frame, no sooner than RENDER_GAP_MS after the last. */
function useThrottledRender() {
  const [, setCount] = useState(0);
  const state = useRef({ last: 0, pending: false, cancel: /** @type {(() => void) | undefined} */ (undefined) });
  useEffect(() => () => state.current.cancel?.(), []);
  return useCallback(() => {
    const self = state.current;
    if (self.pending) return;
    self.pending = true;
    const render = () => {
      self.cancel = nextFrame(() => {
        self.pending = false;
        self.cancel = undefined;
        self.last = performance.now();
        setCount((n) => n + 1);
      });
    };
    const wait = self.last + RENDER_GAP_MS - performance.now();
    if (wait <= 0) return render();
    const timer = setTimeout(render, wait);
    self.cancel = () => clearTimeout(timer);
  }, []);
}

const HEADINGS = [
  ['Worker', ''],
  ['State', ''],
  ['Why', ''],
  ['Health', ''],
  ['Task', ''],
  ['Tokens', 'fd-align-right'],
  ['Cost', 'fd-align-right'],
  ['Last line', ''],
  ['', ''],
];

/**
 * One worker's row. It renders again only when its row changed (its version), a new row replaced it (a
 * reload), or the second changed (how long in its state): at 50 workers writing, a frame touches the rows
 * that wrote, not all of them.
 */
class WorkerRowView extends Component {
  /** @param {any} next */
  shouldComponentUpdate(next) {
    const props = /** @type {any} */ (this.props);
    return next.version !== props.version || next.row !== props.row || next.second !== props.second;
  }

  render() {
    const { row, navigate } = /** @type {any} */ (this.props);
    const attention = needsAttention(row);
    const since = formatSpan(Math.max(0, Date.now() - row.stateSince));
    return html`<tr
      data-worker=${row.handle}
      data-state=${row.state}
      data-needs-you=${attention ? 'true' : 'false'}
      class=${attention ? 'wk-row wk-attention' : 'wk-row'}
      onClick=${(/** @type {MouseEvent} */ event) => {
        if (!(/** @type {HTMLElement} */ (event.target).closest('a, button'))) navigate(workerLink(row.handle));
      }}
    >
      <td>
        <a class="wk-handle" href=${workerLink(row.handle)}>${row.handle}</a>
        ${row.adapter !== 'claude' ? html`<span class="wk-dim"> ${row.adapter}</span>` : null}
      </td>
      <td>
        <${Badge} tone=${STATE_TONE[/** @type {keyof typeof STATE_TONE} */ (row.state)] ?? 'neutral'}>${row.state}<//>
        <span class="wk-dim wk-since" title=${new Date(row.stateSince).toLocaleString()}>${since}</span>
      </td>
      <td class="wk-why" title=${row.whyEvent ?? ''}>${row.why}</td>
      <td>
        ${
          row.state === 'stopped' || row.adapter === 'external'
            ? html`<span class="wk-dim">—</span>`
            : html`<${Badge} tone=${HEALTH_TONE[/** @type {keyof typeof HEALTH_TONE} */ (row.health)] ?? 'neutral'}
                >${row.health}<//
              >`
        }
      </td>
      <td class="wk-task">${row.task ? html`<span title=${row.task.id}>${row.task.subject}</span>` : dash()}</td>
      <td class="fd-align-right">${formatTokens(row.tokens)}</td>
      <td class="fd-align-right">${formatCost(row.costUsd)}</td>
      <td class="wk-last"><code>${row.lastLine ?? ''}</code></td>
      <td>${attention ? html`<${Badge} tone="action" title=${attention}>needs you<//>` : null}</td>
    </tr>`;
  }
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
