import type { Kysely } from 'kysely';
import type { Enforcement } from './launch-guards.js';
import { parsePause, pauseView } from './pause.js';
import type { WorkersTable, WorkersTables, WorkerState } from './tables.js';

export type { WorkerHealth, WorkerState } from './tables.js';
export type WorkerRow = WorkersTable;
export const FINAL_STATES: readonly WorkerState[] = ['stopped', 'failed'];

/** How a worker was asked for: kept so a restart or a queued spawn runs the same thing. */
export interface SpawnRequest {
  handle: string;
  teamName: string;
  adapter: string;
  prompt?: string;
  cwd: string;
  model?: string;
  worktree?: boolean;
  /** Context tokens at which the sessions plugin trims and continues the worker (0: never). */
  autoTrim?: number;
  /** The swarm (swarm plugin) the worker joins; stored with it (swarm_id). */
  swarmId?: string;
}

/**
 * The public shape of a worker (GET /orchestrate/workers, team_workers). `enforcement` only while a
 * launch guard (the policy plugin) is in force: whether the worker's tool calls are held to it.
 */
export function workerView(row: WorkerRow, enforcement?: Enforcement) {
  return {
    handle: row.handle,
    teamName: row.team_name,
    adapter: row.adapter,
    state: row.state,
    health: row.health,
    sessionId: row.session_id,
    paneId: row.pane_id,
    workingDir: row.cwd,
    restartCount: Number(row.restart_count),
    result: row.result_text,
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    usage: row.usage ? (JSON.parse(row.usage) as unknown) : null,
    numTurns: row.num_turns === null ? null : Number(row.num_turns),
    worktree: row.worktree_path ? { path: row.worktree_path, branch: row.worktree_branch } : null,
    /** Why its last run ended unasked: the exit and the tail of the agent's stderr. */
    error: row.error ?? null,
    /** What needs a person: the tool calls its agent was refused, until it is given input again. */
    needsYou: row.attention ? (JSON.parse(row.attention) as unknown) : null,
    /** Why the worker is paused (a budget, a usage limit and its reset, a lead), while it is. */
    pause: pauseView(parsePause(row.pause)),
    /** The swarm it was spawned into (swarm plugin), or null. */
    swarmId: row.swarm_id ?? null,
    spawnedBy: row.spawned_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
    ...(enforcement ? { enforcement } : {}),
  };
}

export type WorkerView = ReturnType<typeof workerView>;

export class WorkerStore {
  constructor(readonly db: Kysely<WorkersTables>) {}

  /** A worker is its team and its handle: two teams may each have a worker of the same handle. */
  async get(teamName: string, handle: string): Promise<WorkerRow | undefined> {
    return this.db
      .selectFrom('workers')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('handle', '=', handle)
      .executeTakeFirst();
  }

  async listTeam(teamName: string): Promise<WorkerRow[]> {
    return this.db.selectFrom('workers').selectAll().where('team_name', '=', teamName).orderBy('created_at').execute();
  }

  /** Workers not stopped (live or failed), of one team or of all, by team and handle. */
  async listOnBoard(teamName: string | undefined): Promise<WorkerRow[]> {
    let query = this.db.selectFrom('workers').selectAll().where('state', '!=', 'stopped');
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    return query.orderBy('team_name').orderBy('handle').execute();
  }

  /** Paused workers, of one team or of all, the longest paused first. */
  async listPaused(teamName?: string): Promise<WorkerRow[]> {
    let query = this.db.selectFrom('workers').selectAll().where('state', '=', 'paused');
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const rows = await query.execute();
    const since = (row: WorkerRow) => parsePause(row.pause)?.since ?? Number(row.updated_at);
    return rows.sort((a, b) => since(a) - since(b));
  }

  /** Workers of a swarm not stopped or failed (its members), oldest first. */
  async listSwarm(teamName: string, swarmId: string): Promise<WorkerRow[]> {
    return this.db
      .selectFrom('workers')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('state', 'not in', [...FINAL_STATES])
      .orderBy('created_at')
      .execute();
  }

  async listLive(): Promise<WorkerRow[]> {
    return this.db
      .selectFrom('workers')
      .selectAll()
      .where('state', 'not in', [...FINAL_STATES])
      .execute();
  }

  /** Live workers of one team, or of the fleet (the spawn limit counts these) when teamName is undefined. */
  async countLive(teamName?: string): Promise<number> {
    let query = this.db
      .selectFrom('workers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'not in', [...FINAL_STATES]);
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async upsert(row: WorkerRow): Promise<void> {
    await this.db
      .insertInto('workers')
      .values(row)
      .onConflict((oc) => oc.columns(['team_name', 'handle']).doUpdateSet({ ...row }))
      .execute();
  }

  async update(teamName: string, handle: string, change: Partial<WorkerRow>): Promise<void> {
    await this.db
      .updateTable('workers')
      .set({ ...change, updated_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('handle', '=', handle)
      .execute();
  }
}
