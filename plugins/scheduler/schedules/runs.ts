import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Outcome } from './action.js';
import type { ScheduleRunsTable, ScheduleTables } from './tables.js';
import { type Dispatch, type RunView, runView } from './views.js';

/** The outcome of a run from its dispatches: the worst one says it (a failure is never hidden by a success). */
export function runOutcome(dispatches: readonly Dispatch[]): { outcome: Outcome; reason?: string } {
  const order: Outcome[] = ['failed', 'refused', 'queued', 'skipped', 'delivered'];
  for (const outcome of order) {
    const hit = dispatches.filter((dispatch) => dispatch.outcome === outcome);
    if (hit.length === 0) continue;
    const reasons = hit.map((dispatch) => dispatch.reason).filter((reason) => reason !== undefined);
    return { outcome, ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}) };
  }
  return { outcome: 'skipped', reason: 'nothing to dispatch' };
}

export const newRunId = () => randomUUID();

export interface RunQuery {
  schedule?: string;
  outcome?: Outcome;
  limit: number;
}

/** Reading runs for the API. */
export class RunStore {
  constructor(private readonly db: Kysely<ScheduleTables>) {}

  async get(id: string): Promise<Selectable<ScheduleRunsTable> | undefined> {
    return this.db.selectFrom('schedule_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(team: string, query: RunQuery): Promise<RunView[]> {
    let select = this.db.selectFrom('schedule_runs').selectAll().where('team_name', '=', team);
    if (query.schedule !== undefined) select = select.where('schedule_id', '=', query.schedule);
    if (query.outcome !== undefined) select = select.where('outcome', '=', query.outcome);
    const rows = await select.orderBy('slot', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(runView);
  }

  async countActive(team: string | undefined): Promise<number> {
    let query = this.db
      .selectFrom('schedule_runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['waiting', 'dispatching', 'active']);
    if (team !== undefined) query = query.where('team_name', '=', team);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}
