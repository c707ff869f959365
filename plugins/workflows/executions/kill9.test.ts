/**
 * A kill -9 of the server in the middle of 5-step executions: a real server (`fleet up`, a child
 * process) runs three executions of task → wait → task → wait → task (each task step creates a task
 * naming its execution and step: the side effect counted in the database). The server is killed with
 * SIGKILL while they run and started again on the same data, a few times. Then, read from the database
 * itself: every execution completed, every step succeeded once (one step_completed event, attempt 1),
 * and no task was created twice.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  freePort,
  queryFleetDatabase,
  requestJson,
  type ServerProcess,
  startServerProcess,
  tempDir,
  testDatabase,
  testStorage,
} from '../../../test/kit/index.js';

t.setTimeout(120_000);

t.test('kill -9 mid-execution: every execution finishes after restarts, no step ran twice', async (t) => {
  const dir = tempDir(t, 'fleet-wf-kill9-');
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const storage = testStorage() === 'postgres' ? { driver: 'postgres', url: await testDatabase(t) } : undefined;
  const config = {
    server: { port, rateLimit: { max: 1_000_000 } },
    ...(storage ? { storage } : {}),
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workflows: { pollMs: 50, leaseMs: 600, seedExamples: false },
    },
  };
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  const adminKey = randomBytes(24).toString('hex');
  const env = { FLEET_DATA_DIR: dataDir, FLEET_ADMIN_KEY: adminKey };
  let server: ServerProcess = await startServerProcess(t, { configFile, cwd: dir, port, env });
  const call = (method: string, path: string, token: string, body?: unknown) =>
    requestJson(server.url, method, path, { token, body });
  const lead = (await call('POST', '/auth', adminKey, { handle: 'lead', teamName: 'alpha', agentType: 'team-lead' }))
    .body.token as string;
  const task = (n: number) => ({
    type: 'task',
    config: { title: 'k9 {{execution.id}} t' + n, waitForResolution: false },
  });
  const created = await call('POST', '/workflows', lead, {
    name: 'five-steps',
    definition: {
      steps: [
        { key: 't1', ...task(1) },
        { key: 'w1', type: 'wait', dependsOn: ['t1'], config: { durationMs: 1200 } },
        { key: 't2', dependsOn: ['w1'], ...task(2) },
        { key: 'w2', type: 'wait', dependsOn: ['t2'], config: { durationMs: 1200 } },
        { key: 't3', dependsOn: ['w2'], ...task(3) },
      ],
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const started = await call('POST', `/workflows/${created.body.id}/start`, lead, {});
    t.equal(started.status, 201);
    ids.push(started.body.id as string);
  }
  const where = storage ?? { driver: 'sqlite' };
  const open = async () =>
    Number(
      (
        await queryFleetDatabase(
          where,
          dataDir,
          `SELECT COUNT(*) AS n FROM workflow_executions WHERE status = 'running'`,
        )
      )[0]!.n,
    );
  let kills = 0;
  while (kills < 4 && (await open()) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 900));
    server.child.kill('SIGKILL');
    await server.exited;
    kills++;
    server = await startServerProcess(t, { configFile, cwd: dir, port, env });
  }
  t.ok(kills >= 2, `killed ${kills} times mid-run`);
  const deadline = Date.now() + 30_000;
  while ((await open()) > 0) {
    if (Date.now() > deadline) throw new Error(`executions still running\n${server.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  server.child.kill('SIGTERM');
  await server.exited;

  const executions = await queryFleetDatabase(where, dataDir, `SELECT id, status, error FROM workflow_executions`);
  t.same(
    executions.map((e) => e.status),
    ['completed', 'completed', 'completed'],
    `every execution completed ${JSON.stringify(executions)}`,
  );
  const steps = await queryFleetDatabase(
    where,
    dataDir,
    `SELECT execution_id, step_key, status, attempt FROM workflow_steps`,
  );
  t.equal(steps.length, 15);
  t.ok(
    steps.every((s) => s.status === 'succeeded' && Number(s.attempt) === 1),
    'every step succeeded at its first attempt',
  );
  const completions = await queryFleetDatabase(
    where,
    dataDir,
    `SELECT step_id, COUNT(*) AS n FROM workflow_events WHERE event_type = 'step_completed' GROUP BY step_id`,
  );
  t.equal(completions.length, 15, 'a completion per step');
  t.ok(
    completions.every((c) => Number(c.n) === 1),
    'no step completed twice',
  );
  const tasks = await queryFleetDatabase(where, dataDir, `SELECT subject FROM tasks WHERE team_name = 'alpha'`);
  const subjects = new Map<string, number>();
  for (const row of tasks) subjects.set(String(row.subject), (subjects.get(String(row.subject)) ?? 0) + 1);
  t.equal(subjects.size, 9, 'a task per task step');
  t.same(
    [...subjects].filter(([, n]) => n > 1),
    [],
    'no task created twice',
  );
  for (const id of ids)
    for (const n of [1, 2, 3]) t.equal(subjects.get(`k9 ${id} t${n}`), 1, `${id.slice(0, 8)} t${n}`);
});
