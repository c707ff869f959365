/**
 * PR mode: the rebased branch is pushed (to a bare repository standing in for GitHub) and its pull
 * request opened with `gh pr create`, or, when `gh pr view` finds one open, updated with `gh pr edit`.
 * `gh` is a fake program first on PATH (a small node script, an external program, not our code) that
 * records its argv and keeps which branches have a PR. The target is never moved locally.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../../test/kit/index.js';
import { queueFleet } from './test-fleet.js';
import { testRepo } from './test-repo.js';

const FAKE_GH = `#!/usr/bin/env node
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_GH_LOG, JSON.stringify({ args, cwd: process.cwd() }) + '\\n');
const state = process.env.FAKE_GH_STATE;
const prs = existsSync(state) ? JSON.parse(readFileSync(state, 'utf8')) : {};
if (args[0] === 'pr' && args[1] === 'view') {
  const pr = prs[args[2]];
  if (!pr) { console.error('no pull requests found for branch "' + args[2] + '"'); process.exit(1); }
  console.log(JSON.stringify({ url: pr.url, state: 'OPEN' }));
} else if (args[0] === 'pr' && args[1] === 'create') {
  const head = args[args.indexOf('--head') + 1];
  const url = 'https://github.example/acme/repo/pull/' + (Object.keys(prs).length + 1);
  prs[head] = { url };
  writeFileSync(state, JSON.stringify(prs));
  console.log(url);
} else if (args[0] === 'pr' && args[1] === 'edit') {
  console.log(prs[args[2]].url);
} else { console.error('unexpected'); process.exit(2); }
`;

t.test('PR mode: push, then gh pr create; queued again, gh pr edit', async (t) => {
  const dir = tempDir(t, 'merges-pr-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'gh'), FAKE_GH);
  chmodSync(join(bin, 'gh'), 0o755);
  const log = join(dir, 'gh.log');
  const saved = {
    PATH: process.env.PATH,
    FAKE_GH_LOG: process.env.FAKE_GH_LOG,
    FAKE_GH_STATE: process.env.FAKE_GH_STATE,
  };
  process.env.PATH = `${bin}:${process.env.PATH}`;
  process.env.FAKE_GH_LOG = log;
  process.env.FAKE_GH_STATE = join(dir, 'gh-state.json');
  t.teardown(() => {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });
  const remote = join(dir, 'remote.git');
  const repo = testRepo(join(dir, 'repo'), { 'a.txt': 'a\n' });
  repo.git('init', '-q', '--bare', remote);
  repo.git('remote', 'add', 'origin', remote);
  repo.git('push', '-q', 'origin', 'main');
  repo.branch('fleet/w1', { 'w1.txt': 'w1\n' });
  repo.write({ 'main.txt': 'main moved\n' });
  repo.commit('main moves on');
  const mainBefore = repo.head('main');

  const q = await queueFleet(t, { mode: 'pr' });
  const first = await q.enqueue({ branch: 'fleet/w1', repo: repo.dir });
  const [opened] = await q.settle([first.id]);
  t.equal(opened!.status, 'pr_open', opened!.message ?? '');
  t.same(opened!.report!.pr, { url: 'https://github.example/acme/repo/pull/1', action: 'created' });
  t.equal(repo.head('main'), mainBefore, 'the target is not moved in PR mode');
  const pushed = repo.git('ls-remote', remote, 'refs/heads/fleet/w1').split('\t')[0];
  t.equal(pushed, opened!.rebasedCommit, 'the rebased branch was pushed');
  t.equal(repo.git('merge-base', '--is-ancestor', mainBefore, pushed!), '', 'rebased onto main');

  // The worker adds a commit; queued again, the PR is updated (the push replaces the rebased branch).
  repo.git('checkout', '-q', 'fleet/w1');
  repo.write({ 'w1.txt': 'w1, second\n' });
  repo.commit('w1: second');
  repo.git('checkout', '-q', 'main');
  const second = await q.enqueue({ branch: 'fleet/w1', repo: repo.dir });
  const [updated] = await q.settle([second.id]);
  t.equal(updated!.status, 'pr_open', updated!.message ?? '');
  t.same(updated!.report!.pr, { url: 'https://github.example/acme/repo/pull/1', action: 'updated' });
  t.equal(repo.git('show', `${updated!.rebasedCommit}:w1.txt`), 'w1, second\n');

  const calls = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { args: string[] }).args);
  t.same(
    calls.map((args) => args.slice(0, 3)),
    [
      ['pr', 'view', 'fleet/w1'],
      ['pr', 'create', '--head'],
      ['pr', 'view', 'fleet/w1'],
      ['pr', 'edit', 'fleet/w1'],
    ],
  );
  const create = calls[1]!;
  t.same(create.slice(2, 8), ['--head', 'fleet/w1', '--base', 'main', '--title', 'Merge fleet/w1 into main']);
  t.match(create[create.indexOf('--body') + 1], /Lost-hunk check: 1 hunk\(s\) present, none lost/);
});
