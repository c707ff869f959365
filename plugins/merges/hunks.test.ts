/**
 * The lost-hunk check on a fixture of tricky merges, in real repositories: a clean rebase keeps every
 * hunk; a bad conflict resolution that drops a hunk is caught (and the hunk the target changed too is
 * reported as superseded, not silent); moved code half-dropped; a whitespace-only change reverted; a
 * deleted file brought back; a binary file. Each case builds the "result" the way a person resolving
 * a conflict might have, then asks the check.
 */
import t from 'tap';
import { type TestLike, tempDir } from '../../test/kit/index.js';
import { checkHunks } from './hunk-check.js';
import { lines, type TestRepo, testRepo } from './test-repo.js';

/** A commit on top of `onto` with these files written (and `remove` deleted): a hand-made resolution. */
function resultOn(repo: TestRepo, onto: string, files: Record<string, string>, remove: string[] = []): string {
  repo.git('checkout', '-q', '--detach', onto);
  repo.write(files);
  for (const path of remove) repo.git('rm', '-q', path);
  const sha = repo.commit('resolution');
  repo.git('checkout', '-q', 'main');
  return sha;
}

/** What `git rebase` makes of the branch onto main. */
function rebased(repo: TestRepo, branch: string): string {
  repo.git('checkout', '-q', '--detach', branch);
  repo.git('rebase', '-q', 'main');
  const sha = repo.head();
  repo.git('checkout', '-q', 'main');
  return sha;
}

function setup(t: TestLike): TestRepo {
  return testRepo(tempDir(t, 'merges-hunks-'), { 'f.txt': lines(20), 'g.txt': lines(5), 'bin.dat': 'AAA\0' });
}

t.test('a clean rebase keeps every hunk', async (t) => {
  const repo = setup(t);
  const base = repo.head();
  const branch = repo.branch('b', { 'f.txt': lines(20, { 2: 'two', 15: 'fifteen' }), 'new.txt': 'new\n' });
  repo.write({ 'f.txt': lines(20, { 8: 'eight' }) });
  const onto = repo.commit('target moves');
  const result = rebased(repo, 'b');
  const check = await checkHunks(repo.dir, { base, branch, onto, result });
  t.same(check, { present: 3, superseded: [], lost: [] });
});

t.test('a bad conflict resolution drops a hunk: lost; the hunk the target changed too: superseded', async (t) => {
  const repo = setup(t);
  const base = repo.head();
  const branch = repo.branch('b', { 'f.txt': lines(20, { 2: 'branch two', 8: 'branch eight' }) });
  repo.write({ 'f.txt': lines(20, { 8: 'target eight' }) });
  const onto = repo.commit('target');
  // "Take theirs" for the whole file: the branch's line 2 goes with the conflict at line 8.
  const result = resultOn(repo, onto, { 'f.txt': lines(20, { 8: 'target eight' }) });
  const check = await checkHunks(repo.dir, { base, branch, onto, result });
  t.equal(check.present, 0);
  t.same(
    check.lost.map((hunk) => [hunk.path, hunk.line, hunk.sample]),
    [['f.txt', 2, 'branch two']],
  );
  t.same(
    check.superseded.map((hunk) => [hunk.path, hunk.line, hunk.sample]),
    [['f.txt', 8, 'branch eight']],
  );
  // The good resolution keeps line 2 (and picks the target's line 8): nothing lost, line 8 superseded.
  const good = resultOn(repo, onto, { 'f.txt': lines(20, { 2: 'branch two', 8: 'target eight' }) });
  const fixed = await checkHunks(repo.dir, { base, branch, onto, result: good });
  t.equal(fixed.lost.length, 0);
  t.equal(fixed.superseded.length, 1);
});

t.test('moved code: kept when both halves land, lost when only the deletion does', async (t) => {
  const repo = setup(t);
  const base = repo.head();
  const original = lines(20).split('\n').slice(0, 20);
  const moved = [original[0], ...original.slice(4), original[1], original[2], original[3]].join('\n') + '\n';
  const branch = repo.branch('b', { 'f.txt': moved });
  repo.write({ 'g.txt': lines(5, { 1: 'target one' }) });
  const onto = repo.commit('target elsewhere');
  const clean = await checkHunks(repo.dir, { base, branch, onto, result: rebased(repo, 'b') });
  t.same({ lost: clean.lost, superseded: clean.superseded }, { lost: [], superseded: [] });
  t.equal(clean.present, 2);
  const halfMoved = [original[0], ...original.slice(4)].join('\n') + '\n';
  const result = resultOn(repo, onto, { 'f.txt': halfMoved });
  const check = await checkHunks(repo.dir, { base, branch, onto, result });
  t.equal(check.lost.length, 1, 'the addition of the moved block is lost');
  t.equal(check.lost[0]!.added, 3);
  t.equal(check.superseded.length, 0);
});

t.test('a whitespace-only change reverted is lost; kept, it is present', async (t) => {
  const repo = setup(t);
  const base = repo.head();
  const branch = repo.branch('b', { 'f.txt': lines(20, { 5: '    line 5' }) });
  repo.write({ 'g.txt': lines(5, { 5: 'target five' }) });
  const onto = repo.commit('target elsewhere');
  const kept = await checkHunks(repo.dir, { base, branch, onto, result: rebased(repo, 'b') });
  t.same({ present: kept.present, lost: kept.lost.length }, { present: 1, lost: 0 });
  const reverted = resultOn(repo, onto, { 'g.txt': lines(5, { 5: 'target five' }), 'x.txt': 'x\n' });
  const check = await checkHunks(repo.dir, { base, branch, onto, result: reverted });
  t.same(
    check.lost.map((hunk) => hunk.sample),
    ['    line 5'],
  );
});

t.test('a file the branch deleted, brought back, is lost; a binary change dropped is lost', async (t) => {
  const repo = setup(t);
  const base = repo.head();
  repo.git('checkout', '-q', '-b', 'b');
  repo.git('rm', '-q', 'g.txt');
  repo.write({ 'bin.dat': 'BBB\0' });
  const branch = repo.commit('delete g, change bin');
  repo.git('checkout', '-q', 'main');
  repo.write({ 'f.txt': lines(20, { 20: 'target twenty' }) });
  const onto = repo.commit('target');
  const clean = await checkHunks(repo.dir, { base, branch, onto, result: rebased(repo, 'b') });
  t.same({ present: clean.present, lost: clean.lost.length }, { present: 2, lost: 0 });
  const result = resultOn(repo, onto, { 'f.txt': lines(20, { 20: 'target twenty' }), 'x.txt': 'x\n' });
  const check = await checkHunks(repo.dir, { base, branch, onto, result });
  t.same(check.lost.map((hunk) => hunk.path).sort(), ['bin.dat', 'g.txt']);
});

t.test('a hunk the target deleted the file of is superseded', async (t) => {
  const repo = setup(t);
  const base = repo.head();
  const branch = repo.branch('b', { 'g.txt': lines(5, { 3: 'branch three' }) });
  repo.git('rm', '-q', 'g.txt');
  const onto = repo.commit('target deletes g');
  const result = resultOn(repo, onto, { 'h.txt': 'h\n' });
  const check = await checkHunks(repo.dir, { base, branch, onto, result });
  t.same(
    { lost: check.lost.length, superseded: check.superseded.map((hunk) => hunk.path) },
    { lost: 0, superseded: ['g.txt'] },
  );
});
