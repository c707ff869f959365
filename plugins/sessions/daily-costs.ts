import { type Kysely, sql } from 'kysely';
import type { CostSums } from './costs.js';
import { fromNanos } from './spend.js';
import type { SessionsTables } from './tables.js';

const DAY = 86_400_000;

/** One UTC day of a team's spend (the dashboard's costs chart). */
export interface DayCost extends CostSums {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
}

type Row = {
  day: number | string;
  results: number | string;
  rows: number | string;
  input: number | string;
  output: number | string;
  cache_read: number | string;
  cache_write: number | string;
  cost: number | string;
  priced: number | string;
};

function dayCost(day: number, row: Row | undefined): DayCost {
  const n = (value: number | string | undefined) => Number(value ?? 0);
  const [input, output, cacheRead, cacheWrite] = [row?.input, row?.output, row?.cache_read, row?.cache_write].map(n);
  return {
    day: new Date(day * DAY).toISOString().slice(0, 10),
    results: n(row?.results),
    inputTokens: input!,
    outputTokens: output!,
    cacheReadTokens: cacheRead!,
    cacheWriteTokens: cacheWrite!,
    totalTokens: input! + output! + cacheRead! + cacheWrite!,
    costUsd: n(row?.priced) === 0 ? null : fromNanos(n(row?.cost)),
    unpricedResults: n(row?.rows) - n(row?.priced),
  };
}

/**
 * A team's tokens and cost per UTC day over the last `days` days (today included), oldest first, every
 * day present (a day without results is zeros, its cost null). Days are whole hours, so it reads only
 * session_usage_hourly (kept with every result): at most 24 rows per day, worker, session, task and model.
 */
export async function dailyCosts(db: Kysely<SessionsTables>, teamName: string, days: number, now = Date.now()) {
  const today = Math.floor(now / DAY);
  const first = today - days + 1;
  // A literal divisor: bound as a parameter, SQLite takes it as a real and divides without truncating.
  const perDay = sql.lit(DAY);
  const { rows } = await sql<Row>`
    select hour / ${perDay} as day, sum(results) as results, sum(rows) as rows,
      sum(input_tokens) as input, sum(output_tokens) as output,
      sum(cache_read_tokens) as cache_read, sum(cache_write_tokens) as cache_write,
      sum(cost_nanos) as cost, sum(priced_rows) as priced
    from session_usage_hourly
    where team_name = ${teamName} and hour >= ${first * DAY}
    group by hour / ${perDay}`.execute(db);
  const byDay = new Map(rows.map((row) => [Number(row.day), row]));
  const list: DayCost[] = [];
  for (let day = first; day <= today; day++) list.push(dayCost(day, byDay.get(day)));
  const known = list.filter((entry) => entry.costUsd !== null);
  const sum = (pick: (entry: DayCost) => number) => list.reduce((total, entry) => total + pick(entry), 0);
  return {
    since: new Date(first * DAY).toISOString(),
    days: list,
    total: {
      results: sum((e) => e.results),
      totalTokens: sum((e) => e.totalTokens),
      costUsd: known.length === 0 ? null : known.reduce((total, e) => total + e.costUsd!, 0),
      unpricedResults: sum((e) => e.unpricedResults),
    },
  };
}
