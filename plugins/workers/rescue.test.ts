/**
 * Worktrees are never deleted dirty. Real git repositories in temp dirs, a real fleet, the fake agent
 * as `claude` in tmux: a dirty worker dismissed with removeWorktree (a tracked edit, a deleted file, an
 * untracked file, an ignored file, a commit on no branch of a remote-less repo) is rescued to
 * refs/fleet/rescue/<handle>/<time> holding all of it but the ignored file, then removed; the rescue
 * restores into a new worktree on a new branch with the commit, the changes uncommitted and the
 * untracked file untracked. Cleanup of several ended workers (a clean one, a pushed one, an untracked
 * one, an unpushed one; a live one left alone); a clean worktree removed with no rescue; the rescue
 * leaves the worktree's own index alone; bad input; another team sees nothing; the tools.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { callTool, startWorkerFleet, tempDir, toolJson, toolText, type TestLike } from '../../test/kit/index.js';
import { inspectWorktree, needsRescue, repoOf, writeRescue } from './rescue-git.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

const fails = (cwd: string, ...args: string[]) => {
  try {
    git(cwd, ...args);
    return false;
  } catch {
    return true;
  }
};

/** A repository on main with README.md, docs/old.md and a .gitignore of *.log; optionally a bare origin. */
function repo(t: TestLike, options: { remote?: boolean } = {}): string {
  const dir = join(tempDir(t, 'fleet-repo-'), 'project');
  mkdirSync(join(dir, 'docs'), { recursive: true });
  git(dir, '-c', 'init.defaultBranch=main', 'init', '--quiet');
  writeFileSync(join(dir, 'README.md'), '# project\n');
  writeFileSync(join(dir, 'docs', 'old.md'), 'old\n');
  writeFileSync(join(dir, '.gitignore'), '*.log\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  if (options.remote) {
    const bare = join(tempDir(t, 'fleet-remote-'), 'origin.git');
    execFileSync('git', ['init', '--bare', '--quiet', bare]);
    git(dir, 'remote', 'add', 'origin', bare);
    git(dir, 'push', '--quiet', 'origin', 'main');
  }
  return dir;
}

process.env.FAKE_AGENT_STATE_DIR = tempDir(t, 'fleet-fake-state-');

t.test('a dirty worker dismissed with removeWorktree is rescued, removed, and restored', async (t) => {
  const project = repo(t);
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const spawned = await w.spawn('feat', { workingDir: project, worktree: true, initialPrompt: 'hello' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const path = spawned.body.worktree.path as string;
  await w.waitWorker('feat', (x) => x.state === 'idle', 'idle');

  // An unpushed commit (the repository has no remote, and main does not have it), then uncommitted work.
  writeFileSync(join(path, 'feature.ts'), 'export const feature = 1;\n');
  git(path, 'add', 'feature.ts');
  git(path, 'commit', '--quiet', '-m', 'the unpushed commit');
  const unpushed = git(path, 'rev-parse', 'HEAD');
  writeFileSync(join(path, 'README.md'), '# project\nedited, not committed\n');
  rmSync(join(path, 'docs', 'old.md'));
  mkdirSync(join(path, 'notes'));
  writeFileSync(join(path, 'notes', 'new.txt'), 'untracked work\n');
  writeFileSync(join(path, 'debug.log'), 'ignored\n');

  const dismissed = await fleet.request('POST', '/orchestrate/dismiss/feat', {
    token: w.lead,
    body: { removeWorktree: true },
  });
  t.equal(dismissed.status, 200, JSON.stringify(dismissed.body));
  t.match(dismissed.body, { handle: 'feat', state: 'stopped', worktree: null, removed: true });
  const rescued = dismissed.body.rescued;
  t.match(rescued, {
    id: Number,
    teamName: 'alpha',
    handle: 'feat',
    ref: /^refs\/fleet\/rescue\/feat\/\d{8}T\d{9}Z$/,
    commit: /^[0-9a-f]{40}$/,
    branch: 'fleet/feat',
    head: unpushed,
    changed: 2,
    untracked: 1,
    unpushed: 1,
    reason: 'dismiss',
    createdBy: 'lead',
    restored: null,
  });
  t.same(
    [...rescued.files].sort((a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1)),
    [
      { status: 'M', path: 'README.md' },
      { status: 'D', path: 'docs/old.md' },
      { status: '??', path: 'notes/new.txt' },
    ],
  );
  t.equal(existsSync(path), false, 'the worktree is gone');
  t.notMatch(git(project, 'worktree', 'list', '--porcelain'), path, 'and git forgot it');

  // The ref holds all three: the edit, the untracked file, the commit (its parent); not the ignored file.
  const { ref, commit } = rescued;
  t.equal(git(project, 'rev-parse', ref), commit);
  t.equal(git(project, 'rev-parse', `${ref}^`), unpushed, 'its parent is the unpushed commit');
  t.equal(git(project, 'show', `${ref}:README.md`), '# project\nedited, not committed');
  t.equal(git(project, 'show', `${ref}:notes/new.txt`), 'untracked work');
  t.equal(git(project, 'show', `${ref}:feature.ts`), 'export const feature = 1;');
  t.ok(fails(project, 'cat-file', '-e', `${ref}:docs/old.md`), 'the deleted file is deleted in it');
  t.ok(fails(project, 'cat-file', '-e', `${ref}:debug.log`), 'ignored files are not the work');
  t.equal(git(project, 'log', '-1', '--format=%s', 'main'), 'initial', 'main untouched');

  // Listed for the team, by any agent of it; a worker is told the same; filtered by handle.
  const listed = await fleet.request('GET', '/orchestrate/rescue', { token: w.lead });
  t.equal(listed.status, 200);
  t.same(listed.body, [rescued]);
  t.same((await fleet.request('GET', '/orchestrate/rescue?handle=other', { token: w.lead })).body, []);

  // Restore: a new worktree on a new branch at the rescued HEAD, the changes uncommitted, untracked untracked.
  const restored = await fleet.request('POST', `/orchestrate/rescue/${rescued.id}/restore`, {
    token: w.lead,
    body: {},
  });
  t.equal(restored.status, 200, JSON.stringify(restored.body));
  const back = join(fleet.dataDir, 'worktrees', 'alpha', `feat-r${rescued.id}`);
  t.match(restored.body.restored, { handle: `feat-r${rescued.id}`, path: back, branch: `fleet/feat-r${rescued.id}` });
  t.match(restored.body.rescue.restored, { path: back, branch: `fleet/feat-r${rescued.id}` });
  t.equal(git(back, 'rev-parse', 'HEAD'), unpushed, 'the commit is back: HEAD is the rescued HEAD');
  t.equal(git(back, 'rev-parse', '--abbrev-ref', 'HEAD'), `fleet/feat-r${rescued.id}`);
  t.equal(readFileSync(join(back, 'README.md'), 'utf8'), '# project\nedited, not committed\n');
  t.equal(readFileSync(join(back, 'notes', 'new.txt'), 'utf8'), 'untracked work\n');
  t.equal(existsSync(join(back, 'docs', 'old.md')), false, 'the deletion is back');
  t.equal(existsSync(join(back, 'debug.log')), false);
  t.same(
    execFileSync('git', ['status', '--porcelain=v1', '--untracked-files=all'], { cwd: back, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort(),
    [' D docs/old.md', ' M README.md', '?? notes/new.txt'],
    'uncommitted changes and an untracked file, nothing staged',
  );

  // A worker spawned under the restored handle with a worktree carries on in it.
  const again = await w.spawn(`feat-r${rescued.id}`, { workingDir: project, worktree: true });
  t.equal(again.status, 201, JSON.stringify(again.body));
  t.equal(again.body.worktree.path, back);
  t.equal(readFileSync(join(back, 'notes', 'new.txt'), 'utf8'), 'untracked work\n', 'its work is there');

  // Never over an existing directory or branch.
  const twice = await fleet.request('POST', `/orchestrate/rescue/${rescued.id}/restore`, { token: w.lead, body: {} });
  t.equal(twice.status, 409);
  t.match(twice.body, { code: 'WORKERS_PATH_EXISTS', field: 'path' });
  const existingDir = tempDir(t, 'fleet-existing-');
  const overDir = await fleet.request('POST', `/orchestrate/rescue/${rescued.id}/restore`, {
    token: w.lead,
    body: { handle: 'other', path: existingDir },
  });
  t.match(overDir, { status: 409, body: { code: 'WORKERS_PATH_EXISTS' } });
  t.equal(existsSync(join(existingDir, 'README.md')), false, 'nothing written into it');
  const overBranch = await fleet.request('POST', `/orchestrate/rescue/${rescued.id}/restore`, {
    token: w.lead,
    body: { handle: 'feat' },
  });
  t.match(overBranch, { status: 409, body: { code: 'WORKERS_BRANCH_EXISTS', field: 'handle' } });
  t.notOk(existsSync(join(fleet.dataDir, 'worktrees', 'alpha', 'feat')), 'no directory left behind');

  // At a path of the caller's choosing, under a handle of its choosing.
  const elsewhere = join(tempDir(t, 'fleet-restore-'), 'here');
  const chosen = await fleet.request('POST', `/orchestrate/rescue/${rescued.id}/restore`, {
    token: w.lead,
    body: { handle: 'picked', path: elsewhere },
  });
  t.equal(chosen.status, 200, JSON.stringify(chosen.body));
  t.equal(git(elsewhere, 'rev-parse', '--abbrev-ref', 'HEAD'), 'fleet/picked');
  t.equal(readFileSync(join(elsewhere, 'README.md'), 'utf8'), '# project\nedited, not committed\n');
});

t.test('cleanup removes every ended worker’s worktree, rescuing those that need it', async (t) => {
  const project = repo(t, { remote: true });
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const paths: Record<string, string> = {};
  for (const handle of ['clean', 'pushed', 'untracked', 'unpushed', 'live']) {
    const spawned = await w.spawn(handle, { workingDir: project, worktree: true });
    t.equal(spawned.status, 201, JSON.stringify(spawned.body));
    paths[handle] = spawned.body.worktree.path;
  }
  writeFileSync(join(paths.pushed!, 'shipped.ts'), 'export {};\n');
  git(paths.pushed!, 'add', '.');
  git(paths.pushed!, 'commit', '--quiet', '-m', 'shipped');
  t.equal((await fleet.request('POST', '/orchestrate/worktree/pushed/push', { token: w.lead })).status, 200);
  writeFileSync(join(paths.untracked!, 'scratch.txt'), 'scratch\n');
  writeFileSync(join(paths.unpushed!, 'local.ts'), 'export {};\n');
  git(paths.unpushed!, 'add', '.');
  git(paths.unpushed!, 'commit', '--quiet', '-m', 'local only');
  writeFileSync(join(paths.live!, 'busy.txt'), 'still working\n');
  for (const handle of ['clean', 'pushed', 'untracked', 'unpushed']) {
    const dismissed = await fleet.request('POST', `/orchestrate/dismiss/${handle}`, { token: w.lead });
    t.equal(dismissed.status, 200);
    t.equal(existsSync(paths[handle]!), true, 'a plain dismiss keeps the worktree');
  }

  // The live worker's worktree may not be removed.
  const running = await fleet.request('DELETE', '/orchestrate/worktree/live', { token: w.lead });
  t.match(running, { status: 409, body: { code: 'WORKERS_STILL_RUNNING' } });

  const cleaned = await fleet.request('POST', '/orchestrate/worktrees/cleanup', { token: w.lead });
  t.equal(cleaned.status, 200, JSON.stringify(cleaned.body));
  t.match(cleaned.body, { removed: 4, rescued: 2 });
  const byHandle = Object.fromEntries(cleaned.body.workers.map((x: { handle: string }) => [x.handle, x]));
  t.same(Object.keys(byHandle).sort(), ['clean', 'pushed', 'unpushed', 'untracked'], 'the live worker is left');
  t.match(byHandle.clean, { removed: true, rescued: null });
  t.match(byHandle.pushed, { removed: true, rescued: null }, 'a commit on the remote is safe: no rescue');
  t.match(byHandle.untracked, { removed: true, rescued: { untracked: 1, changed: 0, unpushed: 0, reason: 'cleanup' } });
  t.match(byHandle.unpushed, { removed: true, rescued: { untracked: 0, changed: 0, unpushed: 1 } });
  t.equal(git(project, 'show', `${byHandle.untracked.rescued.ref}:scratch.txt`), 'scratch');
  t.equal(git(project, 'log', '-1', '--format=%s', `${byHandle.unpushed.rescued.ref}^`), 'local only');
  for (const handle of ['clean', 'pushed', 'untracked', 'unpushed']) t.equal(existsSync(paths[handle]!), false);
  t.equal(existsSync(join(paths.live!, 'busy.txt')), true, 'the live worker’s worktree is untouched');
  t.equal((await w.worker('clean')).worktree, null, 'the worker no longer names a worktree');

  // Nothing left to clean; the tools list and restore the same rescues.
  const empty = await fleet.request('POST', '/orchestrate/worktrees/cleanup', { token: w.lead });
  t.same(empty.body, { workers: [], removed: 0, rescued: 0 });
  const lead = { token: w.lead };
  const listed = toolJson(await callTool(fleet, lead as never, 'rescue_list', {}));
  t.same(
    listed.map((rescue: { handle: string }) => rescue.handle),
    ['unpushed', 'untracked'],
    'newest first',
  );
  const restored = toolJson(
    await callTool(fleet, lead as never, 'rescue_restore', { id: byHandle.untracked.rescued.id, handle: 'revived' }),
  );
  t.equal(readFileSync(join(restored.restored.path, 'scratch.txt'), 'utf8'), 'scratch\n');
  const removedByTool = await callTool(fleet, lead as never, 'worktree_remove', { handle: 'live' });
  t.ok(removedByTool.isError);
  t.match(toolText(removedByTool), /^WORKERS_STILL_RUNNING/);
});

t.test('remove: a clean worktree goes with no rescue; refusals; another team sees nothing', async (t) => {
  const project = repo(t);
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const spawned = await w.spawn('tidy', { workingDir: project, worktree: true });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const path = spawned.body.worktree.path as string;
  await w.spawn('plain');
  const worker = (await fleet.register('w9', 'alpha', 'worker')).token;
  const beta = (await fleet.register('boss', 'beta', 'team-lead')).token;

  t.match(await fleet.request('DELETE', '/orchestrate/worktree/tidy', { token: w.lead }), {
    status: 409,
    body: { code: 'WORKERS_STILL_RUNNING', error: /^Worker tidy is \w+: dismiss it before removing its worktree$/ },
  });
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/tidy', { token: worker }), {
    status: 403,
    body: { code: 'FLEET_INSUFFICIENT_PERMISSIONS' },
  });
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/ghost', { token: w.lead }), {
    status: 404,
    body: { code: 'WORKERS_NOT_FOUND' },
  });
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/bad%20handle', { token: w.lead }), {
    status: 400,
    body: { code: 'FLEET_INVALID_INPUT', field: 'handle' },
  });
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/tidy', {}), { status: 401 });
  await fleet.request('POST', '/orchestrate/dismiss/plain', { token: w.lead });
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/plain', { token: w.lead }), {
    status: 409,
    body: { code: 'WORKERS_NO_WORKTREE' },
  });
  t.match(
    await fleet.request('POST', '/orchestrate/dismiss/plain', { token: w.lead, body: { removeWorktree: true } }),
    { status: 200, body: { removed: false, rescued: null } },
    'dismiss with removeWorktree of a worker without one',
  );
  t.match(
    await fleet.request('POST', '/orchestrate/dismiss/plain', { token: w.lead, body: { removeWorktree: 'yes' } }),
    { status: 400, body: { field: 'removeWorktree' } },
  );

  // Another team: 404, like an unknown worker; nothing removed.
  await fleet.request('POST', '/orchestrate/dismiss/tidy', { token: w.lead });
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/tidy', { token: beta }), {
    status: 404,
    body: { code: 'WORKERS_NOT_FOUND', error: 'Worker tidy not found' },
  });
  t.equal(existsSync(path), true);
  t.same((await fleet.request('POST', '/orchestrate/worktrees/cleanup', { token: beta })).body, {
    workers: [],
    removed: 0,
    rescued: 0,
  });
  t.equal(existsSync(path), true, 'beta’s cleanup leaves alpha’s worktrees');

  const removed = await fleet.request('DELETE', '/orchestrate/worktree/tidy', { token: w.lead });
  t.equal(removed.status, 200, JSON.stringify(removed.body));
  t.same(removed.body, { handle: 'tidy', removed: true, rescued: null }, 'clean: no rescue');
  t.equal(existsSync(path), false);
  t.equal(git(project, 'for-each-ref', 'refs/fleet/'), '', 'no rescue ref written');
  t.match(await fleet.request('DELETE', '/orchestrate/worktree/tidy', { token: w.lead }), {
    status: 409,
    body: { code: 'WORKERS_NO_WORKTREE' },
  });

  // A rescue to look at for the scoping checks.
  const dirty = await w.spawn('dirty', { workingDir: project, worktree: true });
  writeFileSync(join(dirty.body.worktree.path, 'x.txt'), 'x\n');
  await fleet.request('POST', '/orchestrate/dismiss/dirty', { token: w.lead });
  const taken = await fleet.request('DELETE', '/orchestrate/worktree/dirty', { token: w.lead });
  t.equal(taken.status, 200, JSON.stringify(taken.body));
  const id = taken.body.rescued.id as number;
  t.same((await fleet.request('GET', '/orchestrate/rescue', { token: beta })).body, [], 'beta lists none');
  t.match(await fleet.request('POST', `/orchestrate/rescue/${id}/restore`, { token: beta, body: {} }), {
    status: 404,
    body: { code: 'WORKERS_RESCUE_NOT_FOUND', error: `Rescue ${id} not found` },
  });
  t.equal((await fleet.request('GET', '/orchestrate/rescue', { token: worker })).body.length, 1, 'a worker lists');
  t.match(await fleet.request('POST', `/orchestrate/rescue/${id}/restore`, { token: worker, body: {} }), {
    status: 403,
  });

  // Bad input to restore.
  const restore = (path: string, body: Record<string, unknown>) => fleet.request('POST', path, { token: w.lead, body });
  t.match(await restore('/orchestrate/rescue/abc/restore', {}), { status: 400, body: { field: 'id' } });
  t.match(await restore('/orchestrate/rescue/0/restore', {}), { status: 400, body: { field: 'id' } });
  t.match(await restore('/orchestrate/rescue/99999999999/restore', {}), { status: 400, body: { field: 'id' } });
  t.match(await restore('/orchestrate/rescue/4242/restore', {}), { status: 404 });
  t.match(await restore(`/orchestrate/rescue/${id}/restore`, { path: 'relative/dir' }), {
    status: 400,
    body: { code: 'WORKERS_RELATIVE_PATH', field: 'path' },
  });
  t.match(await restore(`/orchestrate/rescue/${id}/restore`, { path: '/no/such/parent/dir' }), {
    status: 400,
    body: { code: 'WORKERS_NO_PARENT_DIR', field: 'path' },
  });
  t.match(await restore(`/orchestrate/rescue/${id}/restore`, { path: '/tmp/a\0b' }), {
    status: 400,
    body: { field: 'path' },
  });
  t.match(await restore(`/orchestrate/rescue/${id}/restore`, { path: 42 }), { status: 400, body: { field: 'path' } });
  t.match(await restore(`/orchestrate/rescue/${id}/restore`, { handle: '../x' }), {
    status: 400,
    body: { field: 'handle' },
  });
  t.match(await fleet.request('GET', '/orchestrate/rescue?handle=a%20b', { token: w.lead }), {
    status: 400,
    body: { field: 'handle' },
  });

  // A rescue whose ref was deleted from the repository is refused with the reason.
  git(project, 'update-ref', '-d', taken.body.rescued.ref);
  t.match(await restore(`/orchestrate/rescue/${id}/restore`, {}), {
    status: 409,
    body: { code: 'WORKERS_RESCUE_GONE', error: /its ref refs\/fleet\/rescue\/dirty\/.* is gone/ },
  });
});

t.test('the rescue leaves the worktree, its index and its staged changes as they were', async (t) => {
  const project = repo(t);
  const path = join(tempDir(t, 'fleet-wt-'), 'wt');
  git(project, 'worktree', 'add', '--quiet', '-b', 'fleet/x', path);
  writeFileSync(join(path, 'staged.txt'), 'staged\n');
  git(path, 'add', 'staged.txt');
  writeFileSync(join(path, 'README.md'), 'unstaged edit\n');
  writeFileSync(join(path, 'loose.txt'), 'untracked\n');
  // Read before git status could refresh it: the rescue (inspection included) must not write it at all.
  const indexBefore = readFileSync(join(project, '.git', 'worktrees', 'wt', 'index'));
  const before = git(path, '--no-optional-locks', 'status', '--porcelain=v1', '--untracked-files=all');
  const holdings = await inspectWorktree(path, await repoOf(path));
  t.ok(needsRescue(holdings));
  t.match(holdings, { changed: 2, untracked: 1, unpushed: 0, against: 'main' });
  const ref = 'refs/fleet/rescue/x/20260101T000000000Z';
  const commit = await writeRescue(path, holdings, ref, 'test rescue');
  t.same(readFileSync(join(project, '.git', 'worktrees', 'wt', 'index')), indexBefore, 'the index file unchanged');
  t.equal(git(path, 'status', '--porcelain=v1', '--untracked-files=all'), before, 'status unchanged');
  t.equal(git(project, 'show', `${ref}:staged.txt`), 'staged');
  t.equal(git(project, 'show', `${ref}:loose.txt`), 'untracked');
  t.equal(git(project, 'show', `${ref}:README.md`), 'unstaged edit');
  await t.rejects(writeRescue(path, holdings, ref, 'again'), 'an existing rescue ref is never overwritten');
  t.equal(git(project, 'rev-parse', ref), commit);

  // Without a remote, a commit merged into main is safe; one that is not counts.
  git(path, 'commit', '--quiet', '-m', 'on the branch');
  t.equal((await inspectWorktree(path, project)).unpushed, 1);
  git(project, 'merge', '--quiet', '--ff-only', 'fleet/x');
  t.equal((await inspectWorktree(path, project)).unpushed, 0, 'merged into the default branch');
});
