/**
 * The multi-repo shortcuts update-deps and security-audit over real temporary git repositories with real bare
 * remotes, and the pull request path to its end: `gh` is a stand-in on PATH (the real one needs GitHub), a
 * script that answers `--version`, records each `pr create`'s arguments and prints a pull request URL, so the
 * fleet's push, its `gh pr create` arguments and the prUrl per repository are checked.
 * (multi-repo.test.ts: the generic run, Claude Code workers, format-code without gh, run-tests, bad bodies.)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import t from 'tap';
import { as, registerTeam, startFleet, tempDir, waitFor, WsClient } from '../../../test/kit/index.js';
import { partPlugins } from './test-support.js';

const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  }).trim();

/** A git repository with one commit on main and a bare remote `origin`; returns the remote's path. */
function repositoryWithRemote(path: string, remote: string): string {
  mkdirSync(path, { recursive: true });
  git(path, 'init', '-q', '-b', 'main');
  writeFileSync(join(path, 'package.json'), '{ "dependencies": { "left-pad": "1.0.0" } }\n');
  git(path, 'add', '-A');
  git(path, 'commit', '-q', '-m', 'first');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  git(path, 'remote', 'add', 'origin', remote);
  return remote;
}

/** A stand-in `gh` in its own directory: `--version`, and `pr create` recorded in `log` (a JSON line each). */
function standInGh(dir: string, log: string): void {
  const script = [
    `#!${process.execPath}`,
    "const fs = require('fs'), path = require('path');",
    'const args = process.argv.slice(2);',
    "if (args[0] === '--version') { console.log('gh version 0.0.0 (stand-in)'); process.exit(0); }",
    "if (args[0] !== 'pr' || args[1] !== 'create') {",
    "  console.error('unexpected: ' + args.join(' '));",
    '  process.exit(2);',
    '}',
    `fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ cwd: process.cwd(), args }) + '\\n');`,
    "console.log('Creating pull request...');",
    "console.log('https://github.example/acme/' + path.basename(process.cwd()) + '/pull/1');",
  ].join('\n');
  writeFileSync(join(dir, 'gh'), script);
  chmodSync(join(dir, 'gh'), 0o755);
}

const fleet = await startFleet(t, {
  plugins: { auth: true, mail: true, workflows: true },
  extraPlugins: await partPlugins(),
  config: { server: { rateLimit: { max: 1_000_000 } } },
});
const { lead } = await registerTeam(fleet, 'alpha', []);
const base = tempDir(t);
const remotes = tempDir(t);
const remote: Record<string, string> = {};
for (const name of ['api', 'web']) remote[name] = repositoryWithRemote(join(base, name), join(remotes, `${name}.git`));
const repositories = [
  { name: 'api', path: 'api', defaultBranch: 'main' },
  { name: 'web', path: 'web' },
];
const settled = (id: string) =>
  waitFor(
    `multi-repo run ${id} to end`,
    async () => {
      const run = (await as(fleet, lead, 'GET', `/orchestrate/multi-repo/${id}`)).body;
      return run.status !== 'running' ? run : undefined;
    },
    30_000,
    50,
  );

t.test('update-deps with createPR: a branch, a commit, a push and a pull request per repository', async (t) => {
  const bin = tempDir(t);
  const log = join(bin, 'gh-calls.jsonl');
  standInGh(bin, log);
  const path = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
  t.teardown(() => void (process.env.PATH = path));
  const ws = await WsClient.open(t, fleet, lead.token);

  const bump =
    'const f = "package.json"; const fs = require("fs"); ' +
    'fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace("1.0.0", "1.3.0"))';
  const started = await as(fleet, lead, 'POST', '/orchestrate/multi-repo/update-deps', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories,
    createPR: true,
    argv: node(bump),
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  t.match(started.body, { executionId: /^updatedeps-/, task: 'update-deps', repositories: 2 });
  const run = await settled(started.body.executionId);
  t.equal(run.status, 'completed', JSON.stringify(run));
  const calls = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { args: string[] });
  t.equal(calls.length, 2, 'one pull request per repository');
  for (const name of ['api', 'web']) {
    const result = run.results.find((r: any) => r.repo === name);
    const branch = `auto/update-deps-${name}`;
    t.match(result, {
      success: true,
      branch,
      commitSha: /^[0-9a-f]{40}$/,
      prUrl: `https://github.example/acme/${name}/pull/1`,
    });
    t.equal(git(remote[name]!, 'rev-parse', branch), result.commitSha, `${name}: the branch was pushed`);
    t.equal(git(remote[name]!, 'log', '-1', '--format=%s', branch), 'chore: update dependencies');
    t.match(git(remote[name]!, 'show', `${branch}:package.json`), /"1\.3\.0"/, `${name}: the change is committed`);
    t.equal(git(join(base, name), 'rev-list', '--count', 'main'), '1', `${name}: main is untouched`);
    const call = calls.find((c) => c.args.includes(branch));
    t.ok(call, `${name}: gh pr create was called for its branch`);
    const arg = (flag: string) => call!.args[call!.args.indexOf(flag) + 1];
    t.equal(arg('--title'), 'chore: Update dependencies');
    t.equal(arg('--head'), branch);
    t.equal(call!.args.includes('--base') ? arg('--base') : undefined, name === 'api' ? 'main' : undefined);
  }
  const pr = await ws.waitFor('pr-created', (m) => m.type === 'multirepo:repo:pr-created' && m.repo === 'web');
  t.match(pr, { executionId: started.body.executionId, prUrl: 'https://github.example/acme/web/pull/1' });
});

t.test('security-audit: a report changes nothing; with fix, the fixes are committed on a branch', async (t) => {
  const fixIt = node('require("fs").writeFileSync("SECURITY-FIX.txt", "patched\\n")');
  const report = await as(fleet, lead, 'POST', '/orchestrate/multi-repo/security-audit', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories,
    repos: ['api'],
    argv: fixIt,
  });
  t.equal(report.status, 200, JSON.stringify(report.body));
  t.match(report.body.executionId, /^security-/);
  const reported = await settled(report.body.executionId);
  t.equal(reported.status, 'completed', JSON.stringify(reported));
  t.same(
    reported.results.map((r: any) => [r.repo, r.success, r.branch, r.commitSha ?? null]),
    [['api', true, null, null]],
    'no branch, no commit',
  );
  t.notOk(existsSync(join(base, 'api', 'SECURITY-FIX.txt')), 'the repository’s own tree is untouched');

  const fixed = await as(fleet, lead, 'POST', '/orchestrate/multi-repo/security-audit', {
    fleetName: 'upkeep',
    baseDir: base,
    repositories,
    fix: true,
    argv: fixIt,
  });
  const run = await settled(fixed.body.executionId);
  t.equal(run.status, 'completed', JSON.stringify(run));
  for (const name of ['api', 'web']) {
    const result = run.results.find((r: any) => r.repo === name);
    t.match(result, { success: true, branch: `auto/security-fix-${name}`, commitSha: /^[0-9a-f]{40}$/ });
    t.notOk('prUrl' in result, 'no pull request: not asked');
    const repo = join(base, name);
    t.equal(git(repo, 'log', '-1', '--format=%s', result.commitSha), 'security: fix vulnerabilities');
    t.equal(git(repo, 'show', '--name-only', '--format=', result.commitSha), 'SECURITY-FIX.txt');
  }
});
