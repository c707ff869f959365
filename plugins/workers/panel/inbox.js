// @ts-check
// The workers' items in the needs-you inbox while the page is open: a worker that failed, stalled mid-turn,
// was refused tools (needs a person to allow them), went unhealthy, or is parked by a budget or the account's
// usage limit (with when it resets). Read from the team's workers at sign-in (and after a resync), then kept
// by events; each item is dropped when what it reports is over.
import { needsYouText, pauseText } from './worker-table.js';

/** Item keys: `workers:<kind>:<handle>`, and `workers:quota` for the account's limit. */
const key = (/** @type {string} */ kind, /** @type {string} */ handle) => `workers:${kind}:${handle}`;
const KINDS = ['failed', 'needs-you', 'stalled', 'paused', 'unhealthy'];
/** sessionStorage: failed workers a person cleared, [handle, when][] (a later failure shows again). */
const CLEARED_KEY = 'fleet.workers.cleared';

function readCleared() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CLEARED_KEY) ?? '[]');
    return new Map(Array.isArray(saved) ? saved : []);
  } catch {
    return new Map();
  }
}

const EVENTS = [
  'worker_spawned',
  'worker_state',
  'worker_health',
  'worker_output',
  'worker_result',
  'worker_needs_you',
  'worker_stalled',
  'worker_failed',
  'worker_dismissed',
  'worker_paused',
  'worker_resumed',
  'quota_limited',
  'quota_cleared',
];

/** "45 s", "6 min", "2 h". */
function silence(/** @type {number} */ seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * @param {any} fleet
 * @returns {() => void}
 */
export function workersInbox(fleet) {
  /** Keys this panel has put (so a reload drops what is over, and cleanup drops all). */
  const held = new Set();
  /** Workers whose refusal came just before their turn's result (the result must not drop it). */
  const pendingDenials = new Set();
  /** @type {Map<string, number>} */
  const clearedAt = readCleared();
  /** What each worker was when last heard of (for a failure's actions). */
  /** @type {Map<string, any>} */
  const known = new Map();
  let closed = false;
  const lead = fleet.identity.isLead;
  const link = (/** @type {string} */ handle) => `#/worker/${encodeURIComponent(handle)}`;
  const path = (/** @type {string} */ handle) => encodeURIComponent(handle);

  const put = (/** @type {any} */ item) => {
    held.add(item.key);
    // The kind names the filter chip: worker-failed, worker-needs-you, worker-stalled, worker-paused…
    fleet.inbox.put({ kind: `worker-${item.key.split(':')[1]}`, ...item });
  };
  const drop = (/** @type {string} */ itemKey) => {
    if (!held.delete(itemKey)) return;
    fleet.inbox.drop(itemKey);
  };
  const dropAll = (/** @type {string} */ handle, except = '') => {
    for (const kind of KINDS) if (kind !== except) drop(key(kind, handle));
  };

  /**
   * A failed worker stays failed (its handle may be spawned again): a person who has seen it clears the item,
   * remembered for this tab's session so a reload does not bring the same failure back.
   */
  const clearAction = (/** @type {string} */ handle) => ({
    label: 'Clear',
    run: () => {
      clearedAt.set(handle, Date.now());
      try {
        sessionStorage.setItem(CLEARED_KEY, JSON.stringify([...clearedAt]));
      } catch {
        // No storage (a private window's quota): cleared until the page reloads.
      }
      drop(key('failed', handle));
      return 'cleared';
    },
  });

  /** An ended claude worker may go on in a fresh session (the sessions plugin; 404 without it). */
  const continueAction = (/** @type {string | null | undefined} */ sessionId) => ({
    label: 'Continue in a fresh session',
    leadOnly: true,
    run: () => fleet.api('POST', `/sessions/${encodeURIComponent(String(sessionId))}/continue`, {}),
  });

  const failed = (/** @type {any} */ worker, /** @type {any} */ at) =>
    put({
      key: key('failed', worker.handle),
      title: `${worker.handle} failed`,
      detail: worker.error ? `Its last exit: ${worker.error}` : 'It could not start, or ran out of restarts.',
      at,
      severity: 'action',
      link: link(worker.handle),
      actions: [
        ...(lead && worker.sessionId && worker.adapter === 'claude' ? [continueAction(worker.sessionId)] : []),
        clearAction(worker.handle),
      ],
    });

  const needsYou = (/** @type {string} */ handle, /** @type {any} */ attention, /** @type {any} */ at) => {
    const denials = Array.isArray(attention?.denials) ? attention.denials : [];
    put({
      key: key('needs-you', handle),
      title: `${handle}: ${needsYouText(attention)}`,
      detail: denials
        .slice(0, 3)
        .map((/** @type {any} */ denial) => `${denial.tool} ${denial.input ?? ''}`.trim())
        .join('\n'),
      at,
      severity: 'action',
      link: link(handle),
    });
  };

  const paused = (/** @type {string} */ handle, /** @type {any} */ pause, /** @type {any} */ at) => {
    // A lead's own pause needs nobody; a budget or the usage limit does.
    if (!pause || pause.reason === 'lead') return drop(key('paused', handle));
    put({
      key: key('paused', handle),
      title: `${handle} is paused: ${pause.reason === 'quota' ? 'usage limit' : 'over budget'}`,
      detail: pauseText(pause),
      at: pause.since ?? at,
      severity: pause.reason === 'quota' && pause.resetsAt ? 'warning' : 'action',
      link: link(handle),
      actions: lead
        ? [
            {
              label: 'Resume',
              leadOnly: true,
              run: () => fleet.api('POST', `/orchestrate/workers/${path(handle)}/resume`, {}),
            },
          ]
        : [],
    });
  };

  const quota = (/** @type {any} */ state, /** @type {any} */ at) => {
    if (!state?.limited) return drop('workers:quota');
    put({
      key: 'workers:quota',
      kind: 'usage-limit',
      title: 'Usage limit reached: new workers wait',
      detail:
        `${state.kind ?? 'limit'}${state.window ? ` (${state.window})` : ''}` +
        (state.resetsAt ? `, resets at ${new Date(state.resetsAt).toLocaleString()}` : ', no reset time') +
        (state.resumesBySelf ? '; parked workers resume by themselves' : '; a lead decides when it is over'),
      at: state.trippedAt ?? at,
      severity: state.resumesBySelf ? 'warning' : 'action',
      link: '#/workers',
      actions: lead
        ? [{ label: 'Resume now', leadOnly: true, run: () => fleet.api('POST', '/orchestrate/quota/resume', {}) }]
        : [],
    });
  };

  /** The items from the team's workers as they are now; items of what is over are dropped. */
  const load = async () => {
    const [workers, limit] = await Promise.all([
      fleet.api('GET', '/orchestrate/workers'),
      fleet.api('GET', '/orchestrate/quota').catch(() => null),
    ]);
    if (closed) return;
    const keep = new Set();
    for (const worker of Array.isArray(workers) ? workers : []) {
      const { handle } = worker;
      const at = worker.updatedAt;
      const live = ['starting', 'ready', 'working', 'idle', 'paused'].includes(worker.state);
      known.set(handle, worker);
      if (worker.state === 'failed' && !(Date.parse(worker.updatedAt) <= (clearedAt.get(handle) ?? -Infinity))) {
        failed(worker, at);
        keep.add(key('failed', handle));
      }
      if (worker.needsYou && live) {
        needsYou(handle, worker.needsYou, worker.needsYou.since ?? at);
        keep.add(key('needs-you', handle));
      }
      if (worker.state === 'paused' && worker.pause && worker.pause.reason !== 'lead') {
        paused(handle, worker.pause, at);
        keep.add(key('paused', handle));
      }
      if (worker.health === 'unhealthy' && live && worker.state !== 'paused') {
        unhealthy(handle, at);
        keep.add(key('unhealthy', handle));
      }
      // A stall is known only from its event: it stands while the worker is still working.
      if (worker.state === 'working') keep.add(key('stalled', handle));
    }
    quota(limit, Date.now());
    if (limit?.limited) keep.add('workers:quota');
    for (const itemKey of [...held]) if (!keep.has(itemKey)) drop(itemKey);
  };

  const unhealthy = (/** @type {string} */ handle, /** @type {any} */ at) =>
    put({
      key: key('unhealthy', handle),
      title: `${handle} is unhealthy`,
      detail: 'Its pane host has not sent a heartbeat for a minute or more.',
      at,
      severity: 'warning',
      link: link(handle),
    });

  const onEvent = (/** @type {any} */ event) => {
    const { handle } = event;
    const at = event.ts ?? Date.now();
    switch (event.type) {
      case 'worker_spawned':
        known.set(handle, event.worker);
      // falls through
      case 'worker_dismissed':
        // A new worker of that handle, or one stopped on purpose: nothing of the old one needs anybody.
        pendingDenials.delete(handle);
        return dropAll(handle);
      case 'worker_failed':
        dropAll(handle, 'failed');
        return failed({ ...known.get(handle), handle, error: event.error }, at);
      case 'worker_needs_you':
        pendingDenials.add(handle);
        return needsYou(handle, { reason: event.reason, denials: event.denials }, at);
      case 'worker_result':
        // A turn without refused calls says the worker got past them.
        if (!pendingDenials.delete(handle)) drop(key('needs-you', handle));
        return;
      case 'worker_stalled':
        return put({
          key: key('stalled', handle),
          title: `${handle} has been silent for ${silence(event.secondsSilent)} mid-turn`,
          detail: 'It is not killed: look at its transcript, send it a message, or dismiss it.',
          at,
          severity: 'warning',
          link: link(handle),
        });
      case 'worker_output':
        return drop(key('stalled', handle));
      case 'worker_state':
        if (event.state !== 'working') drop(key('stalled', handle));
        if (event.state !== 'paused') drop(key('paused', handle));
        if (event.state === 'stopped') dropAll(handle);
        return;
      case 'worker_health':
        if (event.health === 'unhealthy') return unhealthy(handle, at);
        return drop(key('unhealthy', handle));
      case 'worker_paused':
        return paused(handle, event.pause, at);
      case 'worker_resumed':
        return drop(key('paused', handle));
      case 'quota_limited':
        return quota(event.quota, at);
      case 'quota_cleared':
        return drop('workers:quota');
      default:
        return;
    }
  };

  const reload = () => void load().catch(() => undefined);
  const unsubscribe = fleet.subscribe(EVENTS, onEvent);
  const unResync = fleet.onResync(reload);
  reload();
  return () => {
    closed = true;
    unsubscribe();
    unResync();
    for (const itemKey of [...held]) drop(itemKey);
  };
}
