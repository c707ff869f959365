// @ts-check
// One worker: its transcript in a terminal (from the log, live), what it is doing and what needs a person, and
// for leads a box to send it a message, pause, resume, dismiss, or continue an ended one in a fresh session.
import {
  Badge,
  Button,
  ErrorNote,
  FleetApiError,
  formatCost,
  formatTokens,
  html,
  timeAgo,
  useCallback,
  useEffect,
  useFleet,
  useRef,
  useState,
  View,
} from 'fleet-dashboard';
import { HEALTH_TONE, STATE_TONE } from './overview.js';
import { TranscriptTerminal } from './transcript-terminal.js';
import { needsYouText, pauseText } from './worker-table.js';

/** This worker's events that change what the header shows (the terminal follows worker_output itself). */
const HEADER_EVENTS = [
  'worker_spawned',
  'worker_state',
  'worker_health',
  'worker_result',
  'worker_needs_you',
  'worker_paused',
  'worker_resumed',
  'worker_failed',
  'worker_dismissed',
  'worker_restart',
  'worker_session',
];

const LIVE = ['starting', 'ready', 'working', 'idle'];

/** @param {{ param?: string }} props */
export function WorkerView({ param }) {
  const handle = param ? decodeURIComponent(param) : '';
  const fleet = useFleet();
  const [worker, setWorker] = useState(/** @type {any} */ (undefined));
  const [error, setError] = useState(/** @type {any} */ (undefined));

  const reload = useCallback(() => {
    if (!handle) return;
    fleet.api('GET', '/orchestrate/workers').then((/** @type {any[]} */ workers) => {
      setWorker(workers.find((each) => each.handle === handle) ?? null);
      setError(undefined);
    }, setError);
  }, [fleet, handle]);

  useEffect(() => {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    // This worker's changes reload its row (coalesced: a burst is one request).
    const unsubscribe = fleet.subscribe(HEADER_EVENTS, (/** @type {any} */ event) => {
      if (event.handle !== handle) return;
      timer ??= setTimeout(() => {
        timer = undefined;
        reload();
      }, 150);
    });
    const unResync = fleet.onResync(reload);
    reload();
    return () => {
      clearTimeout(timer);
      unsubscribe();
      unResync();
    };
  }, [fleet, handle, reload]);

  if (!handle) return html`<${View} id="worker" title="Worker"><p>No worker named.</p><//>`;
  const title = html`<a class="wk-back" href="#/workers" title="All workers">Workers</a> / ${handle}`;
  const tools = worker
    ? html`<${Badge}
          tone=${STATE_TONE[/** @type {keyof typeof STATE_TONE} */ (worker.state)] ?? 'neutral'}
          data-state=${worker.state}
          >${worker.state}<//
        >
        ${
          worker.adapter !== 'external'
            ? html`<${Badge} tone=${HEALTH_TONE[/** @type {keyof typeof HEALTH_TONE} */ (worker.health)] ?? 'neutral'}
                >${worker.health}<//
              >`
            : null
        }`
    : null;

  return html`<${View} id="worker" title=${title} tools=${tools} className="wk-worker-view">
    <div data-worker=${handle} class="wk-worker">
      <${ErrorNote} error=${error} title="Could not load the worker" onRetry=${reload} />
      ${worker === null ? html`<div class="wk-banner">No worker ${handle} in your team.</div>` : null}
      ${worker ? html`<${WorkerFacts} worker=${worker} />` : null}
      <${TranscriptTerminal} handle=${handle} />
      ${worker && fleet.identity.isLead ? html`<${LeadControls} worker=${worker} onChanged=${reload} />` : null}
    </div>
  <//>`;
}

/** What the worker is doing and what needs a person, in one strip. */
function WorkerFacts({ worker }) {
  const session = worker.sessionId;
  const facts = [
    ['Adapter', worker.adapter],
    ['Turns', worker.numTurns ?? '—'],
    [
      'Tokens',
      formatTokens(worker.usage ? (worker.usage.input_tokens ?? 0) + (worker.usage.output_tokens ?? 0) : null),
    ],
    ['Cost', formatCost(worker.costUsd)],
    ['Restarts', worker.restartCount],
    ['Session', session ? html`<code title=${session}>${session.slice(0, 8)}</code>` : '—'],
    ['Branch', worker.worktree?.branch ?? '—'],
    ['Spawned', html`<span title=${worker.createdAt}>${timeAgo(worker.createdAt)} by ${worker.spawnedBy}</span>`],
  ];
  return html`<div class="wk-facts">
    <dl>
      ${facts.map(
        ([label, value]) =>
          html`<div key=${label}>
            <dt>${label}</dt>
            <dd>${value}</dd>
          </div>`,
      )}
    </dl>
    ${
      worker.needsYou
        ? html`<div class="wk-banner wk-action" data-needs-you="true">
            <strong>${needsYouText(worker.needsYou)}</strong>
            <ul>
              ${(worker.needsYou.denials ?? []).map(
                (/** @type {any} */ denial, /** @type {number} */ i) =>
                  html`<li key=${i}><code>${denial.tool}</code> <span class="wk-dim">${denial.input}</span></li>`,
              )}
            </ul>
            <span class="wk-dim">Allow the tool (policy, permission mode) or tell the worker another way.</span>
          </div>`
        : null
    }
    ${
      worker.pause
        ? html`<div class="wk-banner" data-paused=${worker.pause.reason}>${pauseText(worker.pause)}</div>`
        : null
    }
    ${
      worker.error && (worker.state === 'failed' || worker.restartCount > 0)
        ? html`<div class="wk-banner wk-danger"><strong>Last exit:</strong> <code>${worker.error}</code></div>`
        : null
    }
  </div>`;
}

/** A lead's controls: send a message, pause or resume, dismiss (confirmed), continue an ended session. */
function LeadControls({ worker, onChanged }) {
  const fleet = useFleet();
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState(/** @type {{ ok: boolean, text: string } | null} */ (null));
  const [confirmDismiss, setConfirmDismiss] = useState(false);
  const input = useRef(/** @type {HTMLTextAreaElement | null} */ (null));
  const handle = encodeURIComponent(worker.handle);

  /** Run an action and say how it went under the controls. */
  const act = async (/** @type {string} */ done, /** @type {() => Promise<unknown>} */ run) => {
    setOutcome(null);
    try {
      await run();
      setOutcome({ ok: true, text: done });
      onChanged();
      return true;
    } catch (/** @type {any} */ failure) {
      const code = failure instanceof FleetApiError ? ` (${failure.code})` : '';
      setOutcome({ ok: false, text: `${failure?.message ?? failure}${code}` });
      return false;
    }
  };

  const send = async () => {
    const message = text.trim();
    if (!message) return;
    const sent = await act('Sent.', () => fleet.api('POST', `/orchestrate/send/${handle}`, { message }));
    if (sent) {
      setText('');
      input.current?.focus();
    }
  };

  const askDismiss = () => setConfirmDismiss(true);
  const canSend = LIVE.includes(worker.state) && worker.adapter !== 'external';
  const ended = worker.state === 'stopped' || worker.state === 'failed';
  return html`<div class="wk-controls">
    <form
      class="wk-send"
      data-action="send"
      onSubmit=${(/** @type {Event} */ event) => {
        event.preventDefault();
        return send();
      }}
    >
      <textarea
        ref=${input}
        name="message"
        rows="2"
        placeholder=${canSend ? `Message ${worker.handle} (Ctrl+Enter sends)` : `${worker.handle} is ${worker.state}`}
        disabled=${!canSend}
        value=${text}
        onInput=${(/** @type {any} */ event) => setText(event.currentTarget.value)}
        onKeyDown=${(/** @type {KeyboardEvent} */ event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void send();
          }
        }}
      ></textarea>
      <${Button} type="submit" kind="primary" data-action="send-submit" disabled=${!canSend || !text.trim()}>Send<//>
    </form>
    <div class="wk-buttons">
      ${
        LIVE.includes(worker.state)
          ? html`<${Button}
              data-action="pause"
              onClick=${() => act('Paused.', () => fleet.api('POST', `/orchestrate/workers/${handle}/pause`, {}))}
              >Pause<//
            >`
          : null
      }
      ${
        worker.state === 'paused'
          ? html`<${Button}
              kind="primary"
              data-action="resume"
              onClick=${() => act('Resumed.', () => fleet.api('POST', `/orchestrate/workers/${handle}/resume`, {}))}
              >Resume<//
            >`
          : null
      }
      ${
        ended && worker.sessionId && worker.adapter === 'claude'
          ? html`<${Button}
              data-action="continue"
              title="Start it again in a fresh session seeded with its checkpoint (the sessions plugin)"
              onClick=${() =>
                act('Continued in a fresh session.', () =>
                  fleet.api('POST', `/sessions/${encodeURIComponent(worker.sessionId)}/continue`, {}),
                )}
              >Continue in a fresh session<//
            >`
          : null
      }
      ${
        !ended && worker.state !== 'stopping'
          ? confirmDismiss
            ? html`<${Button}
                  kind="danger"
                  data-action="dismiss-confirm"
                  onClick=${async () => {
                    await act('Dismissed.', () => fleet.api('POST', `/orchestrate/dismiss/${handle}`, {}));
                    setConfirmDismiss(false);
                  }}
                  >Dismiss ${worker.handle}: its agent and everything it started stop<//
                >
                <${Button} kind="ghost" onClick=${() => setConfirmDismiss(false)}>Keep it<//>`
            : html`<${Button} kind="danger" data-action="dismiss" onClick=${askDismiss}>Dismiss…<//>`
          : null
      }
    </div>
    ${
      outcome
        ? html`<div
            class=${outcome.ok ? 'wk-outcome' : 'wk-outcome wk-failed'}
            role="status"
            data-outcome=${outcome.ok ? 'ok' : 'error'}
          >
            ${outcome.text}
          </div>`
        : null
    }
  </div>`;
}
