/**
 * Lease check benchmark: LeaseService.blockers() latency (p50/p99), which the policy gate runs on every
 * edit a worker makes, with 0, 100 and 1,000 active leases in the repository (paths and globs of many
 * holders), served from the per-repo copy in memory (the normal case) and read from the database each
 * call (blockersCacheMs 0: the cost after a change or on another node); then the HTTP round trip of
 * POST /leases/check (what the pre-commit hook asks), sequential, with 1,000 leases.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../core/index.js';
import type { LeasesApi } from '../../plugins/leases/index.js';
import { bootBenchFleet, type BenchFleet } from './lib/fleet.js';
import { percentile } from './lib/percentile.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';

const CALLS = Number(process.env.BENCH_LEASE_CALLS ?? 20_000);
const HTTP_CALLS = Number(process.env.BENCH_LEASE_HTTP_CALLS ?? 2_000);
const SIZES = [0, 100, 1_000];
const TEAM = 'bench';

function makeRepo(root: string, name: string): string {
  const repo = join(root, name);
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', repo], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return realpathSync(repo);
}

const who = (handle: string): Identity => ({
  uid: handle.padEnd(24, '0').slice(0, 24),
  handle,
  teamName: TEAM,
  agentType: 'worker',
  role: 'worker',
});

/** `count` leases of 50 holders: directories, files and globs spread over packages. */
async function seed(api: LeasesApi, repo: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const pkg = `packages/p${i}`;
    const paths =
      kind === 0 ? [`${pkg}/src/**`] : kind === 1 ? [`${pkg}/src/index.ts`] : kind === 2 ? [`${pkg}/*.md`] : [pkg];
    await api.leases.acquire(who(`w${i % 50}`), {
      repo,
      paths,
      mode: i % 5 === 0 ? 'shared' : 'exclusive',
      ttlSeconds: 3600,
    });
  }
}

/** The paths one edit asks about: mostly free, some leased. */
function editPaths(i: number, count: number): string[] {
  const target = count === 0 ? i : (i * 7919) % (count * 2);
  return [`packages/p${target}/src/index.ts`];
}

async function measureBlockers(api: LeasesApi, repo: string, count: number) {
  const calls = api.options.blockersCacheMs === 0 ? Math.min(CALLS, 2_000) : CALLS;
  const times = new Float64Array(calls);
  let blocked = 0;
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    const found = await api.leases.blockers(TEAM, 'editor', repo, editPaths(i, count));
    times[i] = performance.now() - started;
    if (found.length > 0) blocked++;
  }
  times.sort();
  return { p50: percentile(times, 50), p99: percentile(times, 99), calls, blocked };
}

async function register(fleet: BenchFleet, handle: string): Promise<string> {
  const response = await fetch(`${fleet.url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fleet.adminKey}` },
    body: JSON.stringify({ handle, teamName: TEAM, agentType: 'worker' }),
  });
  const body = (await response.json()) as { token: string };
  if (response.status !== 200) throw new Error(`registering ${handle} failed: ${response.status}`);
  return body.token;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'fleet-bench-leases-'));
  const fleets: BenchFleet[] = [];
  try {
    const rows: string[][] = [];
    let httpRow: string[] | undefined;
    for (const cacheMs of [1000, 0]) {
      const fleet = await bootBenchFleet({ auth: true, leases: { blockersCacheMs: cacheMs } });
      fleets.push(fleet);
      const api = fleet.kernel.api<LeasesApi>('leases')!;
      for (const count of SIZES) {
        const repo = makeRepo(root, `repo-${cacheMs}-${count}`);
        await seed(api, repo, count);
        const r = await measureBlockers(api, repo, count);
        rows.push([
          cacheMs > 0 ? 'in memory' : 'database',
          formatNumber(count),
          formatNumber(r.calls),
          formatNumber(r.p50 * 1000, 1),
          formatNumber(r.p99 * 1000, 1),
          `${formatNumber((r.blocked / r.calls) * 100)}%`,
        ]);
        if (cacheMs > 0 && count === 1_000) {
          const token = await register(fleet, 'editor');
          const times = new Float64Array(HTTP_CALLS);
          for (let i = 0; i < HTTP_CALLS; i++) {
            const started = performance.now();
            const response = await fetch(`${fleet.url}/leases/check`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ repo, paths: editPaths(i, count) }),
            });
            await response.json();
            times[i] = performance.now() - started;
            if (response.status !== 200) throw new Error(`POST /leases/check: ${response.status}`);
          }
          times.sort();
          httpRow = [
            'POST /leases/check (HTTP)',
            formatNumber(count),
            formatNumber(HTTP_CALLS),
            formatNumber(percentile(times, 50) * 1000, 1),
            formatNumber(percentile(times, 99) * 1000, 1),
            '',
          ];
        }
      }
    }
    if (httpRow) rows.push(httpRow);
    process.stdout.write(`leases: blockers() and POST /leases/check latency, SQLite; ${machineNote()}\n`);
    process.stdout.write(`${formatTable(['check', 'leases in repo', 'calls', 'p50 µs', 'p99 µs', 'blocked'], rows)}\n`);
  } finally {
    for (const fleet of fleets) await fleet.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
