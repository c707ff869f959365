import { type Kysely, sql, type Transaction } from 'kysely';
import type { FleetEventMap } from '../../core/index.js';
import type { PriceTable } from './options.js';
import type { SessionStore } from './session-store.js';
import type { SessionRow } from './session-view.js';
import { type ModelSpend, type Reported, reportedOf, spendOf } from './spend.js';
import type { SessionsTables, SessionUsageHourlyTable, SessionUsageTable } from './tables.js';

export type UsageData = FleetEventMap['worker_usage'];

const HOUR = 3_600_000;
const ROWS_PER_INSERT = 200;

/** One result as the accounting recorded it (or found it recorded already). */
export interface RecordedResult {
  data: UsageData;
  /** The session's id (this plugin's). */
  sessionId: string;
  agentSessionId: string | null;
  /** The session record was made for this result (none was known: the plugin was off when it began). */
  sessionStarted: SessionRow | undefined;
  spends: ModelSpend[];
  taskId: string | null;
  at: number;
  /** The result was recorded before (read again after a server restart): nothing was added. */
  duplicate: boolean;
}

/** What the recorder keeps of a session between results: it alone writes `reported`. */
interface Known {
  id: string;
  agentSessionId: string | null;
  reported: Reported | null;
  model: string | null;
  taskId: string | null;
}

type Trx = Transaction<SessionsTables>;
type UsageRow = Omit<SessionUsageTable, 'id'>;

function parseReported(json: string | null): Reported | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as Reported;
  } catch {
    return null;
  }
}

/** A session's change from a batch of results: sums to add, the rest to set. */
interface SessionChange {
  teamName: string;
  results: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  costNanos: number | null;
  unpriced: number;
  contextTokens: number | null;
  known: Known;
}

/**
 * The accounting of results: each `worker_usage` becomes what the result spent by model (the
 * difference from what its session reported last), one row per model in session_usage, summed into
 * its hour (session_usage_hourly) and added to its session's totals. The results of a worker that
 * came together are recorded in one transaction. A result is named by its worker and log offset, so
 * one read again after a restart is not counted twice; and as the differences are taken from the
 * figures the session reported last, a session's totals are always what its agent reports, however
 * many results were missed (the plugin off, a server down). What it knows of each session and the
 * last offset of each worker are kept in memory, so a result costs a few statements.
 */
export class UsageRecorder {
  /** By team/handle/workerCreatedAt/agent session id. */
  readonly #sessions = new Map<string, Known>();
  /** The last offset recorded of each worker (team/handle/workerCreatedAt), this process. */
  readonly #lastOffset = new Map<string, number>();

  constructor(
    private readonly store: SessionStore,
    private readonly prices: () => PriceTable,
  ) {}

  /**
   * Record results of one team, in order; `taskId` of each is the task its worker held (asked before:
   * no other plugin is called inside the transaction).
   */
  async record(teamName: string, items: { data: UsageData; taskId: string | null }[]): Promise<RecordedResult[]> {
    const learned = new Map<string, Known>();
    const offsets = new Map<string, number>();
    const recorded = await this.store.db.transaction().execute(async (trx) => {
      const out: RecordedResult[] = [];
      const rows: UsageRow[] = [];
      const changes = new Map<string, SessionChange>();
      for (const { data, taskId } of items) {
        const workerKey = `${teamName}/${data.handle}/${data.workerCreatedAt}`;
        const found = await this.#session(trx, teamName, data, taskId, learned);
        const { known } = found;
        const at = Date.now();
        const lastOffset = offsets.get(workerKey) ?? this.#lastOffset.get(workerKey);
        if (await this.#recordedBefore(trx, teamName, data, lastOffset)) {
          out.push({ ...this.#result(data, known, found.started, [], known.taskId, at), duplicate: true });
          continue;
        }
        offsets.set(workerKey, data.offset);
        const spends = spendOf(known.reported, data, data.model ?? known.model ?? 'unknown', this.prices());
        const taskOfResult = taskId ?? known.taskId;
        spends.forEach((spend, index) =>
          rows.push({
            team_name: teamName,
            handle: data.handle,
            worker_created_at: data.workerCreatedAt,
            offset: data.offset,
            model: spend.model,
            session_id: known.id,
            task_id: taskOfResult,
            at,
            result: index === 0 ? 1 : 0,
            input_tokens: spend.tokens.input,
            output_tokens: spend.tokens.output,
            cache_read_tokens: spend.tokens.cacheRead,
            cache_write_tokens: spend.tokens.cacheWrite,
            cost_nanos: spend.costNanos,
            cost_source: spend.costSource,
          }),
        );
        const change = changes.get(known.id) ?? {
          teamName,
          results: 0,
          input: 0,
          output: 0,
          cacheRead: 0,
          cacheWrite: 0,
          costNanos: null,
          unpriced: 0,
          contextTokens: null,
          known,
        };
        change.results += 1;
        for (const spend of spends) {
          change.input += spend.tokens.input;
          change.output += spend.tokens.output;
          change.cacheRead += spend.tokens.cacheRead;
          change.cacheWrite += spend.tokens.cacheWrite;
          if (spend.costNanos !== null) change.costNanos = (change.costNanos ?? 0) + spend.costNanos;
        }
        if (spends.some((spend) => spend.costNanos === null)) change.unpriced += 1;
        change.contextTokens = data.contextTokens ?? change.contextTokens;
        changes.set(known.id, change);
        known.reported = reportedOf(data, known.reported);
        known.model ??= data.model;
        known.taskId ??= taskId;
        out.push({ ...this.#result(data, known, found.started, spends, taskOfResult, at), duplicate: false });
      }
      for (let at = 0; at < rows.length; at += ROWS_PER_INSERT)
        await trx
          .insertInto('session_usage')
          .values(rows.slice(at, at + ROWS_PER_INSERT))
          .execute();
      await addToHours(trx, rows);
      for (const change of changes.values()) await this.#updateSession(trx, change);
      return out;
    });
    // Only what was committed is remembered.
    for (const [key, known] of learned) this.#sessions.set(key, known);
    for (const [key, offset] of offsets) this.#lastOffset.set(key, offset);
    return recorded;
  }

  /** Forget what is kept of sessions (their records changed elsewhere: a new plugin instance re-reads). */
  forget(): void {
    this.#sessions.clear();
  }

  #result(
    data: UsageData,
    known: Known,
    started: SessionRow | undefined,
    spends: ModelSpend[],
    taskId: string | null,
    at: number,
  ) {
    return {
      data,
      sessionId: known.id,
      agentSessionId: known.agentSessionId,
      sessionStarted: started,
      spends,
      taskId,
      at,
    };
  }

  /** The result's session: known, or read, or (the plugin was off when it began) recorded now. */
  async #session(
    trx: Trx,
    teamName: string,
    data: UsageData,
    taskId: string | null,
    learned: Map<string, Known>,
  ): Promise<{ known: Known; started: SessionRow | undefined }> {
    const key = `${teamName}/${data.handle}/${data.workerCreatedAt}/${data.sessionId}`;
    const cached = learned.get(key) ?? this.#sessions.get(key);
    if (cached) {
      // A copy per transaction: a failed one must not leave its figures behind.
      if (!learned.has(key)) learned.set(key, { ...cached });
      return { known: learned.get(key)!, started: undefined };
    }
    const worker = { teamName, handle: data.handle, workerCreatedAt: data.workerCreatedAt };
    let row = data.sessionId ? await this.store.ofAgentSession(worker, data.sessionId, trx) : undefined;
    if (!row && !data.sessionId) row = (await this.store.listOpen(teamName, data.handle, trx)).at(-1);
    let started: SessionRow | undefined;
    if (!row) {
      row = await this.store.insert({ ...worker, agentSessionId: data.sessionId, taskId, model: data.model }, trx);
      started = row;
    }
    const known: Known = {
      id: row.id,
      agentSessionId: row.agent_session_id,
      reported: parseReported(row.reported),
      model: row.model,
      taskId: row.task_id,
    };
    learned.set(key, known);
    return { known, started };
  }

  /**
   * Whether this result was recorded already: only asked of the database when the offset is not past
   * the last one this process recorded for the worker (after a start, or a result read again).
   */
  async #recordedBefore(trx: Trx, teamName: string, data: UsageData, lastOffset: number | undefined): Promise<boolean> {
    if (lastOffset !== undefined && data.offset > lastOffset) return false;
    const seen = await trx
      .selectFrom('session_usage')
      .select('id')
      .where('team_name', '=', teamName)
      .where('handle', '=', data.handle)
      .where('worker_created_at', '=', data.workerCreatedAt)
      .where('offset', '=', data.offset)
      .limit(1)
      .executeTakeFirst();
    return seen !== undefined;
  }

  /** Add a batch's sums to its session (increments: other writers touch other columns of the row). */
  async #updateSession(trx: Trx, change: SessionChange): Promise<void> {
    const { known } = change;
    await trx
      .updateTable('sessions')
      .set((eb) => ({
        results: eb('results', '+', change.results),
        input_tokens: eb('input_tokens', '+', change.input),
        output_tokens: eb('output_tokens', '+', change.output),
        cache_read_tokens: eb('cache_read_tokens', '+', change.cacheRead),
        cache_write_tokens: eb('cache_write_tokens', '+', change.cacheWrite),
        ...(change.costNanos === null
          ? {}
          : { cost_nanos: sql<number>`coalesce(cost_nanos, 0) + ${change.costNanos}` }),
        unpriced_results: eb('unpriced_results', '+', change.unpriced),
        ...(change.contextTokens === null ? {} : { context_tokens: change.contextTokens }),
        reported: JSON.stringify(known.reported),
        model: sql<string | null>`coalesce(model, ${known.model})`,
        task_id: sql<string | null>`coalesce(task_id, ${known.taskId})`,
        updated_at: Date.now(),
      }))
      .where('team_name', '=', change.teamName)
      .where('id', '=', known.id)
      .execute();
  }
}

/** The batch's rows summed into their hours: one upsert per hour, worker, session, task and model. */
async function addToHours(trx: Kysely<SessionsTables> | Trx, rows: readonly UsageRow[]): Promise<void> {
  const sums = new Map<string, SessionUsageHourlyTable>();
  for (const row of rows) {
    const hour = Math.floor(Number(row.at) / HOUR) * HOUR;
    const taskId = row.task_id ?? '';
    const key = JSON.stringify([row.team_name, hour, row.handle, row.session_id, taskId, row.model]);
    const sum = sums.get(key) ?? {
      team_name: row.team_name,
      hour,
      handle: row.handle,
      session_id: row.session_id,
      task_id: taskId,
      model: row.model,
      results: 0,
      rows: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_nanos: 0,
      priced_rows: 0,
    };
    sum.results += row.result;
    sum.rows += 1;
    sum.input_tokens += row.input_tokens;
    sum.output_tokens += row.output_tokens;
    sum.cache_read_tokens += row.cache_read_tokens;
    sum.cache_write_tokens += row.cache_write_tokens;
    sum.cost_nanos += row.cost_nanos ?? 0;
    sum.priced_rows += row.cost_nanos === null ? 0 : 1;
    sums.set(key, sum);
  }
  for (const sum of sums.values()) {
    await trx
      .insertInto('session_usage_hourly')
      .values(sum)
      .onConflict((oc) =>
        oc.columns(['team_name', 'hour', 'handle', 'session_id', 'task_id', 'model']).doUpdateSet((eb) => {
          const plus = (column: Exclude<keyof SessionUsageHourlyTable, 'hour'>) =>
            eb(
              `session_usage_hourly.${column}` as 'session_usage_hourly.results',
              '+',
              eb.ref(`excluded.${column}` as 'excluded.results'),
            );
          return {
            results: plus('results'),
            rows: plus('rows'),
            input_tokens: plus('input_tokens'),
            output_tokens: plus('output_tokens'),
            cache_read_tokens: plus('cache_read_tokens'),
            cache_write_tokens: plus('cache_write_tokens'),
            cost_nanos: plus('cost_nanos'),
            priced_rows: plus('priced_rows'),
          };
        }),
      )
      .execute();
  }
}
