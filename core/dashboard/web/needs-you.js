// The needs-you inbox: one list across the team of what waits for a person (approvals, stalled or failed
// workers, budget pauses, checkpoints, failed runs), fed by the panels' inbox hooks, newest first. An
// item's actions run inline and show their result or error on the item.
import {
  html,
  useEffect,
  useState,
  useFleet,
  useNow,
  Badge,
  Button,
  Empty,
  View,
  timeAgo,
  toMs,
  FleetApiError,
} from './panel-kit.js';
import { safeLink } from './router.js';
import { enableNotifications, disableNotifications, notificationState } from './notifications.js';

const SEVERITY_TONE = { action: 'action', warning: 'warning', info: 'info' };
const SEVERITY_LABEL = { action: 'Needs action', warning: 'Warning', info: 'Info' };
const LEAD_ONLY = html`<span class="fd-muted fd-small" title="Only a team lead may act">lead only</span>`;
/** Actions that refuse or end something look like it. */
const DANGEROUS = /^(deny|reject|dismiss|stop|kill|cancel|abort)/i;

/** @param {{ inbox: import('./inbox-store.js').InboxStore }} props */
export function NeedsYouView({ inbox }) {
  const [items, setItems] = useState(() => inbox.items());
  const [kind, setKind] = useState(/** @type {string | undefined} */ (undefined));
  useNow(15_000);
  useEffect(() => {
    setItems(inbox.items());
    return inbox.listen(setItems);
  }, [inbox]);

  const kinds = new Map();
  for (const item of items) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
  const shown = kind && kinds.has(kind) ? items.filter((item) => item.kind === kind) : items;

  return html`<${View}
    id="needs-you"
    title=${html`Needs you ${items.length ? html`<${Badge} tone="action">${items.length}<//>` : null}`}
    tools=${html`<${NotificationToggle} />`}
  >
    ${
      kinds.size > 1
        ? html`<div class="fd-chips" role="toolbar" aria-label="Filter by kind">
            <button
              type="button"
              class=${`fd-chip${!kind || !kinds.has(kind) ? ' fd-chip-on' : ''}`}
              onClick=${() => setKind(undefined)}
            >
              All <span class="fd-chip-count">${items.length}</span>
            </button>
            ${[...kinds].map(
              ([name, count]) =>
                html`<button
                  type="button"
                  key=${name}
                  class=${`fd-chip${kind === name ? ' fd-chip-on' : ''}`}
                  onClick=${() => setKind(name)}
                >
                  ${humanKind(name)} <span class="fd-chip-count">${count}</span>
                </button>`,
            )}
          </div>`
        : null
    }
    ${
      shown.length === 0
        ? html`<${Empty} title="Nothing needs you right now">
            Approvals, stalled or failed workers, budget and usage pauses, checkpoints for the lead and failed runs show
            up here as they happen.
          <//>`
        : html`<ul class="fd-inbox">
            ${shown.map((item) => html`<${InboxRow} key=${item.key} item=${item} />`)}
          </ul>`
    }
  <//>`;
}

function humanKind(/** @type {string} */ kind) {
  return kind.replace(/[_-]+/g, ' ').replace(/^./, (first) => first.toUpperCase());
}

/** @param {{ item: import('./fleet-client.js').InboxItem }} props */
function InboxRow({ item }) {
  const fleet = useFleet();
  const [outcome, setOutcome] = useState(
    /** @type {{ ok: boolean, label: string, message: string } | undefined} */ (undefined),
  );
  const severity = item.severity ?? 'action';
  const link = safeLink(item.link);
  const actions = (item.actions ?? []).filter((action) => !action.leadOnly || fleet.identity.isLead);
  const hiddenForWorker = (item.actions ?? []).length > actions.length;

  const run = async (/** @type {import('./fleet-client.js').InboxAction} */ action) => {
    setOutcome(undefined);
    try {
      const result = await action.run();
      setOutcome({ ok: true, label: action.label, message: describeResult(result) });
    } catch (error) {
      const message =
        error instanceof FleetApiError
          ? `${error.message} (${error.code})`
          : String(/** @type {any} */ (error)?.message ?? error);
      setOutcome({ ok: false, label: action.label, message });
    }
  };

  return html`<li
    class=${`fd-inbox-item fd-severity-${severity}`}
    data-inbox-key=${item.key}
    data-inbox-kind=${item.kind}
  >
    <div class="fd-inbox-main">
      <div class="fd-inbox-head">
        <${Badge} tone=${SEVERITY_TONE[severity] ?? 'neutral'} title=${SEVERITY_LABEL[severity]}>
          ${humanKind(item.kind)}
        <//>
        <span class="fd-inbox-title"> ${link ? html`<a href=${link}>${item.title}</a>` : item.title} </span>
        <time class="fd-inbox-time fd-muted" title=${new Date(toMs(item.at)).toLocaleString()}>
          ${timeAgo(item.at)}
        </time>
      </div>
      ${item.detail ? html`<div class="fd-inbox-detail">${item.detail}</div>` : null}
      ${
        outcome
          ? html`<div class=${`fd-inbox-outcome ${outcome.ok ? 'fd-ok' : 'fd-bad'}`} role="status" data-outcome>
              ${outcome.ok ? '✓' : '✗'} ${outcome.label}: ${outcome.message}
            </div>`
          : null
      }
    </div>
    <div class="fd-inbox-actions">
      ${actions.map(
        (action, index) =>
          html`<${Button}
            key=${action.label}
            small
            kind=${DANGEROUS.test(action.label) ? 'danger' : index === 0 ? 'primary' : 'default'}
            data-action=${action.label}
            onClick=${() => run(action)}
            >${action.label}<//
          >`,
      )}
      ${hiddenForWorker ? LEAD_ONLY : null}
    </div>
  </li>`;
}

function describeResult(/** @type {unknown} */ result) {
  if (result === undefined || result === null || result === true) return 'done';
  if (typeof result === 'string') return result;
  if (typeof result === 'object') {
    const object = /** @type {Record<string, unknown>} */ (result);
    for (const key of ['message', 'status', 'state', 'decision'])
      if (typeof object[key] === 'string') return object[key];
  }
  return 'done';
}

function NotificationToggle() {
  const [state, setState] = useState(notificationState());
  if (state === 'unsupported') return null;
  if (state === 'denied')
    return html`<span class="fd-muted fd-small" title="Allow them in the browser's site settings">
      Desktop notifications are blocked
    </span>`;
  if (state === 'on')
    return html`<${Button}
      small
      kind="ghost"
      data-action="notifications-off"
      onClick=${() => setState(disableNotifications())}
    >
      Desktop notifications: on
    <//>`;
  return html`<${Button}
    small
    data-action="notifications-on"
    title="Show a desktop notification for each new item while this tab is in the background"
    onClick=${async () => setState(await enableNotifications())}
  >
    Enable desktop notifications
  <//>`;
}
