import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Budget, BudgetScope } from './budget.js';
import type { Period } from './windows.js';
import type { BudgetsTable, BudgetsTables, Unit } from './tables.js';

function budgetOf(row: BudgetsTable): Budget {
  const scope: BudgetScope = { kind: row.scope_kind, id: row.scope_id };
  return {
    id: row.id,
    teamName: row.team_name,
    scope,
    unit: row.unit,
    limit: Number(row.limit_value),
    period: row.period,
    throttleAt: row.throttle_at === null ? null : Number(row.throttle_at),
    createdBy: row.created_by,
    source: 'api',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export interface BudgetChange {
  limit?: number;
  period?: Period;
  throttleAt?: number | null;
}

/** API budgets, the windows' extensions and exceedances, and the workers each budget paused. */
export class BudgetStore {
  constructor(readonly db: Kysely<BudgetsTables>) {}

  async list(): Promise<Budget[]> {
    return (await this.db.selectFrom('budgets').selectAll().orderBy('created_at').execute()).map(budgetOf);
  }

  async insert(input: {
    teamName: string;
    scope: Required<BudgetScope>;
    unit: Unit;
    limit: number;
    period: Period;
    throttleAt: number | null;
    createdBy: string;
  }): Promise<Budget> {
    const now = Date.now();
    const row: BudgetsTable = {
      id: `b-${randomUUID()}`,
      team_name: input.teamName,
      scope_kind: input.scope.kind,
      scope_id: input.scope.id,
      unit: input.unit,
      limit_value: input.limit,
      period: input.period,
      throttle_at: input.throttleAt,
      created_by: input.createdBy,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('budgets').values(row).execute();
    return budgetOf(row);
  }

  async update(id: string, change: BudgetChange): Promise<void> {
    await this.db
      .updateTable('budgets')
      .set({
        ...(change.limit === undefined ? {} : { limit_value: change.limit }),
        ...(change.period === undefined ? {} : { period: change.period }),
        ...(change.throttleAt === undefined ? {} : { throttle_at: change.throttleAt }),
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('budgets').where('id', '=', id).execute();
      await trx.deleteFrom('budget_windows').where('budget_id', '=', id).execute();
    });
  }

  async window(id: string, start: number): Promise<{ extension: number; exceededAt: number | null }> {
    const row = await this.db
      .selectFrom('budget_windows')
      .selectAll()
      .where('budget_id', '=', id)
      .where('window_start', '=', start)
      .executeTakeFirst();
    return {
      extension: row ? Number(row.extension) : 0,
      exceededAt: row?.exceeded_at === null || row === undefined ? null : Number(row.exceeded_at),
    };
  }

  /** Mark a window exceeded; true only for the call that marked it (budget_exceeded once per window). */
  async markExceeded(id: string, start: number): Promise<boolean> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('budget_windows')
        .select('exceeded_at')
        .where('budget_id', '=', id)
        .where('window_start', '=', start)
        .executeTakeFirst();
      if (row && row.exceeded_at !== null) return false;
      if (row)
        await trx
          .updateTable('budget_windows')
          .set({ exceeded_at: now })
          .where('budget_id', '=', id)
          .where('window_start', '=', start)
          .execute();
      else
        await trx
          .insertInto('budget_windows')
          .values({ budget_id: id, window_start: start, extension: 0, exceeded_at: now })
          .execute();
      return true;
    });
  }

  async extend(id: string, start: number, amount: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('budget_windows')
        .select('extension')
        .where('budget_id', '=', id)
        .where('window_start', '=', start)
        .executeTakeFirst();
      const extension = (row ? Number(row.extension) : 0) + amount;
      if (row)
        await trx
          .updateTable('budget_windows')
          .set({ extension })
          .where('budget_id', '=', id)
          .where('window_start', '=', start)
          .execute();
      else
        await trx
          .insertInto('budget_windows')
          .values({ budget_id: id, window_start: start, extension, exceeded_at: null })
          .execute();
      return extension;
    });
  }

  async pauses(): Promise<{ budgetId: string; teamName: string; handle: string }[]> {
    const rows = await this.db.selectFrom('budget_pauses').selectAll().execute();
    return rows.map((row) => ({ budgetId: row.budget_id, teamName: row.team_name, handle: row.handle }));
  }

  async addPause(budgetId: string, teamName: string, handle: string): Promise<void> {
    await this.db
      .insertInto('budget_pauses')
      .values({ budget_id: budgetId, team_name: teamName, handle, paused_at: Date.now() })
      .onConflict((oc) => oc.columns(['budget_id', 'team_name', 'handle']).doNothing())
      .execute();
  }

  async removePause(budgetId: string, teamName: string, handle: string): Promise<void> {
    await this.db
      .deleteFrom('budget_pauses')
      .where('budget_id', '=', budgetId)
      .where('team_name', '=', teamName)
      .where('handle', '=', handle)
      .execute();
  }
}
