import type { Kysely, Selectable } from 'kysely';
import type {
  OrchestrateKind,
  OrchestrateRunsTable,
  OrchestrateTables,
  OrchestrateUnitsTable,
  RunStatus,
  UnitStatus,
} from './tables.js';

export type RunRow = Selectable<OrchestrateRunsTable>;
export type UnitRow = Selectable<OrchestrateUnitsTable>;
export type Db = Kysely<OrchestrateTables>;

/** Numbers as numbers: PostgreSQL gives bigint columns back as strings. */
function runOf(row: RunRow): RunRow {
  return {
    ...row,
    started_at: Number(row.started_at),
    completed_at: row.completed_at === null ? null : Number(row.completed_at),
    lease_until: Number(row.lease_until),
  };
}

function unitOf(row: UnitRow): UnitRow {
  return {
    ...row,
    seq: Number(row.seq),
    group_index: Number(row.group_index),
    started_at: row.started_at === null ? null : Number(row.started_at),
    finished_at: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** The runs and units tables; every change that must hold together is one transaction. */
export class OrchestrateStore {
  constructor(readonly db: Db) {}

  async create(run: RunRow, units: Omit<UnitRow, 'run_id'>[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('orchestrate_runs').values(run).execute();
      if (units.length > 0)
        await trx
          .insertInto('orchestrate_units')
          .values(units.map((unit) => ({ ...unit, run_id: run.id })))
          .execute();
    });
  }

  async get(team: string, kind: OrchestrateKind, id: string): Promise<RunRow | undefined> {
    const row = await this.db
      .selectFrom('orchestrate_runs')
      .selectAll()
      .where('id', '=', id)
      .where('team_name', '=', team)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row && runOf(row);
  }

  async byId(id: string): Promise<RunRow | undefined> {
    const row = await this.db.selectFrom('orchestrate_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && runOf(row);
  }

  async list(team: string, kind: OrchestrateKind, limit: number): Promise<RunRow[]> {
    const rows = await this.db
      .selectFrom('orchestrate_runs')
      .selectAll()
      .where('team_name', '=', team)
      .where('kind', '=', kind)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(runOf);
  }

  async units(runId: string): Promise<UnitRow[]> {
    const rows = await this.db
      .selectFrom('orchestrate_units')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute();
    return rows.map(unitOf);
  }

  async updateUnit(runId: string, seq: number, change: Partial<Omit<UnitRow, 'run_id' | 'seq'>>): Promise<void> {
    await this.db
      .updateTable('orchestrate_units')
      .set(change)
      .where('run_id', '=', runId)
      .where('seq', '=', seq)
      .execute();
  }

  /** End a running run; false when it was no longer running (a lead cancelled it meanwhile). */
  async finish(id: string, status: RunStatus, error: string | null, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('orchestrate_runs')
      .set({ status, error, completed_at: now, lease_until: 0 })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Cancel a running run and its units that never started, in one transaction. */
  async cancel(id: string, by: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('orchestrate_runs')
        .set({ status: 'cancelled', error: `cancelled by ${by}`, completed_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx
        .updateTable('orchestrate_units')
        .set({ status: 'cancelled' satisfies UnitStatus, finished_at: now, error: `cancelled by ${by}` })
        .where('run_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return true;
    });
  }

  /** Renew this node's hold on a run; false when the run is no longer running (cancelled). */
  async renew(id: string, until: number): Promise<boolean> {
    const result = await this.db
      .updateTable('orchestrate_runs')
      .set({ lease_until: until })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Running runs nobody holds (their node stopped or died). */
  async orphans(now: number): Promise<RunRow[]> {
    const rows = await this.db
      .selectFrom('orchestrate_runs')
      .selectAll()
      .where('status', '=', 'running')
      .where('lease_until', '<', now)
      .execute();
    return rows.map(runOf);
  }

  /** Take an orphan: only one node wins (the lease it saw is the condition). */
  async take(run: RunRow, until: number): Promise<boolean> {
    const result = await this.db
      .updateTable('orchestrate_runs')
      .set({ lease_until: until })
      .where('id', '=', run.id)
      .where('status', '=', 'running')
      .where('lease_until', '=', run.lease_until)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
