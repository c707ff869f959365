import t from 'tap';
import { as, fakeAgentWorkers, registerTeam, startFleet, testLogger } from '../../../test/kit/index.js';
import type { WorkersApi } from '../../workers/index.js';
import type { StepRun } from './kind.js';
import { spawnKind } from './spawn.js';
import { stepFleet } from './step-fleet.fixture.js';

const fleet = await startFleet(t, {
  plugins: {
    auth: true,
    mail: true,
    tasks: true,
    workers: fakeAgentWorkers({ max: 10 }),
    workflows: { pollMs: 20, seedExamples: false },
  },
  config: { server: { rateLimit: { max: 1_000_000 } } },
});
const alpha = await registerTeam(fleet, 'alpha', []);
const w = stepFleet(fleet, (method, path, body) => as(fleet, alpha.lead, method, path, body));
const workers = () => fleet.kernel.api<WorkersApi>('workers')!;

t.test('spawn then send: a real worker (the fake agent), each step succeeded on its result event', async (t) => {
  const id = await w.define([
    { key: 'scout', type: 'spawn', config: { agentRole: 'scout', task: 'look around', workingDir: fleet.dataDir } },
    {
      key: 'follow',
      type: 'send',
      dependsOn: ['scout'],
      config: { to: '{{steps.scout.output.handle}}', message: 'and now the tests' },
    },
    {
      key: 'where',
      type: 'command',
      dependsOn: ['scout'],
      config: { argv: ['pwd'], worker: '{{steps.scout.output.handle}}' },
    },
  ]);
  const execution = await w.settled(await w.start(id), 30_000);
  t.equal(execution.status, 'completed', JSON.stringify(await w.steps(execution.id)));
  const scout = await w.step(execution.id, 'scout');
  t.match(scout.output.handle, /^scout-[0-9a-f]{10}$/, 'a handle from the role, the execution and the attempt');
  t.equal(scout.output.result, 'ack: look around', "the worker's result");
  t.match(scout.evidence, /worker_result event/);
  const follow = await w.step(execution.id, 'follow');
  t.equal(follow.output.result, 'ack: and now the tests', 'the result of the turn the message started');
  t.match(follow.evidence, /worker_result event/);
  const where = await w.step(execution.id, 'where');
  t.same(where.output.tail, [fleet.dataDir], "a command in the worker's directory");
  const row = await workers().manager.store.get('alpha', scout.output.handle);
  t.equal(row?.spawned_by, alpha.lead.handle, "spawned on behalf of the execution's creator");
});

t.test('spawn re-attaches: a second run with the saved state spawns nothing', async (t) => {
  const api = w.api();
  let saved: Record<string, unknown> | undefined;
  const runOf = (): StepRun => ({
    team: 'alpha',
    execution: { id: 'exec-reattach', workflowId: 'wf', swarmId: null, createdBy: alpha.lead.handle },
    step: {
      id: 'step-1',
      key: 'builder',
      type: 'spawn',
      config: { task: 'SLEEP 300\nbuild it', workingDir: fleet.dataDir },
      attempt: 1,
    },
    context: {},
    state: saved,
    saveState: (state) => {
      saved = state;
      return Promise.resolve();
    },
    api,
    signal: new AbortController().signal,
    log: testLogger(),
  });
  const first = await spawnKind.run(runOf());
  t.equal(first.status, 'waiting', 'the worker is at work');
  const handle = saved?.handle as string;
  t.match(handle, /^builder-/);
  const createdAt = Number((await workers().manager.store.get('alpha', handle))?.created_at);
  // As after a restart: the saved state, run again.
  let outcome = await spawnKind.run(runOf());
  for (let i = 0; i < 200 && outcome.status === 'waiting'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    outcome = await spawnKind.run(runOf());
  }
  t.equal(outcome.status, 'succeeded');
  const row = await workers().manager.store.get('alpha', handle);
  t.equal(Number(row?.created_at), createdAt, 'the same worker, not spawned again');
  const board = await workers().manager.board('alpha');
  t.equal(board.filter((b) => b.handle === handle).length, 1);
  // A retry (attempt 2) is a fresh worker of another handle.
  const retry = runOf();
  retry.step.attempt = 2;
  await spawnKind.run(retry);
  t.not(saved?.handle, handle, 'another handle for another attempt');
  await spawnKind.cancel!(retry);
  t.equal(
    (await workers().manager.store.get('alpha', saved?.handle as string))?.state,
    'stopped',
    'cancel dismissed it',
  );
});

t.test('cancelling an execution dismisses the worker its spawn step started', async (t) => {
  const id = await w.define([
    { key: 'long', type: 'spawn', config: { task: 'SLEEP 60000\nwork long', workingDir: fleet.dataDir } },
  ]);
  const executionId = await w.start(id);
  await w.stepIn(executionId, 'long', 'waiting', 20_000).catch(() => w.stepIn(executionId, 'long', 'running'));
  let handle: string | undefined;
  for (let i = 0; i < 100 && !handle; i++) {
    const board = await workers().manager.board('alpha');
    handle = board.find((b) => b.handle.startsWith('long-'))?.handle;
    if (!handle) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.ok(handle, 'the worker was spawned');
  t.equal((await as(fleet, alpha.lead, 'POST', `/executions/${executionId}/cancel`)).status, 200);
  let state: string | undefined;
  for (let i = 0; i < 300 && state !== 'stopped'; i++) {
    state = (await workers().manager.store.get('alpha', handle!))?.state;
    if (state !== 'stopped') await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.equal(state, 'stopped', 'dismissed');
});

t.test('send to no such worker fails naming it; bad spawn configs are a 400 naming the field', async (t) => {
  const id = await w.define([{ key: 'talk', type: 'send', config: { to: 'nobody', message: 'hi' } }]);
  const execution = await w.settled(await w.start(id));
  t.equal(execution.status, 'failed');
  t.match((await w.step(execution.id, 'talk')).error, /config\.to: no worker 'nobody'/);
  const cases: [string, unknown, string][] = [
    ['spawn', {}, 'task'],
    ['spawn', { task: 'a', prompt: 'b' }, 'task'],
    ['spawn', { task: 'a', handle: 'bad handle!' }, 'handle'],
    ['spawn', { task: 'a', workingDir: 'relative' }, 'workingDir'],
    ['spawn', { task: 'a', swarmId: 'no spaces' }, 'swarmId'],
    ['spawn', { type: 'send', task: 'a' }, 'type'],
    ['send', { message: 'hi' }, 'to'],
    ['send', { to: 'x', message: '' }, 'message'],
  ];
  for (const [type, config, field] of cases) {
    const answer = await w.tryDefine(type, config);
    t.equal(answer.status, 400, `${type} ${JSON.stringify(config)}: 400`);
    t.equal(answer.body.field, `definition.steps[0].config.${field}`, `names ${field}: ${answer.body.error}`);
  }
});
