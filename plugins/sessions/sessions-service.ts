import { type Identity, isLead, type Logger } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';
import {
  type CheckpointDraft,
  checkpointRequest,
  draftCheckpoint,
  renderDraft,
  seedPrompt,
} from './checkpoint-text.js';
import { sessionsErrors } from './errors.js';
import type { SessionsOptions } from './options.js';
import type { CheckpointLike, CheckpointsPort } from './ports.js';
import type { SessionStore } from './session-store.js';
import { type SessionTracker, workerKey } from './session-tracker.js';
import { type SessionRow, type SessionView, sessionView, tokensView } from './session-view.js';
import type { Derivation } from './tables.js';
import type { WorkerQueues } from './worker-queues.js';

/** The plugins sessions work with, each undefined while it is off (asked at call time). */
export interface SessionDeps {
  auth(): AuthApi;
  workers(): WorkersApi | undefined;
  tasks(): TasksApi | undefined;
  checkpoints(): CheckpointsPort | undefined;
}

/** The checkpoint a session ended with: the worker's own, or one the fleet built from its transcript. */
export interface EndCheckpoint {
  id: number | null;
  source: 'worker' | 'transcript';
  checkpoint: unknown;
}

export interface TrimOptions {
  /** How long to wait for the worker's own checkpoint (0: build one from the transcript at once). */
  deadlineSeconds?: number;
  /** Continue in a fresh session right away (what autoTrim does); else the worker stops until continued. */
  continue?: boolean;
  /** Added to the continued session's first prompt. */
  prompt?: string;
}

const LIVE = new Set(['starting', 'ready', 'working', 'idle']);
const POLL_MS = 250;

/**
 * Sessions as the API sees them: read, recorded by hand, and the lineage operations. Trim ends a
 * worker's session with a checkpoint (the worker's, asked for with a deadline, else built from its
 * transcript); continue starts a fresh session in the same worker seeded with it, recorded as the
 * old one's child. Every call is scoped to the caller's team.
 */
export class SessionsService {
  /** Sessions being trimmed or continued now (one operation at a time each). */
  readonly #busy = new Set<string>();

  constructor(
    private readonly store: SessionStore,
    private readonly tracker: SessionTracker,
    private readonly queues: WorkerQueues,
    private readonly deps: SessionDeps,
    private readonly options: () => SessionsOptions,
    private readonly log: Logger,
    private readonly announce: {
      trimmed(session: SessionRow, checkpoint: EndCheckpoint, continued: SessionRow | undefined): void;
      started(session: SessionRow): void;
    },
  ) {}

  async get(teamName: string, id: string): Promise<SessionView> {
    return sessionView(await this.store.require(teamName, id));
  }

  async listWorker(teamName: string, handle: string, page: { limit: number; offset: number }) {
    const rows = await this.store.listWorker(teamName, handle, page);
    return { handle, sessions: rows.map(sessionView), limit: page.limit, offset: page.offset };
  }

  /**
   * Record a session by hand (an agent the fleet does not run, or a note of one it does): for the
   * caller, or for a worker of its team when it leads it. The worker's spawn is the current one.
   */
  async create(
    caller: Identity,
    input: {
      handle: string;
      agentSessionId?: string;
      parentId?: string;
      derivation?: Derivation;
      taskId?: string;
      model?: string;
      summary?: string;
    },
  ): Promise<SessionView> {
    const teamName = caller.teamName;
    if (!(await this.deps.auth().agents.findByHandle(teamName, input.handle)))
      throw sessionsErrors.SESSIONS_AGENT_NOT_FOUND({ handle: input.handle }, { field: 'handle' });
    if (input.parentId !== undefined && !(await this.store.find(teamName, input.parentId)))
      throw sessionsErrors.SESSIONS_PARENT_NOT_FOUND({ id: input.parentId }, { field: 'parentId' });
    const worker = await this.deps.workers()?.manager.store.get(teamName, input.handle);
    const workerCreatedAt = worker ? Number(worker.created_at) : 0;
    if (input.agentSessionId !== undefined) {
      const ref = { teamName, handle: input.handle, workerCreatedAt };
      const existing = await this.store.ofAgentSession(ref, input.agentSessionId);
      if (existing)
        throw sessionsErrors.SESSIONS_DUPLICATE({
          agentSessionId: input.agentSessionId,
          handle: input.handle,
          id: existing.id,
        });
    }
    const row = await this.store.insert({
      teamName,
      handle: input.handle,
      workerCreatedAt,
      agentSessionId: input.agentSessionId ?? null,
      parentId: input.parentId ?? null,
      derivation: input.derivation ?? (input.parentId ? 'continued' : 'root'),
      taskId: input.taskId ?? null,
      model: input.model ?? null,
      summary: input.summary ?? null,
      createdBy: caller.handle,
    });
    this.announce.started(row);
    return sessionView(row);
  }

  /** The chain a session belongs to, from its root down, with each session's tokens and the total. */
  async lineage(teamName: string, id: string) {
    const start = await this.store.require(teamName, id);
    let root = start;
    const seen = new Set([root.id]);
    while (root.parent_id !== null) {
      const parent = await this.store.find(teamName, root.parent_id);
      if (!parent || seen.has(parent.id)) break;
      seen.add(parent.id);
      root = parent;
    }
    // Down from the root, breadth first (a session recorded by hand may have several children).
    const chain: SessionRow[] = [];
    const queue = [root];
    const visited = new Set<string>();
    while (queue.length > 0 && chain.length < 1000) {
      const next = queue.shift()!;
      if (visited.has(next.id)) continue;
      visited.add(next.id);
      chain.push(next);
      queue.push(...(await this.store.children(teamName, next.id)));
    }
    chain.sort((a, b) => Number(a.started_at) - Number(b.started_at));
    const total = tokensView({
      results: chain.reduce((n, s) => n + Number(s.results), 0),
      input_tokens: chain.reduce((n, s) => n + Number(s.input_tokens), 0),
      output_tokens: chain.reduce((n, s) => n + Number(s.output_tokens), 0),
      cache_read_tokens: chain.reduce((n, s) => n + Number(s.cache_read_tokens), 0),
      cache_write_tokens: chain.reduce((n, s) => n + Number(s.cache_write_tokens), 0),
      cost_nanos: chain.some((s) => s.cost_nanos !== null)
        ? chain.reduce((n, s) => n + Number(s.cost_nanos ?? 0), 0)
        : null,
      unpriced_results: chain.reduce((n, s) => n + Number(s.unpriced_results), 0),
    });
    return { id: start.id, rootId: root.id, sessions: chain.map(sessionView), total };
  }

  /** A lead, or the worker the session is of. */
  #authorize(caller: Identity | undefined, session: SessionRow, action: string): void {
    if (caller === undefined || isLead(caller) || caller.handle === session.handle) return;
    throw sessionsErrors.SESSIONS_NOT_YOURS({ handle: session.handle, action });
  }

  #workers(): WorkersApi {
    const workers = this.deps.workers();
    if (!workers) throw sessionsErrors.SESSIONS_NO_WORKERS();
    return workers;
  }

  /** The worker the session is of, which must still be that spawn, running (or stopped) in that session. */
  async #workerOf(session: SessionRow) {
    if (Number(session.worker_created_at) === 0) throw sessionsErrors.SESSIONS_NOT_A_WORKER({ id: session.id });
    const workers = this.#workers();
    const row = await workers.manager.store.get(session.team_name, session.handle);
    if (!row) throw sessionsErrors.SESSIONS_WORKER_NOT_FOUND({ handle: session.handle });
    if (Number(row.created_at) !== Number(session.worker_created_at) || row.session_id !== session.agent_session_id)
      throw sessionsErrors.SESSIONS_NOT_CURRENT({ id: session.id, handle: session.handle });
    return { workers, row };
  }

  async #exclusive<T>(session: SessionRow, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(session.id)) throw sessionsErrors.SESSIONS_BUSY({ id: session.id });
    this.#busy.add(session.id);
    try {
      return await work();
    } finally {
      this.#busy.delete(session.id);
    }
  }

  isBusy(sessionId: string): boolean {
    return this.#busy.has(sessionId);
  }

  /** The task a worker holds now (its in-progress task, the newest if several). */
  async taskOf(teamName: string, handle: string): Promise<{ id: string; subject: string } | undefined> {
    const tasks = this.deps.tasks();
    if (!tasks) return undefined;
    const held = await tasks.tasks.list(teamName, { ownerHandle: handle, status: 'in_progress', limit: 20, offset: 0 });
    const task = held.at(-1);
    return task ? { id: task.id, subject: task.subject } : undefined;
  }

  /**
   * End a worker's session with a checkpoint: the worker is asked for one (a tool call) and given
   * `deadlineSeconds`; without one by then (or without the checkpoints plugin's tool), the fleet
   * builds it from the transcript. Then the session ends: the worker continues in a fresh session
   * seeded with it (`continue`), or stops until POST /sessions/:id/continue.
   */
  async trim(caller: Identity | undefined, teamName: string, id: string, options: TrimOptions = {}) {
    const session = await this.store.require(teamName, id);
    this.#authorize(caller, session, 'trim');
    if (session.ended_at !== null)
      throw sessionsErrors.SESSIONS_ENDED({ id: session.id, reason: session.end_reason ?? 'ended' });
    const { workers, row } = await this.#workerOf(session);
    if (!LIVE.has(row.state)) throw sessionsErrors.SESSIONS_NOT_CURRENT({ id: session.id, handle: session.handle });
    return this.#exclusive(session, async () => {
      const deadline = options.deadlineSeconds ?? this.options().trimDeadlineSeconds;
      const checkpoint = await this.#checkpoint(session, caller, deadline);
      await this.store.update(teamName, session.id, { checkpoint: JSON.stringify(checkpoint.stored) });
      const key = workerKey(teamName, session.handle);
      this.tracker.pending.set(key, { endReason: 'trimmed', parentId: session.id });
      try {
        if (options.continue) {
          const task = await this.taskOf(teamName, session.handle);
          const prompt = seedPrompt({
            previousSession: session.agent_session_id,
            endReason: 'trimmed',
            checkpoint: checkpoint.rendered,
            task,
            prompt: options.prompt,
          });
          await workers.manager.freshSession(teamName, session.handle, { prompt });
        } else {
          // Stopped until continued: its token goes too (continue mints a new one), as a dismissal's does.
          await workers.manager.dismiss(teamName, session.handle);
          await workers.revokeTokens(teamName, session.handle, 'its session was trimmed');
        }
      } finally {
        await this.queues.settled(key);
        this.tracker.pending.delete(key);
      }
      // The worker's events ended it; should they not have (the worker was gone already), it ends here.
      await this.store.end(teamName, session.id, 'trimmed');
      const ended = await this.store.require(teamName, session.id);
      const child = options.continue ? (await this.store.children(teamName, session.id)).at(-1) : undefined;
      this.announce.trimmed(ended, checkpoint.stored, child);
      return {
        session: sessionView(ended),
        checkpoint: checkpoint.stored,
        continued: child ? sessionView(child) : null,
      };
    });
  }

  /**
   * Start a fresh session in the worker of an ended session, seeded with the checkpoint it ended with
   * (or `checkpointId`, or one built now from its transcript) and the worker's task in progress.
   */
  async continue(
    caller: Identity | undefined,
    teamName: string,
    id: string,
    options: { checkpointId?: number; prompt?: string } = {},
  ) {
    const session = await this.store.require(teamName, id);
    this.#authorize(caller, session, 'continue');
    if (session.ended_at === null) throw sessionsErrors.SESSIONS_NOT_ENDED({ id: session.id });
    const continued = (await this.store.children(teamName, session.id)).find((c) => c.derivation === 'continued');
    if (continued) throw sessionsErrors.SESSIONS_ALREADY_CONTINUED({ id: session.id, child: continued.id });
    const { workers } = await this.#workerOf(session);
    return this.#exclusive(session, async () => {
      let rendered: string;
      if (options.checkpointId !== undefined) {
        const chosen = await this.#chosenCheckpoint(session, options.checkpointId);
        rendered = this.deps.checkpoints()!.render(chosen);
      } else if (session.checkpoint !== null) {
        rendered = await this.#renderStored(session);
      } else {
        const built = await this.#checkpoint(session, caller, 0);
        await this.store.update(teamName, session.id, { checkpoint: JSON.stringify(built.stored) });
        rendered = built.rendered;
      }
      const key = workerKey(teamName, session.handle);
      this.tracker.pending.set(key, { endReason: session.end_reason ?? 'ended', parentId: session.id });
      try {
        const prompt = seedPrompt({
          previousSession: session.agent_session_id,
          endReason: session.end_reason,
          checkpoint: rendered,
          task: await this.taskOf(teamName, session.handle),
          prompt: options.prompt,
        });
        await workers.manager.freshSession(teamName, session.handle, { prompt });
      } finally {
        await this.queues.settled(key);
        this.tracker.pending.delete(key);
      }
      const child = (await this.store.children(teamName, session.id)).at(-1);
      if (!child) throw new Error(`session ${session.id} was continued but its child was not recorded`);
      return { session: sessionView(child), parent: sessionView(await this.store.require(teamName, session.id)) };
    });
  }

  async #chosenCheckpoint(session: SessionRow, checkpointId: number): Promise<CheckpointLike> {
    const checkpoints = this.deps.checkpoints();
    const found = checkpoints ? await checkpoints.get(session.team_name, checkpointId) : undefined;
    if (!found || (found.toHandle !== session.handle && found.fromHandle !== session.handle))
      throw sessionsErrors.SESSIONS_CHECKPOINT_NOT_FOUND(
        { id: checkpointId, handle: session.handle },
        { field: 'checkpointId' },
      );
    return found;
  }

  /** The checkpoint a session ended with, as its worker should read it. */
  async #renderStored(session: SessionRow): Promise<string> {
    const stored = JSON.parse(session.checkpoint!) as EndCheckpoint;
    const checkpoints = this.deps.checkpoints();
    if (stored.id !== null && checkpoints) {
      const info = await checkpoints.get(session.team_name, stored.id);
      if (info) return checkpoints.render(info);
    }
    return renderDraft(stored.checkpoint as CheckpointDraft, session.handle);
  }

  /** The worker's own checkpoint if it writes one in time, else one built from its transcript. */
  async #checkpoint(
    session: SessionRow,
    caller: Identity | undefined,
    deadlineSeconds: number,
  ): Promise<{ stored: EndCheckpoint; rendered: string }> {
    const { team_name: teamName, handle } = session;
    const checkpoints = this.deps.checkpoints();
    const workers = this.deps.workers();
    if (checkpoints && workers && deadlineSeconds > 0 && (await workers.isLive(teamName, handle))) {
      const asked = Date.now();
      try {
        await workers.sendToWorker(teamName, handle, checkpointRequest(deadlineSeconds));
        const deadline = asked + deadlineSeconds * 1000;
        while (Date.now() < deadline) {
          const latest = await checkpoints.latestFor(teamName, handle);
          if (latest && latest.fromHandle === handle && Number(latest.createdAt) >= asked)
            return {
              stored: { id: latest.id, source: 'worker', checkpoint: latest.checkpoint },
              rendered: checkpoints.render(latest),
            };
          await new Promise((resolveWait) => setTimeout(resolveWait, POLL_MS));
        }
        this.log.info(
          `worker ${teamName}/${handle} wrote no checkpoint in ${deadlineSeconds} s: built from its transcript`,
        );
      } catch (error) {
        this.log.warn(`could not ask ${teamName}/${handle} for a checkpoint`, { error: (error as Error).message });
      }
    }
    const workerRow = await workers?.manager.store.get(teamName, handle);
    const tasks = this.deps.tasks();
    const owned = tasks ? await tasks.tasks.list(teamName, { ownerHandle: handle, limit: 100, offset: 0 }) : [];
    const draft = draftCheckpoint({
      handle,
      task: await this.taskOf(teamName, handle),
      openTasks: owned.filter((task) => task.status !== 'resolved'),
      lastResult: workerRow?.result_text ?? null,
      prompt: workerRow?.prompt ?? null,
      files: session.files ? (JSON.parse(session.files) as string[]) : [],
    });
    if (checkpoints) {
      const info = await checkpoints.create(teamName, {
        fromHandle: handle,
        toHandle: handle,
        createdBy: caller?.handle ?? handle,
        checkpoint: checkpoints.fit(draft),
      });
      return {
        stored: { id: info.id, source: 'transcript', checkpoint: info.checkpoint },
        rendered: checkpoints.render(info),
      };
    }
    return { stored: { id: null, source: 'transcript', checkpoint: draft }, rendered: renderDraft(draft, handle) };
  }
}
