import { Badge, Button, Empty, ErrorNote, html, timeAgo, useApi, useFleet, useState } from 'fleet-dashboard';

const PRIORITY_TONE = { critical: 'danger', high: 'warning', normal: 'neutral', low: 'neutral' };
const TYPES = ['directive', 'status', 'request', 'response', 'checkpoint'];

/** A swarm's blackboard (critical first, then newest), live on blackboard_message; leads post. */
export function Blackboard({ swarmId }) {
  const fleet = useFleet();
  const board = useApi(`/blackboard/${encodeURIComponent(swarmId)}?limit=100`, { refreshOn: ['blackboard_message'] });
  const list = Array.isArray(board.data) ? board.data : [];
  return html`<section class="fd-card" data-swarm-blackboard>
    <div class="fd-card-title">Blackboard</div>
    <${ErrorNote} error=${board.error} onRetry=${board.reload} />
    ${fleet.identity.isLead ? html`<${PostForm} swarmId=${swarmId} />` : null}
    ${
      list.length === 0 && !board.loading
        ? html`<${Empty}>No messages.<//>`
        : html`<ul class="swarm-board">
            ${list.map(
              (message) =>
                html`<li key=${message.id} data-message=${message.id}>
                  <div class="fd-row fd-small">
                    <${Badge} tone=${PRIORITY_TONE[message.priority] ?? 'neutral'}>${message.priority}<//>
                    <${Badge} tone="info">${message.messageType}<//>
                    <strong>${message.senderHandle}</strong>
                    ${message.targetHandle ? html`<span class="fd-muted">→ ${message.targetHandle}</span>` : null}
                    <span class="fd-muted">${timeAgo(message.createdAt)}</span>
                  </div>
                  <div class="swarm-payload">${payloadText(message.payload)}</div>
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}

function payloadText(/** @type {unknown} */ payload) {
  if (payload === undefined || payload === null) return '';
  if (typeof payload === 'string') return payload;
  const text = /** @type {any} */ (payload).text ?? /** @type {any} */ (payload).message;
  if (typeof text === 'string' && Object.keys(/** @type {object} */ (payload)).length === 1) return text;
  return JSON.stringify(payload, null, 1);
}

function PostForm({ swarmId }) {
  const fleet = useFleet();
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const submit = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const data = new FormData(form);
    setError(null);
    try {
      await fleet.api('POST', '/blackboard', {
        swarmId,
        messageType: String(data.get('messageType')),
        priority: String(data.get('priority')),
        payload: { text: String(data.get('text') ?? '') },
      });
      form.reset();
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
    }
  };
  return html`<form class="fd-row swarm-post" onSubmit=${submit}>
    <select class="fd-select" name="messageType" aria-label="Type">
      ${TYPES.map((type) => html`<option key=${type} value=${type}>${type}</option>`)}
    </select>
    <select class="fd-select" name="priority" aria-label="Priority">
      ${['normal', 'high', 'critical', 'low'].map((p) => html`<option key=${p} value=${p}>${p}</option>`)}
    </select>
    <input class="fd-input swarm-post-text" name="text" placeholder="Post to the blackboard" required />
    <${Button} type="submit" kind="primary">Post<//>
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
  </form>`;
}
