/**
 * The bypass corpus against the real pieces: the policy plugin's writeTargets, the lease gate, the
 * leases plugin's repo locator and blocker rules (RepoLocator, blockersFor, covers), and real git in a
 * temp repository with a worker's worktree. Each attempt runs for real in alice's worktree; bob holds
 * the leases. Caught before the file changes: the gate denies it. Caught before merge: the turn diff
 * check (changedPaths → blockers) or the pre-commit hook's question (the staged paths → blockers).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { startFleet } from '../../../test/kit/index.js';
import type { PolicyApi } from '../../policy/index.js';
import type { LeaseView } from '../leases/lease-store.js';
import { covers } from '../leases/overlap.js';
import { RepoLocator } from '../leases/repo-locator.js';
import { BYPASS_CORPUS } from './bypass-corpus.js';
import { checkLeases } from './gate.js';
import type { EnforceApi } from './ports.js';
import { blockersOf } from './test-leases.js';
import { changedPaths } from './turn-check.js';

const run = promisify(execFile);
const git = (dir: string, ...args: string[]) => run('git', ['-C', dir, ...args]).then((r) => r.stdout.trim());

t.test('every bypass attempt is caught before merge, and ≥ 90% before the file changes', async (t) => {
  // The policy plugin's own writeTargets, from a running fleet (its engine is its own business).
  const fleet = await startFleet(t, { plugins: { auth: true, policy: true } });
  const policy = fleet.kernel.api<PolicyApi>('policy')!;
  const base = await realpath(await mkdtemp(join(tmpdir(), 'l2-corpus-')));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const repo = join(base, 'repo');
  await mkdir(join(repo, 'src/auth'), { recursive: true });
  await mkdir(join(repo, 'docs'), { recursive: true });
  await git(base, 'init', '-q', '-b', 'main', repo);
  await git(repo, 'config', 'user.email', 'l2@example.com');
  await git(repo, 'config', 'user.name', 'l2');
  await writeFile(join(repo, 'src/auth/login.ts'), 'export const a = 1;\n');
  await writeFile(join(repo, 'docs/guide.md'), '# guide\n');
  await writeFile(join(repo, 'README.md'), 'readme\n');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-qm', 'init');
  await git(repo, 'branch', 'theirs');
  await git(repo, 'worktree', 'add', '-q', join(base, 'theirs-wt'), 'theirs');
  await writeFile(join(base, 'theirs-wt/src/auth/login.ts'), 'export const a = 2;\n');
  await git(join(base, 'theirs-wt'), 'commit', '-qam', 'theirs');
  const alice = join(base, 'alice');
  await git(repo, 'worktree', 'add', '-q', '-b', 'alice', alice, 'main');

  const now = Date.now();
  const lease = (id: string, paths: string[]): LeaseView => ({
    id,
    teamName: 'red',
    repo,
    paths,
    mode: 'exclusive',
    holder: 'bob',
    taskId: null,
    fence: Number(id),
    ttlSeconds: 300,
    expiresAt: new Date(now + 300_000).toISOString(),
    createdAt: new Date(now).toISOString(),
    createdBy: 'bob',
  });
  const active = [lease('7', ['src/auth/login.ts']), lease('8', ['docs/**'])];
  const locator = new RepoLocator();
  const api: EnforceApi = {
    leases: {
      locate: (path) => locator.locate(path),
      blockers: async (team, handle, _repo, paths) => blockersOf(team, handle, paths, active),
      heldBy: async () => [],
      covers: (held, path) => held.paths.some((pattern) => covers(pattern, path)),
    },
    workers: () => undefined,
    policy: () => ({ addGate: () => () => {}, writeTargets: (call) => policy.writeTargets(call) }),
  };
  const caller = { uid: 'u-alice', handle: 'alice', teamName: 'red', role: 'worker' } as never;

  let gateCaught = 0;
  let mergeCaught = 0;
  const missedByGate: string[] = [];
  for (const attempt of BYPASS_CORPUS) {
    const call = attempt.tool ?? { tool: 'Bash', input: { command: attempt.command! } };
    const denied = await checkLeases({ api, workerCwd: async () => alice }, caller, { ...call, cwd: alice });
    if (denied) {
      gateCaught++;
      t.match(denied.reason, /^Fleet lease: /, `${attempt.name}: the reason names the lease`);
    } else missedByGate.push(attempt.name);
    if (attempt.gate !== false) t.ok(denied, `${attempt.name}: denied by the gate`);

    // Now let it happen (as if the gate had not been there), then look as the turn check and the hook do.
    if (attempt.command !== undefined) {
      await run('bash', ['-c', attempt.command], { cwd: alice, timeout: 20_000 }).catch(() => undefined);
    } else {
      const field = attempt.tool!.tool === 'NotebookEdit' ? 'notebook_path' : 'file_path';
      const target = join(alice, String(attempt.tool!.input[field]));
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, 'changed\n');
    }
    const changed = await changedPaths(alice, repo);
    t.ok(changed.paths.length > 0, `${attempt.name}: it changed something (the attempt is real)`);
    const afterTurn = blockersOf('red', 'alice', changed.paths, active);
    await git(alice, 'add', '-A');
    const staged = (await git(alice, 'diff', '--cached', '--name-only', '--no-renames')).split('\n').filter(Boolean);
    const atCommit = blockersOf('red', 'alice', staged, active);
    if (afterTurn.length > 0 || atCommit.length > 0) mergeCaught++;
    t.ok(afterTurn.length > 0, `${attempt.name}: flagged after the turn`);
    t.ok(atCommit.length > 0, `${attempt.name}: refused at pre-commit`);
    await git(alice, 'reset', '-q', '--hard', 'main');
    await git(alice, 'clean', '-qfdx');
  }
  const total = BYPASS_CORPUS.length;
  t.ok(total >= 50, `the corpus has ${total} attempts`);
  t.equal(mergeCaught, total, 'every attempt is caught before merge');
  t.ok(gateCaught / total >= 0.9, `${gateCaught}/${total} caught before the file changes`);
  t.comment(
    `bypass corpus: ${total} attempts; gate ${gateCaught}/${total} (${((100 * gateCaught) / total).toFixed(1)}%); ` +
      `before merge ${mergeCaught}/${total}; the gate missed: ${missedByGate.join(', ') || 'none'}`,
  );
});
