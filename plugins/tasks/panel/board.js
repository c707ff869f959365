import {
  Badge,
  Button,
  Empty,
  ErrorNote,
  View,
  html,
  useApi,
  useEffect,
  useEvents,
  useFleet,
  useFrameState,
  useMemo,
  useState,
  usePanelStyles,
} from 'fleet-dashboard';
import { TaskCard } from './task-card.js';
import { TaskForm } from './task-form.js';

const PANEL_CSS = new URL('./panel.css', import.meta.url).href;

export const COLUMNS = [
  ['open', 'Open'],
  ['in_progress', 'In progress'],
  ['blocked', 'Blocked'],
  ['resolved', 'Resolved'],
];
/** The list route's largest page: a board shows at most this many tasks (said so when reached). */
const LIMIT = 1000;
/** Resolved tasks shown before "show all": the column only grows. */
const RESOLVED_SHOWN = 30;
const TASK_EVENTS = ['task_created', 'task_updated', 'task_resolved'];

/** The newer of two versions of a task (events and a reload may cross). */
const newer = (a, b) => (!a ? b : !b ? a : Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a);

/** @param {{ param?: string }} props */
export function TasksView({ param }) {
  usePanelStyles(PANEL_CSS);
  const fleet = useFleet();
  const { teamName, isLead } = fleet.identity;
  const path = `/teams/${encodeURIComponent(teamName)}/tasks?limit=${LIMIT}`;
  const { data, error, loading, reload } = useApi(path);
  // Tasks heard of since the page loaded, applied once per frame however many events arrive.
  const [heard, update] = useFrameState(() => ({ byId: new Map(), version: 0 }));
  useEvents(TASK_EVENTS, (event) => {
    const task = event.task;
    if (!task || typeof task.id !== 'string') return;
    update((state) => {
      state.byId.set(task.id, newer(state.byId.get(task.id), task));
      return { byId: state.byId, version: state.version + 1 };
    });
  });
  // The team's agents, for a lead's "assign to" menus (workers cannot assign).
  const agentList = useApi(isLead ? `/teams/${encodeURIComponent(teamName)}/agents` : null);
  const agents = Array.isArray(agentList.data) ? agentList.data : [];
  const [owner, setOwner] = useState(/** @type {string | null} */ (null));
  const [showAllResolved, setShowAllResolved] = useState(false);
  const [creating, setCreating] = useState(false);

  const tasks = useMemo(() => {
    const byId = new Map((Array.isArray(data) ? data : []).map((task) => [task.id, task]));
    for (const [id, task] of heard.byId) byId.set(id, newer(byId.get(id), task));
    return byId;
  }, [data, heard.version]);

  useEffect(() => {
    if (!param) return;
    document.querySelector(`[data-task="${CSS.escape(param)}"]`)?.scrollIntoView({ block: 'center' });
  }, [param, tasks.size]);

  const blocks = useMemo(() => {
    /** @type {Map<string, string[]>} */
    const map = new Map();
    for (const task of tasks.values())
      for (const id of task.blockedBy ?? []) map.set(id, [...(map.get(id) ?? []), task.id]);
    return map;
  }, [tasks]);

  const owners = useMemo(() => {
    const counts = new Map();
    for (const task of tasks.values()) {
      const key = task.ownerHandle ?? '';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
  }, [tasks]);

  const shown = [...tasks.values()].filter((task) => owner === null || (task.ownerHandle ?? '') === owner);
  const tools = html`
    ${loading ? html`<span class="fd-muted fd-small">loading…</span>` : null}
    ${isLead ? html`<${Button} kind="primary" onClick=${() => setCreating(!creating)}>New task<//>` : null}
  `;
  return html`<${View} id="tasks" title="Tasks" tools=${tools}>
    <${ErrorNote} error=${error} title="Could not load the tasks" onRetry=${reload} />
    ${creating && isLead ? html`<${TaskForm} tasks=${tasks} onDone=${() => setCreating(false)} />` : null}
    ${
      owners.length > 1
        ? html`<div class="fd-chips tasks-owner-chips" role="group" aria-label="Owner">
            <button class=${`fd-chip${owner === null ? ' fd-chip-on' : ''}`} onClick=${() => setOwner(null)}>
              All <span class="fd-chip-count">${tasks.size}</span>
            </button>
            ${owners.map(
              ([handle, count]) =>
                html`<button
                  key=${handle}
                  class=${`fd-chip${owner === handle ? ' fd-chip-on' : ''}`}
                  data-owner=${handle}
                  onClick=${() => setOwner(owner === handle ? null : handle)}
                >
                  ${handle || 'unowned'} <span class="fd-chip-count">${count}</span>
                </button>`,
            )}
          </div>`
        : null
    }
    ${
      Array.isArray(data) && data.length >= LIMIT
        ? html`<p class="fd-muted fd-small">Showing the oldest ${LIMIT} tasks and those changed since.</p>`
        : null
    }
    ${
      tasks.size === 0 && !loading && !error
        ? html`<${Empty} title="No tasks yet">
            ${isLead ? 'Create one with “New task”, or' : 'Agents create them with'} create_task / team_assign.
          <//>`
        : html`<div class="fd-columns tasks-board">
            ${COLUMNS.map(([status, title]) => {
              let column = shown.filter((task) => task.status === status);
              column.sort((a, b) =>
                status === 'resolved'
                  ? Date.parse(b.updatedAt) - Date.parse(a.updatedAt)
                  : Date.parse(a.createdAt) - Date.parse(b.createdAt),
              );
              const hidden =
                status === 'resolved' && !showAllResolved ? Math.max(0, column.length - RESOLVED_SHOWN) : 0;
              if (hidden) column = column.slice(0, RESOLVED_SHOWN);
              return html`<section class="fd-column" data-column=${status} key=${status}>
                <div class="fd-column-title"><span>${title}</span><${Badge}>${column.length + hidden}<//></div>
                ${column.map(
                  (task) =>
                    html`<${TaskCard}
                      key=${task.id}
                      task=${task}
                      tasks=${tasks}
                      blocks=${blocks.get(task.id) ?? []}
                      isLead=${isLead}
                      agents=${agents}
                      focused=${param === task.id}
                    />`,
                )}
                ${
                  hidden
                    ? html`<${Button} kind="ghost" small onClick=${() => setShowAllResolved(true)}>
                        Show ${hidden} more
                      <//>`
                    : null
                }
              </section>`;
            })}
          </div>`
    }
  <//>`;
}
