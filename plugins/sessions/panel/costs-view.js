import {
  Badge,
  ErrorNote,
  Table,
  View,
  formatCost,
  formatTokens,
  html,
  useApi,
  useEffect,
  useEvents,
  useFleet,
  useMemo,
  useRef,
  useState,
  usePanelStyles,
} from 'fleet-dashboard';
import { DailyChart } from './daily-chart.js';

const PANEL_CSS = new URL('./panel.css', import.meta.url).href;

const DAY = 86_400_000;
const RANGES = [7, 14, 30, 90];
/** cost_recorded comes with every result of every worker: the view reloads at most this often. */
const RELOAD_MS = 5000;

const sumColumns = (/** @type {string} */ keyLabel, /** @type {(row: any) => any} */ renderKey) => [
  { key: 'key', label: keyLabel, render: renderKey },
  { key: 'costUsd', label: 'Cost', align: 'right', render: (row) => costCell(row) },
  { key: 'totalTokens', label: 'Tokens', align: 'right', render: (row) => formatTokens(row.totalTokens) },
  { key: 'outputTokens', label: 'Output', align: 'right', render: (row) => formatTokens(row.outputTokens) },
  { key: 'results', label: 'Results', align: 'right' },
];

const workerColumns = sumColumns(
  'Worker',
  (row) => html`<a href=${`#/worker/${encodeURIComponent(row.key)}`}>${row.key}</a>`,
);

function costCell(/** @type {any} */ row) {
  const unpriced =
    row.unpricedResults > 0
      ? html` <${Badge} title="results without a known cost">+${row.unpricedResults} unpriced<//>`
      : null;
  return html`${formatCost(row.costUsd)}${unpriced}`;
}

/** @param {{ param?: string }} props */
export function CostsView({ param }) {
  usePanelStyles(PANEL_CSS);
  const fleet = useFleet();
  const initial = Number(param);
  const [days, setDays] = useState(RANGES.includes(initial) ? initial : 14);
  const since = (Math.floor(Date.now() / DAY) - days + 1) * DAY;
  const daily = useApi(`/costs/daily?days=${days}`);
  const byWorker = useApi(`/costs?by=worker&since=${since}&limit=200`);
  const byTask = useApi(`/costs?by=task&since=${since}&limit=50`);
  // Tasks' subjects and the budgets come from other plugins: asked only while those are on (no 404s).
  const plugins = useApi('/dashboard/plugins');
  const on = (/** @type {string} */ name) =>
    (plugins.data?.plugins ?? []).some((/** @type {any} */ p) => p.name === name && p.state === 'on');
  const tasks = useApi(on('tasks') && `/teams/${encodeURIComponent(fleet.identity.teamName)}/tasks?limit=1000`);
  const budgets = useApi(on('budgets') && '/budgets', {
    refreshOn: ['budget_created', 'budget_updated', 'budget_deleted', 'budget_exceeded', 'budget_cleared'],
  });

  // One reload of the three sums at most every RELOAD_MS however many results arrive.
  const timer = useRef(/** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined));
  const reloads = useRef(() => {});
  reloads.current = () => {
    daily.reload();
    byWorker.reload();
    byTask.reload();
  };
  useEvents(['cost_recorded'], () => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      reloads.current();
    }, RELOAD_MS);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const subjects = useMemo(
    () => new Map((Array.isArray(tasks.data) ? tasks.data : []).map((task) => [task.id, task.subject])),
    [tasks.data],
  );
  const total = daily.data?.total;
  const tools = html`<div class="fd-chips" role="group" aria-label="Days">
    ${RANGES.map(
      (range) =>
        html`<button
          key=${range}
          class=${`fd-chip${range === days ? ' fd-chip-on' : ''}`}
          data-days=${range}
          onClick=${() => setDays(range)}
        >
          ${range} days
        </button>`,
    )}
  </div>`;

  return html`<${View} id="costs" title="Costs" tools=${tools}>
    <div class="fd-stack">
      <section class="fd-card costs-summary">
        <div class="fd-row">
          <div class="costs-figure">
            <span class="fd-muted fd-small">Cost, ${days} days</span>
            <strong data-total-cost>${formatCost(total?.costUsd)}</strong>
          </div>
          <div class="costs-figure">
            <span class="fd-muted fd-small">Tokens</span> <strong>${formatTokens(total?.totalTokens)}</strong>
          </div>
          <div class="costs-figure">
            <span class="fd-muted fd-small">Results</span> <strong>${total?.results ?? '—'}</strong>
          </div>
          ${
            total?.unpricedResults
              ? html`<${Badge} tone="warning" title="results whose cost no agent reported">
                  ${total.unpricedResults} results without a cost
                <//>`
              : null
          }
        </div>
        <${ErrorNote} error=${daily.error} title="Could not load the costs by day" onRetry=${daily.reload} />
        ${daily.data ? html`<${DailyChart} days=${daily.data.days} />` : null}
      </section>
      <${BudgetsCard} budgets=${budgets} />
      <div class="costs-tables">
        <section class="fd-card">
          <div class="fd-card-title">By worker</div>
          <${ErrorNote} error=${byWorker.error} onRetry=${byWorker.reload} />
          <${Table}
            columns=${workerColumns}
            rows=${byWorker.data?.groups ?? []}
            rowKey=${(row) => row.key}
            rowProps=${(row) => ({ 'data-cost-worker': row.key })}
            empty="No results in these days."
          />
        </section>
        <section class="fd-card">
          <div class="fd-card-title">By task</div>
          <${ErrorNote} error=${byTask.error} onRetry=${byTask.reload} />
          <${Table}
            columns=${sumColumns('Task', (row) =>
              row.key === null
                ? html`<span class="fd-muted">no task</span>`
                : html`<a href=${`#/tasks/${encodeURIComponent(row.key)}`}
                    >${subjects.get(row.key) ?? row.key.slice(0, 8)}</a
                  >`,
            )}
            rows=${byTask.data?.groups ?? []}
            rowKey=${(row) => row.key ?? ''}
            rowProps=${(row) => ({ 'data-cost-task': row.key ?? '' })}
            empty="No results in these days."
          />
          ${
            byTask.data && byTask.data.groupCount > byTask.data.groups.length
              ? html`<p class="fd-small fd-muted">
                  The ${byTask.data.groups.length} costliest of ${byTask.data.groupCount} tasks.
                </p>`
              : null
          }
        </section>
      </div>
    </div>
  <//>`;
}

/** The team's budgets (none while the budgets plugin is off). */
function BudgetsCard({ budgets }) {
  const list = Array.isArray(budgets.data) ? budgets.data : [];
  if (!budgets.error && list.length === 0) return null;
  const columns = [
    {
      key: 'scope',
      label: 'Budget',
      render: (b) => `${b.scope.kind}${b.scope.id ? ` ${b.scope.id}` : ''} · ${b.period}`,
    },
    {
      key: 'spent',
      label: 'Spent',
      align: 'right',
      render: (b) => `${amount(b.spent, b.unit)} of ${amount(b.limit + (b.extension ?? 0), b.unit)}`,
    },
    { key: 'bar', label: '', render: (b) => html`<${Meter} value=${b.spent} max=${b.limit + (b.extension ?? 0)} />` },
    {
      key: 'state',
      label: 'State',
      render: (b) =>
        b.over
          ? html`<${Badge} tone="danger">over${b.paused?.length ? ` · ${b.paused.length} paused` : ''}<//>`
          : b.throttled
            ? html`<${Badge} tone="warning">throttled<//>`
            : html`<${Badge} tone="ok">ok<//>`,
    },
  ];
  return html`<section class="fd-card" data-costs-budgets>
    <div class="fd-card-title">Budgets</div>
    <${ErrorNote} error=${budgets.error} onRetry=${budgets.reload} />
    <${Table} columns=${columns} rows=${list} rowKey=${(b) => b.id} rowProps=${(b) => ({ 'data-budget': b.id })} />
  </section>`;
}

function amount(/** @type {number} */ value, /** @type {string} */ unit) {
  if (unit === 'usd') return formatCost(value);
  if (unit === 'tokens') return formatTokens(value);
  return `${value} ${unit}`;
}

function Meter({ value, max }) {
  const share = max > 0 ? Math.min(1, value / max) : 1;
  const tone = share >= 1 ? 'danger' : share >= 0.8 ? 'warning' : 'ok';
  return html`<span class="costs-meter" title=${`${Math.round(share * 100)}%`}>
    <span class=${`costs-meter-fill costs-${tone}`} style=${`width:${(share * 100).toFixed(1)}%`}></span>
  </span>`;
}
