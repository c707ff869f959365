import type { FleetEventMap } from '../../core/index.js';
import type { PriceTable } from './options.js';
import type { SessionStore } from './session-store.js';
import type { SessionRow } from './session-view.js';
import { type ModelSpend, type Reported, reportedOf, spendOf } from './spend.js';

export type UsageData = FleetEventMap['worker_usage'];

const HOUR = 3_600_000;

/** One result as the accounting recorded it (or found it recorded already). */
export interface RecordedResult {
  session: SessionRow;
  /** The session record was made for this result (none was known: the plugin was off when it began). */
  sessionStarted: boolean;
  spends: ModelSpend[];
  taskId: string | null;
  at: number;
  /** The result was recorded before (read again after a server restart): nothing was added. */
  duplicate: boolean;
}

function parseReported(json: string | null): Reported | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as Reported;
  } catch {
    return null;
  }
}

/**
 * The accounting of results: each `worker_usage` becomes what the result spent by model (the
 * difference from what its session reported last), one row per model in session_usage, added to its
 * session's totals, in one transaction. A result is named by its worker and log offset, so one read
 * again after a restart is not counted twice; and as the differences are taken from the figures the
 * session reported last, a session's totals are always what its agent reports, however many results
 * were missed (the plugin off, a server down).
 */
export class UsageRecorder {
  constructor(
    private readonly store: SessionStore,
    private readonly prices: () => PriceTable,
  ) {}

  /** `taskId` is the task the worker holds now (asked before: no other plugin is called inside the transaction). */
  async record(teamName: string, data: UsageData, taskId: string | null): Promise<RecordedResult> {
    const worker = { teamName, handle: data.handle, workerCreatedAt: data.workerCreatedAt };
    return this.store.db.transaction().execute(async (trx) => {
      let session = data.sessionId ? await this.store.ofAgentSession(worker, data.sessionId, trx) : undefined;
      if (!session && !data.sessionId) session = (await this.store.listOpen(teamName, data.handle, trx)).at(-1);
      let sessionStarted = false;
      if (!session) {
        session = await this.store.insert(
          { ...worker, agentSessionId: data.sessionId, taskId, model: data.model },
          trx,
        );
        sessionStarted = true;
      }
      // Read again (a server that died before saving its log offset): recorded already, nothing to add.
      const seen = await trx
        .selectFrom('session_usage')
        .select('id')
        .where('team_name', '=', teamName)
        .where('handle', '=', data.handle)
        .where('worker_created_at', '=', data.workerCreatedAt)
        .where('offset', '=', data.offset)
        .limit(1)
        .executeTakeFirst();
      if (seen)
        return { session, sessionStarted, spends: [], taskId: session.task_id, at: Date.now(), duplicate: true };
      const previous = parseReported(session.reported);
      const spends = spendOf(previous, data, data.model ?? session.model ?? 'unknown', this.prices());
      const at = Date.now();
      const taskOfResult = taskId ?? session.task_id;
      const rows = spends.map((spend, index) => ({
        team_name: teamName,
        handle: data.handle,
        worker_created_at: data.workerCreatedAt,
        offset: data.offset,
        model: spend.model,
        session_id: session.id,
        task_id: taskOfResult,
        at,
        result: index === 0 ? 1 : 0,
        input_tokens: spend.tokens.input,
        output_tokens: spend.tokens.output,
        cache_read_tokens: spend.tokens.cacheRead,
        cache_write_tokens: spend.tokens.cacheWrite,
        cost_nanos: spend.costNanos,
        cost_source: spend.costSource,
      }));
      await trx.insertInto('session_usage').values(rows).execute();
      // The same, summed into its hour (what GET /costs reads).
      const hour = Math.floor(at / HOUR) * HOUR;
      for (const row of rows) {
        await trx
          .insertInto('session_usage_hourly')
          .values({
            team_name: teamName,
            hour,
            handle: data.handle,
            session_id: session.id,
            task_id: row.task_id ?? '',
            model: row.model,
            results: row.result,
            rows: 1,
            input_tokens: row.input_tokens,
            output_tokens: row.output_tokens,
            cache_read_tokens: row.cache_read_tokens,
            cache_write_tokens: row.cache_write_tokens,
            cost_nanos: row.cost_nanos ?? 0,
            priced_rows: row.cost_nanos === null ? 0 : 1,
          })
          .onConflict((oc) =>
            oc.columns(['team_name', 'hour', 'handle', 'session_id', 'task_id', 'model']).doUpdateSet((eb) => ({
              results: eb('session_usage_hourly.results', '+', eb.ref('excluded.results')),
              rows: eb('session_usage_hourly.rows', '+', eb.ref('excluded.rows')),
              input_tokens: eb('session_usage_hourly.input_tokens', '+', eb.ref('excluded.input_tokens')),
              output_tokens: eb('session_usage_hourly.output_tokens', '+', eb.ref('excluded.output_tokens')),
              cache_read_tokens: eb(
                'session_usage_hourly.cache_read_tokens',
                '+',
                eb.ref('excluded.cache_read_tokens'),
              ),
              cache_write_tokens: eb(
                'session_usage_hourly.cache_write_tokens',
                '+',
                eb.ref('excluded.cache_write_tokens'),
              ),
              cost_nanos: eb('session_usage_hourly.cost_nanos', '+', eb.ref('excluded.cost_nanos')),
              priced_rows: eb('session_usage_hourly.priced_rows', '+', eb.ref('excluded.priced_rows')),
            })),
          )
          .execute();
      }
      const sum = (pick: (spend: ModelSpend) => number) => spends.reduce((total, spend) => total + pick(spend), 0);
      const known = spends.filter((spend) => spend.costNanos !== null);
      const costNanos =
        known.length === 0 ? session.cost_nanos : Number(session.cost_nanos ?? 0) + sum((s) => s.costNanos ?? 0);
      const change: Partial<SessionRow> = {
        results: Number(session.results) + 1,
        input_tokens: Number(session.input_tokens) + sum((s) => s.tokens.input),
        output_tokens: Number(session.output_tokens) + sum((s) => s.tokens.output),
        cache_read_tokens: Number(session.cache_read_tokens) + sum((s) => s.tokens.cacheRead),
        cache_write_tokens: Number(session.cache_write_tokens) + sum((s) => s.tokens.cacheWrite),
        cost_nanos: costNanos === null ? null : Number(costNanos),
        unpriced_results: Number(session.unpriced_results) + (known.length < spends.length ? 1 : 0),
        context_tokens: data.contextTokens ?? session.context_tokens,
        reported: JSON.stringify(reportedOf(data, previous)),
        model: session.model ?? data.model,
        task_id: session.task_id ?? taskId,
      };
      await this.store.update(teamName, session.id, change, trx);
      return { session: { ...session, ...change }, sessionStarted, spends, taskId: taskOfResult, at, duplicate: false };
    });
  }
}
