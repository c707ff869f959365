/**
 * The turn diff check on a real repository and worktree, with the flags in a real database (this run's
 * engine: SQLite, or PostgreSQL with FLEET_TEST_STORAGE=postgres) and the leases plugin's own locator and
 * blocker rules: leased and outside flags, written once, announced, mailed to the lead; and the gate's
 * reasons and its unknown-write rule.
 */
import { execFile } from 'node:child_process';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { migratedDatabase, startFleet, tempDir, type TestLike } from '../../../test/kit/index.js';
import type { PolicyApi } from '../../policy/index.js';
import type { LeaseView } from '../leases/lease-store.js';
import { covers } from '../leases/overlap.js';
import { RepoLocator } from '../leases/repo-locator.js';
import { leaseFlagsMigration } from '../migrations/0002-lease-flags.js';
import type { LeaseFlag } from './events.js';
import { FlagStore } from './flag-store.js';
import { blockerReason, checkLeases, untilText } from './gate.js';
import type { EnforceApi } from './ports.js';
import { blockersOf } from './test-leases.js';
import { changedPaths, checkTurn } from './turn-check.js';

const run = promisify(execFile);
const git = (dir: string, ...args: string[]) => run('git', ['-C', dir, ...args]).then((r) => r.stdout.trim());

function lease(repo: string, id: string, holder: string, paths: string[], mode = 'exclusive'): LeaseView {
  return {
    id,
    teamName: 'red',
    repo,
    paths,
    mode: mode as LeaseView['mode'],
    holder,
    taskId: null,
    fence: Number(id),
    ttlSeconds: 300,
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
    createdAt: new Date().toISOString(),
    createdBy: holder,
  };
}

async function scene(t: TestLike) {
  const base = await realpath(tempDir(t, 'l2-turn-'));
  // The policy plugin's own writeTargets, from a running fleet (its engine is its own business).
  const fleet = await startFleet(t, { plugins: { auth: true, policy: true } });
  const policy = fleet.kernel.api<PolicyApi>('policy')!;
  const repo = join(base, 'repo');
  await mkdir(join(repo, 'src/auth'), { recursive: true });
  await git(base, 'init', '-q', '-b', 'main', repo);
  await git(repo, 'config', 'user.email', 'l2@example.com');
  await git(repo, 'config', 'user.name', 'l2');
  await writeFile(join(repo, 'src/auth/login.ts'), '1\n');
  await writeFile(join(repo, 'src/app.ts'), '1\n');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-qm', 'init');
  const wt = join(base, 'alice');
  await git(repo, 'worktree', 'add', '-q', '-b', 'alice', wt);
  const active: LeaseView[] = [lease(repo, '7', 'bob', ['src/auth/**'])];
  const locator = new RepoLocator();
  const api: EnforceApi = {
    leases: {
      locate: (path) => locator.locate(path),
      blockers: async (team, handle, _repo, paths) => blockersOf(team, handle, paths, active),
      heldBy: async (team, handle) => active.filter((l) => l.teamName === team && l.holder === handle),
      covers: (held, path) => held.paths.some((pattern) => covers(pattern, path)),
    },
    workers: () => ({
      manager: {
        store: {
          get: async (teamName, handle) =>
            handle === 'alice'
              ? { handle, team_name: teamName, cwd: wt, worktree_path: wt, spawned_by: 'lead' }
              : undefined,
        },
      },
    }),
    policy: () => ({ addGate: () => () => {}, writeTargets: (call) => policy.writeTargets(call) }),
  };
  return { base, repo, wt, active, api };
}

t.test('a turn that changed a leased path and one outside its own leases is flagged once', async (t) => {
  const { repo, wt, active, api } = await scene(t);
  const { db } = await migratedDatabase(t, [leaseFlagsMigration]);
  const flags = new FlagStore(db);
  const emitted: LeaseFlag[] = [];
  const mails: { to: string; body: string; subject?: string }[] = [];
  const deps = {
    api,
    flags,
    emit: (_team: string, flag: LeaseFlag) => emitted.push(flag),
    mail: () => ({
      mail: {
        send: async (_t: string, _f: string, to: string, body: string, subject?: string) =>
          mails.push({ to, body, subject }),
      },
    }),
    log: { warn: () => {} },
  };
  t.same(await checkTurn(deps, 'red', 'alice'), [], 'a clean worktree: nothing');
  await writeFile(join(wt, 'src/auth/login.ts'), '2\n');
  let found = await checkTurn(deps, 'red', 'alice');
  t.same(
    found.map((flag) => [flag.path, flag.kind, flag.holder, flag.leaseId, flag.repo]),
    [['src/auth/login.ts', 'leased', 'bob', '7', repo]],
  );
  t.equal(emitted.length, 1, 'lease:violation emitted');
  t.equal(mails[0]?.to, 'lead', 'the lead is mailed');
  t.match(mails[0]?.body ?? '', /src\/auth\/login\.ts: leased to bob \(lease 7\)/);
  t.same(await checkTurn(deps, 'red', 'alice'), [], 'the same change is not flagged twice');

  // Alice holds src/app.ts: a change elsewhere, committed on her branch, is outside.
  active.push(lease(repo, '9', 'alice', ['src/app.ts']));
  await writeFile(join(wt, 'README.md'), 'new\n');
  await git(wt, 'add', 'README.md');
  await git(wt, 'commit', '-qm', 'readme');
  await writeFile(join(wt, 'src/app.ts'), '2\n');
  found = await checkTurn(deps, 'red', 'alice');
  t.same(
    found.map((flag) => [flag.path, flag.kind]),
    [['README.md', 'outside']],
    'a committed change outside her leases is flagged; her own leased file is not',
  );
  const listed = await flags.list('red', { limit: 10, offset: 0 });
  t.same(
    listed.map((flag) => flag.path),
    ['README.md', 'src/auth/login.ts'],
    'newest first',
  );
  t.same(await flags.list('red', { handle: 'bob', limit: 10, offset: 0 }), []);
  t.same((await flags.list('red', { kind: 'leased', limit: 10, offset: 0 })).length, 1);
  t.same(await flags.list('blue', { limit: 10, offset: 0 }), [], 'team-scoped');
  t.same((await changedPaths(wt, repo)).paths, ['README.md', 'src/app.ts', 'src/auth/login.ts']);
});

t.test(
  'the gate: reasons name holder, path, expiry and lease; unknown writes only where others hold leases',
  async (t) => {
    const { base, wt, active, api } = await scene(t);
    const deps = { api, workerCwd: async () => wt };
    const alice = { uid: 'u', handle: 'alice', teamName: 'red', role: 'worker' } as never;
    const denied = await checkLeases(deps, alice, {
      tool: 'Edit',
      input: { file_path: join(wt, 'src/auth/login.ts') },
    });
    t.match(
      denied?.reason,
      /^Fleet lease: src\/auth\/login\.ts is leased exclusively to bob until \d\d:\d\d:\d\dZ \(lease 7\)/,
    );
    t.equal(await checkLeases(deps, alice, { tool: 'Edit', input: { file_path: 'src/app.ts' }, cwd: wt }), undefined);
    t.equal(
      await checkLeases(deps, alice, { tool: 'Read', input: { file_path: 'src/auth/login.ts' }, cwd: wt }),
      undefined,
    );
    const bob = { uid: 'b', handle: 'bob', teamName: 'red', role: 'worker' } as never;
    t.equal(
      await checkLeases(deps, bob, { tool: 'Write', input: { file_path: 'src/auth/login.ts' }, cwd: wt }),
      undefined,
    );
    const other = { uid: 'x', handle: 'zed', teamName: 'blue', role: 'worker' } as never;
    t.match(
      (await checkLeases(deps, other, { tool: 'Write', input: { file_path: 'src/auth/x.ts' }, cwd: wt }))?.reason,
      /another team/,
    );
    t.match(
      (await checkLeases(deps, alice, { tool: 'Bash', input: { command: 'rm -rf src' }, cwd: wt }))?.reason,
      /src\/auth\/\*\* is leased exclusively to bob/,
      'a directory write reports the lease pattern',
    );
    t.match(
      (await checkLeases(deps, alice, { tool: 'Bash', input: { command: 'echo x > "$F"' }, cwd: wt }))?.reason,
      /Name each file literally/,
    );
    t.equal(
      await checkLeases(deps, alice, { tool: 'Bash', input: { command: 'echo x > "$F"' }, cwd: base }),
      undefined,
      'outside any repository',
    );
    active.splice(0);
    t.equal(
      await checkLeases(deps, alice, { tool: 'Bash', input: { command: 'echo x > "$F"' }, cwd: wt }),
      undefined,
      'nobody holds leases',
    );
    t.equal(untilText(null), 'with no expiry');
    t.match(untilText('2001-02-03T04:05:06.000Z', new Date('2030-01-01T00:00:00Z')), 'until 2001-02-03T04:05:06Z');
    t.match(
      blockerReason({
        leaseId: '',
        holder: null,
        teamName: '',
        path: 'a',
        pattern: '',
        mode: 'shared',
        expiresAt: null,
      }),
      /^Fleet lease: a is leased shared to another team with no expiry\./,
    );
  },
);
