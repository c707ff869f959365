import { Button, html, useApi, useFleet, useState } from 'fleet-dashboard';
import { PRIORITIES } from './task-card.js';

/**
 * A lead's new task: subject, description, an owner (assigned now: the owner gets the [TASK] direct
 * message) or none (open for team_claim), and the tasks it waits for. POST /tasks.
 * @param {{ tasks: Map<string, any>, onDone: () => void }} props
 */
export function TaskForm({ tasks, onDone }) {
  const fleet = useFleet();
  const agents = useApi(`/teams/${encodeURIComponent(fleet.identity.teamName)}/agents`);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const open = [...tasks.values()].filter((task) => task.status !== 'resolved');

  const submit = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const data = new FormData(form);
    const subject = String(data.get('subject') ?? '').trim();
    const description = String(data.get('description') ?? '').trim();
    const owner = String(data.get('owner') ?? '');
    const blockedBy = data.getAll('blockedBy').map(String);
    const priority = String(data.get('priority') ?? 'normal');
    setError(null);
    try {
      await fleet.api('POST', '/tasks', {
        subject,
        ...(description ? { description } : {}),
        ...(owner ? { toHandle: owner } : {}),
        ...(blockedBy.length ? { blockedBy } : {}),
        ...(priority !== 'normal' ? { priority } : {}),
      });
      form.reset();
      onDone();
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
    }
  };

  return html`<form class="fd-card fd-stack tasks-task-form" data-form="new-task" onSubmit=${submit}>
    <div class="fd-card-title">New task</div>
    <input class="fd-input" name="subject" placeholder="Subject" required maxlength="500" autofocus />
    <textarea class="fd-textarea" name="description" placeholder="Description (optional)" rows="3"></textarea>
    <div class="fd-row">
      <label class="fd-small">
        Owner
        <select class="fd-select" name="owner">
          <option value="">nobody yet (open for team_claim)</option>
          ${(Array.isArray(agents.data) ? agents.data : []).map(
            (agent) =>
              html`<option key=${agent.uid} value=${agent.handle}>${agent.handle} (${agent.agentType})</option>`,
          )}
        </select>
      </label>
      <label class="fd-small">
        Priority
        <select class="fd-select" name="priority" value="normal">
          ${PRIORITIES.map((value) => html`<option key=${value} value=${value}>${value}</option>`)}
        </select>
      </label>
      ${
        open.length > 0
          ? html`<label class="fd-small">
              Blocked by
              <select class="fd-select tasks-multi" name="blockedBy" multiple size=${Math.min(5, open.length)}>
                ${open.map((task) => html`<option key=${task.id} value=${task.id}>${task.subject}</option>`)}
              </select>
            </label>`
          : null
      }
    </div>
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
    <div class="fd-row">
      <${Button} type="submit" kind="primary">Create<//>
      <${Button} kind="ghost" onClick=${onDone}>Cancel<//>
    </div>
  </form>`;
}
