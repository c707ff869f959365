/**
 * Scheduler dispatch latency: 1,000 schedules in one team, each `*\/5 * * * * *` (every 5 s, the
 * `cron` package's seconds field) creating a task — the cheapest real delivery. For each run that
 * ends `delivered`, the time from its slot to the moment its outcome was written (real clock), over
 * BENCH_SLOTS slots (default 3). The engine's pass interval (tickMs) bounds how late a slot is seen,
 * so rows are given for tickMs 1000 (the default) and 100. SQLite, and PostgreSQL when
 * FLEET_BENCH_PG_URL names a server (a database is created there and dropped after).
 * Run with `npm run bench scheduler-dispatch`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveConfig } from '../../core/config/load-config.js';
import type { FleetConfigInput } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import type { AuthApi } from '../../plugins/auth/index.js';
import type { SchedulerApi } from '../../plugins/scheduler/index.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const SCHEDULES = 1000;
const SLOTS = Number(process.env.BENCH_SLOTS ?? 3);

async function run(label: string, tickMs: number, storage?: FleetConfigInput['storage']): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-sched-'));
  const config = resolveConfig(
    {
      dataDir,
      ...(storage ? { storage } : {}),
      server: { host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000 } },
      log: { level: 'silent' },
      plugins: { auth: true, mail: true, tasks: true, scheduler: { tickMs } },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
  try {
    const api = kernel.api<SchedulerApi>('scheduler')!;
    const auth = kernel.api<AuthApi>('auth')!;
    const lead = { uid: 'bench-lead', handle: 'lead', teamName: 'bench', agentType: 'team-lead', role: 'coordinator' };
    await auth.issueToken(lead as never);
    for (let i = 0; i < SCHEDULES; i++)
      await api.schedules.create(lead, {
        name: `s${i}`,
        cron: '*/5 * * * * *',
        action: { kind: 'task', subject: `bench ${i} {{slot}}` },
      });
    const started = Date.now();
    // The first slot after all exist, then SLOTS slots of 5 s, then a moment for the last to finish.
    const firstSlot = Math.ceil((started + 1) / 5000) * 5000;
    const lastSlot = firstSlot + (SLOTS - 1) * 5000;
    while (Date.now() < lastSlot + 4000) await new Promise((resolve) => setTimeout(resolve, 250));
    await api.engine.settled();
    const runs = await api.runs.list('bench', { limit: 1000 * (SLOTS + 3) });
    const window = runs.filter((r) => Date.parse(r.slot) >= firstSlot && Date.parse(r.slot) <= lastSlot);
    const delivered = window.filter((r) => r.outcome === 'delivered' && r.finishedAt);
    const latencies = delivered.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.slot)).sort((a, b) => a - b);
    const other = window.length - delivered.length;
    return [
      label,
      String(tickMs),
      formatNumber(delivered.length),
      formatNumber(other),
      formatNumber(percentile(latencies, 50)),
      formatNumber(percentile(latencies, 99)),
      formatNumber(latencies[latencies.length - 1] ?? Number.NaN),
    ];
  } finally {
    await kernel.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const header = ['storage', 'tickMs', 'delivered', 'not delivered', 'p50 ms', 'p99 ms', 'max ms'];
  const rows: string[][] = [];
  const done = (row: string[]) => {
    rows.push(row);
    process.stdout.write(`${row.join('  ')}\n`);
  };
  for (const tickMs of [1000, 100]) done(await run('sqlite', tickMs));
  const pgUrl = process.env.FLEET_BENCH_PG_URL;
  if (pgUrl) {
    for (const tickMs of [1000, 100]) {
      const name = `scheduler_bench_${process.pid}_${tickMs}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      try {
        const url = new URL(pgUrl);
        url.pathname = `/${name}`;
        done(await run('postgres', tickMs, { driver: 'postgres', url: url.toString() }));
      } finally {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    }
  }
  process.stdout.write(
    `\nScheduler dispatch latency, slot time → delivered (task created), ${SCHEDULES} schedules firing together, ` +
      `${SLOTS} slots.\n${formatTable(header, rows)}\n` +
      `${pgUrl ? '' : 'PostgreSQL skipped: set FLEET_BENCH_PG_URL to run it.\n'}${machineNote()}\n`,
  );
}

await main();
