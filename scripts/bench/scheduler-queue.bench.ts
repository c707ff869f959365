/**
 * Scheduler queue benchmark: jobs per second through the durable queue of a real fleet booted in
 * this process (the scheduler plugin's JobQueue on the fleet's database). BENCH_QUEUE_JOBS jobs
 * (default 2,000) of a trivial handler are queued (enqueue rate), then drained: each job is claimed
 * by one conditional UPDATE, run, and recorded as delivered with evidence (drain rate, end to end).
 * At the default concurrency (3) and at 16. On SQLite, and on PostgreSQL when FLEET_BENCH_PG_URL
 * names a server (a database is created there and dropped after; `node scripts/test-postgres.mjs
 * start <dir>` prints one). Run with `npm run bench scheduler-queue`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveConfig } from '../../core/config/load-config.js';
import type { FleetConfigInput } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import type { SchedulerApi } from '../../plugins/scheduler/index.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';

const JOBS = Math.max(100, Number(process.env.BENCH_QUEUE_JOBS ?? 2000));

async function boot(storage: FleetConfigInput['storage'], concurrency: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-queue-'));
  const config = resolveConfig(
    {
      dataDir,
      storage,
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      plugins: { auth: true, scheduler: { queue: { concurrency, pollMs: 1000 } } },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
  return {
    api: kernel.api<SchedulerApi>('scheduler')!,
    close: async () => {
      await kernel.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function run(engine: string, storage: FleetConfigInput['storage'], concurrency: number): Promise<string[]> {
  const fleet = await boot(storage, concurrency);
  try {
    const { queue } = fleet.api;
    const priorities = ['critical', 'high', 'normal', 'low'] as const;
    const enqueueStarted = performance.now();
    for (let i = 0; i < JOBS; i++)
      await queue.enqueue({ team: 'bench', kind: 'bench', name: `job-${i}`, priority: priorities[i % 4] });
    const enqueueMs = performance.now() - enqueueStarted;
    let ran = 0;
    const drained = new Promise<void>((resolve) => {
      queue.onSettled(() => {
        if (++ran === JOBS) resolve();
      });
    });
    const drainStarted = performance.now();
    queue.registerHandler('bench', async (job) => ({ outcome: 'delivered', evidence: { ran: job.id } }));
    await drained;
    const drainMs = performance.now() - drainStarted;
    const counts = await queue.counts('bench');
    if (counts.delivered !== JOBS) throw new Error(`expected ${JOBS} delivered, found ${counts.delivered}`);
    return [
      engine,
      String(concurrency),
      formatNumber(JOBS),
      formatNumber(JOBS / (enqueueMs / 1000)),
      formatNumber(JOBS / (drainMs / 1000)),
      formatNumber(drainMs / JOBS, 2),
    ];
  } finally {
    await fleet.close();
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const done = (row: string[]) => {
    rows.push(row);
    process.stdout.write(`${row.join('  ')}\n`);
  };
  for (const concurrency of [3, 16]) done(await run('sqlite', { driver: 'sqlite' }, concurrency));
  const pgUrl = process.env.FLEET_BENCH_PG_URL;
  if (pgUrl) {
    for (const concurrency of [3, 16]) {
      const name = `queue_bench_${process.pid}_${concurrency}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      try {
        const url = new URL(pgUrl);
        url.pathname = `/${name}`;
        done(await run('postgres', { driver: 'postgres', url: url.toString() }, concurrency));
      } finally {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    }
  }
  process.stdout.write(
    formatTable(['engine', 'concurrency', 'jobs', 'enqueue jobs/s', 'drain jobs/s', 'ms/job'], rows) +
      `\n${pgUrl ? '' : 'PostgreSQL skipped: set FLEET_BENCH_PG_URL to run it.\n'}` +
      `Each job: one claim (conditional UPDATE), a trivial handler, one recorded outcome. ${machineNote()}\n`,
  );
}

await main();
