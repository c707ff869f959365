/**
 * The merge queue end to end, on real repositories (SQLite or PostgreSQL by FLEET_TEST_STORAGE): five
 * branches, two conflicting with each other and one failing its test → three merged, one conflict with
 * its files (mailed to its lead), one failed with the test's tail; the main checkout, with local changes,
 * moved only by fast-forward and its `git status` unchanged; no throwaway worktree left. A flaky test
 * passes on its retry.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../../test/kit/index.js';
import { queueFleet } from './test-fleet.js';
import { lines, testRepo } from './test-repo.js';

const CHECK = `import { existsSync } from 'node:fs';
if (existsSync('FAIL')) { console.log('the FAIL file is here'); process.exit(1); }
console.log('ok');
`;

t.test('five branches: three merged, one conflict with its files, one failed; main checkout untouched', async (t) => {
  const repo = testRepo(tempDir(t, 'merges-queue-'), {
    'a.txt': 'a\n',
    'c.txt': 'c\n',
    'd.txt': 'd\n',
    'shared.txt': lines(10),
    'check.mjs': CHECK,
  });
  repo.branch('b1', { 'a.txt': 'a from b1\n' });
  repo.branch('b2', { 'shared.txt': lines(10, { 3: 'three from b2' }) });
  repo.branch('b3', { 'shared.txt': lines(10, { 3: 'three from b3' }) });
  repo.branch('b4', { FAIL: 'x\n', 'e.txt': 'e\n' });
  repo.branch('b5', { 'd.txt': 'd from b5\n' });
  // The person's own work in the main checkout: a changed file and an untracked one.
  repo.write({ 'c.txt': 'c, edited by hand\n', 'notes.txt': 'mine\n' });
  const before = repo.status();
  t.not(before, '', 'the checkout has local changes');

  const q = await queueFleet(t, { test: ['node', 'check.mjs'], testRetries: 1 });
  const entries = [];
  for (const branch of ['b1', 'b2', 'b3', 'b4', 'b5']) entries.push(await q.enqueue({ branch, repo: repo.dir }));
  t.same(
    entries.map((entry) => [entry.status, entry.target, entry.repo]),
    Array(5).fill(['queued', 'main', repo.dir]),
  );
  const done = await q.settle(entries.map((entry) => entry.id));
  t.same(
    done.map((entry) => [entry.branch, entry.status]),
    [
      ['b1', 'merged'],
      ['b2', 'merged'],
      ['b3', 'conflict'],
      ['b4', 'failed'],
      ['b5', 'merged'],
    ],
  );
  const [b1, , b3, b4, b5] = done;
  t.same(b3!.report!.conflictFiles, ['shared.txt'], 'the conflict names its file');
  t.match(b3!.message, /shared\.txt/);
  t.same(
    b4!.report!.testRuns!.map((run) => run.passed),
    [false, false],
    'the failing test ran twice (testRetries: 1)',
  );
  t.ok(b4!.report!.testOutput!.includes('the FAIL file is here'), 'the failure keeps the output’s tail');
  t.equal(b1!.report!.hunks!.lost.length, 0);
  t.ok(b1!.report!.timings.rebaseMs >= 0 && b5!.report!.timings.mergeMs >= 0);

  // main moved by fast-forward in the checkout: the merged files are there, the person's changes too.
  t.equal(repo.head('main'), b5!.rebasedCommit, 'main is the last merged entry');
  t.equal(repo.git('show', 'main:a.txt'), 'a from b1\n');
  t.match(repo.git('show', 'main:shared.txt'), /three from b2/);
  t.equal(repo.git('show', 'main:d.txt'), 'd from b5\n');
  t.notMatch(repo.git('ls-tree', '--name-only', 'main'), /FAIL/, 'the failed branch did not land');
  t.equal(repo.status(), before, 'git status of the main checkout is unchanged');
  t.equal(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)!.length, 1, 'no throwaway left');

  // The conflict and the failure reached the lead by mail (the worker is unknown: queued by branch).
  const mail = await q.fleet.request('GET', '/mail/lead', { token: q.lead });
  const subjects = (mail.body as { subject: string }[]).map((item) => item.subject).sort();
  t.same(subjects, ['merge conflict: b3', 'merge failed: b4']);
  const conflictMail = (mail.body as { subject: string; body: string }[]).find((item) => /conflict/.test(item.subject));
  t.match(conflictMail!.body, /- shared\.txt/);

  // The listing agrees.
  const listed = await q.fleet.request('GET', '/merge-queue?status=merged', { token: q.lead });
  t.equal(listed.body.count, 3);
});

t.test('a flaky test passes on its retry', async (t) => {
  const dir = tempDir(t, 'merges-flaky-');
  const repo = testRepo(join(dir, 'repo'), { 'a.txt': 'a\n' });
  repo.branch('flaky', { 'a.txt': 'a changed\n' });
  const state = join(dir, 'ran-once');
  const script = join(dir, 'flaky.mjs');
  writeFileSync(
    script,
    `import { existsSync, writeFileSync } from 'node:fs';
const state = process.argv[2];
if (!existsSync(state)) { writeFileSync(state, '1'); console.log('first run fails'); process.exit(3); }
console.log('second run passes');
`,
  );
  const q = await queueFleet(t, { test: ['node', script, state], testRetries: 2 });
  const entry = await q.enqueue({ branch: 'flaky', repo: repo.dir });
  const [done] = await q.settle([entry.id]);
  t.equal(done!.status, 'merged');
  t.same(
    done!.report!.testRuns!.map((run) => [run.passed, run.exitCode]),
    [
      [false, 3],
      [true, 0],
    ],
  );
  t.equal(done!.attempts, 2);
  t.equal(repo.git('show', 'main:a.txt'), 'a changed\n');
});
