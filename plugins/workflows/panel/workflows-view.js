import {
  Badge,
  Button,
  ErrorNote,
  Table,
  View,
  formatSpan,
  html,
  timeAgo,
  useApi,
  useFleet,
  useMemo,
  useState,
  usePanelStyles,
} from 'fleet-dashboard';

const PANEL_CSS = new URL('./panel.css', import.meta.url).href;

const EXECUTION_EVENTS = [
  'workflow:started',
  'workflow:paused',
  'workflow:resumed',
  'workflow:cancelled',
  'workflow:completed',
  'workflow:failed',
];
const STEP_EVENTS = ['step:started', 'step:completed', 'step:failed', 'step:skipped', 'step:retried'];

export const STATUS_TONE = {
  pending: 'neutral',
  waiting: 'info',
  running: 'info',
  paused: 'warning',
  completed: 'ok',
  succeeded: 'ok',
  skipped: 'neutral',
  cancelled: 'neutral',
  failed: 'danger',
};

const tookOf = (/** @type {any} */ e) =>
  e.startedAt ? formatSpan((e.completedAt ? Date.parse(e.completedAt) : Date.now()) - Date.parse(e.startedAt)) : '—';

/** @param {{ param?: string }} props */
export function WorkflowsView({ param }) {
  usePanelStyles(PANEL_CSS);
  const [status, setStatus] = useState('');
  const executions = useApi(`/executions?limit=100${status ? `&status=${status}` : ''}`, {
    refreshOn: EXECUTION_EVENTS,
  });
  const workflows = useApi('/workflows', { refreshOn: ['workflow:created', 'workflow:updated', 'workflow:deleted'] });
  const names = useMemo(
    () => new Map((Array.isArray(workflows.data) ? workflows.data : []).map((w) => [w.id, w.name])),
    [workflows.data],
  );
  const columns = [
    {
      key: 'workflow',
      label: 'Workflow',
      render: (e) =>
        html`<a href=${`#/workflows/${encodeURIComponent(e.id)}`}
            >${names.get(e.workflowId) ?? e.workflowId.slice(0, 8)}</a
          >
          <span class="fd-muted fd-small"> v${e.workflowVersion}</span>`,
    },
    {
      key: 'status',
      label: 'Status',
      render: (e) => html`<${Badge} tone=${STATUS_TONE[e.status] ?? 'neutral'}>${e.status}<//>`,
    },
    { key: 'startedAt', label: 'Started', render: (e) => timeAgo(e.startedAt ?? e.createdAt) },
    { key: 'took', label: 'Took', align: 'right', render: tookOf },
    { key: 'startedBy', label: 'By', render: (e) => `${e.createdBy ?? ''}${e.startedBy ? ` (${e.startedBy})` : ''}` },
    {
      key: 'error',
      label: 'Error',
      render: (e) => (e.error ? html`<span class="workflows-error">${e.error}</span>` : ''),
    },
  ];
  const tools = html`<select
    class="fd-select"
    aria-label="Status"
    value=${status}
    onChange=${(/** @type {any} */ event) => setStatus(event.currentTarget.value)}
  >
    <option value="">every status</option>
    ${['running', 'paused', 'completed', 'failed', 'cancelled', 'pending'].map(
      (each) => html`<option key=${each} value=${each}>${each}</option>`,
    )}
  </select>`;
  return html`<${View} id="workflows" title="Workflows" tools=${tools}>
    <${ErrorNote} error=${executions.error} title="Could not load the executions" onRetry=${executions.reload} />
    <div class="fd-stack">
      ${param ? html`<${ExecutionDetail} key=${param} id=${param} names=${names} />` : null}
      <section class="fd-card">
        <div class="fd-card-title">Executions</div>
        <${Table}
          columns=${columns}
          rows=${executions.data ?? []}
          rowKey=${(e) => e.id}
          rowProps=${(e) => ({
            'data-execution': e.id,
            'data-status': e.status,
            class: e.id === param ? 'workflows-selected' : '',
          })}
          empty="No executions. A lead starts one with POST /workflows/:id/start, a trigger or a schedule."
        />
      </section>
    </div>
  <//>`;
}

function ExecutionDetail({ id, names }) {
  const fleet = useFleet();
  const { isLead } = fleet.identity;
  const execution = useApi(`/executions/${encodeURIComponent(id)}`, {
    refreshOn: [...EXECUTION_EVENTS, ...STEP_EVENTS],
  });
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const act = (/** @type {string} */ path) => async () => {
    setError(null);
    try {
      await fleet.api('POST', path);
      execution.reload();
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
    }
  };
  const e = execution.data;
  if (execution.error)
    return html`<${ErrorNote}
      error=${execution.error}
      title="Could not load this execution"
      onRetry=${execution.reload}
    />`;
  if (!e) return html`<section class="fd-card fd-muted">loading…</section>`;
  const open = ['running', 'pending', 'paused'].includes(e.status);
  const stepColumns = [
    { key: 'stepKey', label: 'Step', render: (s) => html`<span class="fd-mono">${s.stepKey}</span>` },
    { key: 'stepType', label: 'Kind' },
    {
      key: 'status',
      label: 'Status',
      render: (s) => html`<${Badge} tone=${STATUS_TONE[s.status] ?? 'neutral'}>${s.status}<//>`,
    },
    { key: 'attempt', label: 'Attempt', align: 'right' },
    {
      key: 'error',
      label: 'Error',
      render: (s) => (s.error ? html`<span class="workflows-error">${s.error}</span>` : ''),
    },
    {
      key: 'actions',
      label: '',
      render: (s) =>
        isLead && (s.status === 'failed' || s.status === 'cancelled')
          ? html`<${Button} small data-action="retry" onClick=${act(`/steps/${encodeURIComponent(s.id)}/retry`)}
              >Retry<//
            >`
          : null,
    },
  ];
  return html`<section class="fd-card" data-execution-detail=${e.id}>
    <div class="fd-card-title fd-row">
      <span>${names.get(e.workflowId) ?? 'Execution'}</span>
      <${Badge} tone=${STATUS_TONE[e.status] ?? 'neutral'}>${e.status}<//>
      <span class="fd-muted fd-small fd-mono">${e.id}</span>
      <span class="fd-spacer"></span>
      ${
        isLead && e.status === 'running'
          ? html`<${Button} small data-action="pause" onClick=${act(`/executions/${e.id}/pause`)}>Pause<//>`
          : null
      }
      ${
        isLead && e.status === 'paused'
          ? html`<${Button} small kind="primary" data-action="resume" onClick=${act(`/executions/${e.id}/resume`)}>
              Resume
            <//>`
          : null
      }
      ${
        isLead && open
          ? html`<${Button} small kind="danger" data-action="cancel" onClick=${act(`/executions/${e.id}/cancel`)}>
              Cancel
            <//>`
          : null
      }
      <a class="fd-small" href="#/workflows">close</a>
    </div>
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
    ${e.error ? html`<div class="workflows-error">${e.error}</div>` : null}
    <dl class="fd-kv fd-small">
      <dt>Started</dt>
      <dd>${timeAgo(e.startedAt ?? e.createdAt)} by ${e.createdBy} (${e.startedBy})</dd>
      <dt>Took</dt>
      <dd>${tookOf(e)}</dd>
      ${
        e.swarmId
          ? html`<dt>Swarm</dt>
              <dd><a href=${`#/swarm/${encodeURIComponent(e.swarmId)}`}>${e.swarmId}</a></dd>`
          : null
      }
      <dt>Inputs</dt>
      <dd class="fd-mono">${JSON.stringify(e.context?.inputs ?? {})}</dd>
    </dl>
    <${Table}
      columns=${stepColumns}
      rows=${e.steps ?? []}
      rowKey=${(s) => s.id}
      rowProps=${(s) => ({ 'data-step': s.stepKey, 'data-status': s.status })}
    />
  </section>`;
}
