/**
 * A worker's branch by its handle (the workers plugin on, the fake agent in a private tmux): the worker
 * spawned with a worktree queues `fleet/<handle>` by naming itself; the branch conflicts with main, and
 * the worker and the lead who spawned it are each told by mail, with the file.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fakeAgentWorkers, tempDir } from '../../test/kit/index.js';
import { queueFleet } from './test-fleet.js';
import { lines, testRepo } from './test-repo.js';

t.test('a worker queues its branch by handle; a conflict is mailed to it and its lead', async (t) => {
  const repo = testRepo(tempDir(t, 'merges-workers-'), { 'shared.txt': lines(5) });
  const q = await queueFleet(t, {}, { plugins: { workers: fakeAgentWorkers({ max: 4 }) } });
  const spawned = await q.fleet.request('POST', '/orchestrate/spawn', {
    token: q.lead,
    body: { handle: 'w1', workingDir: repo.dir, worktree: true },
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const worktree = spawned.body.worktree.path as string;
  const w1 = (await q.fleet.register('w1', 'alpha')).token;
  // The worker's change, and main's change to the same line.
  const inTree = testRepoAt(worktree);
  inTree.write('shared.txt', lines(5, { 2: 'two by w1' }));
  repo.write({ 'shared.txt': lines(5, { 2: 'two on main' }) });
  repo.commit('main changes line 2');

  const entry = await q.enqueue({ handle: 'w1' }, w1);
  t.same([entry.branch, entry.handle, entry.leadHandle, entry.repo], ['fleet/w1', 'w1', 'lead', repo.dir]);
  const [done] = await q.settle([entry.id]);
  t.equal(done!.status, 'conflict');
  t.same(done!.report!.conflictFiles, ['shared.txt']);
  for (const [who, token] of [
    ['w1', w1],
    ['lead', q.lead],
  ] as const) {
    const mail = await q.fleet.request('GET', `/mail/${who}`, { token });
    const items = mail.body as { subject: string; body: string; fromHandle: string }[];
    t.equal(items.length, 1, `${who} got one mail`);
    t.equal(items[0]!.subject, 'merge conflict: fleet/w1');
    t.match(items[0]!.body, /- shared\.txt/);
  }
  t.equal(repo.git('show', 'main:shared.txt'), lines(5, { 2: 'two on main' }), 'main kept its line');
  t.equal(inTree.status(), '', 'the worker’s worktree is as it left it (committed, clean)');

  const lost = await q.fleet.request('POST', '/merge-queue', { token: q.lead, body: { handle: 'nobody' } });
  t.same([lost.status, lost.body.code, lost.body.field], [404, 'MERGES_WORKER_NOT_FOUND', 'handle']);
});

/** The worker's worktree: write a file and commit it there, as the worker would. */
function testRepoAt(dir: string) {
  const repo = { git: (...args: string[]) => gitIn(dir, ...args) };
  return {
    write(path: string, text: string) {
      writeFileSync(join(dir, path), text);
      repo.git('add', '-A');
      repo.git('commit', '-q', '-m', `w1: ${path}`);
    },
    status: () => repo.git('status', '--porcelain'),
  };
}

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'w1',
      GIT_AUTHOR_EMAIL: 'w1@localhost',
      GIT_COMMITTER_NAME: 'w1',
      GIT_COMMITTER_EMAIL: 'w1@localhost',
    },
  });
}
