import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { definePlugin } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import {
  fakeAgentWorkers,
  killTmuxServer,
  killWorkerProcesses,
  privateTmux,
  registerAgent,
  startFleet,
  tempDir,
  type TestFleet,
  type TestLike,
  waitFor,
} from '../../../test/kit/index.js';
import {
  MissionService,
  missionErrors,
  missionEvents,
  missionOperations,
  missionTables,
  missionsMigration,
  startMissions,
} from './index.js';

const STEP_AGENT = fileURLToPath(new URL('./step-agent.fixture.mjs', import.meta.url));

/**
 * The mission part as a plugin of its own, named as the plugin it belongs to (its codes, tables and
 * tools are the workflows plugin's; it stands in for plugins/workflows/index.ts): the suite runs it with
 * the real auth and workers plugins, and without the other parts of the workflows plugin.
 */
const missionsPart = definePlugin({
  name: 'workflows',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers'],
  tables: missionTables,
  migrations: { '0003_missions': missionsMigration },
  errors: missionErrors,
  events: missionEvents,
  operations: missionOperations,
  setup(ctx) {
    const missions = new MissionService({
      db: ctx.db,
      log: ctx.log,
      emit: ctx.events.emit,
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
      graceMs: 500,
    });
    return { missions };
  },
  start(ctx, api: { missions: MissionService }) {
    ctx.onStop(startMissions(api, ctx, { pollMs: 250 }));
  },
});

/** A git repository whose test (node --test) passes once steps.txt holds three steps. */
function gitRepo(t: TestLike): string {
  const repo = join(tempDir(t, 'wf4-repo-'), 'project');
  mkdirSync(repo);
  writeFileSync(
    join(repo, 'steps.test.mjs'),
    [
      "import { test } from 'node:test';",
      "import assert from 'node:assert';",
      "import { existsSync, readFileSync } from 'node:fs';",
      "test('three steps are written', () => {",
      "  const text = existsSync('steps.txt') ? readFileSync('steps.txt', 'utf8') : '';",
      "  const steps = text.split('\\n').filter(Boolean).length;",
      '  assert.ok(steps >= 3, `only ${steps} of 3 steps written`);',
      '});',
      '',
    ].join('\n'),
  );
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'the project and its test');
  return repo;
}

/** A fleet with the step agent as `claude`; on a given data dir, tmux socket and storage for a restart. */
async function missionFleet(
  t: TestLike,
  keep: { dataDir: string; socket: string; storage?: TestFleet['storage'] } | undefined = undefined,
): Promise<TestFleet> {
  const tmux = keep ? { tmux: { socket: keep.socket, session: 'fleet' } } : {};
  return startFleet(t, {
    ...(keep ? { dataDir: keep.dataDir } : {}),
    plugins: {
      auth: true,
      workers: fakeAgentWorkers({ claude: { command: [process.execPath, STEP_AGENT] }, max: 5, ...tmux }),
      workflows: true,
    },
    extraPlugins: [missionsPart],
    config: {
      server: { rateLimit: { max: 1_000_000 } },
      ...(keep?.storage ? { storage: keep.storage } : {}),
    },
  });
}

const ended = async (fleet: TestFleet, token: string, id: string, timeoutMs = 60_000) =>
  waitFor(
    `mission ${id} ends`,
    async () => {
      const response = await fleet.request('GET', `/missions/${id}`, { token });
      if (process.env.WF4_DEBUG) {
        const its = await fleet.request('GET', `/missions/${id}/iterations`, { token });
        const workers = await fleet.request('GET', '/orchestrate/workers', { token });
        console.error(JSON.stringify([response.body.phase, response.body.iteration, its.body, workers.body]));
      }
      return response.body.status !== 'running' && response.body;
    },
    timeoutMs,
    100,
  );

t.test('a mission whose gate (node --test in a real git repository) passes on the third iteration', async (t) => {
  const fleet = await missionFleet(t);
  const repo = gitRepo(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const created = await fleet.request('POST', '/missions', {
    token: lead.token,
    body: {
      goal: 'Write the three steps the tests ask for.',
      spawn: { handle: 'stepper', workingDir: repo, worktree: true },
      gates: [{ name: 'tests', argv: [process.execPath, '--test'], timeoutSeconds: 60 }],
      maxIterations: 5,
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  t.match(id, /^mission-[a-f0-9]{12}$/);
  t.equal(created.body.workerHandle, 'stepper');

  const mission = await ended(fleet, lead.token, id);
  t.equal(mission.status, 'succeeded', mission.reason);
  t.equal(mission.iteration, 3);
  t.equal(mission.reason, 'every gate passed on iteration 3');

  const iterations = await fleet.request('GET', `/missions/${id}/iterations`, { token: lead.token });
  t.equal(iterations.body.count, 3);
  const [first, second, third] = iterations.body.iterations;
  for (const failed of [first, second]) {
    t.equal(failed.status, 'failed');
    t.equal(failed.gates[0].exitCode, 1, 'node --test exits 1 while a test fails');
    t.match(failed.gates[0].output, /of 3 steps written/);
  }
  t.match(first.gates[0].output, /only 1 of 3 steps written/);
  t.match(second.gates[0].output, /only 2 of 3 steps written/);
  t.equal(third.status, 'passed');
  t.equal(third.gates[0].exitCode, 0);
  t.equal(third.gates[0].passed, true);
  t.same(
    [first, second, third].map((i: any) => i.resultText),
    ['wrote step 1', 'wrote step 2', 'wrote step 3'],
    'each iteration is checked after its own turn',
  );
  // The failures went to the worker as data, fenced, with the output of the gate.
  t.match(second.prompt, /iteration 2 of at most 5: 1 of 1 gates failed/);
  t.match(second.prompt, /<<<fleet-data [a-f0-9]{12}\n/);
  t.match(second.prompt, /gate tests \(.* --test\) failed: exit code 1/);

  // What the worker did, in its worktree (not in the repository it came from).
  const worktree = join(fleet.dataDir, 'worktrees', 'alpha', 'stepper');
  t.equal(readFileSync(join(worktree, 'steps.txt'), 'utf8'), 'step 1\nstep 2\nstep 3\n');
  const prompts = readFileSync(join(worktree, 'prompts.log'), 'utf8');
  t.match(prompts, /\[fleet\] You work on mission mission-/);
  t.match(prompts, /only 2 of 3 steps written/, 'the agent received the gate output');

  const one = await fleet.request('GET', `/missions/${id}/iterations/2`, { token: lead.token });
  t.equal(one.body.iteration, 2);
  const status = await fleet.request('GET', `/missions/${id}/status`, { token: lead.token });
  t.match(status.body, {
    missionId: id,
    status: 'succeeded',
    iteration: 3,
    lastChecked: { iteration: 3, passed: true },
  });

  // Any agent of the team reads it through the seed's tools.
  const worker = await registerAgent(fleet, 'reader', 'alpha');
  const call = async (name: string, args: Record<string, unknown>) => {
    const response = await fleet.request('POST', '/mcp/call', {
      token: worker.token,
      body: { name, arguments: args },
    });
    t.equal(response.status, 200, name);
    t.notOk(response.body.isError, name);
    return JSON.parse(response.body.content[0].text);
  };
  const results = await call('gate_results', { mission_id: id, gate_name: 'tests' });
  t.equal(results.gateCount, 1);
  t.same(
    results.results.map((r: any) => [r.iteration, r.exitCode]),
    [
      [1, 1],
      [2, 1],
      [3, 0],
    ],
  );
  t.equal((await call('mission_status', { mission_id: id })).status, 'succeeded');
  t.equal((await call('mission_gates', { mission_id: id })).gates[0].lastResult.iteration, 3);
  t.equal((await call('mission_iterations', { mission_id: id, iteration_number: 1 })).status, 'failed');
  t.equal((await call('mission_iterations', { mission_id: id })).count, 3);

  // A worker it spawned is dismissed once the mission ends.
  await waitFor('stepper dismissed', async () => {
    const workers = await fleet.request('GET', '/orchestrate/workers', { token: lead.token });
    const row = (workers.body as any[]).find((w) => w.handle === 'stepper');
    return (!row || row.state === 'stopped') && true;
  });

  // Another team sees nothing of it.
  const other = await registerAgent(fleet, 'lead', 'beta', 'team-lead');
  t.equal((await fleet.request('GET', `/missions/${id}`, { token: other.token })).status, 404);
  t.equal((await fleet.request('GET', `/missions/${id}/iterations`, { token: other.token })).status, 404);
  t.same((await fleet.request('GET', '/missions', { token: other.token })).body, { count: 0, missions: [] });
  t.equal((await fleet.request('POST', `/missions/${id}/cancel`, { token: other.token })).status, 404);
});

t.test('a mission that runs out of iterations fails, saying why', async (t) => {
  const fleet = await missionFleet(t);
  const repo = gitRepo(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const created = await fleet.request('POST', '/missions', {
    token: lead.token,
    body: {
      goal: 'Write steps.',
      spawn: { workingDir: repo, worktree: true },
      gates: [
        { name: 'tests', argv: [process.execPath, '--test'] },
        { name: 'always', argv: [process.execPath, '-e', 'process.exit(0)'] },
      ],
      maxIterations: 2,
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.match(created.body.workerHandle, /^mission-[a-f0-9]{8}$/);
  const mission = await ended(fleet, lead.token, created.body.id);
  t.equal(mission.status, 'failed');
  t.equal(mission.iteration, 2);
  t.equal(mission.reason, 'maxIterations: gates still failing after 2 of 2: tests');
  const iterations = await fleet.request('GET', `/missions/${created.body.id}/iterations`, { token: lead.token });
  t.same(
    iterations.body.iterations.map((i: any) => [i.status, i.gates.map((g: any) => g.passed)]),
    [
      ['failed', [false, true]],
      ['failed', [false, true]],
    ],
  );
  t.match(iterations.body.iterations[1].prompt, /1 of 2 gates failed \(passed: always\)/);
});

t.test('a mission over its cost budget fails, saying what it spent', async (t) => {
  const fleet = await missionFleet(t);
  const repo = gitRepo(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const created = await fleet.request('POST', '/missions', {
    token: lead.token,
    body: {
      goal: 'Write steps.',
      spawn: { workingDir: repo, worktree: true },
      gates: [{ name: 'tests', argv: [process.execPath, '--test'] }],
      maxIterations: 5,
      budget: { maxCostUsd: 0.015 },
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  // The step agent spends $0.01 a turn: under the budget after one, over it after two.
  const mission = await ended(fleet, lead.token, created.body.id);
  t.equal(mission.status, 'failed');
  t.equal(mission.iteration, 2);
  t.equal(mission.reason, 'budget: spent $0.0200 of $0.015');
  t.equal(mission.costUsd, 0.02);
});

t.test('a mission on a running worker, cancelled while its gate runs', async (t) => {
  const fleet = await missionFleet(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const dir = tempDir(t, 'wf4-cancel-');
  const spawned = await fleet.request('POST', '/orchestrate/spawn', {
    token: lead.token,
    body: { handle: 'busy', workingDir: dir, initialPrompt: 'hello' },
  });
  t.ok([200, 201].includes(spawned.status), JSON.stringify(spawned.body));
  await waitFor('busy idle', async () => {
    const workers = await fleet.request('GET', '/orchestrate/workers', { token: lead.token });
    return (workers.body as any[]).find((w) => w.handle === 'busy')?.state === 'idle';
  });
  const created = await fleet.request('POST', '/missions', {
    token: lead.token,
    body: {
      goal: 'Wait.',
      worker: 'busy',
      gates: [{ name: 'slow', argv: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'] }],
      maxIterations: 3,
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  t.equal(created.body.spawnedWorker, false);
  const again = await fleet.request('POST', '/missions', {
    token: lead.token,
    body: { goal: 'Two at once.', worker: 'busy', gates: [{ name: 'g', argv: ['true'] }], maxIterations: 1 },
  });
  t.equal(again.status, 409);
  t.match(again.body, { code: 'WORKFLOWS_MISSION_WORKER_BUSY', field: 'worker' });
  await waitFor('the slow gate runs', async () => {
    const response = await fleet.request('GET', `/missions/${id}`, { token: lead.token });
    return response.body.phase === 'checking';
  });
  const cancelled = await fleet.request('POST', `/missions/${id}/cancel`, { token: lead.token });
  t.equal(cancelled.status, 200);
  t.match(cancelled.body, { status: 'cancelled', phase: 'ended', reason: 'cancelled by lead' });
  const iterations = await fleet.request('GET', `/missions/${id}/iterations`, { token: lead.token });
  t.equal(iterations.body.iterations[0].status, 'cancelled');
  t.equal(iterations.body.iterations[0].gates, null, 'a gate stopped half-way is no result');
  t.equal((await fleet.request('POST', `/missions/${id}/cancel`, { token: lead.token })).status, 409);
  // A worker it was given is not dismissed.
  const workers = await fleet.request('GET', '/orchestrate/workers', { token: lead.token });
  t.equal((workers.body as any[]).find((w) => w.handle === 'busy')?.state, 'idle');
});

t.test('bad inputs are 4xx naming the field', async (t) => {
  const fleet = await missionFleet(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const worker = await registerAgent(fleet, 'w1', 'alpha');
  const good = { goal: 'g', gates: [{ name: 'g', argv: ['true'] }], maxIterations: 2 };
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['a command string', { ...good, gates: [{ name: 'g', command: 'npm test', argv: ['x'] }] }, 400, 'gates.0.command'],
    ['a string argv', { ...good, gates: [{ name: 'g', argv: 'npm test' }] }, 400, 'gates.0.argv'],
    ['an empty argv', { ...good, gates: [{ name: 'g', argv: [] }] }, 400, 'gates.0.argv'],
    ['no gates', { ...good, gates: [] }, 400, 'gates'],
    ['a gate named twice', { ...good, gates: [good.gates[0], good.gates[0]] }, 400, 'gates.1.name'],
    ['a relative cwd', { ...good, gates: [{ name: 'g', argv: ['true'], cwd: 'rel' }] }, 400, 'gates.0.cwd'],
    ['no maxIterations', { goal: 'g', gates: good.gates }, 400, 'maxIterations'],
    ['maxIterations 0', { ...good, maxIterations: 0 }, 400, 'maxIterations'],
    ['a negative budget', { ...good, budget: { maxCostUsd: -1 } }, 400, 'budget.maxCostUsd'],
    ['worker and spawn', { ...good, worker: 'w1', spawn: {} }, 400, 'spawn'],
    ['an unknown adapter', { ...good, spawn: { adapter: 'nope' } }, 400, 'spawn.adapter'],
    ['a missing workingDir', { ...good, spawn: { workingDir: '/no/such/dir' } }, 400, 'spawn.workingDir'],
    ['a worker not running', { ...good, worker: 'w1' }, 409, 'worker'],
    ['no goal', { ...good, goal: '' }, 400, 'goal'],
  ];
  for (const [what, body, status, field] of cases) {
    const response = await fleet.request('POST', '/missions', { token: lead.token, body });
    t.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
    t.equal(response.body.field, field, what);
    t.ok(typeof response.body.code === 'string', what);
  }
  const hint = await fleet.request('POST', '/missions', {
    token: lead.token,
    body: { ...good, gates: [{ name: 'g', command: 'npm test', argv: ['x'] }] },
  });
  t.match(hint.body.error, /argv, an argument array/);
  t.equal((await fleet.request('POST', '/missions', { token: worker.token, body: good })).status, 403);
  t.equal((await fleet.request('GET', '/missions/mission-000000000000', { token: lead.token })).status, 404);
  t.equal((await fleet.request('GET', '/missions/nope', { token: lead.token })).status, 400);
  t.equal(
    (await fleet.request('GET', '/missions/mission-000000000000/iterations/0', { token: lead.token })).status,
    400,
  );
  // Without mission_id, an agent that works on no mission is told to name one.
  const tool = await fleet.request('POST', '/mcp/call', {
    token: worker.token,
    body: { name: 'mission_status', arguments: {} },
  });
  t.equal(tool.body.isError, true);
  t.match(tool.body.content[0].text, /mission_id: required/);
  t.same((await fleet.request('GET', '/missions', { token: worker.token })).body, { count: 0, missions: [] });
});

t.test('a server restart while the gates run: they run again, the mission goes on, no turn twice', async (t) => {
  const dataDir = tempDir(t, 'wf4-restart-');
  const socket = privateTmux(t, 'wf4');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const a = await missionFleet(t, { dataDir, socket });
  const repo = gitRepo(t);
  const lead = await registerAgent(a, 'lead', 'alpha', 'team-lead');
  const created = await a.request('POST', '/missions', {
    token: lead.token,
    body: {
      goal: 'Write the three steps.',
      spawn: { handle: 'durable', workingDir: repo, worktree: true },
      gates: [
        { name: 'slow', argv: [process.execPath, '-e', 'setTimeout(() => {}, 1500)'] },
        { name: 'tests', argv: [process.execPath, '--test'] },
      ],
      maxIterations: 5,
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  await waitFor(
    'iteration 2 is being checked',
    async () => {
      const response = await a.request('GET', `/missions/${id}`, { token: lead.token });
      return response.body.iteration === 2 && response.body.phase === 'checking';
    },
    60_000,
    20,
  );
  await a.kernel.stop();

  const b = await missionFleet(t, { dataDir, socket, storage: a.storage });
  const mission = await ended(b, lead.token, id);
  t.equal(mission.status, 'succeeded', mission.reason);
  t.equal(mission.iteration, 3);
  const iterations = await b.request('GET', `/missions/${id}/iterations`, { token: lead.token });
  t.same(
    iterations.body.iterations.map((i: any) => [i.iteration, i.status, i.resultText]),
    [
      [1, 'failed', 'wrote step 1'],
      [2, 'failed', 'wrote step 2'],
      [3, 'passed', 'wrote step 3'],
    ],
  );
  const results = await b.request('POST', '/mcp/call', {
    token: lead.token,
    body: { name: 'gate_results', arguments: { mission_id: id, gate_name: 'tests' } },
  });
  t.equal(JSON.parse(results.body.content[0].text).results.length, 3, 'each iteration checked once, recorded once');
  const worktree = join(dataDir, 'worktrees', 'alpha', 'durable');
  t.equal(readFileSync(join(worktree, 'steps.txt'), 'utf8'), 'step 1\nstep 2\nstep 3\n', 'no turn twice');
});
