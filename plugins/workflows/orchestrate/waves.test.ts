/**
 * Wave runs through a real fleet (auth, mail, workers with the fake agent in tmux, and this part as
 * the workflows plugin): waves in dependency order with real commands and real workers, a failing
 * middle wave (later waves never start, the run failed with the reason), patterns on the output and
 * not on the prompt, a timeout, a cancel that stops workers and commands, bad bodies, team scoping.
 */
import { existsSync, readFileSync } from 'node:fs';
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
/** A command that writes the time into a file (so the order of waves can be read back). */
const mark = (path: string) => node('require("fs").writeFileSync(process.argv[1], String(Date.now()))', path);

async function fleetWith(t: TestLike): Promise<{ fleet: TestFleet; lead: Agent; worker: Agent; betaLead: Agent }> {
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, workers: fakeAgentWorkers({ max: 10 }), workflows: true },
    extraPlugins: await partPlugins(),
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const beta = await registerTeam(fleet, 'beta', []);
  return { fleet, lead: alpha.lead, worker: alpha.workers[0]!, betaLead: beta.lead };
}

async function settled(fleet: TestFleet, lead: Agent, id: string, timeoutMs = 30_000) {
  return waitFor(
    `wave run ${id} to end`,
    async () => {
      const run = (await as(fleet, lead, 'GET', `/orchestrate/waves/${id}`)).body;
      return run.status !== 'running' ? run : undefined;
    },
    timeoutMs,
    50,
  );
}

t.test('waves run in dependency order, commands and Claude Code workers, with evidence', async (t) => {
  const { fleet, lead } = await fleetWith(t);
  const dir = tempDir(t);
  const ws = await WsClient.open(t, fleet, lead.token);
  const started = await as(fleet, lead, 'POST', '/orchestrate/waves', {
    pollInterval: 100,
    // Given out of order: build waits for scouts, ship for build.
    waves: [
      { name: 'ship', afterWaves: ['build'], workers: [{ handle: 'ship1', argv: mark(join(dir, 'ship')) }] },
      {
        name: 'scouts',
        workers: [
          { handle: 's1', argv: mark(join(dir, 's1')) },
          { handle: 's2', prompt: 'look around', successPattern: '^ack: look around$' },
        ],
      },
      { name: 'build', afterWaves: ['scouts'], workers: [{ handle: 'b1', argv: node('console.log("built it")') }] },
    ],
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  t.match(started.body, { executionId: /^wave-\d+-[a-z0-9]{6}$/, status: 'running', waves: 3 });
  const id = started.body.executionId as string;
  const run = await settled(fleet, lead, id);
  t.equal(run.status, 'completed', JSON.stringify(run));
  t.equal(run.error, null);
  t.same(run.orchestratorStatus.completedWaves, ['scouts', 'build', 'ship'], 'dependency order');
  const s1 = Number(readFileSync(join(dir, 's1'), 'utf8'));
  const ship = Number(readFileSync(join(dir, 'ship'), 'utf8'));
  t.ok(s1 <= ship, 'the last wave ran after the first');
  const byWorker = Object.fromEntries(run.results.map((r: any) => [r.worker, r]));
  t.match(byWorker.s1, { wave: 'scouts', success: true, evidence: 'exit code 0' });
  t.match(byWorker.s2, { wave: 'scouts', success: true, evidence: /result event/, output: 'ack: look around' });
  t.match(byWorker.b1, { wave: 'build', success: true, output: /built it/ });
  // The prompt's worker was a real worker of the workers plugin, dismissed once it reported.
  const workers = (await as(fleet, lead, 'GET', '/orchestrate/workers')).body as any[];
  t.match(
    workers.find((w) => w.handle === 's2'),
    { state: 'stopped' },
  );
  const types = new Set<string>();
  await ws.waitFor('wave:execution:complete', (m) => {
    if (typeof m.type === 'string') types.add(m.type);
    return m.type === 'wave:execution:complete' && m.executionId === id;
  });
  for (const type of ['wave:start', 'wave:worker:spawned', 'wave:worker:success', 'wave:complete'])
    t.ok(types.has(type), `${type} was sent`);
  const list = (await as(fleet, lead, 'GET', '/orchestrate/waves')).body;
  t.match(list, [{ id, status: 'completed', startedAt: String, completedAt: String }]);
});

t.test('a failing middle wave: later waves never start, the run is failed with what and why', async (t) => {
  const { fleet, lead } = await fleetWith(t);
  const dir = tempDir(t);
  const ws = await WsClient.open(t, fleet, lead.token);
  const started = await as(fleet, lead, 'POST', '/orchestrate/waves', {
    waves: [
      { name: 'one', workers: [{ handle: 'a1', argv: mark(join(dir, 'one')) }] },
      {
        name: 'two',
        afterWaves: ['one'],
        workers: [
          { handle: 'b1', argv: node('console.error("tests broke"); process.exit(3)') },
          { handle: 'b2', argv: node('console.log("fine")') },
        ],
      },
      { name: 'three', afterWaves: ['two'], workers: [{ handle: 'c1', argv: mark(join(dir, 'three')) }] },
    ],
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  const id = started.body.executionId as string;
  const run = await settled(fleet, lead, id);
  t.equal(run.status, 'failed', 'not completed');
  t.match(run.error, /wave 'two' failed \(b1: exited with exit code 3\); later waves were not started/);
  t.same(run.orchestratorStatus.completedWaves, ['one']);
  t.same(run.orchestratorStatus.failedWaves, ['two']);
  t.same(run.orchestratorStatus.pendingWaves, ['three']);
  t.ok(existsSync(join(dir, 'one')), 'the first wave ran');
  t.notOk(existsSync(join(dir, 'three')), 'the third wave never ran');
  const b1 = run.results.find((r: any) => r.worker === 'b1');
  t.match(b1, { success: false, evidence: 'exit code 3', output: /\[stderr\] tests broke/ });
  t.notOk(
    run.results.some((r: any) => r.worker === 'c1'),
    'no result for a worker that never started',
  );
  const failed = await ws.waitFor('wave:execution:failed', (m) => m.type === 'wave:execution:failed');
  t.match(failed, { executionId: id, error: /b1/ });
});

t.test('patterns test the output, never the prompt; timeouts fail', async (t) => {
  const { fleet, lead } = await fleetWith(t);
  const started = await as(fleet, lead, 'POST', '/orchestrate/waves', {
    pollInterval: 100,
    waves: [
      {
        name: 'w',
        workers: [
          // The word is only in the prompt (its second line); the fake agent answers `ack: <first line>`.
          { handle: 'p1', prompt: 'hello\nsay MAGIC-WORD when done', successPattern: 'MAGIC-WORD' },
          { handle: 'p2', argv: node('console.log("FATAL: disk full")'), failurePattern: 'FATAL' },
          { handle: 'p3', argv: node('setTimeout(() => {}, 60000)'), timeout: 1000 },
        ],
      },
    ],
  });
  t.equal(started.status, 200, JSON.stringify(started.body));
  const run = await settled(fleet, lead, started.body.executionId);
  t.equal(run.status, 'failed');
  const by = Object.fromEntries(run.results.map((r: any) => [r.worker, r]));
  t.match(by.p1, {
    success: false,
    error: /successPattern \/MAGIC-WORD\/ not found in the output/,
    output: 'ack: hello',
  });
  t.match(by.p2, { success: false, error: /matched failurePattern/ });
  t.match(by.p3, { success: false, error: 'timed out after 1000 ms' });
});

t.test('cancel stops running workers and commands, later waves never start, and it stays cancelled', async (t) => {
  const { fleet, lead, worker } = await fleetWith(t);
  const dir = tempDir(t);
  const pidFile = join(dir, 'pid');
  const started = await as(fleet, lead, 'POST', '/orchestrate/waves', {
    pollInterval: 100,
    waves: [
      {
        name: 'long',
        workers: [
          { handle: 'sleepy', prompt: 'SLEEP 60000' },
          {
            handle: 'cmd',
            argv: node(
              'require("fs").writeFileSync(process.argv[1], String(process.pid)); setTimeout(() => {}, 60000)',
              pidFile,
            ),
          },
        ],
      },
      { name: 'next', afterWaves: ['long'], workers: [{ handle: 'n1', argv: mark(join(dir, 'next')) }] },
    ],
  });
  const id = started.body.executionId as string;
  await waitFor('the command to start', () => existsSync(pidFile));
  await waitFor('the worker to work', async () => {
    const workers = (await as(fleet, lead, 'GET', '/orchestrate/workers')).body as any[];
    return workers.find((w) => w.handle === 'sleepy' && w.state === 'working');
  });
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.match((await as(fleet, worker, 'POST', `/orchestrate/waves/${id}/cancel`)).status, 403, 'leads only');
  const cancelled = await as(fleet, lead, 'POST', `/orchestrate/waves/${id}/cancel`);
  t.same(cancelled.body, { id, status: 'cancelled' });
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitFor('the command to be gone', () => !alive());
  const workers = (await as(fleet, lead, 'GET', '/orchestrate/workers')).body as any[];
  t.match(
    workers.find((w) => w.handle === 'sleepy'),
    { state: /stopp/ },
    'the worker was dismissed',
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  const run = (await as(fleet, lead, 'GET', `/orchestrate/waves/${id}`)).body;
  t.equal(run.status, 'cancelled', 'stays cancelled');
  t.notOk(existsSync(join(dir, 'next')), 'the next wave never ran');
  const again = await as(fleet, lead, 'POST', `/orchestrate/waves/${id}/cancel`);
  t.match(again, { status: 400, body: { error: "Cannot cancel execution in 'cancelled' state" } });
});

t.test('bad bodies are 400s naming the field; other teams see nothing', async (t) => {
  const { fleet, lead, worker, betaLead } = await fleetWith(t);
  const w = (extra: Record<string, unknown> = {}) => ({ handle: 'x1', argv: ['true'], ...extra });
  const cases: [unknown, RegExp][] = [
    [{}, /^waves: /],
    [{ waves: [] }, /^waves: must list at least one wave/],
    [{ waves: [{ name: 'a', workers: [] }] }, /^waves\.0\.workers: /],
    [
      { waves: [{ name: 'a', workers: [{ handle: 'x1', command: 'npm test' }] }] },
      /^waves\.0\.workers\.0\.command: .*argv/,
    ],
    [{ waves: [{ name: 'a', workers: [{ handle: 'x1' }] }] }, /^waves\.0\.workers\.0\.prompt: is required/],
    [{ waves: [{ name: 'a', workers: [w({ prompt: 'p' })] }] }, /^waves\.0\.workers\.0\.argv: /],
    [{ waves: [{ name: 'a', workers: [w({ argv: 'npm test' })] }] }, /^waves\.0\.workers\.0\.argv: /],
    [{ waves: [{ name: 'a', workers: [w({ successPattern: '(' })] }] }, /^waves\.0\.workers\.0\.successPattern: /],
    [{ waves: [{ name: 'a', workers: [w({ cwd: 'relative' })] }] }, /^waves\.0\.workers\.0\.cwd: /],
    [{ waves: [{ name: 'a', workers: [w({ bogus: 1 })] }] }, /^waves\.0\.workers\.0\.bogus: /],
    [{ waves: [{ name: 'a', afterWaves: ['nope'], workers: [w()] }] }, /^waves\.0\.afterWaves\.0: names no wave/],
    [
      {
        waves: [
          { name: 'a', afterWaves: ['b'], workers: [w()] },
          { name: 'b', afterWaves: ['a'], workers: [w({ handle: 'x2' })] },
        ],
      },
      /^waves\.0\.afterWaves: forms a cycle: a, b/,
    ],
    [
      {
        waves: [
          { name: 'a', workers: [w()] },
          { name: 'a', workers: [w({ handle: 'x2' })] },
        ],
      },
      /^waves\.1\.name: /,
    ],
    [{ waves: [{ name: 'a', workers: [w(), w()] }] }, /^waves\.0\.workers\.1\.handle: /],
    [{ waves: [{ name: 'a', workers: [w()] }], defaultTimeout: 'soon' }, /^defaultTimeout: /],
  ];
  for (const [body, error] of cases) {
    const answer = await as(fleet, lead, 'POST', '/orchestrate/waves', body);
    t.equal(answer.status, 400, JSON.stringify(body));
    t.match(answer.body.error, error, JSON.stringify(answer.body));
  }
  t.equal(
    (await as(fleet, worker, 'POST', '/orchestrate/waves', { waves: [{ name: 'a', workers: [w()] }] })).status,
    403,
  );
  const started = await as(fleet, lead, 'POST', '/orchestrate/waves', { waves: [{ name: 'a', workers: [w()] }] });
  const id = started.body.executionId as string;
  await settled(fleet, lead, id);
  t.equal((await as(fleet, worker, 'GET', `/orchestrate/waves/${id}`)).status, 200, 'a team member reads');
  const other = await as(fleet, betaLead, 'GET', `/orchestrate/waves/${id}`);
  t.match(other, {
    status: 404,
    body: { error: 'Wave execution not found', code: 'WORKFLOWS_ORCHESTRATE_WAVES_NOT_FOUND' },
  });
  t.same((await as(fleet, betaLead, 'GET', '/orchestrate/waves')).body, []);
  t.equal((await as(fleet, betaLead, 'POST', `/orchestrate/waves/${id}/cancel`)).status, 404);
});
