import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { TokenCounts } from '../workers/index.js';
import type { PriceTable } from './options.js';
import { priced, priceOf } from './spend.js';
import type { SessionsTables } from './tables.js';

/** Whose spend: a team's (or, without one, every team's), narrowed to a worker or a task, from `since`. */
export interface SpentFilter {
  teamName?: string;
  handle?: string;
  taskId?: string;
  /** ms since the epoch (inclusive). */
  since: number;
  /** ms since the epoch (exclusive); default: now and on. */
  until?: number;
}

/** What was recorded: results, tokens by kind, the known cost, and how many rows' cost is unknown. */
export interface SpentSums {
  results: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** input + output + cache read + cache write. */
  tokens: number;
  /** The sum of the known costs, in nano-dollars (exact). */
  costNanos: number;
  /** Result-model rows whose cost is unknown (no reported cost, no price): costNanos leaves them out. */
  unpricedRows: number;
}

type Row = Record<'results' | 'rows' | 'input' | 'output' | 'cache_read' | 'cache_write' | 'cost' | 'priced', unknown>;

const HOUR = 3_600_000;

const EMPTY = (): SpentSums => ({
  results: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  tokens: 0,
  costNanos: 0,
  unpricedRows: 0,
});

function addRow(into: SpentSums, row: Row | undefined): void {
  if (!row) return;
  const n = (value: unknown) => Number(value ?? 0);
  into.results += n(row.results);
  into.inputTokens += n(row.input);
  into.outputTokens += n(row.output);
  into.cacheReadTokens += n(row.cache_read);
  into.cacheWriteTokens += n(row.cache_write);
  into.costNanos += n(row.cost);
  into.unpricedRows += n(row.rows) - n(row.priced);
}

/**
 * Sums of the accounting for one filter. Whole hours come from session_usage_hourly (its key starts
 * with the team and the hour), the part of an hour at either edge from session_usage's (team, at)
 * index; a window that starts on the hour (a budget's day, week or all time) reads the hourly sums
 * only. Without a team, the edges are read per team (so each is still an index range).
 */
export async function spentSince(db: Kysely<SessionsTables>, filter: SpentFilter): Promise<SpentSums> {
  const { since, until } = filter;
  const fullStart = Math.ceil(since / HOUR) * HOUR;
  const fullEnd = until === undefined ? undefined : Math.floor(until / HOUR) * HOUR;
  const sums = EMPTY();
  // The hourly sums name no task with '', the raw rows with NULL: a task id matches either the same way.
  const narrow = (teamName: string | undefined) => [
    ...(teamName === undefined ? [] : [sql`team_name = ${teamName}`]),
    ...(filter.handle === undefined ? [] : [sql`handle = ${filter.handle}`]),
    ...(filter.taskId === undefined ? [] : [sql`task_id = ${filter.taskId}`]),
  ];
  const where = (parts: RawBuilder<unknown>[]) => (parts.length === 0 ? sql`1 = 1` : sql.join(parts, sql` and `));
  if (fullEnd === undefined || fullStart < fullEnd) {
    const range = [sql`hour >= ${fullStart}`, ...(fullEnd === undefined ? [] : [sql`hour < ${fullEnd}`])];
    const { rows } = await sql<Row>`
      select sum(results) as results, sum(rows) as rows, sum(input_tokens) as input, sum(output_tokens) as output,
        sum(cache_read_tokens) as cache_read, sum(cache_write_tokens) as cache_write,
        sum(cost_nanos) as cost, sum(priced_rows) as priced
      from session_usage_hourly where ${where([...narrow(filter.teamName), ...range])}`.execute(db);
    addRow(sums, rows[0]);
  }
  const edges: [number, number][] = [];
  if (fullEnd !== undefined && fullStart >= fullEnd) edges.push([since, until!]);
  else {
    if (since < fullStart) edges.push([since, fullStart]);
    if (until !== undefined && fullEnd! < until) edges.push([fullEnd!, until]);
  }
  if (edges.length > 0) {
    const teams =
      filter.teamName !== undefined
        ? [filter.teamName]
        : (await sql<{ team_name: string }>`select distinct team_name from session_usage_hourly`.execute(db)).rows.map(
            (row) => row.team_name,
          );
    for (const team of teams)
      for (const [from, to] of edges) {
        const { rows } = await sql<Row>`
          select sum(result) as results, count(*) as rows, sum(input_tokens) as input, sum(output_tokens) as output,
            sum(cache_read_tokens) as cache_read, sum(cache_write_tokens) as cache_write,
            coalesce(sum(cost_nanos), 0) as cost, count(cost_nanos) as priced
          from session_usage
          where ${where(narrow(team))} and at >= ${from} and at < ${to}`.execute(db);
        addRow(sums, rows[0]);
      }
  }
  sums.tokens = sums.inputTokens + sums.outputTokens + sums.cacheReadTokens + sums.cacheWriteTokens;
  return sums;
}

/** Tokens of a model priced by the plugin's price table, in nano-dollars; null when the model has no price. */
export function priceTokens(prices: PriceTable, model: string, tokens: TokenCounts): number | null {
  const price = priceOf(prices, model);
  return price ? priced(price, tokens) : null;
}
