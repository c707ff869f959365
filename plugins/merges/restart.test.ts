/**
 * A restart resumes the queue: entries left `running` by a fleet that stopped mid-test are settled by the
 * next fleet on the same data. One whose rebased commit the target already holds (the move happened, the
 * status write did not) is merged without running again; one that did not land is run again from the
 * start in a new throwaway worktree; a queued one keeps its place. The target, checked out nowhere, moves
 * by update-ref; the main checkout (on another branch) is never touched; no throwaway worktree is left.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir, waitFor } from '../../test/kit/index.js';
import { queueFleet } from './test-fleet.js';
import { testRepo } from './test-repo.js';

t.test('a restart mid-queue: landed entries are merged, the others run again', async (t) => {
  const repo = testRepo(tempDir(t, 'merges-restart-'), { 'a.txt': 'a\n' });
  repo.git('branch', 'other');
  repo.branch('one', { 'one.txt': '1\n' });
  repo.branch('two', { 'two.txt': '2\n' });
  repo.branch('three', { 'three.txt': '3\n' }, 'other');
  repo.git('checkout', '-q', '-b', 'dev');
  repo.write({ 'wip.txt': 'work in progress\n' });
  const before = repo.status();

  const first = await queueFleet(t, { test: ['node', '-e', 'setTimeout(() => {}, 60000)'] });
  const one = await first.enqueue({ branch: 'one', repo: repo.dir });
  const two = await first.enqueue({ branch: 'two', repo: repo.dir });
  const three = await first.enqueue({ branch: 'three', repo: repo.dir, target: 'other' });
  const testing = await waitFor('one and three in their test', async () => {
    const entries = await Promise.all([one.id, three.id].map((id) => first.get(id)));
    return entries.every((entry) => entry.phase === 'test' && entry.rebasedCommit) ? entries : undefined;
  });
  t.equal((await first.get(two.id)).status, 'queued', 'one at a time per target');
  const dataDir = first.fleet.dataDir;
  const leftover = join(dataDir, 'merges', `${one.id}-0`);
  t.ok(existsSync(leftover), 'the throwaway worktree is in the data dir');
  await first.fleet.kernel.stop();
  const stoppedAt = Date.now();

  // As if the fleet died between moving main and writing "merged": main holds one's rebased commit.
  const landed = testing[0]!.rebasedCommit!;
  repo.git('update-ref', 'refs/heads/main', landed, repo.head('main'));

  const second = await queueFleet(t, {}, { dataDir, storage: first.fleet.storage });
  const done = await second.settle([one.id, two.id, three.id]);
  t.same(
    done.map((entry) => entry.status),
    ['merged', 'merged', 'merged'],
  );
  t.match(done[0]!.message, /merged before the restart/);
  t.equal(done[0]!.rebasedCommit, landed);
  t.equal(repo.git('show', 'main:one.txt'), '1\n');
  t.equal(repo.git('show', 'main:two.txt'), '2\n');
  t.equal(repo.head('main'), done[1]!.rebasedCommit, 'two went onto one');
  t.equal(repo.git('show', 'other:three.txt'), '3\n', 'three was run again and merged into other');
  t.ok(Date.parse(done[2]!.startedAt!) >= stoppedAt, 'three was started again by the second fleet');
  t.match(done[1]!.message, /update-ref/, 'a target checked out nowhere moves by update-ref');
  t.equal(repo.status(), before, 'the main checkout (on dev) is untouched');
  await waitFor('no throwaway worktree left', () => !existsSync(leftover));
  t.equal(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)!.length, 1);
});
