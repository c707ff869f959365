/**
 * Multi-repo runs through a real fleet over real temporary git repositories: a command changes each
 * repository in its own worktree, on the branch the fleet made, and the fleet commits it (the sha is
 * checked with git); a Claude Code worker (the fake agent) per repository; a missing repository is
 * that repository's failure; push to a real bare remote, and no gh or no remote said per repository;
 * the shortcuts; bad bodies; other teams see nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  type Agent,
  as,
  fakeAgentWorkers,
  registerTeam,
  startFleet,
  tempDir,
  waitFor,
  WsClient,
} from '../../../test/kit/index.js';
import type { TestFleet, TestLike } from '../../../test/kit/index.js';
import { partPlugins } from './test-support.js';

const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  }).trim();

/** A git repository with one commit on main. */
function repository(path: string): string {
  mkdirSync(path, { recursive: true });
  git(path, 'init', '-q', '-b', 'main');
  writeFileSync(join(path, 'README.md'), '# repo\n');
  git(path, 'add', '-A');
  git(path, 'commit', '-q', '-m', 'first');
  return path;
}

async function fleetWith(t: TestLike): Promise<{ fleet: TestFleet; lead: Agent; betaLead: Agent; base: string }> {
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, workers: fakeAgentWorkers({ max: 10 }), workflows: true },
    extraPlugins: await partPlugins(),
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const alpha = await registerTeam(fleet, 'alpha', []);
  const beta = await registerTeam(fleet, 'beta', []);
  const base = tempDir(t);
  repository(join(base, 'api'));
  repository(join(base, 'web'));
  return { fleet, lead: alpha.lead, betaLead: beta.lead, base };
}

async function settled(fleet: TestFleet, lead: Agent, id: string) {
  return waitFor(
    `multi-repo run ${id} to end`,
    async () => {
      const run = (await as(fleet, lead, 'GET', `/orchestrate/multi-repo/${id}`)).body;
      return run.status !== 'running' ? run : undefined;
    },
    30_000,
    50,
  );
}

const repos = [
  { name: 'api', path: 'api', tags: ['backend'] },
  { name: 'web', path: 'web', tags: ['frontend'] },
];

t.test(
  'a command changes each repository on the fleet’s branch; the fleet commits (sha checked with git)',
  async (t) => {
    const { fleet, lead, base } = await fleetWith(t);
    const ws = await WsClient.open(t, fleet, lead.token);
    const started = await as(fleet, lead, 'POST', '/orchestrate/multi-repo', {
      fleetName: 'upkeep',
      baseDir: base,
      maxParallel: 1,
      repositories: repos,
      task: {
        name: 'touch',
        argv: node('require("fs").writeFileSync("CHANGED-" + process.argv[1] + ".txt", "x\\n")', '{{repo}}'),
        autoCommit: true,
        commitPattern: 'touch {{repo}}',
      },
    });
    t.equal(started.status, 200, JSON.stringify(started.body));
    t.match(started.body, {
      executionId: /^multirepo-\d+-[a-z0-9]{6}$/,
      status: 'running',
      repositories: 2,
      task: 'touch',
    });
    const id = started.body.executionId as string;
    const run = await settled(fleet, lead, id);
    t.equal(run.status, 'completed', JSON.stringify(run));
    for (const name of ['api', 'web']) {
      const result = run.results.find((r: any) => r.repo === name);
      t.match(result, { repo: name, task: 'touch', success: true, branch: 'auto/touch', commitSha: /^[0-9a-f]{40}$/ });
      const path = join(base, name);
      t.equal(git(path, 'rev-parse', 'auto/touch'), result.commitSha, `${name}: the branch holds the fleet's commit`);
      t.equal(git(path, 'show', '--name-only', '--format=', result.commitSha), `CHANGED-${name}.txt`);
      t.equal(git(path, 'log', '-1', '--format=%s', result.commitSha), `touch ${name}`);
      t.equal(git(path, 'rev-list', '--count', 'main'), '1', `${name}: main is untouched`);
    }
    const committed = await ws.waitFor('committed', (m) => m.type === 'multirepo:repo:committed' && m.repo === 'web');
    t.match(committed, { executionId: id, sha: /^[0-9a-f]{40}$/ });
    await ws.waitFor('task complete', (m) => m.type === 'multirepo:task:complete' && m.executionId === id);
    t.match((await as(fleet, lead, 'GET', '/orchestrate/multi-repo')).body, [{ id, status: 'completed' }]);
  },
);

t.test('Claude Code workers per repository; a missing repository is that repository’s failure', async (t) => {
  const { fleet, lead, base } = await fleetWith(t);
  const started = await as(fleet, lead, 'POST', '/orchestrate/multi-repo', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories: [...repos, { name: 'ghost', path: 'ghost' }],
    task: { name: 'look', prompt: 'look at {{repo}}', successPattern: '^ack: look at (api|web)$' },
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  const run = await settled(fleet, lead, started.body.executionId);
  t.equal(run.status, 'failed');
  t.match(run.error, /1 of 3 repositories failed: ghost \(Repository not found at /);
  const by = Object.fromEntries(run.results.map((r: any) => [r.repo, r]));
  t.match(by.api, { success: true, branch: null });
  t.notOk('commitSha' in by.api, 'nothing committed: not asked');
  t.match(by.web, { success: true });
  t.match(by.ghost, { success: false, error: /Repository not found at .*ghost/ });
  t.same(run.orchestratorStatus.failedRepos, ['ghost']);
});

t.test('push to a real remote; no gh or no remote is said in the repository’s result', async (t) => {
  const { fleet, lead, base } = await fleetWith(t);
  const remote = join(tempDir(t), 'api.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  git(join(base, 'api'), 'remote', 'add', 'origin', remote);
  const started = await as(fleet, lead, 'POST', '/orchestrate/multi-repo/format-code', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories: repos,
    createPR: true,
    argv: node('require("fs").writeFileSync("formatted.txt", "ok\\n")'),
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  t.match(started.body, { executionId: /^format-/, task: 'format-code' });
  const run = await settled(fleet, lead, started.body.executionId);
  t.equal(run.status, 'failed');
  const by = Object.fromEntries(run.results.map((r: any) => [r.repo, r]));
  t.match(by.api, { success: false, branch: 'auto/format-api', commitSha: /^[0-9a-f]{40}$/ });
  t.equal(git(remote, 'rev-parse', 'auto/format-api'), by.api.commitSha, 'the branch was pushed');
  // gh is not installed here: the pull request is not opened, and the result says why.
  t.match(by.api.error, /gh|pull request/);
  t.match(by.web, { success: false, error: /no remote to push to/, commitSha: /^[0-9a-f]{40}$/ });
  t.equal(git(join(base, 'web'), 'log', '-1', '--format=%s', 'auto/format-web'), 'style: format code');
});

t.test('run-tests: per repository, no branch, failures per repository', async (t) => {
  const { fleet, lead, base } = await fleetWith(t);
  const started = await as(fleet, lead, 'POST', '/orchestrate/multi-repo/run-tests', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories: repos,
    argv: node('console.log("testing", process.argv[1]); process.exit(process.argv[1] === "web" ? 1 : 0)', '{{repo}}'),
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  t.match(started.body.executionId, /^tests-/);
  const run = await settled(fleet, lead, started.body.executionId);
  t.equal(run.status, 'failed');
  const by = Object.fromEntries(run.results.map((r: any) => [r.repo, r]));
  t.match(by.api, { success: true, branch: null });
  t.match(by.web, { success: false, error: 'exited with exit code 1', branch: null });
  const tagged = await as(fleet, lead, 'POST', '/orchestrate/multi-repo/run-tests', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories: repos,
    repoTags: ['backend'],
    argv: ['true'],
  });
  const only = await settled(fleet, lead, tagged.body.executionId);
  t.equal(only.status, 'completed');
  t.same(
    only.results.map((r: any) => r.repo),
    ['api'],
    'repoTags choose the repositories',
  );
});

t.test('bad bodies are 400s naming the field; other teams see nothing', async (t) => {
  const { fleet, lead, betaLead, base } = await fleetWith(t);
  const body = (task: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    fleetName: 'f',
    baseDir: base,
    repositories: repos,
    task: { name: 'x', argv: ['true'], ...task },
    ...extra,
  });
  const cases: [string, unknown, RegExp][] = [
    ['', { baseDir: base, repositories: repos, task: { name: 'x', argv: ['true'] } }, /^fleetName: /],
    ['', body({ argv: undefined, command: 'npm test' }), /^task\.command: .*argv/],
    ['', body({ argv: undefined }), /^task\.prompt: is required/],
    ['', body({}, { repositories: [{ name: 'api', path: '../outside' }] }), /^repositories\.0\.path: must stay inside/],
    ['', body({}, { repositories: [{ name: 'a b', path: 'api' }] }), /^repositories\.0\.name: /],
    ['', body({}, { repositories: [repos[0], repos[0]] }), /^repositories\.1\.name: /],
    ['', body({}, { baseDir: 'relative' }), /^baseDir: must be an absolute path/],
    ['', body({}, { maxParallel: 0 }), /^maxParallel: /],
    ['', body({ repos: ['nope'] }), /^task\.repos\.0: names no repository/],
    ['', body({ repoTags: ['none'] }), /^task\.repoTags: no repository carries/],
    ['', body({ createBranch: false, autoCommit: true }), /^task\.autoCommit: needs a branch/],
    ['', body({ createBranch: true, branchPattern: 'a..b' }), /^task\.branchPattern: /],
    ['', body({ failurePattern: '[' }), /^task\.failurePattern: /],
    ['/update-deps', { fleetName: 'f', repositories: repos, packageManager: 'bun' }, /^packageManager: /],
    ['/run-tests', { fleetName: 'f', repositories: repos, fix: true }, /^fix: /],
    ['/security-audit', { fleetName: 'f', repositories: repos, command: 'npm audit' }, /^command: .*argv/],
  ];
  for (const [suffix, sent, error] of cases) {
    const answer = await as(fleet, lead, 'POST', `/orchestrate/multi-repo${suffix}`, sent);
    t.equal(answer.status, 400, JSON.stringify(sent));
    t.match(answer.body.error, error, JSON.stringify(answer.body));
  }
  const started = await as(fleet, lead, 'POST', '/orchestrate/multi-repo', body({}));
  const id = started.body.executionId as string;
  await settled(fleet, lead, id);
  t.match(await as(fleet, betaLead, 'GET', `/orchestrate/multi-repo/${id}`), {
    status: 404,
    body: { error: 'Multi-repo execution not found', code: 'WORKFLOWS_ORCHESTRATE_MULTIREPO_NOT_FOUND' },
  });
  t.same((await as(fleet, betaLead, 'GET', '/orchestrate/multi-repo')).body, []);
});
