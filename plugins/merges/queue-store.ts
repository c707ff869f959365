import type { Kysely } from 'kysely';
import type { MergeQueueTable, MergesTables, MergeStatus } from './tables.js';

export type MergeRow = MergeQueueTable;

/** Is this error a unique index refusing a second live entry (SQLite or PostgreSQL)? */
export function isUniqueViolation(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(message ?? '');
}

export interface ListFilter {
  status?: MergeStatus;
  repo?: string;
  branch?: string;
  handle?: string;
  limit: number;
}

/** The merge_queue table: every read and write the plugin makes, each one statement or transaction. */
export class QueueStore {
  constructor(readonly db: Kysely<MergesTables>) {}

  async insert(row: MergeRow): Promise<void> {
    await this.db.insertInto('merge_queue').values(row).execute();
  }

  /** The live (queued or running) entry of a branch and target, of any team. */
  live(repo: string, branch: string, target: string): Promise<MergeRow | undefined> {
    return this.db
      .selectFrom('merge_queue')
      .selectAll()
      .where('repo', '=', repo)
      .where('branch', '=', branch)
      .where('target', '=', target)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
  }

  get(teamName: string, id: string): Promise<MergeRow | undefined> {
    return this.db
      .selectFrom('merge_queue')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  byId(id: string): Promise<MergeRow | undefined> {
    return this.db.selectFrom('merge_queue').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(teamName: string, filter: ListFilter): Promise<MergeRow[]> {
    let query = this.db.selectFrom('merge_queue').selectAll().where('team_name', '=', teamName);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.repo) query = query.where('repo', '=', filter.repo);
    if (filter.branch) query = query.where('branch', '=', filter.branch);
    if (filter.handle) query = query.where('handle', '=', filter.handle);
    return query.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
  }

  /** Every queued entry of every team (the runner orders them per target). */
  queued(): Promise<MergeRow[]> {
    return this.db.selectFrom('merge_queue').selectAll().where('status', '=', 'queued').execute();
  }

  /** Entries left `running` by a fleet that stopped (or died) mid-entry. */
  running(): Promise<MergeRow[]> {
    return this.db.selectFrom('merge_queue').selectAll().where('status', '=', 'running').execute();
  }

  /**
   * Take a queued entry for the runner: it becomes `running` only if it is still queued and no entry
   * of its repository and target is running (one at a time per target, whoever else looks).
   */
  async claim(row: MergeRow, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('merge_queue')
      .set({ status: 'running', phase: 'rebase', started_at: now, attempts: 0, report: null, message: null })
      .where('id', '=', row.id)
      .where('status', '=', 'queued')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('merge_queue as other')
              .select('other.id')
              .where('other.repo', '=', row.repo)
              .where('other.target', '=', row.target)
              .where('other.status', '=', 'running'),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Change a running entry (its phase, commits, report); false when it is no longer running. */
  async update(id: string, patch: Partial<MergeRow>, from: MergeStatus = 'running'): Promise<boolean> {
    const result = await this.db
      .updateTable('merge_queue')
      .set(patch)
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async countLive(teamName: string | undefined): Promise<number> {
    let query = this.db
      .selectFrom('merge_queue')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['queued', 'running']);
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const row = await query.executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
