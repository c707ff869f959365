import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  FLEET_BIN,
  type FleetEventMap,
  type HostMessage,
  hostSocketPath,
  type Identity,
  isApiError,
  type Logger,
  type LogEvent,
  type LogState,
  LogStream,
  type PluginContext,
  type TmuxDriver,
  workerFiles,
  writeSpawnSpec,
} from '../../core/index.js';
import { workersErrors } from './errors.js';
import { buildSpawnSpec } from './adapters.js';
import { type Enforcement, LaunchGuards } from './launch-guards.js';
import { addWorktree } from './worktree.js';
import { WorktreeSetups } from './worktree-setups.js';
import { alive, endAgentGroup, running } from './processes.js';
import { exitReason, readExit } from './exit-reason.js';
import { permissionDenials } from './permission-denials.js';
import { usageReport } from './usage.js';
import { type TranscriptListener, transcriptEntries, transcriptToolResults } from './transcript-entries.js';
import { type BoardRow, boardRow } from './board-view.js';
import { SpawnQueue } from './spawn-queue.js';
import { HostClient } from './host-client.js';
import { modelRequests, SeenMessages } from './model-requests.js';
import { usageLimitIn } from './limit-lines.js';
import type { UsageLimit } from './usage-limit.js';
import {
  Admissions,
  type AdmissionRequest,
  parsePause,
  type PauseRequest,
  pauseView,
  type WorkerPause,
} from './pause.js';
import { LogFollower, type LogLine, readLogLines } from './log-follower.js';
import type { WorkersOptions } from './options.js';
import {
  FINAL_STATES,
  type SpawnRequest,
  type WorkerHealth,
  type WorkerRow,
  type WorkerState,
  WorkerStore,
  workerView,
} from './worker-store.js';

export interface ManagerDeps {
  store: WorkerStore;
  tmux: TmuxDriver;
  session: string;
  dataDir: string;
  options: () => WorkersOptions;
  log: Logger;
  emit: PluginContext['events']['emit'];
  /** Register the worker as an agent of its team and return its token. */
  credentials(teamName: string, handle: string): Promise<string>;
  /** The agent of the team with this handle, if one is registered (any type). */
  agentOf(teamName: string, handle: string): Promise<{ agentType: string } | undefined>;
  /** Unread mail and handoffs for a worker's first prompt, when the mail plugin runs. */
  briefing(teamName: string, handle: string): Promise<string | undefined>;
  fleetUrl(): string;
  /** What other plugins ask of every launch (settings for claude workers, strictness); none by default. */
  guards?: LaunchGuards;
  /** What spawns, input and resumes must pass (budgets, the usage-limit breaker); none by default. */
  admissions?: Admissions;
  /** An agent reported a usage limit: its worker is being parked; the breaker is told (quota.ts). */
  onUsageLimit?: (row: WorkerRow, limit: UsageLimit) => void;
  /** What other plugins do to a worktree before each launch of the agent in it; none by default. */
  worktreeSetups?: WorktreeSetups;
}

/**
 * A worker is its team and its handle (two teams may each have a `w1`): the key of the attached
 * map, and how the log names it. Teams and handles are [A-Za-z0-9_-], so the `/` is unambiguous.
 */
export function workerKey(row: Pick<WorkerRow, 'team_name' | 'handle'>): string {
  return `${row.team_name}/${row.handle}`;
}

/** One worker this server is attached to: its pane host connection, log follower and health clock. */
interface Attached {
  /** The one in-memory copy of the worker's row while attached: every change goes through it. */
  row: WorkerRow;
  /** Absent for external workers: they run elsewhere and push their output over HTTP. */
  client: HostClient | undefined;
  follower: LogFollower;
  format: 'ndjson' | 'text';
  lastHeartbeat: number;
  lastEvent: number;
  hostPid: number | undefined;
  agentPid: number | undefined;
  stalledReported: boolean;
  exited: Promise<void>;
  markExited: () => void;
  exitHandled: boolean;
  /** Batches of log lines handled: a state the server sets on its own must not follow the log's. */
  batchesHandled: number;
  /** When this server attached to the run, and whether its agent has begun a turn (Claude Code's init). */
  attachedAt: number;
  cameUp: boolean;
  /** Settles once the host says its agent runs (a hello with its pid) or the run's exit is handled. */
  started: Promise<void>;
  markStarted: () => void;
  /** Log lines and host messages are handled one at a time, in order, so states never interleave. */
  serial: Promise<void>;
  /** The last main-loop assistant line seen (its usage is the context size at a result), and the init's model. */
  lastAssistantLine: string | undefined;
  model: string | null;
  /** The model requests of this run counted so far (worker_request once per message id). */
  seenMessages: SeenMessages;
}

/** Where the log parser starts: a worker that is past starting keeps its state across re-adoption. */
function parserState(state: WorkerState): LogState {
  return state === 'ready' || state === 'working' || state === 'idle' ? state : 'starting';
}

/**
 * An agent that exits with an error this soon after its host came up, before it began a turn (for
 * a text agent: at all), never came up: the same command would fail the same way again.
 */
const START_WINDOW_MS = 10_000;

/** How long a spawn waits for the pane host to say its agent runs, or ended, before it answers. */
const START_ANSWER_MS = 3000;

/** The last of `lines` (in log order) that starts before `offset`. */
function lineBefore(lines: LogLine[], offset: number): LogLine | undefined {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.offset < offset) return lines[i];
  return undefined;
}

/** The run's pane host wrote its exit and is no longer running: it will never answer. */
function hostEnded(dir: string): boolean {
  if (!existsSync(workerFiles(dir).exit)) return false;
  try {
    const host = JSON.parse(readFileSync(workerFiles(dir).host, 'utf8')) as { hostPid?: number };
    return !running(host.hostPid);
  } catch {
    return true;
  }
}

/** Whether a worker's last run was launched with `--settings` (the launch guards'), from its spawn spec. */
function launchedWithSettings(dir: string): boolean {
  try {
    const spec = JSON.parse(readFileSync(workerFiles(dir).spec, 'utf8')) as { argv?: unknown };
    return Array.isArray(spec.argv) && spec.argv.includes('--settings');
  } catch {
    return false;
  }
}

/**
 * What a restarted agent is told. A restart resumes the conversation; the task is sent again only
 * when it was not finished: the first turn never ended (the task itself), or a later turn was cut
 * off (continue it). A worker that died idle is resumed in silence: re-sending a finished task
 * made it do the work again (a second mail went out).
 */
function restartPrompt(row: WorkerRow, request: SpawnRequest, midTurn: boolean): string | undefined {
  const finishedATurn = row.num_turns !== null;
  if (!finishedATurn) return `You were restarted. Continue your task${request.prompt ? `:\n${request.prompt}` : '.'}`;
  if (midTurn) return 'You were restarted in the middle of a turn. Continue where you left off.';
  return undefined;
}

/**
 * The worker's cost and turns from what its agent reports. Claude Code reports per session (a
 * resumed run continues the figures); an agent may count per process instead, and then the worker
 * keeps what its earlier runs spent. The first result after a restart tells which: a figure below
 * what the current session had reported counts from zero. The choice is stored, so it survives a
 * server restart. Sessions the worker ran before its current one (base_*) are always kept.
 */
function totals(
  row: WorkerRow,
  cost: number | null,
  turns: number | null,
): Pick<WorkerRow, 'cost_usd' | 'num_turns' | 'prior_cost_usd' | 'prior_turns'> {
  const known = (value: number | null) => (value === null ? null : Number(value));
  const before = { cost: known(row.cost_usd) ?? 0, turns: known(row.num_turns) ?? 0 };
  const base = { cost: known(row.base_cost_usd) ?? 0, turns: known(row.base_turns) ?? 0 };
  const priorCost =
    known(row.prior_cost_usd) ?? (cost !== null && cost < before.cost - base.cost ? before.cost : base.cost);
  const priorTurns =
    known(row.prior_turns) ?? (turns !== null && turns < before.turns - base.turns ? before.turns : base.turns);
  return {
    cost_usd: cost === null ? row.cost_usd : Math.round((priorCost + cost) * 1e9) / 1e9,
    num_turns: turns === null ? row.num_turns : priorTurns + turns,
    prior_cost_usd: priorCost,
    prior_turns: priorTurns,
  };
}

/** The session a worker is to continue in (the row's next_session, as JSON). */
interface FreshSession {
  sessionId: string;
  prompt: string;
}

/** The adapter name of workers that run elsewhere and push their output (POST /orchestrate/workers/:handle/output). */
export const EXTERNAL = 'external';

/** The event types of one worker (each carries its handle). */
type WorkerEventType = {
  [K in keyof FleetEventMap]: FleetEventMap[K] extends { handle: string }
    ? K extends 'spawn_queued'
      ? never
      : K
    : never;
}[keyof FleetEventMap] &
  `worker_${string}`;

/**
 * Runs workers in tmux panes: spawn (or queue), attach to each pane host, follow its log into
 * lifecycle state, health and restarts, dismiss, and re-adopt everything after a server restart.
 */
export class WorkerManager {
  readonly #deps: ManagerDeps;
  /** By workerKey (team/handle). */
  readonly #attached = new Map<string, Attached>();
  /** When each worker entered its state, as this server saw it (the board's "for how long"). */
  readonly #stateSince = new Map<string, number>();
  /** By workerKey: whether the worker's current (or last) run was launched with the guards' settings. */
  readonly #guardedRuns = new Map<string, boolean>();
  #healthTimer: NodeJS.Timeout | undefined;
  #closing = false;
  /** Settles once start() has run (set by the plugin when start must wait for the fleet's URL). */
  starting: Promise<unknown> = Promise.resolve();

  /** Spawns waiting for a slot. */
  readonly queue: SpawnQueue;

  /** What other plugins ask of every launch (see launch-guards.ts). */
  readonly guards: LaunchGuards;

  /** Who hears what agents write, a batch at a time (WorkersApi.addTranscriptListener). */
  readonly transcriptListeners = new Set<TranscriptListener>();

  constructor(deps: ManagerDeps) {
    this.#deps = deps;
    this.queue = new SpawnQueue(deps.store.db);
    this.guards = deps.guards ?? new LaunchGuards();
    this.admissions = deps.admissions ?? new Admissions();
  }

  /** What spawns, input and resumes must pass (WorkersApi.addAdmission). */
  readonly admissions: Admissions;

  /**
   * Whether a worker's tool calls are held to the launch guards, only while one is in force: a
   * claude worker whose run was launched with their settings is; other CLIs and external workers,
   * and a claude run launched before the guard came, are not.
   */
  enforcement(row: WorkerRow): Enforcement | undefined {
    if (!this.guards.active) return undefined;
    if (row.adapter !== 'claude') return 'unenforced';
    const key = workerKey(row);
    let guarded = this.#guardedRuns.get(key);
    if (guarded === undefined) {
      guarded = launchedWithSettings(row.dir);
      this.#guardedRuns.set(key, guarded);
    }
    return guarded ? 'enforced' : 'unenforced';
  }

  /** The public shape of a worker, with its enforcement while a launch guard is in force. */
  view(row: WorkerRow): ReturnType<typeof workerView> {
    return workerView(row, this.enforcement(row));
  }

  /** A strict guard refuses workers it cannot enforce: any adapter but claude. */
  #assertEnforceable(adapter: string): void {
    if (adapter === 'claude') return;
    const guard = this.guards.strictGuard();
    if (guard) throw workersErrors.WORKERS_UNENFORCEABLE({ adapter, guard }, { field: 'adapter' });
  }

  get store(): WorkerStore {
    return this.#deps.store;
  }

  #workersDir(): string {
    return join(this.#deps.dataDir, 'workers');
  }

  /**
   * A new worker's directory, `<dataDir>/workers/<team>/<handle>`. What the team's previous worker
   * of that handle left there moves to `<dataDir>/workers/<team>/.archive/<handle>-<ms>`, and so does
   * its directory of the layout before teams had their own (`<dataDir>/workers/<handle>`, its row's
   * `dir`), unless that directory holds directories: a team of that name has its workers' there.
   * Another team's workers' directories are never touched.
   */
  #freshDir(teamName: string, handle: string, previous: WorkerRow | undefined): string {
    const teamDir = join(this.#workersDir(), teamName);
    const dir = join(teamDir, handle);
    mkdirSync(teamDir, { recursive: true, mode: 0o700 });
    const before = previous?.dir !== undefined && previous.dir !== dir ? previous.dir : undefined;
    const stamp = Date.now();
    let archived = 0;
    for (const old of [dir, before]) {
      if (old === undefined || !existsSync(old)) continue;
      if (old === before && readdirSync(old, { withFileTypes: true }).some((entry) => entry.isDirectory())) continue;
      mkdirSync(join(teamDir, '.archive'), { recursive: true, mode: 0o700 });
      archived += 1;
      renameSync(old, join(teamDir, '.archive', `${handle}-${stamp}${archived > 1 ? `-${archived}` : ''}`));
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** One of this worker's events, on its topic (`team.<team>.workers.<handle>`). */
  #publish<K extends WorkerEventType>(
    row: Pick<WorkerRow, 'team_name' | 'handle'>,
    type: K,
    data: Omit<FleetEventMap[K], 'handle'>,
  ): void {
    this.#deps.emit(type, row.team_name, { handle: row.handle, ...data } as FleetEventMap[K]);
  }

  async #setState(row: WorkerRow, state: WorkerState, change: Partial<WorkerRow> = {}): Promise<void> {
    const previous = row.state;
    Object.assign(row, change, { state, updated_at: Date.now() });
    await this.#deps.store.update(row.team_name, row.handle, { ...change, state });
    if (previous !== state) {
      this.#stateSince.set(workerKey(row), Date.now());
      this.#publish(row, 'worker_state', { state, previous });
      this.#deps.log.info(`worker ${workerKey(row)}: ${previous} → ${state}`);
    }
  }

  /** Start the health clock and re-adopt every worker that was live when the server last ran. */
  async start(): Promise<void> {
    // Stopped while waiting to start (a fleet on port 0 stopped before it listened): nothing to arm.
    if (this.#closing) return;
    mkdirSync(this.#workersDir(), { recursive: true, mode: 0o700 });
    for (const row of await this.#deps.store.listLive()) if (row.state !== 'paused') await this.#adopt(row);
    if (this.#closing) return;
    const tick = Math.min(this.#deps.options().heartbeatSeconds, 5) * 1000;
    this.#healthTimer = setInterval(() => void this.#checkHealth(), tick);
    this.#healthTimer.unref();
    await this.drainQueue();
  }

  /** Detach from every worker without stopping it: workers outlive the server. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#healthTimer);
    for (const attached of this.#attached.values()) {
      // Lines not handled yet stay after the persisted offset: the next server handles them.
      attached.follower.drain();
      attached.client?.close();
      await attached.serial;
    }
    this.#attached.clear();
  }

  async #adopt(row: WorkerRow): Promise<void> {
    // Attached already (by a request served while start() waited for the URL): one follower only.
    if (this.#attached.has(workerKey(row))) return;
    const files = workerFiles(row.dir);
    if (row.adapter === EXTERNAL) {
      await this.#attach(row);
      return;
    }
    const host = existsSync(files.host)
      ? (JSON.parse(readFileSync(files.host, 'utf8')) as { hostPid: number; agentPid: number })
      : undefined;
    if (host && running(host.hostPid)) {
      this.#deps.log.info(`re-adopting worker ${workerKey(row)}`, {
        state: row.state,
        offset: Number(row.log_offset),
      });
      // A window opened by a fleet from before windows carried their team gets its tags now.
      if (row.pane_id) await this.#tagWindow(row.pane_id, row).catch(() => undefined);
      await this.#attach(row, host);
      // The last server asked it to end (a fresh session, a pause) and went down before it ended: ask again.
      if (row.next_session !== null || row.pause !== null) this.#attached.get(workerKey(row))?.client?.stop(3000);
      return;
    }
    // The pane host is gone while we were down: the agent exited (or was killed) unseen.
    const exit = readExit(row.dir) ?? { code: null, signal: 'SIGKILL' };
    this.#deps.log.warn(`worker ${workerKey(row)} ended while the server was down`, exit);
    await this.#handleExit(row, exit);
  }

  /** Whether close() was called: a start still under way must not arm anything more. */
  get closing(): boolean {
    return this.#closing;
  }

  async #attach(row: WorkerRow, host?: { hostPid: number; agentPid: number }): Promise<void> {
    if (this.#closing) return;
    const files = workerFiles(row.dir);
    const spec = JSON.parse(readFileSync(files.spec, 'utf8')) as {
      format: 'ndjson' | 'text';
      idleMarker?: string;
      errorMarker?: string;
      argv?: string[];
    };
    this.#guardedRuns.set(workerKey(row), spec.argv?.includes('--settings') === true);
    let markExited!: () => void;
    let markStarted!: () => void;
    const key = workerKey(row);
    const attached: Attached = {
      row,
      format: spec.format,
      lastHeartbeat: Date.now(),
      lastEvent: Date.now(),
      hostPid: host?.hostPid,
      agentPid: host?.agentPid,
      stalledReported: false,
      exitHandled: false,
      batchesHandled: 0,
      attachedAt: Date.now(),
      // A re-adopted run was up already; a text agent has no sign of being up but surviving a while.
      cameUp: host !== undefined,
      started: new Promise<void>((resolveStarted) => (markStarted = resolveStarted)),
      markStarted: () => markStarted(),
      serial: Promise.resolve(),
      lastAssistantLine: undefined,
      model: null,
      seenMessages: new SeenMessages(),
      exited: new Promise<void>((resolveExit) => (markExited = resolveExit)),
      markExited: () => markExited(),
      client:
        row.adapter === EXTERNAL
          ? undefined
          : new HostClient(
              hostSocketPath(row.dir),
              (message) => void this.#inOrder(key, () => this.#onHostMessage(row, message, attached)),
              {
                gone: () => hostEnded(row.dir),
                onGone: () => {
                  const exit = readExit(row.dir);
                  if (exit) void this.#inOrder(key, () => this.#handleExit(row, exit, attached));
                },
              },
            ),
      follower: new LogFollower(
        files.output,
        Number(row.log_offset),
        (lines, next, events) => void this.#inOrder(key, () => this.#onLines(row, lines, next, events)),
        new LogStream({
          mode: spec.format,
          startOffset: Number(row.log_offset),
          state: parserState(row.state),
          idleMarker: spec.idleMarker,
          errorMarker: spec.errorMarker,
        }),
      ),
    };
    this.#attached.set(key, attached);
    attached.follower.start();
    if (!attached.client) return;
    try {
      await attached.client.connect();
    } catch (error) {
      this.#deps.log.warn(`worker ${key}: pane host not reachable`, { error: (error as Error).message });
    }
    // A host whose agent could not start (a missing CLI) ends before anyone connects, or says hello
    // without an agent and ends right after: the spawn waits for that (briefly), so its answer says
    // the worker failed, and why.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      attached.started,
      new Promise<void>((resolveWait) => (timer = setTimeout(resolveWait, START_ANSWER_MS))),
    ]);
    clearTimeout(timer);
    await attached.serial;
  }

  /** Queue work behind the worker's earlier lines and messages; resolves once it ran (it never rejects). */
  #inOrder(key: string, work: () => Promise<void>): Promise<void> {
    const attached = this.#attached.get(key);
    if (!attached) return Promise.resolve();
    attached.serial = attached.serial
      .then(work)
      .catch((error) => this.#deps.log.error(`worker ${key}: ${(error as Error).message}`, { error }));
    return attached.serial;
  }

  async #onHostMessage(row: WorkerRow, message: HostMessage, from: Attached): Promise<void> {
    const attached = this.#attached.get(workerKey(row));
    // A message of a run that has ended (its host replaced by a restart) says nothing about this one.
    if (!attached || attached !== from) return;
    if (message.type === 'hello') {
      attached.hostPid = message.hostPid;
      attached.agentPid = message.agentPid;
      if (message.agentPid !== undefined) attached.markStarted();
      attached.lastHeartbeat = Date.now();
      // An agent given nothing to do yet writes nothing: being up is being ready.
      if (row.state === 'starting' && !row.prompt && attached.format === 'text') await this.#setState(row, 'ready');
      if (row.state === 'starting' && !row.prompt && attached.format === 'ndjson') await this.#setState(row, 'ready');
    } else if (message.type === 'heartbeat') {
      attached.lastHeartbeat = Date.now();
    } else if (message.type === 'exit') {
      await this.#handleExit(row, message, attached);
    }
  }

  /**
   * New lines of a worker's log: each goes out as a worker_output event; the parser's events drive
   * the lifecycle (session id, state, result, cost); then the offset is saved for re-adoption.
   */
  async #onLines(
    row: WorkerRow,
    lines: LogLine[],
    nextOffset: number,
    events: LogEvent[],
    attached = this.#attached.get(workerKey(row)),
  ): Promise<void> {
    if (!attached) return;
    attached.batchesHandled++;
    attached.lastEvent = Date.now();
    attached.stalledReported = false;
    for (const line of lines) this.#publish(row, 'worker_output', { offset: line.offset, line: line.text });
    if (attached.format === 'ndjson') {
      for (const request of modelRequests(lines, attached.seenMessages)) this.#publish(row, 'worker_request', request);
      const limit = row.pause === null ? usageLimitIn(lines) : undefined;
      if (limit) await this.#park(row, attached, limit);
    }
    // Where the last main-loop assistant message of the batch ends (a subagent's does not fill the context).
    let assistantAt: number | undefined;
    for (const event of events) {
      if ((event.kind === 'text' || event.kind === 'tool_use') && event.parentToolUseId === null) {
        assistantAt = event.offset;
        continue;
      }
      if (event.kind !== 'result') {
        await this.#onLogEvent(row, event);
        continue;
      }
      // An event's offset is where its line ends: its line is the last one starting before that.
      if (assistantAt !== undefined) attached.lastAssistantLine = lineBefore(lines, assistantAt)?.text;
      assistantAt = undefined;
      await this.#onLogEvent(row, event, lineBefore(lines, event.offset)?.text, attached);
    }
    if (assistantAt !== undefined) attached.lastAssistantLine = lineBefore(lines, assistantAt)?.text;
    if (this.transcriptListeners.size > 0) this.#tellTranscript(row, events);
    row.log_offset = nextOffset;
    await this.#deps.store.update(row.team_name, row.handle, { log_offset: nextOffset });
  }

  /** Hand what the agent wrote in this batch to the transcript listeners (they must not block). */
  #tellTranscript(row: WorkerRow, events: LogEvent[]): void {
    const entries = transcriptEntries(events);
    const toolResults = transcriptToolResults(events);
    if (entries.length === 0 && toolResults.length === 0) return;
    const batch = {
      teamName: row.team_name,
      handle: row.handle,
      workerCreatedAt: Number(row.created_at),
      sessionId: row.session_id,
      entries,
      toolResults,
    };
    for (const listener of this.transcriptListeners) {
      try {
        listener(batch);
      } catch (error) {
        this.#deps.log.warn('a transcript listener failed', { error: (error as Error).message });
      }
    }
  }

  async #onLogEvent(row: WorkerRow, event: LogEvent, resultLine?: string, attached?: Attached): Promise<void> {
    // The process decides stopping, stopped and failed; the log cannot undo them.
    // A worker being paused keeps its state until its agent has ended (then paused): the error result of a
    // usage limit must not show it idle in between.
    const settled = row.state === 'stopping' || FINAL_STATES.includes(row.state) || row.pause !== null;
    if (event.kind === 'init') {
      const attached = this.#attached.get(workerKey(row));
      if (attached) {
        attached.cameUp = true;
        attached.model = event.model;
      }
      if (event.sessionId && event.sessionId !== row.session_id) {
        const previous = row.session_id;
        row.session_id = event.sessionId;
        await this.#deps.store.update(row.team_name, row.handle, { session_id: event.sessionId });
        this.#publish(row, 'worker_session', {
          sessionId: event.sessionId,
          previous,
          reason: 'reported',
          workerCreatedAt: Number(row.created_at),
        });
      }
      // With stream-json input Claude Code writes init as a turn begins: ready (session known) and working.
      if (!settled && row.state === 'starting') await this.#setState(row, 'ready');
      if (!settled && (row.state === 'ready' || row.state === 'idle')) await this.#setState(row, 'working');
    } else if (event.kind === 'result') {
      const resultText = event.result ?? (event.errors.length > 0 ? event.errors.map(String).join('; ') : null);
      const change: Partial<WorkerRow> = {
        result_text: resultText,
        ...totals(row, event.totalCostUsd, event.numTurns),
        usage: event.usage === null ? null : JSON.stringify(event.usage),
      };
      // Refused tool calls need a person (allow the tool, or tell the worker another way); a later
      // turn without any says the worker got past them.
      const denials = permissionDenials(resultLine);
      change.attention =
        denials.length > 0 ? JSON.stringify({ reason: 'permission_denied', denials, since: Date.now() }) : null;
      Object.assign(row, change);
      await this.#deps.store.update(row.team_name, row.handle, change);
      if (denials.length > 0) {
        this.#publish(row, 'worker_needs_you', { reason: 'permission_denied', denials });
        this.#deps.log.warn(`worker ${workerKey(row)} was refused ${denials.map((d) => d.tool).join(', ')}`);
      }
      this.#publish(row, 'worker_result', {
        isError: event.isError,
        result: resultText,
        costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
        numTurns: row.num_turns === null ? null : Number(row.num_turns),
      });
      this.#publish(row, 'worker_usage', {
        ...usageReport(event, attached?.lastAssistantLine),
        sessionId: event.sessionId ?? row.session_id,
        model: attached?.model ?? null,
        workerCreatedAt: Number(row.created_at),
        offset: event.offset,
        run: Number(row.restart_count),
        isError: event.isError,
        numTurns: event.numTurns,
      });
    } else if (event.kind === 'state' && !settled) {
      if (event.state === 'error') {
        // An error result ends the turn: the worker waits for input like any idle one, and says why.
        this.#publish(row, 'worker_error', { result: row.result_text });
        await this.#setState(row, 'idle');
        return;
      }
      // Ready only follows starting; text agents go from starting straight to working, and the
      // lifecycle still passes through ready.
      if (event.state === 'ready' && row.state !== 'starting') return;
      if (row.state === 'starting' && event.state !== 'ready') await this.#setState(row, 'ready');
      if (event.state !== row.state) await this.#setState(row, event.state);
    }
  }

  async #checkHealth(): Promise<void> {
    const options = this.#deps.options();
    const now = Date.now();
    for (const [key, attached] of this.#attached) {
      const row = attached.row;
      if (FINAL_STATES.includes(row.state)) continue;
      if (!attached.client) continue;
      if (attached.hostPid && !running(attached.hostPid)) {
        // A zombie host: make tmux reap it (its window closes) while the exit is handled.
        if (alive(attached.hostPid)) void this.#deps.tmux.reapPanes();
        const exit = readExit(row.dir) ?? { code: null, signal: 'SIGKILL' };
        void this.#inOrder(key, () => this.#handleExit(row, exit, attached));
        continue;
      }
      const silence = (now - attached.lastHeartbeat) / 1000;
      const health: WorkerHealth =
        silence >= options.unhealthySeconds ? 'unhealthy' : silence >= options.degradedSeconds ? 'degraded' : 'healthy';
      if (health !== row.health) {
        const previous = row.health;
        row.health = health;
        await this.#deps.store.update(row.team_name, row.handle, { health });
        this.#publish(row, 'worker_health', { health, previous, secondsSinceHeartbeat: Math.round(silence) });
      }
      if (
        row.state === 'working' &&
        !attached.stalledReported &&
        (now - attached.lastEvent) / 1000 >= options.stalledSeconds
      ) {
        attached.stalledReported = true;
        this.#publish(row, 'worker_stalled', { secondsSilent: Math.round((now - attached.lastEvent) / 1000) });
        this.#deps.log.warn(`worker ${key} is working but silent`, {
          seconds: Math.round((now - attached.lastEvent) / 1000),
        });
      }
    }
  }

  /** The agent exited: a dismissal ends here; otherwise restart with --resume, up to maxRestarts, then fail. */
  async #handleExit(
    row: WorkerRow,
    exit: { code: number | null; signal: string | null },
    from?: Attached,
  ): Promise<void> {
    const attached = this.#attached.get(workerKey(row));
    // One death is often reported twice (the host's exit message, then the health check's dead pid),
    // the second queued before the first restarts the worker: it must not end the run that replaced it.
    if (from && attached !== from) return;
    let cameUp = true;
    if (attached) {
      if (attached.exitHandled) return;
      attached.exitHandled = true;
      // Everything the agent wrote before it exited is handled before the exit (its result line too),
      // and the offset moves past it, so a restarted worker's follower starts after it: no duplicate.
      const rest = attached.follower.drain();
      if (rest) await this.#onLines(row, rest.lines, rest.next, rest.events, attached);
      cameUp =
        attached.cameUp ||
        exit.signal !== null ||
        exit.code === 0 ||
        Date.now() - attached.attachedAt > START_WINDOW_MS;
      attached.client?.close();
      this.#attached.delete(workerKey(row));
      attached.markExited();
      attached.markStarted();
    }
    if (this.#closing) return;
    // A pane host killed outright leaves its agent running in its own process group: end it, so a
    // restart does not run two agents on one session and a failed worker leaves nothing behind.
    if (row.adapter !== EXTERNAL) endAgentGroup(row.dir, row.team_name, row.handle);
    const current = row;
    if (current.state === 'stopping' || FINAL_STATES.includes(current.state)) {
      if (current.state === 'stopping') await this.#setState(current, 'stopped', { pane_id: null, next_session: null });
      this.#settleFresh(current, new Error('the worker was stopped'));
      await this.drainQueue();
      return;
    }
    // Ended on purpose, to pause: it waits, with everything kept, until resumed.
    if (current.pause !== null) {
      await this.#setState(current, 'paused', { pane_id: null });
      this.#settleFresh(current, new Error('the worker was paused'));
      const pause = parsePause(current.pause);
      if (pause) this.#publish(current, 'worker_paused', { pause: pauseView(pause)! });
      return;
    }
    // Ended on purpose, to continue in a fresh session: that is no crash, and no restart either.
    if (current.next_session !== null && (await this.#continueFresh(current))) return;
    const error = row.adapter === EXTERNAL ? null : exitReason(row.dir, exit);
    current.error = error;
    await this.#deps.store.update(current.team_name, current.handle, { error });
    this.#publish(current, 'worker_exit', { code: exit.code, signal: exit.signal, error });
    const options = this.#deps.options();
    // An agent that ended with an error before writing a line (a missing CLI, a refused flag) would
    // fail the same way again: it fails now, with the reason, instead of burning its restarts.
    if (!cameUp) this.#deps.log.warn(`worker ${workerKey(current)} could not start: ${error}`);
    else if (Number(current.restart_count) < options.maxRestarts) {
      const attempt = Number(current.restart_count) + 1;
      this.#deps.log.warn(
        `worker ${workerKey(current)} exited (${exit.signal ?? exit.code}); ` +
          `restart ${attempt} of ${options.maxRestarts}`,
      );
      this.#publish(current, 'worker_restart', { attempt, resume: current.session_id });
      try {
        await this.#launch(current, {
          resume: current.session_id !== null,
          restartCount: attempt,
          // A turn was under way, or a restart's prompt had not been taken up yet.
          midTurn: current.state === 'working' || (current.state === 'starting' && current.prompt !== null),
        });
        return;
      } catch (error) {
        this.#deps.log.error(`worker ${workerKey(current)}: restart failed`, { error });
      }
    }
    await this.#setState(current, 'failed', { pane_id: null });
    this.#publish(current, 'worker_failed', {
      code: exit.code,
      signal: exit.signal,
      restarts: Number(current.restart_count),
      error,
    });
    await this.drainQueue();
  }

  /**
   * Write the spawn spec and open the worker's tmux window with its pane host. `fresh`: the worker
   * continues in a new session (freshSession) with this id, its first prompt the briefing and `prompt`.
   */
  async #launch(
    row: WorkerRow,
    how: { resume: boolean; restartCount: number; midTurn?: boolean; fresh?: FreshSession; resumed?: boolean },
  ): Promise<void> {
    const request = JSON.parse(row.spec) as SpawnRequest;
    // A restart is a launch too: a strict guard that came since refuses a worker it cannot enforce.
    this.#assertEnforceable(row.adapter);
    const guarded =
      row.adapter === 'claude' ? this.guards.claudeLaunch({ teamName: row.team_name, handle: row.handle }) : undefined;
    const token = await this.#deps.credentials(row.team_name, row.handle);
    let prompt = how.fresh ? how.fresh.prompt : request.prompt;
    if (how.resumed)
      prompt = how.midTurn ? 'You were paused in the middle of a turn. Continue where you left off.' : undefined;
    else if (how.resume) prompt = restartPrompt(row, request, how.midTurn === true);
    else {
      const briefing = await this.#deps.briefing(row.team_name, row.handle);
      if (briefing) prompt = prompt ? `${briefing}\n\n${prompt}` : briefing;
    }
    const sessionId = how.fresh?.sessionId ?? (how.resume && row.session_id ? row.session_id : randomUUID());
    const previousSession = row.session_id;
    // Before every launch in a worktree (each has a token of its own): a failing setup is logged, not fatal.
    if (row.worktree_path && row.worktree_branch && this.#deps.worktreeSetups?.size) {
      await this.#deps.worktreeSetups.run(
        {
          teamName: row.team_name,
          handle: row.handle,
          path: row.worktree_path,
          branch: row.worktree_branch,
          workerDir: row.dir,
          token,
          url: this.#deps.fleetUrl(),
        },
        this.#deps.log,
      );
    }
    const spec = buildSpawnSpec(
      {
        handle: row.handle,
        teamName: row.team_name,
        dir: row.dir,
        cwd: row.cwd,
        adapter: row.adapter,
        sessionId,
        resume: how.resume && row.session_id !== null,
        prompt,
        fleetUrl: this.#deps.fleetUrl(),
        token,
        model: request.model,
        baseEnv: process.env,
        guarded,
      },
      this.#deps.options(),
    );
    writeSpawnSpec(row.dir, spec);
    this.#guardedRuns.set(workerKey(row), guarded?.settings !== undefined);
    // The last run's exit must not be read as this one's (an early exit is noticed by this file).
    rmSync(workerFiles(row.dir).exit, { force: true });
    if (row.pane_id) await this.#deps.tmux.killWindow(row.pane_id);
    const paneId = await this.#deps.tmux.newWindow(this.#deps.session, {
      name: row.handle,
      cwd: row.cwd,
      argv: [process.execPath, FLEET_BIN, 'pane', '--dir', row.dir],
    });
    await this.#deps.tmux.setPaneTitle(paneId, `worker:${row.handle}`);
    await this.#tagWindow(paneId, row);
    await this.#setState(row, 'starting', {
      pane_id: paneId,
      restart_count: how.restartCount,
      session_id: spec.adapter === 'claude' ? sessionId : row.session_id,
      prompt: prompt ?? null,
      health: 'healthy',
      // Unknown until the new run's first result says whether it counts from zero (see #totals);
      // a fresh session counts from zero, after what the worker's earlier sessions spent.
      prior_cost_usd: how.fresh ? (row.cost_usd ?? 0) : how.restartCount === 0 ? 0 : null,
      prior_turns: how.fresh ? (row.num_turns ?? 0) : how.restartCount === 0 ? 0 : null,
      ...(how.fresh ? { base_cost_usd: row.cost_usd ?? 0, base_turns: row.num_turns ?? 0 } : {}),
      next_session: null,
    });
    if (spec.adapter === 'claude' && sessionId !== previousSession) {
      this.#publish(row, 'worker_session', {
        sessionId,
        previous: previousSession,
        reason: how.fresh ? 'continued' : 'spawn',
        workerCreatedAt: Number(row.created_at),
      });
    }
    await this.#attach(row);
  }

  /**
   * Two teams may each have a window named w1 (its pane titled worker:w1): `fleet attach` and the
   * window list tell them apart by these options, which nothing running in the pane can change.
   */
  async #tagWindow(paneId: string, row: WorkerRow): Promise<void> {
    await this.#deps.tmux.setWindowOption(paneId, '@fleet_team', row.team_name);
    await this.#deps.tmux.setWindowOption(paneId, '@fleet_handle', row.handle);
  }

  /** Spawn now, or queue when maxWorkers are live (202 with the queue position). */
  async spawn(
    request: SpawnRequest,
    spawnedBy: Identity,
    maxWorkers: number,
  ): Promise<
    { queued: false; worker: ReturnType<typeof workerView> } | { queued: true; id: number; position: number }
  > {
    await this.starting;
    this.#assertEnforceable(request.adapter);
    const existing = await this.#deps.store.get(request.teamName, request.handle);
    this.#assertHandleFree(existing, request.handle);
    await this.#assertNotAnotherAgent(existing, request.teamName, request.handle);
    await this.queue.assertNotQueued(request.teamName, request.handle);
    const admission = {
      action: 'spawn',
      teamName: request.teamName,
      handle: request.handle,
      by: spawnedBy.handle,
      ...(request.swarmId !== undefined ? { swarmId: request.swarmId } : {}),
    };
    // Asked to wait (the account's usage limit): queued, to start when the wait is over.
    const wait = await this.admissions.admit(admission as AdmissionRequest);
    if (wait !== undefined || (await this.#deps.store.countLive()) >= maxWorkers) {
      const id = await this.enqueue(request, spawnedBy.handle);
      return { queued: true, id, position: await this.queue.position(id) };
    }
    return { queued: false, worker: this.view(await this.#start(request, spawnedBy.handle)) };
  }

  async #start(request: SpawnRequest, spawnedBy: string): Promise<WorkerRow> {
    // Checked again here: a queued spawn starts later, when the handle may have been registered (as
    // an agent, or as an external worker of the team), or a strict guard may have come.
    this.#assertEnforceable(request.adapter);
    const previous = await this.#deps.store.get(request.teamName, request.handle);
    this.#assertHandleFree(previous, request.handle);
    await this.#assertNotAnotherAgent(previous, request.teamName, request.handle);
    const worktree = request.worktree
      ? await addWorktree(request.cwd, this.#worktreePath(request.teamName, request.handle, previous), request.handle)
      : undefined;
    // A handle used before keeps its old log under .archive; the new worker starts a fresh one.
    const dir = this.#freshDir(request.teamName, request.handle, previous);
    const now = Date.now();
    const row: WorkerRow = {
      handle: request.handle,
      team_name: request.teamName,
      adapter: request.adapter,
      state: 'starting',
      health: 'healthy',
      session_id: null,
      pane_id: null,
      dir,
      cwd: worktree?.path ?? request.cwd,
      prompt: request.prompt ?? null,
      spec: JSON.stringify(request),
      restart_count: 0,
      log_offset: 0,
      result_text: null,
      cost_usd: null,
      usage: null,
      num_turns: null,
      worktree_path: worktree?.path ?? null,
      worktree_branch: worktree?.branch ?? null,
      error: null,
      prior_cost_usd: null,
      prior_turns: null,
      attention: null,
      next_session: null,
      base_cost_usd: null,
      base_turns: null,
      pause: null,
      swarm_id: request.swarmId ?? null,
      spawned_by: spawnedBy,
      created_at: now,
      updated_at: now,
    };
    await this.#deps.store.upsert(row);
    try {
      await this.#launch(row, { resume: false, restartCount: 0 });
    } catch (error) {
      await this.#setState(row, 'failed');
      if (isApiError(error)) throw error;
      this.#deps.log.error(`worker ${workerKey(row)} could not start`, { error });
      throw workersErrors.WORKERS_START_FAILED({ handle: request.handle });
    }
    this.#publish(row, 'worker_spawned', { worker: this.view(row) });
    return row;
  }

  /**
   * A worker is its team and its handle: `existing` is the team's own worker of that handle (the
   * store is asked by team), so another team's workers are never seen here and nothing a team is
   * told depends on them. A live one refuses the spawn; a stopped or failed one is replaced.
   */
  #assertHandleFree(existing: WorkerRow | undefined, handle: string): void {
    if (existing && !FINAL_STATES.includes(existing.state))
      throw workersErrors.WORKERS_EXISTS({ handle }, { state: existing.state });
  }

  /**
   * A worktree's path: `<dataDir>/worktrees/<team>/<handle>`, or the path the team's previous worker
   * of that handle had (a fleet from before teams had their own used `<dataDir>/worktrees/<handle>`),
   * which is reused as before: its branch `fleet/<handle>` is checked out there.
   */
  #worktreePath(teamName: string, handle: string, previous: WorkerRow | undefined): string {
    if (previous?.worktree_path && existsSync(previous.worktree_path)) return previous.worktree_path;
    return join(this.#deps.dataDir, 'worktrees', teamName, handle);
  }

  /**
   * A worker's handle is its agent's handle: spawning one over an agent that is not this team's
   * worker would register it again as a worker (a lead demoted, its mail read by the new worker's
   * token). Such a handle is refused, naming the agent. A handle the team's own (stopped) worker
   * held is reused, and an external worker may be an agent that registered itself as a worker.
   */
  async #assertNotAnotherAgent(
    existing: WorkerRow | undefined,
    teamName: string,
    handle: string,
    options: { external?: boolean } = {},
  ): Promise<void> {
    const agent = await this.#deps.agentOf(teamName, handle);
    if (!agent) return;
    const ownWorker = existing !== undefined;
    if (agent.agentType === 'worker' && (ownWorker || options.external)) return;
    throw workersErrors.WORKERS_HANDLE_IS_AGENT({ handle, agentType: agent.agentType }, { field: 'handle' });
  }

  /** Persist a spawn to run when a slot frees; it survives server restarts. */
  async enqueue(request: SpawnRequest, requestedBy: string): Promise<number> {
    await this.starting;
    this.#assertEnforceable(request.adapter);
    const existing = await this.#deps.store.get(request.teamName, request.handle);
    this.#assertHandleFree(existing, request.handle);
    await this.#assertNotAnotherAgent(existing, request.teamName, request.handle);
    // A refusal (a budget over) refuses the queueing too; a wait is what the queue is for.
    await this.admissions.admit({
      action: 'spawn',
      teamName: request.teamName,
      handle: request.handle,
      by: requestedBy,
      ...(request.swarmId !== undefined ? { swarmId: request.swarmId } : {}),
    });
    const id = await this.queue.add(request, requestedBy);
    this.#deps.emit('spawn_queued', request.teamName, { id, handle: request.handle });
    return id;
  }

  /** Start queued spawns, oldest first, while there are free slots. */
  async drainQueue(maxWorkers?: number): Promise<void> {
    if (this.#closing) return;
    // One drain at a time: two at once (a dismissal and the exit it causes) would both count the
    // same free slot and start two spawns. A call while one runs makes it look again when it is
    // done, and does not wait for it (the running drain may be waiting for this caller's worker).
    if (this.#draining) {
      this.#drainAgain = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#drainAgain = false;
        const max = maxWorkers ?? this.maxWorkers();
        while (!this.#closing && (await this.#deps.store.countLive()) < max) {
          const peeked = await this.queue.peekNext();
          if (!peeked) break;
          // The oldest waits (the account's usage limit): so does everything behind it, in order.
          let wait: string | undefined;
          try {
            wait = await this.admissions.admit({
              action: 'spawn',
              teamName: peeked.request.teamName,
              handle: peeked.request.handle,
              by: peeked.requestedBy,
              ...(peeked.request.swarmId !== undefined ? { swarmId: peeked.request.swarmId } : {}),
            });
          } catch (error) {
            await this.queue.markFailed(peeked.id, (error as Error).message);
            continue;
          }
          if (wait !== undefined) break;
          const next = await this.queue.takeNext();
          if (!next) break;
          try {
            await this.#start(next.request, next.requestedBy);
          } catch (error) {
            await this.queue.markFailed(next.id, (error as Error).message);
          }
        }
      } while (this.#drainAgain && !this.#closing);
    } finally {
      this.#draining = false;
    }
  }

  #draining = false;
  #drainAgain = false;

  maxWorkers: () => number = () => 5;

  queueItem(teamName: string, id: number) {
    return this.queue.item(teamName, id);
  }

  async queueStatus(teamName: string, maxWorkers: number) {
    return { live: await this.#deps.store.countLive(), maxWorkers, queued: await this.queue.queued(teamName) };
  }

  cancelQueued(teamName: string, id: number) {
    return this.queue.cancel(teamName, id);
  }

  /** The team's worker of this handle; another team's is 404 like an unknown one (it is not looked at). */
  async require(teamName: string, handle: string): Promise<WorkerRow> {
    const key = workerKey({ team_name: teamName, handle });
    const row = this.#attached.get(key)?.row ?? (await this.#deps.store.get(teamName, handle));
    if (!row) throw workersErrors.WORKERS_NOT_FOUND({ handle });
    return row;
  }

  /**
   * The board: every worker not stopped (failed ones stay in sight), of one team or of all, with
   * since when each is in its state and the last line it wrote.
   */
  async board(teamName: string | undefined): Promise<BoardRow[]> {
    const rows = await this.#deps.store.listOnBoard(teamName);
    return rows.map((row) => boardRow(row, this.#stateSince.get(workerKey(row))));
  }

  async isLive(teamName: string, handle: string): Promise<boolean> {
    const row = await this.#deps.store.get(teamName, handle);
    return row !== undefined && !FINAL_STATES.includes(row.state) && row.state !== 'stopping';
  }

  /** Deliver a message to a running worker's agent. */
  async send(teamName: string, handle: string, text: string): Promise<void> {
    await this.starting;
    const row = await this.require(teamName, handle);
    const attached = this.#attached.get(workerKey(row));
    if (row.state === 'paused' || row.pause !== null) {
      const pause = parsePause(row.pause);
      throw workersErrors.WORKERS_PAUSED({ handle, reason: pause?.reason ?? 'paused', detail: pause?.detail ?? '' });
    }
    if (FINAL_STATES.includes(row.state) || row.state === 'stopping' || !attached)
      throw workersErrors.WORKERS_NOT_RUNNING({ handle, state: row.state });
    if (!attached.client) throw workersErrors.WORKERS_EXTERNAL({ handle });
    const wait = await this.admissions.admit({ action: 'send', teamName, handle });
    if (wait !== undefined) throw workersErrors.WORKERS_MUST_WAIT({ handle, reason: wait });
    const handledBefore = attached.batchesHandled;
    const ack = await attached.client.input(text);
    if (!ack.ok) throw workersErrors.WORKERS_INPUT_REFUSED({ handle, reason: ack.error ?? 'unknown' });
    // Show the input at once, in order with the log, and only while none of the agent's output since
    // has been handled: a fast agent may have ended its turn already, and "working" set after that
    // would outlive the turn, as nothing more comes to undo it. Otherwise the log says working itself.
    await this.#inOrder(workerKey(row), async () => {
      if (this.#attached.get(workerKey(row)) !== attached || attached.batchesHandled !== handledBefore) return;
      if (row.state === 'idle' || row.state === 'ready') await this.#setState(row, 'working');
    });
  }

  async output(teamName: string, handle: string, cursor: number | undefined, limit: number) {
    const row = await this.require(teamName, handle);
    const { lines, cursor: next } = readLogLines(workerFiles(row.dir).output, cursor, limit);
    return { handle, state: row.state, lines, cursor: next };
  }

  /**
   * Register a worker that runs outside the fleet's tmux (another machine, a CI job). It has no
   * pane host: it pushes what it writes, which goes through the same log, parser and events.
   */
  async registerExternal(
    request: { handle: string; teamName: string; format: 'ndjson' | 'text' },
    registeredBy: string,
  ): Promise<WorkerRow> {
    await this.starting;
    const existing =
      this.#attached.get(workerKey({ team_name: request.teamName, handle: request.handle }))?.row ??
      (await this.#deps.store.get(request.teamName, request.handle));
    this.#assertHandleFree(existing, request.handle);
    await this.#assertNotAnotherAgent(existing, request.teamName, request.handle, { external: true });
    const dir = this.#freshDir(request.teamName, request.handle, existing);
    writeFileSync(
      workerFiles(dir).spec,
      JSON.stringify({ handle: request.handle, teamName: request.teamName, adapter: EXTERNAL, format: request.format }),
      { mode: 0o600 },
    );
    writeFileSync(workerFiles(dir).output, '', { mode: 0o600 });
    const now = Date.now();
    const row: WorkerRow = {
      handle: request.handle,
      team_name: request.teamName,
      adapter: EXTERNAL,
      state: 'ready',
      health: 'healthy',
      session_id: null,
      pane_id: null,
      dir,
      cwd: dir,
      prompt: null,
      spec: JSON.stringify({ ...request, adapter: EXTERNAL, cwd: dir }),
      restart_count: 0,
      log_offset: 0,
      result_text: null,
      cost_usd: null,
      usage: null,
      num_turns: null,
      worktree_path: null,
      worktree_branch: null,
      error: null,
      prior_cost_usd: null,
      prior_turns: null,
      attention: null,
      next_session: null,
      base_cost_usd: null,
      base_turns: null,
      pause: null,
      swarm_id: null,
      spawned_by: registeredBy,
      created_at: now,
      updated_at: now,
    };
    await this.#deps.store.upsert(row);
    await this.#attach(row);
    this.#publish(row, 'worker_spawned', { worker: this.view(row) });
    return row;
  }

  /** Output an external worker pushes: appended to its log and parsed like any worker's. */
  async appendOutput(teamName: string, handle: string, text: string): Promise<{ cursor: number }> {
    await this.starting;
    const row = await this.require(teamName, handle);
    const attached = this.#attached.get(workerKey(row));
    if (row.adapter !== EXTERNAL) throw workersErrors.WORKERS_NOT_EXTERNAL({ handle });
    if (!attached || FINAL_STATES.includes(row.state))
      throw workersErrors.WORKERS_NOT_RUNNING({ handle, state: row.state });
    appendFileSync(workerFiles(row.dir).output, text.endsWith('\n') ? text : text + '\n');
    attached.follower.poll();
    return { cursor: attached.follower.offset };
  }

  /**
   * Wait (at most 2 s) until tmux has reaped the pane host: tmux with libutempter can miss a pane
   * process's exit and keep it a zombie, so it is nudged with SIGCHLD until the pid is gone.
   */
  async #reapPaneHost(pid: number): Promise<void> {
    const deadline = Date.now() + 2000;
    while (alive(pid) && Date.now() < deadline) {
      await this.#deps.tmux.reapPanes();
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
  }

  /**
   * End the worker's current Claude session and continue in a fresh one, in the same worker: the
   * agent is ended (as by dismiss, but the worker stays), then started again with a new
   * `--session-id`, its first prompt the briefing (mail, briefing sources) and `prompt`. The new
   * session is kept in the row before the agent ends, so a server that dies in between starts it
   * when it comes back, and restarts after a crash `--resume` the new session. Resolves once the
   * new session's agent is launched, with both session ids.
   */
  async freshSession(
    teamName: string,
    handle: string,
    options: { prompt: string },
  ): Promise<{ previous: string | null; sessionId: string }> {
    await this.starting;
    const row = await this.require(teamName, handle);
    const key = workerKey(row);
    const attached = this.#attached.get(key);
    if (row.adapter !== 'claude') throw workersErrors.WORKERS_NO_SESSIONS({ handle, adapter: row.adapter });
    if (row.next_session !== null || this.#freshWaiters.has(key))
      throw workersErrors.WORKERS_SESSION_CHANGING({ handle });
    if (FINAL_STATES.includes(row.state) && !attached) return this.#freshFromStopped(row, options.prompt);
    if (row.state === 'stopping' || !attached) throw workersErrors.WORKERS_NOT_RUNNING({ handle, state: row.state });
    const fresh: FreshSession = { sessionId: randomUUID(), prompt: options.prompt };
    const previous = row.session_id;
    row.next_session = JSON.stringify(fresh);
    await this.#deps.store.update(row.team_name, row.handle, { next_session: row.next_session });
    const launched = new Promise<void>((resolveLaunch, rejectLaunch) =>
      this.#freshWaiters.set(key, { resolve: resolveLaunch, reject: rejectLaunch }),
    );
    this.#deps.log.info(`worker ${key}: ending session ${previous} to continue in ${fresh.sessionId}`);
    if (!attached.client?.stop(3000)) this.#endAgent(row);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        launched,
        new Promise<never>((_, rejectWait) => {
          timer = setTimeout(() => rejectWait(new Error('the fresh session did not start within 20 s')), 20_000);
        }),
      ]);
    } catch (error) {
      this.#deps.log.error(`worker ${key}: no fresh session`, { error: (error as Error).message });
      throw workersErrors.WORKERS_START_FAILED({ handle });
    } finally {
      clearTimeout(timer);
      this.#freshWaiters.delete(key);
    }
    return { previous, sessionId: fresh.sessionId };
  }

  /**
   * A stopped or failed worker continues in a fresh session: launched again in its own directory
   * (its log goes on), when a worker slot is free.
   */
  async #freshFromStopped(row: WorkerRow, prompt: string): Promise<{ previous: string | null; sessionId: string }> {
    const key = workerKey(row);
    const live = await this.#deps.store.countLive();
    const max = this.maxWorkers();
    if (live >= max) throw workersErrors.WORKERS_NO_SLOT({ handle: row.handle, live, max });
    this.#assertEnforceable(row.adapter);
    const fresh: FreshSession = { sessionId: randomUUID(), prompt };
    const previous = row.session_id;
    row.next_session = JSON.stringify(fresh);
    // The waiter only marks the change under way (a second call is refused); nobody awaits it.
    this.#freshWaiters.set(key, { resolve: () => undefined, reject: () => undefined });
    try {
      await this.#deps.store.update(row.team_name, row.handle, { next_session: row.next_session });
      this.#deps.log.info(`worker ${key}: continuing in session ${fresh.sessionId} (was ${row.state})`);
      if (!(await this.#continueFresh(row))) throw workersErrors.WORKERS_START_FAILED({ handle: row.handle });
    } finally {
      this.#freshWaiters.delete(key);
    }
    return { previous, sessionId: fresh.sessionId };
  }

  /** Those waiting in freshSession for a worker's new session to be launched, by workerKey. */
  readonly #freshWaiters = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();

  #settleFresh(row: WorkerRow, error?: Error): void {
    const waiter = this.#freshWaiters.get(workerKey(row));
    if (!waiter) return;
    this.#freshWaiters.delete(workerKey(row));
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  /** Kill what is left of a worker's run by force: the agent's group, then its pane host. */
  #endAgent(row: WorkerRow): void {
    const files = workerFiles(row.dir);
    const host = existsSync(files.host)
      ? (JSON.parse(readFileSync(files.host, 'utf8')) as { hostPid?: number; agentPid?: number })
      : undefined;
    for (const pid of [host?.agentPid ? -host.agentPid : undefined, host?.hostPid]) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Launch the fresh session the row names; false (and the waiter told) when that fails. */
  async #continueFresh(row: WorkerRow): Promise<boolean> {
    let fresh: FreshSession;
    try {
      fresh = JSON.parse(row.next_session!) as FreshSession;
    } catch {
      fresh = { sessionId: randomUUID(), prompt: '' };
    }
    try {
      await this.#launch(row, { resume: false, restartCount: 0, fresh });
      this.#settleFresh(row);
      return true;
    } catch (error) {
      this.#deps.log.error(`worker ${workerKey(row)}: the fresh session could not start`, { error });
      row.next_session = null;
      await this.#deps.store.update(row.team_name, row.handle, { next_session: null });
      this.#settleFresh(row, error as Error);
      return false;
    }
  }

  /**
   * Pause a worker: its agent is stopped (SIGTERM to its group at once: a budget's overshoot is the
   * request in flight, no more), and the worker waits in `paused` with its session, worktree, task
   * and slot kept until resume(). The pause is written before the agent is stopped, so a server that
   * dies in between stops it again. Resolves once the worker is paused (or after 10 s, still pausing).
   */
  async pause(teamName: string, handle: string, request: PauseRequest): Promise<ReturnType<typeof workerView>> {
    await this.starting;
    const row = await this.require(teamName, handle);
    const key = workerKey(row);
    // An ended worker first: a dismissed paused worker may still carry its pause for a moment.
    if (FINAL_STATES.includes(row.state) || row.state === 'stopping')
      throw workersErrors.WORKERS_NOT_PAUSABLE({ handle, why: `it is ${row.state}` });
    if (row.state === 'paused' || row.pause !== null) return this.view(row);
    const attached = this.#attached.get(key);
    if (!attached?.client)
      throw workersErrors.WORKERS_NOT_PAUSABLE({
        handle,
        why: attached && !attached.client ? 'it is external (it runs elsewhere)' : `it is ${row.state}`,
      });
    if (row.next_session !== null) throw workersErrors.WORKERS_SESSION_CHANGING({ handle });
    const pause: WorkerPause = {
      reason: request.reason,
      detail: request.detail.slice(0, 500),
      source: request.source ?? null,
      resetsAt: request.resetsAt ?? null,
      since: Date.now(),
      midTurn: row.state === 'working' || (row.state === 'starting' && row.prompt !== null),
    };
    row.pause = JSON.stringify(pause);
    await this.#deps.store.update(row.team_name, row.handle, { pause: row.pause });
    this.#deps.log.info(`worker ${key}: pausing (${pause.reason}: ${pause.detail})`);
    if (!attached.client.stop(1000)) this.#endAgent(row);
    await Promise.race([attached.exited, new Promise((wake) => setTimeout(wake, 10_000).unref())]);
    return this.view(row);
  }

  /**
   * The agent hit a usage limit: park its worker at once, in line with its log (before an exit that
   * may follow is handled, so the exit is a pause and not a crash to restart), and tell the breaker.
   */
  async #park(row: WorkerRow, attached: Attached, limit: UsageLimit): Promise<void> {
    // An external worker runs elsewhere: nothing here can stop it; the breaker still trips.
    if (!attached.client) return this.#deps.onUsageLimit?.(row, limit);
    const pause: WorkerPause = {
      reason: 'quota',
      detail: limit.message,
      source: 'quota',
      resetsAt: limit.window === 'weekly' ? null : limit.resetsAt,
      since: Date.now(),
      // The turn the limit cut short is continued on resume.
      midTurn: true,
    };
    row.pause = JSON.stringify(pause);
    await this.#deps.store.update(row.team_name, row.handle, { pause: row.pause });
    this.#deps.log.warn(`worker ${workerKey(row)}: usage limit (${limit.window}); parking it`);
    if (!attached.client.stop(1000)) this.#endAgent(row);
    this.#deps.onUsageLimit?.(row, limit);
  }

  /** Workers being resumed now: a second resume of the same one (a lead and the breaker) is refused. */
  readonly #resuming = new Set<string>();

  /**
   * Launch a paused worker again with `--resume` (its session, the permission mode as configured):
   * told to continue when it was paused mid-turn, in silence otherwise. The admission checks decide
   * first (a budget still over refuses). Resolves once it is launched.
   */
  async resume(
    teamName: string,
    handle: string,
    options: { by?: string } = {},
  ): Promise<ReturnType<typeof workerView>> {
    await this.starting;
    const row = await this.require(teamName, handle);
    const key = workerKey(row);
    if (row.state !== 'paused' || this.#resuming.has(key))
      throw workersErrors.WORKERS_NOT_PAUSED({ handle, state: this.#resuming.has(key) ? 'resuming' : row.state });
    this.#resuming.add(key);
    try {
      const wait = await this.admissions.admit({ action: 'resume', teamName, handle, by: options.by });
      if (wait !== undefined) throw workersErrors.WORKERS_MUST_WAIT({ handle, reason: wait });
      const pause = parsePause(row.pause);
      row.pause = null;
      await this.#deps.store.update(row.team_name, row.handle, { pause: null });
      try {
        await this.#launch(row, {
          resume: row.session_id !== null,
          restartCount: Number(row.restart_count),
          midTurn: pause?.midTurn === true,
          resumed: true,
        });
      } catch (error) {
        // Still paused, as it was: nothing ran.
        row.pause = pause ? JSON.stringify(pause) : JSON.stringify({ reason: 'lead', detail: 'resume failed' });
        await this.#deps.store.update(row.team_name, row.handle, { pause: row.pause });
        if (isApiError(error)) throw error;
        this.#deps.log.error(`worker ${key}: resume failed`, { error });
        throw workersErrors.WORKERS_START_FAILED({ handle });
      }
      this.#deps.log.info(`worker ${key}: resumed (was paused for ${pause?.reason ?? 'unknown'})`);
      this.#publish(row, 'worker_resumed', {
        reason: pause?.reason ?? null,
        pausedMs: pause ? Date.now() - pause.since : null,
        by: options.by ?? null,
      });
      return this.view(row);
    } finally {
      this.#resuming.delete(key);
    }
  }

  /** End the agent's process group and its window; answers once nothing of it is left (at most ~10 s). */
  async dismiss(teamName: string, handle: string): Promise<ReturnType<typeof workerView>> {
    await this.starting;
    const row = await this.require(teamName, handle);
    if (FINAL_STATES.includes(row.state)) return this.view(row);
    // A paused worker has no run to end: its pane host is gone (a stale pid is never signalled).
    if (row.state === 'paused' && !this.#attached.has(workerKey(row))) {
      await this.#setState(row, 'stopped', { pane_id: null, pause: null });
      this.#publish(row, 'worker_dismissed', {});
      await this.drainQueue();
      return this.view(row);
    }
    await this.#setState(row, 'stopping');
    const key = workerKey(row);
    const attached = this.#attached.get(key);
    const host = existsSync(workerFiles(row.dir).host)
      ? (JSON.parse(readFileSync(workerFiles(row.dir).host, 'utf8')) as { hostPid: number; agentPid: number })
      : undefined;
    if (attached?.client?.stop(3000)) {
      await Promise.race([attached.exited, new Promise((r) => setTimeout(r, 7000))]);
    }
    // Whatever is left is ended by force: the agent's group, then the host and its window.
    for (const pid of [host?.agentPid ? -host.agentPid : undefined, host?.hostPid]) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (row.pane_id) await this.#deps.tmux.killWindow(row.pane_id);
    if (host?.hostPid) await this.#reapPaneHost(host.hostPid);
    const still = this.#attached.get(key);
    if (still) {
      still.exitHandled = true;
      const rest = still.follower.drain();
      if (rest) await this.#onLines(row, rest.lines, rest.next, rest.events, still);
      still.client?.close();
      this.#attached.delete(key);
    }
    await this.#setState(row, 'stopped', { pane_id: null });
    this.#publish(row, 'worker_dismissed', {});
    await this.drainQueue();
    return this.view(row);
  }
}
