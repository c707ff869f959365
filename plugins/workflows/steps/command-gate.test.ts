import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { as, registerTeam, startFleet, tempDir } from '../../../test/kit/index.js';
import { stepFleet } from './step-fleet.fixture.js';

const fleet = await startFleet(t, {
  plugins: { auth: true, mail: true, tasks: true, workflows: { pollMs: 20, seedExamples: false } },
  config: { server: { rateLimit: { max: 1_000_000 } } },
});
const alpha = await registerTeam(fleet, 'alpha', []);
const w = stepFleet(fleet, (method, path, body) => as(fleet, alpha.lead, method, path, body));

// A real git repository with a test script that passes while a file says so.
const repo = tempDir(t);
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
git('init', '-q', '-b', 'main');
git('config', 'user.email', 'wf2@example.com');
git('config', 'user.name', 'wf2');
writeFileSync(
  join(repo, 'check.mjs'),
  "import { readFileSync } from 'node:fs';\n" +
    "const ok = readFileSync('state.txt', 'utf8').trim() === 'green';\n" +
    "console.log(ok ? 'all tests pass' : 'a test fails');\nprocess.exit(ok ? 0 : 3);\n",
);
writeFileSync(join(repo, 'state.txt'), 'red\n');
git('add', '.');
git('commit', '-q', '-m', 'init');

t.test('command: argv in a cwd; exit 0 succeeds with the exit code as evidence, output from the run', async (t) => {
  const id = await w.define(
    [
      { key: 'head', type: 'command', config: { argv: ['git', 'rev-parse', 'HEAD'], cwd: repo } },
      {
        key: 'count',
        type: 'command',
        dependsOn: ['head'],
        config: { argv: ['git', 'rev-list', '--count', '{{steps.head.output.tail.0}}'], cwd: '{{inputs.repo}}' },
      },
    ],
    { inputs: { repo: { type: 'string', required: true } } },
  );
  const execution = await w.settled(await w.start(id, { repo }));
  t.equal(execution.status, 'completed');
  const head = await w.step(execution.id, 'head');
  t.equal(head.status, 'succeeded');
  t.equal(head.output.exitCode, 0);
  t.equal(head.output.tail[0], git('rev-parse', 'HEAD').trim());
  t.match(head.evidence, /^git: exit code 0 \(in .+, \d+ ms\)$/);
  const count = await w.step(execution.id, 'count');
  t.same(count.output.tail, ['1'], 'a templated argument and cwd');
});

t.test('command: a non-zero exit fails the step and the execution, with the tail', async (t) => {
  const id = await w.define([{ key: 'test', type: 'command', config: { argv: ['node', 'check.mjs'], cwd: repo } }]);
  const execution = await w.settled(await w.start(id));
  t.equal(execution.status, 'failed');
  const step = await w.step(execution.id, 'test');
  t.equal(step.status, 'failed');
  t.match(step.error, /node: exit code 3/);
  t.same(step.output?.tail ?? [], ['a test fails']);
});

t.test('command: a missing program or directory fails with the reason; a timeout ends the group', async (t) => {
  const id = await w.define([
    { key: 'missing', type: 'command', onFailure: 'continue', config: { argv: ['no-such-program-wf2'], cwd: repo } },
    { key: 'nodir', type: 'command', onFailure: 'continue', config: { argv: ['true'], cwd: join(repo, 'nope') } },
    {
      key: 'slow',
      type: 'command',
      onFailure: 'continue',
      config: { argv: ['node', '-e', 'setTimeout(() => {}, 60000)'], cwd: repo, timeoutSeconds: 1 },
    },
  ]);
  const execution = await w.settled(await w.start(id));
  const byKey = Object.fromEntries((await w.steps(execution.id)).map((s) => [s.stepKey, s]));
  t.match(byKey.missing.error, /could not run: .*ENOENT/);
  t.match(byKey.nodir.error, /config\.cwd: '.*nope' is not a directory/);
  t.match(byKey.slow.error, /timed out after 1 s/);
});

t.test('gate: a command that must pass; fails, then passes once the repository is green', async (t) => {
  const id = await w.define([{ key: 'tests', type: 'gate', config: { argv: ['node', 'check.mjs'], cwd: repo } }]);
  const red = await w.settled(await w.start(id));
  t.equal(red.status, 'failed');
  t.match((await w.step(red.id, 'tests')).error, /gate did not pass: node: exit code 3/);
  writeFileSync(join(repo, 'state.txt'), 'green\n');
  t.teardown(() => writeFileSync(join(repo, 'state.txt'), 'red\n'));
  const green = await w.settled(await w.start(id));
  t.equal(green.status, 'completed');
  const step = await w.step(green.id, 'tests');
  t.match(step.evidence, /node: exit code 0/);
  t.equal(step.output.conditionResult, true);
});

t.test('gate: a condition on the context; false fails, true succeeds; branches name the steps to skip', async (t) => {
  const id = await w.define(
    [{ key: 'check', type: 'gate', config: { condition: "inputs.mode === 'full' && inputs.n >= 2" } }],
    { inputs: { mode: { type: 'string', required: true }, n: { type: 'number', default: 1 } } },
  );
  const no = await w.settled(await w.start(id, { mode: 'full' }));
  t.equal(no.status, 'failed');
  t.match((await w.step(no.id, 'check')).error, /condition .* is false/);
  const yes = await w.settled(await w.start(id, { mode: 'full', n: 2 }));
  t.equal(yes.status, 'completed');
  const branching = await w.define(
    [
      { key: 'check', type: 'gate', config: { condition: 'inputs.go === true', onTrue: ['yes'], onFalse: 'no' } },
      { key: 'yes', type: 'script', dependsOn: ['check'], config: { script: "'went'" } },
      { key: 'no', type: 'script', dependsOn: ['check'], config: { script: "'stayed'" } },
    ],
    { inputs: { go: { type: 'boolean', required: true } } },
  );
  const branched = await w.settled(await w.start(branching, { go: true }));
  const gate = await w.step(branched.id, 'check');
  t.equal(gate.status, 'succeeded', 'a branching gate succeeds either way');
  t.same(gate.output.skipSteps, ['no'], 'and names the other branch');
  t.equal(branched.status, 'completed');
  t.equal((await w.step(branched.id, 'yes')).status, 'succeeded', 'the branch taken runs');
  const notTaken = await w.step(branched.id, 'no');
  t.equal(notTaken.status, 'skipped', 'the branch not taken is skipped');
  t.match(notTaken.evidence, /branch not taken at gate check/);
  const other = await w.settled(await w.start(branching, { go: false }));
  t.equal((await w.step(other.id, 'yes')).status, 'skipped', 'false: the onTrue branch is skipped');
  t.equal((await w.step(other.id, 'no')).status, 'succeeded', 'and the onFalse branch runs');
});

t.test('script: an expression evaluated on the context, into outputKey', async (t) => {
  const id = await w.define(
    [
      { key: 'a', type: 'script', config: { script: 'inputs.n > 2', outputKey: 'big' } },
      { key: 'b', type: 'script', dependsOn: ['a'], config: { script: 'steps.a.output.big' } },
    ],
    { inputs: { n: { type: 'number', required: true } } },
  );
  const execution = await w.settled(await w.start(id, { n: 5 }));
  t.equal(execution.status, 'completed');
  t.same((await w.step(execution.id, 'a')).output, { big: true });
  t.same((await w.step(execution.id, 'b')).output, { result: true });
});

t.test('bad configs: a 400 naming the field', async (t) => {
  const cases: [string, unknown, string, RegExp][] = [
    ['command', { command: 'npm test', cwd: repo }, 'command', /argument array in argv/],
    ['command', { argv: 'npm test', cwd: repo }, 'argv', /array of strings/],
    ['command', { argv: [], cwd: repo }, 'argv', /name the program/],
    ['command', { argv: ['true'] }, 'cwd', /cwd .* or worker/],
    ['command', { argv: ['true'], cwd: 'relative/dir' }, 'cwd', /absolute path/],
    ['command', { argv: ['true'], cwd: repo, env: { 'BAD NAME': 'x' } }, 'env.BAD NAME', /variable names/],
    ['command', { argv: ['true'], cwd: repo, timeoutSeconds: 0 }, 'timeoutSeconds', /at least 1/],
    ['command', { argv: ['true'], cwd: repo, shell: true }, 'shell', /./],
    ['gate', {}, 'condition', /a condition .* or argv/],
    ['gate', { condition: 'inputs.a = 1' }, 'condition', /not a valid expression: '=' is not an operator/],
    ['gate', { condition: 'approved === true' }, 'condition', /unknown name 'approved'/],
    ['gate', { condition: "inputs.a === '{{inputs.b}}'" }, 'condition', /templates/],
    ['gate', { argv: ['true'] }, 'cwd', /cwd or worker/],
    ['script', { script: 'inputs.a +' }, 'script', /not a valid expression/],
    ['script', { script: 'inputs.a', outputKey: 'a b' }, 'outputKey', /a name/],
  ];
  for (const [type, config, field, message] of cases) {
    const answer = await w.tryDefine(type, config);
    t.equal(answer.status, 400, `${type} ${JSON.stringify(config)}: 400`);
    t.equal(answer.body.field, `definition.steps[0].config.${field}`, `names ${field}: ${answer.body.error}`);
    t.match(answer.body.error, message);
  }
});

t.test('cancel ends a running command (its process group)', async (t) => {
  const marker = join(tempDir(t), 'alive');
  const id = await w.define([
    {
      key: 'long',
      type: 'command',
      config: {
        argv: [
          'node',
          '-e',
          `setInterval(() => require('fs').writeFileSync(${JSON.stringify(marker)}, String(Date.now())), 50)`,
        ],
        cwd: repo,
      },
    },
  ]);
  const executionId = await w.start(id);
  await w.stepIn(executionId, 'long', 'running');
  for (let i = 0; i < 100 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(existsSync(marker), 'the command runs');
  const cancel = await as(fleet, alpha.lead, 'POST', `/executions/${executionId}/cancel`);
  t.equal(cancel.status, 200);
  await new Promise((r) => setTimeout(r, 7000));
  const { readFileSync } = await import('node:fs');
  const last = Number(readFileSync(marker, 'utf8'));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(Number(readFileSync(marker, 'utf8')), last, 'nothing writes any more');
});
