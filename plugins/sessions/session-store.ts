import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { sessionsErrors } from './errors.js';
import type { SessionRow } from './session-view.js';
import type { Derivation, SessionsTables } from './tables.js';

type Db = Kysely<SessionsTables> | Transaction<SessionsTables>;

/** A worker as the sessions know it: team, handle and when it was spawned. */
export interface WorkerRef {
  teamName: string;
  handle: string;
  workerCreatedAt: number;
}

export interface NewSession extends WorkerRef {
  agentSessionId: string | null;
  parentId?: string | null;
  derivation?: Derivation;
  taskId?: string | null;
  model?: string | null;
  summary?: string | null;
  createdBy?: string | null;
  startedAt?: number;
}

/** Rows of the sessions table, one team per call (every query names the team). */
export class SessionStore {
  constructor(readonly db: Kysely<SessionsTables>) {}

  async insert(session: NewSession, db: Db = this.db): Promise<SessionRow> {
    const now = Date.now();
    const row: SessionRow = {
      id: randomUUID(),
      team_name: session.teamName,
      handle: session.handle,
      worker_created_at: session.workerCreatedAt,
      agent_session_id: session.agentSessionId,
      parent_id: session.parentId ?? null,
      derivation: session.derivation ?? (session.parentId ? 'continued' : 'root'),
      task_id: session.taskId ?? null,
      model: session.model ?? null,
      started_at: session.startedAt ?? now,
      ended_at: null,
      end_reason: null,
      results: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_nanos: null,
      unpriced_results: 0,
      context_tokens: null,
      reported: null,
      checkpoint: null,
      files: null,
      summary: session.summary ?? null,
      created_by: session.createdBy ?? null,
      updated_at: now,
    };
    await db.insertInto('sessions').values(row).execute();
    return row;
  }

  /** A session of the team by its id, or by Claude's session id (the newest with it). */
  async find(teamName: string, id: string, db: Db = this.db): Promise<SessionRow | undefined> {
    const byId = await db
      .selectFrom('sessions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (byId) return byId;
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('agent_session_id', '=', id)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async require(teamName: string, id: string, db: Db = this.db): Promise<SessionRow> {
    const row = await this.find(teamName, id, db);
    if (!row) throw sessionsErrors.SESSIONS_NOT_FOUND({ id });
    return row;
  }

  /** The session record of a worker's agent session (the newest, if it was recorded twice by hand). */
  async ofAgentSession(worker: WorkerRef, agentSessionId: string, db: Db = this.db): Promise<SessionRow | undefined> {
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('team_name', '=', worker.teamName)
      .where('handle', '=', worker.handle)
      .where('worker_created_at', '=', worker.workerCreatedAt)
      .where('agent_session_id', '=', agentSessionId)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Sessions of the team's worker with this handle (all its spawns), newest first. */
  async listWorker(
    teamName: string,
    handle: string,
    page: { limit: number; offset: number },
    db: Db = this.db,
  ): Promise<SessionRow[]> {
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('handle', '=', handle)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  /** Open sessions: of one worker handle of a team, or (no team) of the whole fleet. */
  async listOpen(teamName?: string, handle?: string, db: Db = this.db): Promise<SessionRow[]> {
    let query = db.selectFrom('sessions').selectAll().where('ended_at', 'is', null);
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    if (handle !== undefined) query = query.where('handle', '=', handle);
    return query.orderBy('started_at').execute();
  }

  async children(teamName: string, parentId: string, db: Db = this.db): Promise<SessionRow[]> {
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('parent_id', '=', parentId)
      .orderBy('started_at')
      .execute();
  }

  /** End a session once: a later end leaves the first reason. Returns whether this call ended it. */
  async end(teamName: string, id: string, reason: string, db: Db = this.db): Promise<boolean> {
    const now = Date.now();
    const result = await db
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: reason, updated_at: now })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async update(teamName: string, id: string, change: Partial<SessionRow>, db: Db = this.db): Promise<void> {
    await db
      .updateTable('sessions')
      .set({ ...change, updated_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .execute();
  }

  async countAll(teamName?: string): Promise<number> {
    let query = this.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n'));
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}
