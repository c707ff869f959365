/**
 * Worktrees with real git: a worker spawned with worktree: true runs in `git worktree add -b
 * fleet/<handle>`; commit takes the message as one argument (shell syntax stays text), status shows
 * the branch and changes, push goes to a real (bare, local) remote and is a clear 409 without one,
 * a PR without gh is a clear 409. The worktree_* tools follow the same rules.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir, type TestLike } from '../../test/kit/index.js';
import { startWorkerFleet } from '../../test/kit/index.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

/** A git repository with one commit on main. */
function repo(t: TestLike): string {
  const dir = join(tempDir(t, 'fleet-repo-'), 'project');
  mkdirSync(dir);
  git(dir, '-c', 'init.defaultBranch=main', 'init', '--quiet');
  writeFileSync(join(dir, 'README.md'), '# project\n');
  git(dir, 'add', 'README.md');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  return dir;
}

function ghInstalled(): boolean {
  try {
    execFileSync('gh', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// The fake agent keeps its per-session state outside the worktree, so the tree starts clean.
const stateDir = tempDir(t, 'fleet-fake-state-');
process.env.FAKE_AGENT_STATE_DIR = stateDir;

t.test('spawn in a worktree on fleet/<handle>; commit, status, push, PR', async (t) => {
  const project = repo(t);
  const scratch = tempDir(t, 'fleet-pwned-');
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const spawned = await w.spawn('feat', { workingDir: project, worktree: true, initialPrompt: 'hello' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const path = join(fleet.dataDir, 'worktrees', w.team, 'feat');
  t.same(spawned.body.worktree, { path, branch: 'fleet/feat' });
  t.equal(spawned.body.workingDir, path, 'the worker runs in its worktree');
  const list = git(project, 'worktree', 'list', '--porcelain');
  t.match(list, `worktree ${path}\n`, 'a git worktree of the repository');
  t.match(list, 'branch refs/heads/fleet/feat', 'on branch fleet/feat');
  const idle = await w.waitWorker('feat', (x) => x.state === 'idle', 'idle');
  t.equal(idle.result, 'ack: hello');

  const status0 = await fleet.request('GET', '/orchestrate/worktree/feat/status', { token: w.lead });
  t.same(status0.body, { branch: 'fleet/feat', clean: true, files: [] }, 'clean at first');
  writeFileSync(join(path, 'feature.ts'), 'export const x = 1;\n');
  writeFileSync(join(path, 'README.md'), '# project\nchanged\n');
  const status1 = await fleet.request('GET', '/orchestrate/worktree/feat/status', { token: w.lead });
  t.match(status1.body, { branch: 'fleet/feat', clean: false });
  t.same(
    (status1.body.files as { status: string; path: string }[]).sort((a, b) => (a.path < b.path ? -1 : 1)),
    [
      { status: 'M', path: 'README.md' },
      { status: '??', path: 'feature.ts' },
    ],
  );

  // The message is one argument to git: shell syntax and option-looking text stay text.
  const pwned = join(scratch, 'pwned');
  const message = `$(touch ${pwned})`;
  const committed = await fleet.request('POST', '/orchestrate/worktree/feat/commit', {
    token: w.lead,
    body: { message },
  });
  t.equal(committed.status, 200, JSON.stringify(committed.body));
  t.match(committed.body, { commit: /^[0-9a-f]{40}$/, message });
  t.equal(git(path, 'log', '-1', '--format=%B'), message, 'the commit message is exactly the text');
  t.equal(git(path, 'rev-parse', 'HEAD'), committed.body.commit);
  t.equal(git(path, 'rev-parse', '--abbrev-ref', 'HEAD'), 'fleet/feat');
  t.equal(existsSync(pwned), false, 'nothing ran: the file was never created');
  t.equal(git(project, 'log', '-1', '--format=%s', 'main'), 'initial', 'main is untouched');
  t.same((await fleet.request('GET', '/orchestrate/worktree/feat/status', { token: w.lead })).body, {
    branch: 'fleet/feat',
    clean: true,
    files: [],
  });

  for (const tricky of ['--amend', `\`touch ${pwned}\`; echo "x" && touch ${pwned}`, 'line one\nline two']) {
    writeFileSync(join(path, 'feature.ts'), `export const x = ${JSON.stringify(tricky)};\n`);
    const again = await fleet.request('POST', '/orchestrate/worktree/feat/commit', {
      token: w.lead,
      body: { message: tricky },
    });
    t.equal(again.status, 200, JSON.stringify(again.body));
    t.equal(git(path, 'log', '-1', '--format=%B'), tricky, `message ${JSON.stringify(tricky)} kept as text`);
  }
  t.equal(existsSync(pwned), false);
  t.equal(git(path, 'rev-list', '--count', 'HEAD'), '5', 'four new commits, none amended');

  const nothing = await fleet.request('POST', '/orchestrate/worktree/feat/commit', {
    token: w.lead,
    body: { message: 'empty' },
  });
  t.equal(nothing.status, 409);
  t.match(nothing.body.error, /^Nothing to commit/);

  // Push: a clear 409 without a remote; with a (local, bare) remote the branch arrives.
  const noRemote = await fleet.request('POST', '/orchestrate/worktree/feat/push', { token: w.lead });
  t.equal(noRemote.status, 409);
  t.match(noRemote.body.error, /^No git remote is configured for this repository/);
  const bare = join(tempDir(t, 'fleet-remote-'), 'origin.git');
  execFileSync('git', ['init', '--bare', '--quiet', bare]);
  git(project, 'remote', 'add', 'origin', bare);
  const pushed = await fleet.request('POST', '/orchestrate/worktree/feat/push', { token: w.lead });
  t.same(pushed, { ...pushed, status: 200, body: { remote: 'origin', branch: 'fleet/feat' } });
  t.equal(
    execFileSync('git', ['--git-dir', bare, 'rev-parse', 'refs/heads/fleet/feat'], { encoding: 'utf8' }).trim(),
    git(path, 'rev-parse', 'HEAD'),
    'the remote has the branch',
  );

  // PR: without gh, a clear 409.
  const pr = await fleet.request('POST', '/orchestrate/worktree/feat/pr', {
    token: w.lead,
    body: { title: 'Feature $(id)', body: 'Body `id`' },
  });
  if (ghInstalled()) t.comment('gh is installed here: the missing-gh answer is not checked');
  else {
    t.equal(pr.status, 409);
    t.match(pr.body.error, /^gh \(the GitHub CLI\) is not installed/);
  }
  const badBase = await fleet.request('POST', '/orchestrate/worktree/feat/pr', {
    token: w.lead,
    body: { title: 't', body: 'b', base: 'main; rm -rf /' },
  });
  t.equal(badBase.status, 400);
  t.match(badBase.body.error, /^base: must be a branch name/);
});

t.test(
  'the worktree_* tools: the worker commits its own tree; others may not; push and PR are the lead’s',
  async (t) => {
    const project = repo(t);
    const w = await startWorkerFleet(t);
    const { fleet } = w;
    t.equal((await w.spawn('wt', { workingDir: project, worktree: true })).status, 201);
    const path = join(fleet.dataDir, 'worktrees', w.team, 'wt');
    const self = (await fleet.register('wt', 'alpha')).token;
    const other = (await fleet.register('someone', 'alpha')).token;
    const call = async (token: string, name: string, args: Record<string, unknown>) =>
      (await fleet.request('POST', '/mcp/call', { token, body: { name, arguments: args } })).body as {
        content: { text: string }[];
        isError?: boolean;
      };

    writeFileSync(join(path, 'a.txt'), 'a\n');
    const own = await call(self, 'worktree_commit', { message: 'from the worker' });
    t.notOk(own.isError, own.content[0]!.text);
    t.equal(git(path, 'log', '-1', '--format=%B'), 'from the worker');

    writeFileSync(join(path, 'b.txt'), 'b\n');
    const foreign = await call(other, 'worktree_commit', { message: 'not mine', handle: 'wt' });
    t.ok(foreign.isError);
    t.match(foreign.content[0]!.text, /^FLEET_ACT_AS_DENIED: handle: you may act only as yourself/);
    const foreignRoute = await fleet.request('POST', '/orchestrate/worktree/wt/commit', {
      token: other,
      body: { message: 'not mine' },
    });
    t.equal(foreignRoute.status, 403);
    const noTree = await call(other, 'worktree_commit', { message: 'mine?' });
    t.ok(noTree.isError);
    t.match(noTree.content[0]!.text, /not found|has no worktree/);
    const byLead = await call(w.lead, 'worktree_commit', { message: 'by the lead', handle: 'wt' });
    t.notOk(byLead.isError, byLead.content[0]!.text);
    t.equal(git(path, 'log', '-1', '--format=%B'), 'by the lead');

    const pushDenied = await call(self, 'worktree_push', { handle: 'wt' });
    t.ok(pushDenied.isError);
    t.match(pushDenied.content[0]!.text, /^FLEET_INSUFFICIENT_PERMISSIONS: Insufficient permissions/);
    const push = await call(w.lead, 'worktree_push', { handle: 'wt' });
    t.ok(push.isError);
    t.match(push.content[0]!.text, /^WORKERS_NO_REMOTE: No git remote is configured/);
    if (!ghInstalled()) {
      const pr = await call(w.lead, 'worktree_pr', { handle: 'wt', title: 'x', body: 'y' });
      t.ok(pr.isError);
      t.match(pr.content[0]!.text, /^WORKERS_GH_MISSING: gh \(the GitHub CLI\) is not installed/);
    }
  },
);

t.test('worktree refusals: not a git repository, no worktree, unknown worker, other team', async (t) => {
  const plain = tempDir(t, 'fleet-plain-');
  const project = repo(t);
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const notRepo = await w.spawn('nogit', { workingDir: plain, worktree: true });
  t.equal(notRepo.status, 400);
  t.match(notRepo.body.error, /^workingDir: .* is not a git repository/);
  t.equal(await w.worker('nogit'), undefined, 'no worker was made');

  t.equal((await w.spawn('flat', { workingDir: project })).status, 201);
  for (const [method, route, body] of [
    ['GET', 'status', undefined],
    ['POST', 'commit', { message: 'm' }],
    ['POST', 'push', undefined],
    ['POST', 'pr', { title: 't', body: 'b' }],
  ] as const) {
    const answer = await fleet.request(method, `/orchestrate/worktree/flat/${route}`, { token: w.lead, body });
    t.equal(answer.status, 409, `${route} without a worktree`);
    t.match(answer.body.error, /^Worker flat has no worktree/);
    const unknown = await fleet.request(method, `/orchestrate/worktree/ghost/${route}`, { token: w.lead, body });
    t.equal(unknown.status, 404, `${route} of an unknown worker`);
  }
  t.equal((await w.spawn('tree', { workingDir: project, worktree: true })).status, 201);
  const stranger = (await fleet.register('lead', 'beta', 'team-lead')).token;
  for (const [method, route, body] of [
    ['GET', 'status', undefined],
    ['POST', 'commit', { message: 'm' }],
    ['POST', 'push', undefined],
  ] as const) {
    const answer = await fleet.request(method, `/orchestrate/worktree/tree/${route}`, { token: stranger, body });
    t.equal(answer.status, 404, `another team's lead: ${route} is a 404`);
  }
});
