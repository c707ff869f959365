/**
 * HTTP benchmark: a bare Koa hello route, the fleet's GET /health, and an authenticated write on the
 * fleet (a team lead registering a new worker of its team with POST /auth), side by side in one run.
 * Run with `npm run bench http`; BENCH_SECONDS and BENCH_CONNECTIONS change the load.
 */
import type { Server } from 'node:http';
import { startBareKoa } from './lib/bare-koa.js';
import { bootBenchFleet, type BenchFleet } from './lib/fleet.js';
import { type LoadResult, type LoadTarget, measure } from './lib/load.js';
import { benchConnections, benchSeconds, machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';

async function postJson(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function agentCount(fleet: BenchFleet): Promise<number> {
  const health = (await (await fetch(`${fleet.url}/health`)).json()) as { counts: { agents?: number } };
  return health.counts.agents ?? 0;
}

/** Every target must answer 2xx once before it is loaded: a benchmark of 401s measures nothing. */
async function checkOnce(target: LoadTarget): Promise<void> {
  const response = await fetch(target.url, {
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.body?.replace('[<id>]', 'check'),
  });
  if (!response.ok) throw new Error(`${target.name}: ${response.status} ${await response.text()}`);
}

function render(results: LoadResult[], seconds: number, connections: number): string {
  const baseline = results[0]!;
  const rows = results.map((result) => [
    result.name,
    formatNumber(result.requestsPerSec),
    formatNumber(result.p50Ms, 2),
    formatNumber(result.p99Ms, 2),
    result === baseline ? '1.00' : formatNumber(result.requestsPerSec / baseline.requestsPerSec, 2),
    String(result.non2xx + result.errors),
  ]);
  return [
    `${connections} connections, 1 s warm-up, then ${seconds} s per target; latency in ms.`,
    formatTable(['target', 'req/s', 'p50', 'p99', 'x Koa req/s', 'non-2xx+errors'], rows),
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
    fleet = await bootBenchFleet();
    const lead = await postJson(`${fleet.url}/auth`, fleet.adminKey, {
      handle: 'bench-lead',
      teamName: 'bench',
      agentType: 'team-lead',
    });
    if (lead.status !== 200)
      throw new Error(`registering the bench lead failed: ${lead.status} ${JSON.stringify(lead.body)}`);
    const leadToken = String(lead.body.token);

    const targets: LoadTarget[] = [
      { name: 'bare Koa GET /hello', url: `${bare.url}/hello` },
      { name: 'fleet GET /health', url: `${fleet.url}/health` },
      {
        // JWT verify, validation, an INSERT and a SELECT on SQLite, and a JWT signed for the new worker.
        name: 'fleet POST /auth (lead adds worker)',
        url: `${fleet.url}/auth`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${leadToken}` },
        body: JSON.stringify({ handle: 'w[<id>]', teamName: 'bench', agentType: 'worker' }),
        idReplacement: true,
      },
    ];
    for (const target of targets) await checkOnce(target);
    const before = await agentCount(fleet);
    process.stdout.write(
      `http: plugins ${fleet.kernel
        .pluginStates()
        .filter((s) => s.state === 'on')
        .map((s) => s.name)
        .join(', ')}; SQLite in ${fleet.dataDir}\n`,
    );

    const results: LoadResult[] = [];
    for (const target of targets) {
      process.stdout.write(`http: loading ${target.name} ...\n`);
      results.push(await measure(target, { seconds, connections }));
    }
    const written = (await agentCount(fleet)) - before;
    process.stdout.write('\n' + render(results, seconds, connections) + '\n');
    // Each acknowledged write must be a row: warm-up and measured 2xx answers of the write target.
    process.stdout.write(
      `http: ${formatNumber(written)} worker rows written during the write runs (warm-up included)\n`,
    );
    const failures = results.filter((result) => result.non2xx + result.errors > 0);
    for (const failure of failures)
      process.stderr.write(`http: ${failure.name}: ${failure.non2xx} non-2xx answers, ${failure.errors} errors\n`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
