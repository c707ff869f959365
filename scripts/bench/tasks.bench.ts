/**
 * Tasks benchmark: a bare Koa hello route, authenticated `POST /tasks` (a task assigned to a worker:
 * the task row and its assignment DM in one transaction), and `GET /teams/:name/tasks` with 10,000
 * tasks of that team in the database (the first page, a deep page, and the ready filter), side by
 * side in one run. Run with `npm run bench tasks`; BENCH_SECONDS and BENCH_CONNECTIONS change the load.
 */
import type { Server } from 'node:http';
import type { AuthApi } from '../../plugins/auth/index.js';
import type { TasksApi } from '../../plugins/tasks/index.js';
import { sqliteStatementsRun } from '../../core/db/statement-cache.js';
import { startBareKoa } from './lib/bare-koa.js';
import { bootBenchFleet, type BenchFleet } from './lib/fleet.js';
import { type LoadResult, type LoadTarget, measure } from './lib/load.js';
import { benchConnections, benchSeconds, machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';

const SEED_TASKS = 10_000;
const READ_TEAM = 'bench-read';
const WRITE_TEAM = 'bench-write';

async function register(
  fleet: BenchFleet,
  handle: string,
  teamName: string,
  agentType: 'worker' | 'team-lead',
): Promise<{ uid: string; token: string }> {
  const response = await fetch(`${fleet.url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fleet.adminKey}` },
    body: JSON.stringify({ handle, teamName, agentType }),
  });
  const body = (await response.json()) as { uid: string; token: string };
  if (response.status !== 200)
    throw new Error(`registering ${handle} failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * 10,000 tasks in the read team, through the tasks service in-process (each a real create: its row,
 * and for assigned ones the DM message, in one transaction), not 10,000 HTTP calls. Every 10th task
 * is blocked by the one before it and every 3rd is assigned, so the listing hydrates blockers and
 * the ready filter has work to do.
 */
async function seed(fleet: BenchFleet, leadUid: string, workerUid: string): Promise<number> {
  const started = performance.now();
  const auth = fleet.kernel.api<AuthApi>('auth')!;
  const tasks = fleet.kernel.api<TasksApi>('tasks')!;
  const creator = (await auth.agents.get(leadUid))!;
  const worker = (await auth.agents.get(workerUid))!;
  let previous: string | undefined;
  for (let i = 0; i < SEED_TASKS; i++) {
    const task = await tasks.tasks.create({
      teamName: READ_TEAM,
      creator,
      owner: i % 3 === 0 ? worker : undefined,
      subject: `Seeded task ${i}`,
      description: `Description of seeded task ${i}`,
      blockedBy: i % 10 === 9 && previous ? [previous] : undefined,
    });
    previous = task.id;
  }
  return performance.now() - started;
}

async function checkOnce(target: LoadTarget, id = 'check'): Promise<void> {
  const response = await fetch(target.url, {
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.body?.replace('[<id>]', id),
  });
  if (!response.ok) throw new Error(`${target.name}: ${response.status} ${await response.text()}`);
}

/** SQL statements one request of the target runs, over 20 requests one at a time (the count is exact). */
async function statementsPerRequest(target: LoadTarget): Promise<number> {
  const requests = 20;
  const before = sqliteStatementsRun();
  for (let i = 0; i < requests; i++) await checkOnce(target, `count-${i}`);
  return (sqliteStatementsRun() - before) / requests;
}

async function countTasks(fleet: BenchFleet): Promise<number> {
  // Counts are for the fleet's operator (the admin key) and its agents, not anonymous callers.
  const response = await fetch(`${fleet.url}/health`, { headers: { authorization: `Bearer ${fleet.adminKey}` } });
  const health = (await response.json()) as { counts: { tasks?: number } };
  return health.counts.tasks ?? 0;
}

function render(
  results: LoadResult[],
  statements: ReadonlyMap<string, number>,
  seconds: number,
  connections: number,
): string {
  const baseline = results[0]!;
  const ratio = (value: number, base: number) => formatNumber(value / base, 2);
  const rows = results.map((result) => [
    result.name,
    formatNumber(result.requestsPerSec),
    formatNumber(result.p50Ms, 2),
    formatNumber(result.p99Ms, 2),
    result === baseline ? '1.00' : ratio(result.requestsPerSec, baseline.requestsPerSec),
    result === baseline ? '1.00' : ratio(result.p99Ms, baseline.p99Ms),
    String(result.non2xx + result.errors),
    statements.has(result.name) ? formatNumber(statements.get(result.name)!, 1) : '-',
  ]);
  return [
    `${connections} connections, 1 s warm-up, then ${seconds} s per target; ` +
      'latency in ms; ratios are to the bare Koa route; SQL/req: statements one request runs.',
    formatTable(['target', 'req/s', 'p50', 'p99', 'x Koa req/s', 'x Koa p99', 'non-2xx+errors', 'SQL/req'], rows),
    machineNote(),
  ].join('\n');
}

async function main(): Promise<number> {
  const seconds = benchSeconds();
  const connections = benchConnections();
  let koa: Server | undefined;
  let fleet: BenchFleet | undefined;
  const cleanup = async () => {
    koa?.close();
    koa?.closeAllConnections();
    await fleet?.close();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const bare = await startBareKoa();
    koa = bare.server;
    // bootBenchFleet sets server.rateLimit.max to 1e9: the figures measure the server, not the limiter.
    fleet = await bootBenchFleet({ auth: true, mail: true, tasks: true });
    const readLead = await register(fleet, 'lead', READ_TEAM, 'team-lead');
    const readWorker = await register(fleet, 'worker', READ_TEAM, 'worker');
    const writeLead = await register(fleet, 'lead', WRITE_TEAM, 'team-lead');
    await register(fleet, 'worker', WRITE_TEAM, 'worker');

    process.stdout.write(
      `tasks: seeding ${formatNumber(SEED_TASKS)} tasks in team ${READ_TEAM} through the tasks service ...\n`,
    );
    const seedMs = await seed(fleet, readLead.uid, readWorker.uid);
    process.stdout.write(`tasks: seeded in ${formatNumber(seedMs / 1000, 1)} s; SQLite in ${fleet.dataDir}\n`);

    const read = (name: string, query: string): LoadTarget => ({
      name,
      url: `${fleet!.url}/teams/${READ_TEAM}/tasks${query}`,
      headers: { authorization: `Bearer ${readLead.token}` },
    });
    const koaTarget: LoadTarget = { name: 'bare Koa GET /hello', url: `${bare.url}/hello` };
    const listTargets = [
      read('GET /teams/:name/tasks (first 100 of 10k)', ''),
      read('GET /teams/:name/tasks?offset=9900 (last 100)', '?offset=9900'),
      read('GET /teams/:name/tasks?ready=true', '?ready=true'),
    ];
    const writeTarget: LoadTarget = {
      name: 'POST /tasks (assigned, with its DM)',
      url: `${fleet.url}/tasks`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writeLead.token}` },
      body: JSON.stringify({ toHandle: 'worker', subject: 'Bench task [<id>]', description: 'Written under load' }),
      idReplacement: true,
    };
    for (const target of [koaTarget, ...listTargets, writeTarget]) await checkOnce(target);
    const statements = new Map<string, number>();
    for (const target of [...listTargets, writeTarget]) statements.set(target.name, await statementsPerRequest(target));
    const page = (await (await fetch(listTargets[0]!.url, { headers: listTargets[0]!.headers })).json()) as unknown[];
    const last = (await (
      await fetch(`${fleet.url}/teams/${READ_TEAM}/tasks?limit=1000&offset=9000`, { headers: listTargets[0]!.headers })
    ).json()) as unknown[];
    if (page.length !== 100 || last.length !== 1000)
      throw new Error(`the read team should list 100 and 1000 tasks, got ${page.length} and ${last.length}`);

    // The reads run while the database holds exactly the 10,000 seeded tasks (plus the one check
    // write); the write target runs last, since it adds thousands of tasks to another team.
    const results = new Map<LoadTarget, LoadResult>();
    for (const target of [koaTarget, ...listTargets, writeTarget]) {
      if (target === writeTarget)
        process.stdout.write(
          `tasks: ${formatNumber(await countTasks(fleet))} tasks in the database before the write run\n`,
        );
      process.stdout.write(`tasks: loading ${target.name} ...\n`);
      results.set(target, await measure(target, { seconds, connections }));
    }
    const ordered = [koaTarget, writeTarget, ...listTargets].map((target) => results.get(target)!);
    process.stdout.write('\n' + render(ordered, statements, seconds, connections) + '\n');
    process.stdout.write(`tasks: ${formatNumber(await countTasks(fleet))} tasks in the database at the end\n`);
    const failures = ordered.filter((result) => result.non2xx + result.errors > 0);
    for (const failure of failures)
      process.stderr.write(`tasks: ${failure.name}: ${failure.non2xx} non-2xx answers, ${failure.errors} errors\n`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
