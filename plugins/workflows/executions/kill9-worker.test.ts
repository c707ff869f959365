/**
 * A kill -9 of the server while a spawn step's worker works: a real server (`fleet up`, a child process) with
 * the workers plugin (the fake agent in a private tmux) runs spawn → send → script. The server is SIGKILLed
 * while the spawned worker is in its turn and started again on the same data and tmux: the spawn step is taken
 * over from its saved state and re-attaches to the same worker (same session, one worker, attempt 1), the send
 * step talks to it, and the execution completes. (kill9.test.ts: several kills during task and wait steps.)
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  FAKE_AGENT,
  freePort,
  killWorkerProcesses,
  privateTmux,
  requestJson,
  type ServerProcess,
  startServerProcess,
  tempDir,
  testDatabase,
  testStorage,
  waitFor,
} from '../../../test/kit/index.js';

t.setTimeout(180_000);

t.test('kill -9 while a spawned worker works: the step re-attaches to it, nothing spawned twice', async (t) => {
  const dir = tempDir(t, 'fleet-wf-kill9w-');
  const dataDir = join(dir, 'data');
  const socket = privateTmux(t, 'wfk9');
  t.teardown(() => killWorkerProcesses(dataDir));
  const port = await freePort();
  const storage = testStorage() === 'postgres' ? { driver: 'postgres', url: await testDatabase(t) } : undefined;
  const config = {
    server: { port, rateLimit: { max: 1_000_000 } },
    ...(storage ? { storage } : {}),
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: {
        claude: { command: [process.execPath, FAKE_AGENT] },
        heartbeatSeconds: 1,
        maxRestarts: 0,
        tmux: { socket, session: 'fleet' },
      },
      workflows: { pollMs: 50, leaseMs: 600, seedExamples: false },
    },
  };
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  const adminKey = randomBytes(24).toString('hex');
  const env = { FLEET_DATA_DIR: dataDir, FLEET_ADMIN_KEY: adminKey, FAKE_AGENT_STATE_DIR: dir };
  let server: ServerProcess = await startServerProcess(t, { configFile, cwd: dir, port, env });
  const call = (method: string, path: string, token: string, body?: unknown) =>
    requestJson(server.url, method, path, { token, body });
  const lead = (await call('POST', '/auth', adminKey, { handle: 'lead', teamName: 'alpha', agentType: 'team-lead' }))
    .body.token as string;
  const created = await call('POST', '/workflows', lead, {
    name: 'worker-steps',
    definition: {
      steps: [
        { key: 'slow', type: 'spawn', config: { task: 'SLEEP 4000\nslowly', workingDir: dir } },
        {
          key: 'follow',
          type: 'send',
          dependsOn: ['slow'],
          config: { to: '{{steps.slow.output.handle}}', message: 'and then' },
        },
        { key: 'end', type: 'script', dependsOn: ['follow'], config: { script: 'steps.follow.output.result' } },
      ],
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const started = await call('POST', `/workflows/${created.body.id}/start`, lead, {});
  t.equal(started.status, 201, JSON.stringify(started.body));
  const id = started.body.id as string;
  const slowWorkers = async () =>
    (
      (await call('GET', '/orchestrate/workers', lead)).body as { handle: string; state: string; sessionId: string }[]
    ).filter((w) => w.handle.startsWith('slow-'));
  const before = await waitFor('the spawned worker at work', async () => {
    const [worker] = await slowWorkers();
    return worker?.state === 'working' && worker.sessionId ? worker : undefined;
  });

  server.child.kill('SIGKILL');
  await server.exited;
  server = await startServerProcess(t, { configFile, cwd: dir, port, env });
  const execution = await waitFor(
    'the execution ends after the restart',
    async () => {
      const answer = (await call('GET', `/executions/${id}`, lead)).body;
      return ['completed', 'failed', 'cancelled'].includes(answer.status) ? answer : undefined;
    },
    60_000,
  );
  const steps = (await call('GET', `/executions/${id}/steps`, lead)).body as any[];
  t.equal(execution.status, 'completed', JSON.stringify(steps));
  const step = (key: string) => steps.find((s) => s.stepKey === key);
  t.equal(step('slow').output.handle, before.handle, 'the spawn step kept its worker');
  t.equal(step('slow').output.result, 'ack: SLEEP 4000', 'and its result');
  t.equal(step('slow').attempt, 1, 'not retried');
  t.equal(step('follow').output.result, 'ack: and then', 'the send step talked to the same worker');
  t.equal(step('end').output.result, 'ack: and then');
  const after = await slowWorkers();
  t.equal(after.length, 1, 'one worker: not spawned twice');
  t.equal(after[0]!.sessionId, before.sessionId, 'the same session, re-attached');
  const events = (await call('GET', `/executions/${id}/events`, lead)).body as { eventType: string }[];
  t.equal(events.filter((e) => e.eventType === 'step_completed').length, 3, 'each step completed once');
  server.child.kill('SIGTERM');
  await server.exited;
});
