import { Badge, Button, Empty, ErrorNote, html, timeAgo, useApi, useEvents, useFleet, useState } from 'fleet-dashboard';

/**
 * The caller's mail, newest first (GET /mail/:handle): reloaded when new_mail names the caller. A mail's
 * body opens on click. Leads may write mail.
 */
export function Mailbox() {
  const fleet = useFleet();
  const { handle, isLead } = fleet.identity;
  const mail = useApi(`/mail/${encodeURIComponent(handle)}`);
  useEvents(['new_mail'], (event) => {
    if (event.toHandle === handle || event.fromHandle === handle) mail.reload();
  });
  const [open, setOpen] = useState(/** @type {number | null} */ (null));
  const [writing, setWriting] = useState(false);
  const list = Array.isArray(mail.data) ? mail.data : [];
  const unread = list.filter((each) => !each.readAt).length;
  return html`<div class="mail-box-inner">
    <div class="fd-card-title fd-row">
      <span>Mail</span>
      ${unread ? html`<${Badge} tone="action">${unread} unread<//>` : null}
      <span class="fd-spacer"></span>
      ${isLead ? html`<${Button} small onClick=${() => setWriting(!writing)}>Write<//>` : null}
    </div>
    ${writing ? html`<${MailForm} onDone=${() => setWriting(false)} />` : null}
    <${ErrorNote} error=${mail.error} title="Could not load your mail" onRetry=${mail.reload} />
    ${
      list.length === 0 && !mail.loading
        ? html`<${Empty}>No mail.<//>`
        : html`<ul class="mail-list">
            ${list.map(
              (each) =>
                html`<li key=${each.id} data-mail=${each.id} class=${each.readAt ? '' : 'mail-unread'}>
                  <button class="mail-head" onClick=${() => setOpen(open === each.id ? null : each.id)}>
                    <span class="mail-subject">${each.subject ?? '(no subject)'}</span>
                    <span class="fd-small fd-muted">${timeAgo(each.createdAt)}</span>
                    <span class="fd-small fd-muted mail-from">
                      ${each.fromHandle === handle ? `to ${each.toHandle}` : `from ${each.fromHandle}`}
                    </span>
                  </button>
                  ${
                    open === each.id
                      ? html`<div class="mail-text mail-body">${each.body}</div>`
                      : html`<div class="mail-snippet fd-small fd-muted">${each.body.slice(0, 140)}</div>`
                  }
                </li>`,
            )}
          </ul>`
    }
  </div>`;
}

function MailForm({ onDone }) {
  const fleet = useFleet();
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const submit = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const data = new FormData(form);
    const subject = String(data.get('subject') ?? '').trim();
    setError(null);
    try {
      await fleet.api('POST', '/mail', {
        to: String(data.get('to') ?? '').trim(),
        body: String(data.get('body') ?? ''),
        ...(subject ? { subject } : {}),
      });
      form.reset();
      onDone();
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
    }
  };
  return html`<form class="fd-stack mail-form" onSubmit=${submit}>
    <input class="fd-input" name="to" placeholder="To (handle)" required />
    <input class="fd-input" name="subject" placeholder="Subject (optional)" />
    <textarea class="fd-textarea" name="body" rows="3" placeholder="Body" required></textarea>
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
    <div class="fd-row">
      <${Button} type="submit" kind="primary">Send<//><${Button} kind="ghost" onClick=${onDone}>Cancel<//>
    </div>
  </form>`;
}
