/**
 * Step kinds across a server restart (a graceful stop in the middle of an execution): the spawn step
 * re-attaches to its worker (not spawned twice) and succeeds on its result; a command the stop killed runs
 * again from the start; a task step finds its task again (one task).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  as,
  fakeAgentWorkers,
  killWorkerProcesses,
  privateTmux,
  registerTeam,
  startFleet,
  tempDir,
  waitFor,
} from '../../../test/kit/index.js';
import type { TestFleet } from '../../../test/kit/index.js';
import { stepFleet } from './step-fleet.fixture.js';

t.test('a restart in the middle of an execution: steps re-attach, a killed command runs again', async (t) => {
  const dataDir = tempDir(t, 'fleet-steps-');
  const socket = privateTmux(t, 'wf2');
  t.teardown(() => killWorkerProcesses(dataDir));
  const boot = (storage?: TestFleet['storage']) =>
    startFleet(t, {
      dataDir,
      plugins: {
        auth: true,
        mail: true,
        tasks: true,
        workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' }, max: 5 }),
        workflows: { pollMs: 20, seedExamples: false },
      },
      config: { server: { rateLimit: { max: 1_000_000 } }, ...(storage ? { storage } : {}) },
    });
  const a = await boot();
  const { lead, workers } = await registerTeam(a, 'alpha', ['alpha-w1']);
  const runs = join(dataDir, 'runs.txt');
  const script =
    'const fs = require("fs"); fs.appendFileSync(process.argv[1], "run\\n"); ' +
    'if (fs.readFileSync(process.argv[1], "utf8") === "run\\n") setTimeout(() => {}, 60000)';
  const wa = stepFleet(a, (method, path, body) => as(a, lead, method, path, body));
  const id = await wa.define([
    { key: 'slow', type: 'spawn', config: { task: 'SLEEP 3000\nslowly', workingDir: dataDir } },
    { key: 'cmd', type: 'command', config: { argv: [process.execPath, '-e', script, runs], cwd: dataDir } },
    { key: 'todo', type: 'task', config: { title: 'restart-proof task', assignTo: workers[0]!.handle } },
  ]);
  const executionId = await wa.start(id);
  await waitFor('the command to start', () => existsSync(runs));
  const handle = await waitFor('the worker to work', async () => {
    const board = (await as(a, lead, 'GET', '/orchestrate/workers')).body as any[];
    return board.find((w) => w.handle.startsWith('slow-') && w.state === 'working')?.handle as string | undefined;
  });
  await wa.stepIn(executionId, 'todo', 'waiting');
  const before = ((await as(a, lead, 'GET', '/orchestrate/workers')).body as any[]).find((w) => w.handle === handle);
  await a.kernel.stop();

  const b = await boot(a.storage);
  const wb = stepFleet(b, (method, path, body) => as(b, lead, method, path, body));
  await wb.stepIn(executionId, 'slow', 'succeeded', 30_000);
  await wb.stepIn(executionId, 'cmd', 'succeeded', 30_000);
  t.equal(readFileSync(runs, 'utf8'), 'run\nrun\n', 'the command the stop killed ran again, from the start');
  const slow = await wb.step(executionId, 'slow');
  t.equal(slow.output.handle, handle, 'the same handle');
  t.equal(slow.output.result, 'ack: SLEEP 3000', 'its result');
  const after = ((await as(b, lead, 'GET', '/orchestrate/workers')).body as any[]).filter((w) =>
    w.handle.startsWith('slow-'),
  );
  t.equal(after.length, 1, 'one worker');
  t.equal(after[0].sessionId, before.sessionId, 'the same worker, re-attached (not spawned again)');
  const tasks = ((await as(b, lead, 'GET', '/teams/alpha/tasks')).body as any[]).filter(
    (x) => x.subject === 'restart-proof task',
  );
  t.equal(tasks.length, 1, 'one task');
  await as(b, workers[0]!, 'PATCH', `/tasks/${tasks[0].id}`, { status: 'resolved' });
  const execution = await wb.settled(executionId, 30_000);
  t.equal(execution.status, 'completed', JSON.stringify(await wb.steps(executionId)));
});
