import type { FleetEventMap } from '../../core/index.js';
import type { SessionStore, WorkerRef } from './session-store.js';
import type { SessionRow } from './session-view.js';

type SessionChange = FleetEventMap['worker_session'];

/** What the tracker did, for the plugin to announce once it is committed. */
export interface Changes {
  started: SessionRow[];
  ended: SessionRow[];
}

/** A live worker as the workers plugin has it (its row, read through its api). */
export interface LiveWorker {
  team_name: string;
  handle: string;
  created_at: number;
  session_id: string | null;
  state: string;
}

/** A worker's current row, or undefined when the team has none of that handle. */
export type WorkerLookup = (teamName: string, handle: string) => Promise<LiveWorker | undefined>;

/** How the next session change of a worker is to be recorded (set by trim and continue). */
export interface PendingChange {
  /** Why its current session ends: trimmed. */
  endReason: string;
  /** The session the new one continues. */
  parentId: string;
}

export const workerKey = (teamName: string, handle: string) => `${teamName}/${handle}`;

/**
 * Session records follow the workers: a new session when a worker's agent starts one (spawn, a
 * fresh session, an id the agent reports), its end when the worker moves on, is dismissed, fails
 * or is replaced by a new spawn of its handle. The lineage link is the continued session's parent.
 */
export class SessionTracker {
  /** By workerKey: set by trim and continue before they ask the worker to change. */
  readonly pending = new Map<string, PendingChange>();

  constructor(private readonly store: SessionStore) {}

  /** A worker's agent runs in another session (worker_session). */
  async onSession(teamName: string, data: SessionChange, taskId: string | null): Promise<Changes> {
    const key = workerKey(teamName, data.handle);
    const pending = data.reason === 'continued' ? this.pending.get(key) : undefined;
    if (pending) this.pending.delete(key);
    const worker: WorkerRef = { teamName, handle: data.handle, workerCreatedAt: data.workerCreatedAt };
    const changes: Changes = { started: [], ended: [] };
    await this.store.db.transaction().execute(async (trx) => {
      const previous = data.previous ? await this.store.ofAgentSession(worker, data.previous, trx) : undefined;
      for (const open of await this.store.listOpen(teamName, data.handle, trx)) {
        const same = Number(open.worker_created_at) === data.workerCreatedAt;
        if (same && open.agent_session_id === data.sessionId) continue;
        const reason =
          same && open.id === previous?.id && data.reason === 'continued'
            ? (pending?.endReason ?? 'continued')
            : 'replaced';
        if (await this.store.end(teamName, open.id, reason, trx))
          changes.ended.push({ ...open, ended_at: Date.now(), end_reason: reason });
      }
      if (await this.store.ofAgentSession(worker, data.sessionId, trx)) return;
      const parentId = data.reason === 'continued' ? (pending?.parentId ?? previous?.id ?? null) : null;
      changes.started.push(
        await this.store.insert({ ...worker, agentSessionId: data.sessionId, parentId, taskId }, trx),
      );
    });
    return changes;
  }

  /** The worker was dismissed or failed: its open sessions end (a trim that stopped it says trimmed). */
  async onWorkerEnded(teamName: string, handle: string, reason: 'dismissed' | 'failed'): Promise<SessionRow[]> {
    const key = workerKey(teamName, handle);
    const pending = this.pending.get(key);
    if (pending) this.pending.delete(key);
    const ended: SessionRow[] = [];
    await this.store.db.transaction().execute(async (trx) => {
      for (const open of await this.store.listOpen(teamName, handle, trx)) {
        const why = pending && open.id === pending.parentId ? pending.endReason : reason;
        if (await this.store.end(teamName, open.id, why, trx))
          ended.push({ ...open, ended_at: Date.now(), end_reason: why });
      }
    });
    return ended;
  }

  /**
   * After a start (the plugin was off, or the server down, while workers moved on): open sessions of
   * workers that are gone, replaced, stopped or in another session end; each live worker's current
   * session has a record. Bounded by the open sessions and the live workers.
   */
  async reconcile(live: LiveWorker[], workerOf: WorkerLookup): Promise<Changes> {
    const changes: Changes = { started: [], ended: [] };
    for (const open of await this.store.listOpen()) {
      const worker = await workerOf(open.team_name, open.handle);
      const reason = !worker
        ? 'ended'
        : Number(worker.created_at) !== Number(open.worker_created_at)
          ? 'replaced'
          : worker.state === 'stopped'
            ? 'dismissed'
            : worker.state === 'failed'
              ? 'failed'
              : open.agent_session_id !== null && worker.session_id !== open.agent_session_id
                ? 'replaced'
                : undefined;
      if (reason && (await this.store.end(open.team_name, open.id, reason)))
        changes.ended.push({ ...open, ended_at: Date.now(), end_reason: reason });
    }
    for (const worker of live) {
      if (!worker.session_id) continue;
      const ref = { teamName: worker.team_name, handle: worker.handle, workerCreatedAt: Number(worker.created_at) };
      if (await this.store.ofAgentSession(ref, worker.session_id)) continue;
      changes.started.push(await this.store.insert({ ...ref, agentSessionId: worker.session_id }));
    }
    return changes;
  }
}
