import {
  Badge,
  Button,
  ErrorNote,
  Table,
  View,
  formatCost,
  formatSpan,
  formatTokens,
  html,
  timeAgo,
  useApi,
  useFleet,
  useState,
  usePanelStyles,
} from 'fleet-dashboard';
import { OUTCOME_TONE, scheduleSummary } from './outcomes.js';

const PANEL_CSS = new URL('./panel.css', import.meta.url).href;

const RUN_EVENTS = ['run_started', 'run_finished'];
const SCHEDULE_EVENTS = ['schedule_created', 'schedule_updated', 'schedule_deleted', 'run_finished'];

const toggle = (/** @type {any} */ s) =>
  `/scheduler/schedules/${encodeURIComponent(s.id)}/${s.enabled ? 'disable' : 'enable'}`;

/** @param {{ param?: string }} props */
export function RunsView({ param }) {
  usePanelStyles(PANEL_CSS);
  const fleet = useFleet();
  const { isLead } = fleet.identity;
  const status = useApi('/scheduler/status', {
    refreshOn: ['scheduler_started', 'scheduler_stopped', ...SCHEDULE_EVENTS],
  });
  const schedules = useApi('/scheduler/schedules', { refreshOn: SCHEDULE_EVENTS });
  const filter = param ? `&schedule=${encodeURIComponent(param)}` : '';
  const runs = useApi(`/scheduler/runs?limit=100${filter}`, { refreshOn: RUN_EVENTS });
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const act = (/** @type {string} */ method, /** @type {string} */ path) => async () => {
    setError(null);
    try {
      await fleet.api(method, path);
      status.reload();
      schedules.reload();
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
    }
  };

  const running = status.data?.running;
  const tools = html`
    ${
      status.data
        ? html`<${Badge} tone=${running ? 'ok' : 'warning'} data-scheduler=${running ? 'running' : 'stopped'}>
            scheduler ${running ? 'running' : 'stopped'}
          <//>`
        : null
    }
    ${
      isLead && status.data
        ? running
          ? html`<${Button} small onClick=${act('POST', '/scheduler/stop')}>Stop<//>`
          : html`<${Button} small kind="primary" onClick=${act('POST', '/scheduler/start')}>Start<//>`
        : null
    }
  `;

  const scheduleColumns = [
    {
      key: 'name',
      label: 'Schedule',
      render: (s) => html`<a href=${`#/runs/${encodeURIComponent(s.id)}`}>${s.name}</a>`,
    },
    {
      key: 'cron',
      label: 'When',
      render: (s) => html`<span class="fd-mono">${s.cron}</span> <span class="fd-muted fd-small">${s.timezone}</span>`,
    },
    { key: 'what', label: 'Does', render: (s) => scheduleSummary(s) },
    { key: 'lastRun', label: 'Last slot', render: (s) => timeAgo(s.lastRun) },
    { key: 'nextRun', label: 'Next', render: (s) => (s.enabled ? timeAgo(s.nextRun) : '—') },
    {
      key: 'enabled',
      label: '',
      render: (s) =>
        html`<div class="fd-row">
          <${Badge} tone=${s.enabled ? 'ok' : 'neutral'}>${s.enabled ? 'on' : 'off'}<//>
          ${
            isLead
              ? html`<${Button}
                  small
                  kind="ghost"
                  data-action=${s.enabled ? 'disable' : 'enable'}
                  onClick=${act('PATCH', toggle(s))}
                >
                  ${s.enabled ? 'Disable' : 'Enable'}
                <//>`
              : null
          }
        </div>`,
    },
  ];
  const runColumns = [
    { key: 'slot', label: 'Slot', render: (r) => html`<span title=${r.slot}>${timeAgo(r.slot)}</span>` },
    { key: 'scheduleName', label: 'Schedule' },
    {
      key: 'outcome',
      label: 'Outcome',
      render: (r) =>
        html`<${Badge} tone=${OUTCOME_TONE[r.outcome] ?? 'info'}>${r.outcome ?? r.status}<//
          >${r.late ? html` <${Badge} tone="warning">late<//>` : null}`,
    },
    {
      key: 'reason',
      label: 'Why',
      render: (r) =>
        r.reason ??
        (r.dispatches ?? [])
          .map((d) => d.reason)
          .filter(Boolean)
          .join('; ') ??
        '',
    },
    { key: 'tokens', label: 'Tokens', align: 'right', render: (r) => (r.tokens ? formatTokens(r.tokens) : '—') },
    { key: 'costUsd', label: 'Cost', align: 'right', render: (r) => formatCost(r.costUsd) },
    {
      key: 'took',
      label: 'Took',
      align: 'right',
      render: (r) =>
        r.startedAt && r.finishedAt ? formatSpan(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '—',
    },
  ];
  const selected = param ? (schedules.data ?? []).find((s) => s.id === param) : undefined;
  return html`<${View} id="runs" title="Runs" tools=${tools}>
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
    <${ErrorNote} error=${status.error ?? schedules.error} onRetry=${schedules.reload} />
    <div class="fd-stack">
      <section class="fd-card">
        <div class="fd-card-title">Schedules</div>
        <${Table}
          columns=${scheduleColumns}
          rows=${schedules.data ?? []}
          rowKey=${(s) => s.id}
          rowProps=${(s) => ({ 'data-schedule': s.id, class: s.id === param ? 'runs-selected' : '' })}
          empty="No schedules. A lead creates them with POST /scheduler/schedules or loads the defaults."
        />
      </section>
      <section class="fd-card">
        <div class="fd-card-title fd-row">
          <span>Recent runs${selected ? ` of ${selected.name}` : ''}</span>
          ${param ? html`<a class="fd-small" href="#/runs">all schedules</a>` : null}
        </div>
        <${ErrorNote} error=${runs.error} onRetry=${runs.reload} />
        <${Table}
          columns=${runColumns}
          rows=${runs.data ?? []}
          rowKey=${(r) => r.id}
          rowProps=${(r) => ({ 'data-run': r.id, 'data-outcome': r.outcome ?? r.status })}
          empty="No runs yet."
        />
      </section>
    </div>
  <//>`;
}
