// @ts-check
// The overview's model: the team's workers as rows, loaded from the API and then moved by events. Events
// change rows in place and only mark the table changed; the view renders at most once per animation frame,
// so 50 workers writing 100 lines a second cost one render a frame, not 5,000.
import { lastLineOf, mayMoveLastLine } from './last-line.js';

/** The events that move a row (the overview subscribes to exactly these). */
export const ROW_EVENTS = [
  'worker_spawned',
  'worker_state',
  'worker_health',
  'worker_output',
  'worker_result',
  'worker_usage',
  'worker_error',
  'worker_needs_you',
  'worker_stalled',
  'worker_exit',
  'worker_restart',
  'worker_failed',
  'worker_dismissed',
  'worker_paused',
  'worker_resumed',
  'worker_session',
];

/** Task events: a worker's current task is its in-progress one. */
export const TASK_EVENTS = ['task_created', 'task_updated', 'task_resolved', 'task_assigned'];

export const LIVE_STATES = ['starting', 'ready', 'working', 'idle', 'paused', 'stopping'];
export const ENDED_STATES = ['stopped', 'failed'];

/** What each state means when nothing more precise is known. */
const STATE_MEANING = {
  starting: 'the agent is starting',
  ready: 'the agent is up, waiting for input',
  working: 'a turn is under way',
  idle: 'its turn ended',
  paused: 'paused',
  stopping: 'being stopped',
  stopped: 'stopped',
  failed: 'failed',
};

/**
 * The state each cause event explains (an event that came with a state change says why it changed).
 * @type {Record<string, string[]>}
 */
const EXPLAINS = {
  worker_spawned: ['starting', 'ready'],
  worker_restart: ['starting'],
  worker_resumed: ['starting'],
  worker_paused: ['paused'],
  worker_failed: ['failed'],
  worker_dismissed: ['stopping', 'stopped'],
  worker_result: ['idle'],
  worker_error: ['idle'],
  worker_exit: ['starting', 'failed'],
};

/** How long a cause event and a state change are taken to belong together. */
const CAUSE_MS = 5_000;

/**
 * @typedef {{
 *   handle: string, adapter: string, state: string, health: string, stateSince: number, why: string,
 *   whyEvent: string | null, task: { id: string, subject: string } | null, tokens: number | null,
 *   costUsd: number | null, numTurns: number | null, restartCount: number, lastLine: string | null,
 *   rawLast: string | null, needsYou: any, pause: any, error: string | null, stalled: boolean,
 *   sessionId: string | null, format: 'ndjson' | 'text',
 *   cause: { type: string, text: string, at: number } | null, pendingDenials?: boolean, version: number,
 * }} WorkerRow
 */

/** Text of a cause event: the why column. */
function causeText(/** @type {any} */ event) {
  switch (event.type) {
    case 'worker_spawned':
      return `spawned${event.worker?.spawnedBy ? ` by ${event.worker.spawnedBy}` : ''}`;
    case 'worker_restart':
      return `restarted (attempt ${event.attempt}) with --resume`;
    case 'worker_resumed':
      return `resumed${event.by ? ` by ${event.by}` : ''}${event.reason ? ` after a ${event.reason} pause` : ''}`;
    case 'worker_paused':
      return pauseText(event.pause);
    case 'worker_failed':
      return `failed after ${event.restarts} restart${event.restarts === 1 ? '' : 's'}${exitText(event)}`;
    case 'worker_dismissed':
      return 'dismissed';
    case 'worker_result':
      return event.isError ? 'its turn ended in an error' : 'its turn is done';
    case 'worker_error':
      return `its turn ended in an error${event.result ? `: ${event.result}` : ''}`;
    case 'worker_exit':
      return `the agent exited${exitText(event)}`;
    default:
      return event.type;
  }
}

function exitText(/** @type {any} */ event) {
  if (event.signal) return ` (${event.signal})`;
  if (event.code !== null && event.code !== undefined) return ` (exit ${event.code})`;
  return '';
}

/** Why a worker is paused, as one line. */
export function pauseText(/** @type {any} */ pause) {
  if (!pause) return 'paused';
  const reason =
    { budget: 'over budget', quota: 'usage limit', lead: 'paused by a lead' }[pause.reason] ?? pause.reason;
  const resets = pause.resetsAt ? ` · resets ${new Date(pause.resetsAt).toLocaleTimeString()}` : '';
  return `${reason}${pause.detail ? `: ${pause.detail}` : ''}${resets}`;
}

/** The tools a worker was refused, as one line. */
export function needsYouText(/** @type {any} */ needsYou) {
  const denials = Array.isArray(needsYou?.denials) ? needsYou.denials : [];
  const tools = [...new Set(denials.map((/** @type {any} */ denial) => denial.tool))];
  return tools.length > 0 ? `refused ${tools.join(', ')}: needs permission` : 'needs you';
}

/** Why the row is in its state, from what the API said (before any event). */
function initialWhy(/** @type {WorkerRow} */ row, /** @type {any} */ view) {
  if (row.state === 'paused') return pauseText(row.pause);
  if (row.state === 'failed') return row.error ? `failed: ${row.error}` : 'failed';
  if (row.needsYou) return needsYouText(row.needsYou);
  if (row.state === 'idle' && typeof view.result === 'string' && view.result)
    return `done: ${view.result.split('\n')[0]}`;
  return STATE_MEANING[/** @type {keyof typeof STATE_MEANING} */ (row.state)] ?? row.state;
}

const toMs = (/** @type {unknown} */ value) => {
  const ms = typeof value === 'string' ? Date.parse(value) : Number(value);
  return Number.isFinite(ms) ? ms : Date.now();
};

/**
 * A row from a worker as GET /orchestrate/workers gives it, with the board's row (leads) when there is one.
 * @param {any} view
 * @param {any} [board]
 * @returns {WorkerRow}
 */
export function rowFrom(view, board) {
  const usage = view.usage;
  const tokens =
    board?.tokens ?? (usage ? (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0) || null : null) ?? null;
  /** @type {WorkerRow} */
  const row = {
    handle: view.handle,
    adapter: view.adapter ?? 'claude',
    state: view.state,
    health: view.health,
    // Without the board (a worker's token), the row's last change stands in for the state's start.
    stateSince: toMs(board?.stateSince ?? view.updatedAt ?? view.createdAt),
    why: '',
    whyEvent: null,
    task: null,
    tokens,
    costUsd: view.costUsd ?? null,
    numTurns: view.numTurns ?? null,
    restartCount: view.restartCount ?? 0,
    lastLine: board?.lastLine ?? null,
    rawLast: null,
    needsYou: view.needsYou ?? null,
    pause: view.pause ?? null,
    error: view.error ?? null,
    stalled: false,
    sessionId: view.sessionId ?? null,
    // Claude Code writes stream-json; a configured command writes text; an external worker may push either
    // (its JSON lines are read as stream-json).
    format: view.adapter === 'claude' || view.adapter === 'external' ? 'ndjson' : 'text',
    cause: null,
    version: 0,
  };
  row.why = initialWhy(row, view);
  return row;
}

/** Whether a row needs a person: refused tools, failed, paused for a budget or a limit, stalled, unhealthy. */
export function needsAttention(/** @type {WorkerRow} */ row) {
  if (row.needsYou) return 'refused tools';
  if (row.state === 'failed') return 'failed';
  if (row.state === 'paused' && row.pause?.reason !== 'lead')
    return row.pause?.reason === 'quota' ? 'usage limit' : 'budget';
  if (row.stalled && row.state === 'working') return 'stalled';
  if (row.health === 'unhealthy' && LIVE_STATES.includes(row.state)) return 'unhealthy';
  return null;
}

export class WorkerTable {
  /** @type {Map<string, WorkerRow>} */
  rows = new Map();
  /** In-progress tasks by owner handle (the tasks plugin's; empty when it is off). */
  /** @type {Map<string, { id: string, subject: string }>} */
  tasks = new Map();

  /** Replace every row with what the API said (a load, or a reload after a resync). */
  load(/** @type {any[]} */ views, /** @type {any[]} */ board = []) {
    const boardRows = new Map(board.map((row) => [row.handle, row]));
    const previous = this.rows;
    this.rows = new Map();
    for (const view of views) {
      const row = rowFrom(view, boardRows.get(view.handle));
      const before = previous.get(view.handle);
      // A reload keeps what only events told (the why, the live last line) when the state is the same.
      if (before && before.state === row.state) {
        row.why = before.why;
        row.whyEvent = before.whyEvent;
        row.lastLine = row.lastLine ?? before.lastLine;
        row.stateSince = Math.min(row.stateSince, before.stateSince);
      }
      this.rows.set(view.handle, row);
    }
    this.#attachTasks();
  }

  loadTasks(/** @type {any[]} */ tasks) {
    this.tasks = new Map();
    for (const task of tasks)
      if (task.ownerHandle && task.status === 'in_progress') this.tasks.set(task.ownerHandle, task);
    this.#attachTasks();
  }

  #attachTasks() {
    for (const row of this.rows.values()) {
      const task = this.tasks.get(row.handle);
      if ((row.task?.id ?? null) === (task?.id ?? null) && row.task?.subject === task?.subject) continue;
      row.task = task ? { id: task.id, subject: task.subject } : null;
      row.version++;
    }
  }

  /**
   * Apply one event; true when a row changed (the caller schedules a render).
   * @param {any} event
   */
  apply(event) {
    const changed = this.#apply(event);
    if (changed && typeof event.handle === 'string') {
      const row = this.rows.get(event.handle);
      if (row) row.version++;
    }
    return changed;
  }

  /** @param {any} event */
  #apply(event) {
    if (TASK_EVENTS.includes(event.type)) return this.#applyTask(event.task);
    const handle = event.handle;
    if (typeof handle !== 'string') return false;
    if (event.type === 'worker_spawned') {
      const row = rowFrom(event.worker ?? { handle, state: 'starting', health: 'healthy' });
      row.stateSince = eventMs(event);
      row.why = causeText(event);
      row.whyEvent = event.type;
      row.cause = { type: event.type, text: row.why, at: eventMs(event) };
      const task = this.tasks.get(handle);
      row.task = task ? { id: task.id, subject: task.subject } : null;
      this.rows.set(handle, row);
      return true;
    }
    const row = this.rows.get(handle);
    if (!row) return false;
    switch (event.type) {
      case 'worker_output': {
        const wasStalled = row.stalled;
        row.stalled = false;
        // Parsed once per render, the newest line that may move it only (see list()).
        if (!mayMoveLastLine(event.line, row.format)) return wasStalled;
        row.rawLast = event.line;
        return true;
      }
      case 'worker_state': {
        row.state = event.state;
        row.stateSince = eventMs(event);
        const cause = row.cause;
        if (cause && eventMs(event) - cause.at <= CAUSE_MS && EXPLAINS[cause.type]?.includes(event.state)) {
          row.why = cause.text;
          row.whyEvent = cause.type;
        } else {
          const meaning = STATE_MEANING[/** @type {keyof typeof STATE_MEANING} */ (event.state)] ?? event.state;
          row.why = `${meaning} (was ${event.previous})`;
          row.whyEvent = event.type;
        }
        if (event.state !== 'paused') row.pause = null;
        if (event.state === 'working') row.stalled = false;
        return true;
      }
      case 'worker_health':
        row.health = event.health;
        return true;
      case 'worker_result':
        if (typeof event.costUsd === 'number') row.costUsd = event.costUsd;
        if (typeof event.numTurns === 'number') row.numTurns = event.numTurns;
        // A turn without refused calls says the worker got past them (the server clears them too).
        if (!row.pendingDenials) row.needsYou = null;
        row.pendingDenials = false;
        return this.#cause(row, event);
      case 'worker_usage':
        if (event.turn) row.tokens = (event.turn.input ?? 0) + (event.turn.output ?? 0);
        return true;
      case 'worker_needs_you':
        row.needsYou = { reason: event.reason, denials: event.denials, since: eventMs(event) };
        // It comes just before its turn's result, which must not clear it.
        row.pendingDenials = true;
        row.why = needsYouText(row.needsYou);
        row.whyEvent = event.type;
        return true;
      case 'worker_stalled':
        row.stalled = true;
        row.why = `silent for ${Math.round(event.secondsSilent)}s mid-turn (stalled)`;
        row.whyEvent = event.type;
        return true;
      case 'worker_paused':
        row.pause = event.pause;
        return this.#cause(row, event);
      case 'worker_resumed':
        row.pause = null;
        return this.#cause(row, event);
      case 'worker_failed':
        row.error = event.error ?? row.error;
        return this.#cause(row, event);
      case 'worker_restart':
        row.restartCount = event.attempt;
        return this.#cause(row, event);
      case 'worker_session':
        row.sessionId = event.sessionId;
        return false;
      case 'worker_dismissed':
      case 'worker_error':
      case 'worker_exit':
        return this.#cause(row, event);
      default:
        return false;
    }
  }

  /** A cause event: remembered for the state change it explains; the why now if the state came first. */
  #cause(/** @type {WorkerRow} */ row, /** @type {any} */ event) {
    const text = causeText(event);
    row.cause = { type: event.type, text, at: eventMs(event) };
    if (EXPLAINS[event.type]?.includes(row.state) && eventMs(event) - row.stateSince <= CAUSE_MS) {
      row.why = text;
      row.whyEvent = event.type;
    }
    return true;
  }

  #applyTask(/** @type {any} */ task) {
    if (!task || typeof task.id !== 'string') return false;
    let changed = false;
    // The task leaves whoever held it; it belongs to its owner while in progress.
    for (const [owner, held] of this.tasks)
      if (held.id === task.id && (owner !== task.ownerHandle || task.status !== 'in_progress')) {
        this.tasks.delete(owner);
        changed = true;
      }
    if (task.ownerHandle && task.status === 'in_progress') {
      this.tasks.set(task.ownerHandle, task);
      changed = true;
    }
    if (changed) this.#attachTasks();
    return changed;
  }

  /** The rows, their last lines brought up to date (each newest raw line parsed once). */
  list() {
    for (const row of this.rows.values()) {
      if (row.rawLast === null) continue;
      const line = lastLineOf(row.rawLast, row.format);
      if (line !== undefined) row.lastLine = line;
      row.rawLast = null;
    }
    return [...this.rows.values()];
  }
}

/** When an event happened (its `ts`, ms or ISO), else now. */
function eventMs(/** @type {any} */ event) {
  if (event.ts === undefined) return Date.now();
  return toMs(event.ts);
}
