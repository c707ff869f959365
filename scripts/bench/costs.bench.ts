/**
 * Costs benchmark: `GET /costs` over 100,000 result events of one team (plus 20,000 of another), by
 * each grouping (task, worker, session, team, model), over all time and over the last 7 days, one
 * request at a time: p50 and p99 over BENCH_COSTS_REQUESTS requests each (default 200). The target
 * is under 50 ms p99. Results are written straight into session_usage (as the accounting writes
 * them: one row per result and model, one result in ten with a second model) and summed into hours
 * by the plugin's own statement, not replayed through the event path. Two shapes of data: results in
 * sessions as workers make them, and every result scattered (the worst case of the hourly sums). Run
 * with `npm run bench costs`; BENCH_COSTS_RESULTS changes the count, BENCH_COSTS_SHAPES the shapes
 * (sessions,scattered).
 */
import type { Kysely } from 'kysely';
import { sumIntoHours } from '../../plugins/sessions/migrations/0003-usage-hourly.js';
import { bootBenchFleet } from './lib/fleet.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const RESULTS = Math.max(1000, Number(process.env.BENCH_COSTS_RESULTS ?? 100_000));
const OTHER_TEAM_RESULTS = Math.round(RESULTS / 5);
const REQUESTS = Math.max(20, Number(process.env.BENCH_COSTS_REQUESTS ?? 200));
const TARGET_P99_MS = 50;
const DAY = 86_400_000;
const GROUPS = ['task', 'worker', 'session', 'team', 'model'] as const;
const MODELS = ['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5'];

type Shape = 'sessions' | 'scattered';

/**
 * `count` results of a team over the last 30 days, in time order. `sessions`: as workers make them,
 * each session 100 results in a row (1,000 sessions), of one worker (10) and one task (200; every
 * 7th session none), on one model, with a subagent's model on one result in ten. `scattered`: the
 * worst case for the hourly sums, every result of another session, task and worker than its
 * neighbours (as many sums as results).
 */
async function seed(db: Kysely<any>, teamName: string, count: number, now: number, shape: Shape): Promise<number> {
  const started = performance.now();
  const rows: Record<string, unknown>[] = [];
  const insert = async (trx: Kysely<any>) => {
    const chunk = rows.splice(0);
    if (chunk.length > 0) await trx.insertInto('session_usage').values(chunk).execute();
  };
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i++) {
      const session = shape === 'sessions' ? Math.floor(i / 100) : i % 1000;
      const task = shape === 'sessions' ? Math.floor(i / 500) : i % 200;
      const base = {
        team_name: teamName,
        handle: `w${session % 10}`,
        worker_created_at: 1,
        offset: i * 1000,
        session_id: `${teamName}-session-${session}`,
        task_id: session % 7 === 0 ? null : `task-${task}`,
        at: now - 30 * DAY + Math.floor((i / count) * 30 * DAY),
        cache_write_tokens: 0,
      };
      rows.push({
        ...base,
        model: MODELS[session % 2]!,
        result: 1,
        input_tokens: 1000 + (i % 500),
        output_tokens: 50 + (i % 40),
        cache_read_tokens: 20_000,
        cost_nanos: i % 50 === 0 ? null : 1_000_000 + (i % 997),
        cost_source: i % 50 === 0 ? null : 'reported',
      });
      if (i % 10 === 0) {
        rows.push({
          ...base,
          model: MODELS[2]!,
          result: 0,
          input_tokens: 300,
          output_tokens: 20,
          cache_read_tokens: 0,
          cost_nanos: 40_000,
          cost_source: 'reported',
        });
      }
      if (rows.length >= 500) await insert(trx);
    }
    await insert(trx);
  });
  return performance.now() - started;
}

/** p50, p99 and max of GET /costs for each grouping over all time and the last 7 days. */
async function measure(url: string, headers: Record<string, string>, now: number) {
  const rows: string[][] = [];
  let worst = 0;
  for (const range of ['all', '7 days'] as const) {
    for (const by of GROUPS) {
      const query = range === 'all' ? `by=${by}` : `by=${by}&since=${now - 7 * DAY + 12_345}&until=${now + 1}`;
      const target = `${url}/costs?${query}&limit=1000`;
      const check = await fetch(target, { headers });
      const body = (await check.json()) as { total: { results: number }; groupCount: number };
      if (check.status !== 200) throw new Error(`GET /costs?${query}: ${check.status} ${JSON.stringify(body)}`);
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const started = performance.now();
        const response = await fetch(target, { headers });
        await response.arrayBuffer();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      worst = Math.max(worst, percentile(times, 99));
      rows.push([
        `by=${by}`,
        range,
        formatNumber(body.total.results),
        formatNumber(body.groupCount),
        formatNumber(percentile(times, 50), 1),
        formatNumber(percentile(times, 99), 1),
        formatNumber(times.at(-1)!, 1),
      ]);
    }
  }
  return { rows, worst };
}

async function main(): Promise<number> {
  const out: string[] = [];
  let worstOfSessions = 0;
  const shapes = (process.env.BENCH_COSTS_SHAPES ?? 'sessions,scattered').split(',') as Shape[];
  for (const shape of shapes) {
    const fleet = await bootBenchFleet({ auth: true, sessions: true });
    try {
      const now = Date.now();
      const db = fleet.kernel.db as Kysely<any>;
      process.stdout.write(
        `costs (${shape}): seeding ${formatNumber(RESULTS)} results (+${formatNumber(OTHER_TEAM_RESULTS)}) ...\n`,
      );
      let seedMs = await seed(db, 'bench', RESULTS, now, shape);
      seedMs += await seed(db, 'other', OTHER_TEAM_RESULTS, now, shape);
      const summing = performance.now();
      await sumIntoHours(db);
      const sumMs = performance.now() - summing;
      const hourly = await db
        .selectFrom('session_usage_hourly')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('team_name', '=', 'bench')
        .executeTakeFirstOrThrow();
      const registered = await fetch(`${fleet.url}/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fleet.adminKey}` },
        body: JSON.stringify({ handle: 'lead', teamName: 'bench', agentType: 'team-lead' }),
      });
      const { token } = (await registered.json()) as { token: string };
      const { rows, worst } = await measure(fleet.url, { authorization: `Bearer ${token}` }, now);
      if (shape === 'sessions') worstOfSessions = worst;
      out.push(
        '',
        `GET /costs over ${formatNumber(RESULTS)} results of the team, shape ${shape} ` +
          `(${formatNumber(Number(hourly.n))} hourly sums; seeded in ${formatNumber(seedMs / 1000, 1)} s, ` +
          `summed in ${formatNumber(sumMs / 1000, 1)} s), ${REQUESTS} requests each, one at a time, ms:`,
        formatTable(['grouping', 'range', 'results', 'groups', 'p50', 'p99', 'max'], rows),
        `worst p99 ${formatNumber(worst, 1)} ms`,
      );
    } catch (error) {
      process.stderr.write(`costs bench failed: ${(error as Error).stack ?? String(error)}\n`);
      return 1;
    } finally {
      await fleet.close();
    }
  }
  out.push(
    `Target (results in sessions, as workers make them): p99 under ${TARGET_P99_MS} ms: ` +
      `${worstOfSessions < TARGET_P99_MS ? 'met' : 'MISSED'} (worst p99 ${formatNumber(worstOfSessions, 1)} ms).`,
    machineNote(),
    '',
  );
  process.stdout.write(out.join('\n'));
  return 0;
}

process.exitCode = await main();
