import { type Kysely, sql } from 'kysely';
import { fromNanos } from './spend.js';
import type { SessionsTables } from './tables.js';

export const COST_GROUPS = ['task', 'worker', 'session', 'team', 'model'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

const COLUMN: Record<CostGroup, string> = {
  task: 'task_id',
  worker: 'handle',
  session: 'session_id',
  team: 'team_name',
  model: 'model',
};

export interface CostQuery {
  by: CostGroup;
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

export interface CostSums {
  results: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  /** Sum of the known costs; null when none is known (never a made-up 0). */
  costUsd: number | null;
  /** Results (by model: result-model rows) whose cost is unknown: the cost above leaves them out. */
  unpricedResults: number;
}

type Row = {
  key: string;
  results: number | string;
  rows: number | string;
  input: number | string;
  output: number | string;
  cache_read: number | string;
  cache_write: number | string;
  cost: number | string;
  priced: number | string;
};

const HOUR = 3_600_000;

interface Acc {
  results: number;
  rows: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
  priced: number;
}

function sums(acc: Acc, byModel: boolean): CostSums {
  const totalTokens = acc.input + acc.output + acc.cacheRead + acc.cacheWrite;
  return {
    // By model, every row is a result's spend on that model; otherwise a result counts once.
    results: byModel ? acc.rows : acc.results,
    inputTokens: acc.input,
    outputTokens: acc.output,
    cacheReadTokens: acc.cacheRead,
    cacheWriteTokens: acc.cacheWrite,
    totalTokens,
    costUsd: acc.priced === 0 ? null : fromNanos(acc.cost),
    unpricedResults: acc.rows - acc.priced,
  };
}

function add(acc: Acc | undefined, row: Row): Acc {
  const into = acc ?? { results: 0, rows: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, priced: 0 };
  into.results += Number(row.results);
  into.rows += Number(row.rows);
  into.input += Number(row.input);
  into.output += Number(row.output);
  into.cacheRead += Number(row.cache_read);
  into.cacheWrite += Number(row.cache_write);
  into.cost += Number(row.cost);
  into.priced += Number(row.priced);
  return into;
}

/**
 * Tokens and cost of a team's results over a time range, grouped by task, worker, session, team or
 * model. Whole hours of the range are read from session_usage_hourly, the hours it cuts at either
 * end from session_usage itself, so the answer is exact to the millisecond and reads a few thousand
 * rows however many results there are. All groups are summed for the total, the largest first (by
 * cost, then tokens), then paged.
 */
export async function costReport(db: Kysely<SessionsTables>, teamName: string, query: CostQuery) {
  const column = sql.ref(COLUMN[query.by]);
  // The raw rows name no task with NULL, the hourly sums with '': one key for both.
  const key = query.by === 'task' ? sql`coalesce(task_id, '')` : column;
  const { since, until } = query;
  const fullStart = since === undefined ? undefined : Math.ceil(since / HOUR) * HOUR;
  const fullEnd = until === undefined ? undefined : Math.floor(until / HOUR) * HOUR;
  const noWholeHour = fullStart !== undefined && fullEnd !== undefined && fullStart >= fullEnd;
  const parts: Promise<{ rows: Row[] }>[] = [];
  if (!noWholeHour) {
    const from = fullStart === undefined ? sql`` : sql` and hour >= ${fullStart}`;
    const to = fullEnd === undefined ? sql`` : sql` and hour < ${fullEnd}`;
    parts.push(
      sql<Row>`
        select ${column} as key, sum(results) as results, sum(rows) as rows,
          sum(input_tokens) as input, sum(output_tokens) as output,
          sum(cache_read_tokens) as cache_read, sum(cache_write_tokens) as cache_write,
          sum(cost_nanos) as cost, sum(priced_rows) as priced
        from session_usage_hourly
        where team_name = ${teamName}${from}${to}
        group by ${column}`.execute(db),
    );
  }
  // The edges: since up to its next whole hour, and the last whole hour up to until (or all of it).
  const edges = noWholeHour
    ? [sql`(at >= ${since!} and at < ${until!})`]
    : [
        ...(since !== undefined && since < fullStart! ? [sql`(at >= ${since} and at < ${fullStart!})`] : []),
        ...(until !== undefined && fullEnd! < until ? [sql`(at >= ${fullEnd!} and at < ${until})`] : []),
      ];
  // One query per edge: each a range of the (team_name, at) index (an OR of two ranges scans the team).
  for (const edge of edges) {
    parts.push(
      sql<Row>`
        select ${key} as key, sum(result) as results, count(*) as rows,
          sum(input_tokens) as input, sum(output_tokens) as output,
          sum(cache_read_tokens) as cache_read, sum(cache_write_tokens) as cache_write,
          coalesce(sum(cost_nanos), 0) as cost, count(cost_nanos) as priced
        from session_usage
        where team_name = ${teamName} and ${edge}
        group by ${key}`.execute(db),
    );
  }
  const byKey = new Map<string, Acc>();
  for (const part of await Promise.all(parts))
    for (const row of part.rows) byKey.set(row.key, add(byKey.get(row.key), row));
  const byModel = query.by === 'model';
  const groups = [...byKey].map(([group, acc]) => ({
    key: query.by === 'task' && group === '' ? null : group,
    ...sums(acc, byModel),
  }));
  const all = [...byKey.values()].reduce<Acc | undefined>(
    (total, acc) =>
      add(total, {
        key: '',
        results: acc.results,
        rows: acc.rows,
        input: acc.input,
        output: acc.output,
        cache_read: acc.cacheRead,
        cache_write: acc.cacheWrite,
        cost: acc.cost,
        priced: acc.priced,
      }),
    undefined,
  );
  const total = sums(
    all ?? { results: 0, rows: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, priced: 0 },
    byModel,
  );
  groups.sort((a, b) => (b.costUsd ?? -1) - (a.costUsd ?? -1) || b.totalTokens - a.totalTokens);
  return {
    by: query.by,
    since: since === undefined ? null : new Date(since).toISOString(),
    until: until === undefined ? null : new Date(until).toISOString(),
    groups: groups.slice(query.offset, query.offset + query.limit),
    groupCount: groups.length,
    total,
  };
}
