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

interface Sums {
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
  key: string | null;
  results: number | string;
  input: number | string;
  output: number | string;
  cache_read: number | string;
  cache_write: number | string;
  cost: number | string | null;
  unpriced: number | string;
};

function sums(row: Omit<Row, 'key'>): Sums {
  const inputTokens = Number(row.input);
  const outputTokens = Number(row.output);
  const cacheReadTokens = Number(row.cache_read);
  const cacheWriteTokens = Number(row.cache_write);
  return {
    results: Number(row.results),
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    totalTokens: inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens,
    costUsd: row.cost === null ? null : fromNanos(Number(row.cost)),
    unpricedResults: Number(row.unpriced),
  };
}

/**
 * Tokens and cost of a team's results over a time range, grouped by task, worker, session, team or
 * model: one GROUP BY over session_usage on its (team_name, at) index, all groups summed for the
 * total, the largest first (by cost, then tokens) and paged.
 */
export async function costReport(db: Kysely<SessionsTables>, teamName: string, query: CostQuery) {
  const column = sql.ref(COLUMN[query.by]);
  // By model, every row is a result's spend on that model; otherwise a result counts once.
  const results = query.by === 'model' ? sql`count(*)` : sql`sum(result)`;
  const since = query.since === undefined ? sql`` : sql` and at >= ${query.since}`;
  const until = query.until === undefined ? sql`` : sql` and at < ${query.until}`;
  const { rows } = await sql<Row>`
    select ${column} as key, ${results} as results,
      sum(input_tokens) as input, sum(output_tokens) as output,
      sum(cache_read_tokens) as cache_read, sum(cache_write_tokens) as cache_write,
      sum(cost_nanos) as cost,
      sum(case when cost_nanos is null then 1 else 0 end) as unpriced
    from session_usage
    where team_name = ${teamName}${since}${until}
    group by ${column}`.execute(db);
  const groups = rows.map((row) => ({ key: row.key, ...sums(row) }));
  const total = sums({
    results: groups.reduce((n, g) => n + g.results, 0),
    input: groups.reduce((n, g) => n + g.inputTokens, 0),
    output: groups.reduce((n, g) => n + g.outputTokens, 0),
    cache_read: groups.reduce((n, g) => n + g.cacheReadTokens, 0),
    cache_write: groups.reduce((n, g) => n + g.cacheWriteTokens, 0),
    cost: rows.some((row) => row.cost !== null) ? rows.reduce((n, row) => n + Number(row.cost ?? 0), 0) : null,
    unpriced: groups.reduce((n, g) => n + g.unpricedResults, 0),
  });
  groups.sort((a, b) => (b.costUsd ?? -1) - (a.costUsd ?? -1) || b.totalTokens - a.totalTokens);
  return {
    by: query.by,
    since: query.since === undefined ? null : new Date(query.since).toISOString(),
    until: query.until === undefined ? null : new Date(query.until).toISOString(),
    groups: groups.slice(query.offset, query.offset + query.limit),
    groupCount: groups.length,
    total,
  };
}
