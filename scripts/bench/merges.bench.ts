/**
 * Merge queue benchmark: throughput on 20 small branches (each a commit touching its own file, all from
 * the same main), queued at once into a real repository whose main checkout has `main` checked out
 * (so each merge is a fast-forward there). Reported: entries per minute, and where an entry's time goes
 * (rebase in its throwaway worktree, test, lost-hunk check, merge), mean and p95 — without a test
 * command, and with a trivial one (`node -e ""`, a process start). Run with `npm run bench merges`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MergeEntry, MergesApi } from '../../plugins/merges/index.js';
import { bootBenchFleet } from './lib/fleet.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';

const BRANCHES = 20;

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-merges-'));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@localhost',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@localhost',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  for (let i = 0; i < 50; i++) writeFileSync(join(dir, `module-${i}.ts`), `export const value${i} = ${i};\n`);
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  for (let i = 0; i < BRANCHES; i++) {
    git('checkout', '-q', '-b', `fleet/w${i}`, 'main');
    writeFileSync(join(dir, `module-${i}.ts`), `export const value${i} = ${i};\nexport const extra${i} = 'w${i}';\n`);
    writeFileSync(join(dir, `new-${i}.ts`), `export const added${i} = true;\n`);
    git('add', '-A');
    git('commit', '-q', '-m', `w${i}: change`);
  }
  git('checkout', '-q', 'main');
  return dir;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? 0;

async function run(label: string, test: string[] | null): Promise<string[][]> {
  const repo = makeRepo();
  const fleet = await bootBenchFleet({ auth: true, merges: { test, pollSeconds: 0.5 } });
  try {
    const api = fleet.kernel.api<MergesApi>('merges')!;
    const lead = { uid: 'x', handle: 'lead', teamName: 'bench', agentType: 'team-lead', role: 'team-lead' };
    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < BRANCHES; i++)
      ids.push((await api.merges.enqueue(lead as never, { branch: `fleet/w${i}`, repo, priority: 0 })).id);
    let entries: MergeEntry[] = [];
    for (;;) {
      entries = await Promise.all(ids.map((id) => api.merges.require('bench', id)));
      if (entries.every((entry) => !['queued', 'running'].includes(entry.status))) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const merged = entries.filter((entry) => entry.status === 'merged').length;
    if (merged !== BRANCHES) throw new Error(`${label}: ${merged} of ${BRANCHES} merged`);
    const timing = (key: 'rebaseMs' | 'testMs' | 'checkMs' | 'mergeMs') =>
      entries.map((entry) => entry.report!.timings[key]);
    const rows = [
      [
        label,
        'entries/min',
        formatNumber((BRANCHES / seconds) * 60, 1),
        `${formatNumber(seconds, 2)} s for ${BRANCHES}`,
      ],
    ];
    for (const key of ['rebaseMs', 'testMs', 'checkMs', 'mergeMs'] as const)
      rows.push([
        label,
        key.replace('Ms', ' ms'),
        formatNumber(mean(timing(key)), 1),
        `p95 ${formatNumber(p95(timing(key)), 1)}`,
      ]);
    return rows;
  } finally {
    await fleet.close();
    rmSync(repo, { recursive: true, force: true });
  }
}

const rows = [...(await run('no test', null)), ...(await run('node -e ""', ['node', '-e', '']))];
process.stdout.write(`merge queue, ${BRANCHES} small branches, SQLite — ${machineNote()}\n`);
process.stdout.write(`${formatTable(['run', 'figure', 'mean', 'note'], rows)}\n`);
