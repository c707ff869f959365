import { Badge, Button, html, timeAgo, useFleet, useState } from 'fleet-dashboard';

const STATUS_LABEL = { open: 'Open', in_progress: 'In progress', blocked: 'Blocked', resolved: 'Resolved' };
export const PRIORITIES = ['critical', 'high', 'normal', 'low'];
const PRIORITY_TONE = { critical: 'danger', high: 'warning', low: 'neutral' };

/**
 * One task: subject, owner, what blocks it (and whether each blocker is resolved), what it blocks;
 * for leads, a status menu, a priority menu, Resolve, and "assign to" while it has no owner (a refusal,
 * e.g. TASKS_BLOCKED, shows on the card).
 * @param {{ task: any, tasks: Map<string, any>, blocks: string[], isLead: boolean, agents: any[],
 *   focused: boolean }} props
 */
export function TaskCard({ task, tasks, blocks, isLead, agents, focused }) {
  const fleet = useFleet();
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const blockers = (task.blockedBy ?? []).map((id) => ({ id, task: tasks.get(id) }));
  const waiting = blockers.filter((blocker) => blocker.task?.status !== 'resolved');
  const ready = task.status === 'open' && waiting.length === 0;

  /** One change through the API; a refusal shows on the card. */
  const change = async (/** @type {string} */ method, /** @type {string} */ path, /** @type {object} */ body) => {
    setError(null);
    try {
      await fleet.api(method, path, body);
      return true;
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
      return false;
    }
  };
  const taskPath = `/tasks/${encodeURIComponent(task.id)}`;
  const setStatus = (/** @type {string} */ status) => change('PATCH', taskPath, { status });
  const assignable = !task.ownerHandle && task.status !== 'resolved';

  return html`<article
    class=${`fd-card tasks-task${focused ? ' tasks-focused' : ''}`}
    data-task=${task.id}
    data-status=${task.status}
  >
    <div class="tasks-task-subject" title=${task.description ?? ''}>${task.subject}</div>
    <div class="fd-row fd-small">
      ${
        task.ownerHandle
          ? html`<${Badge} tone="info" data-owner=${task.ownerHandle}>${task.ownerHandle}<//>`
          : html`<${Badge} tone="neutral">unowned<//>`
      }
      ${
        task.priority && task.priority !== 'normal'
          ? html`<${Badge} tone=${PRIORITY_TONE[task.priority] ?? 'neutral'} data-priority=${task.priority}>
              ${task.priority}
            <//>`
          : null
      }
      ${ready ? html`<${Badge} tone="ok">ready<//>` : null}
      ${
        task.status !== 'resolved' && waiting.length > 0
          ? html`<${Badge} tone="warning">waiting on ${waiting.length}<//>`
          : null
      }
      <span class="fd-muted" title=${task.updatedAt}>${timeAgo(task.updatedAt)}</span>
    </div>
    ${task.description ? html`<div class="tasks-task-description fd-small">${task.description}</div>` : null}
    ${
      blockers.length > 0
        ? html`<div class="tasks-deps fd-small">
            <span class="fd-muted">blocked by</span>
            ${blockers.map(
              (blocker) =>
                html`<a
                  key=${blocker.id}
                  href=${`#/tasks/${encodeURIComponent(blocker.id)}`}
                  class=${`tasks-dep${blocker.task?.status === 'resolved' ? ' tasks-dep-done' : ''}`}
                  data-blocker=${blocker.id}
                  title=${blocker.task ? STATUS_LABEL[blocker.task.status] : 'not on this board'}
                >
                  ${blocker.task?.subject ?? blocker.id.slice(0, 8)}
                </a>`,
            )}
          </div>`
        : null
    }
    ${
      blocks.length > 0
        ? html`<div class="tasks-deps fd-small">
            <span class="fd-muted">blocks</span>
            ${blocks.map(
              (id) =>
                html`<a key=${id} href=${`#/tasks/${encodeURIComponent(id)}`} class="tasks-dep">
                  ${tasks.get(id)?.subject ?? id.slice(0, 8)}
                </a>`,
            )}
          </div>`
        : null
    }
    <div class="fd-row fd-small fd-muted">
      <span class="fd-mono" title=${task.id}>${task.id.slice(0, 8)}</span>
      <span>by ${task.createdByHandle}</span>
    </div>
    ${
      isLead
        ? html`<div class="fd-row tasks-task-actions">
            <select
              class="fd-select"
              aria-label="Status"
              data-action="status"
              value=${task.status}
              onChange=${async (/** @type {any} */ event) => {
                const select = event.currentTarget;
                // Refused: the menu shows the task's status again (the render would not: its value did not change).
                if (!(await setStatus(select.value))) select.value = task.status;
              }}
            >
              ${Object.entries(STATUS_LABEL).map(
                ([value, label]) => html`<option key=${value} value=${value}>${label}</option>`,
              )}
            </select>
            <select
              class="fd-select"
              aria-label="Priority"
              data-action="priority"
              value=${task.priority ?? 'normal'}
              onChange=${async (/** @type {any} */ event) => {
                const select = event.currentTarget;
                if (!(await change('PATCH', taskPath, { priority: select.value })))
                  select.value = task.priority ?? 'normal';
              }}
            >
              ${PRIORITIES.map((value) => html`<option key=${value} value=${value}>${value}</option>`)}
            </select>
            ${
              task.status !== 'resolved'
                ? html`<${Button} small kind="primary" data-action="resolve" onClick=${() => setStatus('resolved')}>
                    Resolve
                  <//>`
                : null
            }
            ${
              assignable && agents.length > 0
                ? html`<select
                    class="fd-select"
                    aria-label="Assign to"
                    data-action="assign"
                    value=""
                    onChange=${async (/** @type {any} */ event) => {
                      const select = event.currentTarget;
                      const toHandle = select.value;
                      if (toHandle) await change('POST', `${taskPath}/assign`, { toHandle });
                      select.value = '';
                    }}
                  >
                    <option value="">Assign to…</option>
                    ${agents.map(
                      (agent) => html`<option key=${agent.uid} value=${agent.handle}>${agent.handle}</option>`,
                    )}
                  </select>`
                : null
            }
          </div>`
        : null
    }
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
  </article>`;
}
