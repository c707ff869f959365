/**
 * Runs survive the server: a graceful restart in the middle of a wave resumes the run (the worker
 * re-attached, not spawned twice; a command the stop killed runs again from the start); a run left
 * by a killed server (its lease lapsed, a command's unit still running) is reported interrupted,
 * the command never run twice behind anyone's back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  as,
  fakeAgentWorkers,
  killWorkerProcesses,
  migratedDatabase,
  privateTmux,
  registerTeam,
  startFleet,
  tempDir,
  testLogger,
  waitFor,
} from '../../../test/kit/index.js';
import type { TestFleet } from '../../../test/kit/index.js';
import { orchestrateMigration } from '../migrations/0002-orchestrate.js';
import { OrchestrateService } from './service.js';
import { partPlugins } from './test-support.js';

const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];

t.test('a restart in the middle of a wave resumes the run', async (t) => {
  const dataDir = tempDir(t, 'fleet-orchestrate-');
  const socket = privateTmux(t, 'orch');
  t.teardown(() => killWorkerProcesses(dataDir));
  const boot = async (storage?: TestFleet['storage']) =>
    startFleet(t, {
      dataDir,
      plugins: {
        auth: true,
        mail: true,
        workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' }, max: 5 }),
        workflows: true,
      },
      extraPlugins: await partPlugins(),
      config: { server: { rateLimit: { max: 1_000_000 } }, ...(storage ? { storage } : {}) },
    });
  const a = await boot();
  const { lead } = await registerTeam(a, 'alpha', []);
  const runs = join(dataDir, 'runs.txt');
  const started = await as(a, lead, 'POST', '/orchestrate/waves', {
    pollInterval: 100,
    waves: [
      {
        name: 'first',
        workers: [
          { handle: 'slow', prompt: 'SLEEP 3000' },
          {
            handle: 'cmd',
            // The first run waits long (the stop kills it); the second ends at once.
            argv: node(
              'const fs = require("fs"); fs.appendFileSync(process.argv[1], "run\\n"); ' +
                'if (fs.readFileSync(process.argv[1], "utf8") === "run\\n") setTimeout(() => {}, 60000)',
              runs,
            ),
          },
        ],
      },
      { name: 'second', afterWaves: ['first'], workers: [{ handle: 'last', argv: ['true'] }] },
    ],
  });
  const id = started.body.executionId as string;
  await waitFor('the command to start', () => existsSync(runs));
  await waitFor('the worker to work', async () =>
    ((await as(a, lead, 'GET', '/orchestrate/workers')).body as any[]).find(
      (w) => w.handle === 'slow' && w.state === 'working',
    ),
  );
  const spawnedAt = ((await as(a, lead, 'GET', '/orchestrate/workers')).body as any[]).find((w) => w.handle === 'slow');
  await a.kernel.stop();

  const b = await boot(a.storage);
  const run = await waitFor(
    'the resumed run to end',
    async () => {
      const body = (await as(b, lead, 'GET', `/orchestrate/waves/${id}`)).body;
      return body.status !== 'running' ? body : undefined;
    },
    30_000,
    100,
  );
  t.equal(run.status, 'completed', JSON.stringify(run));
  t.same(run.orchestratorStatus.completedWaves, ['first', 'second']);
  t.match(
    run.results.find((r: any) => r.worker === 'slow'),
    { success: true, output: 'ack: SLEEP 3000' },
  );
  t.equal(readFileSync(runs, 'utf8'), 'run\nrun\n', 'the command the stop killed ran again, from the start');
  const slow = ((await as(b, lead, 'GET', '/orchestrate/workers')).body as any[]).find((w) => w.handle === 'slow');
  t.equal(slow.sessionId, spawnedAt.sessionId, 'the same worker, re-attached (not spawned again)');
});

t.test('a run its killed server left behind is reported interrupted, its command not run twice', async (t) => {
  const { db } = await migratedDatabase(t, [orchestrateMigration]);
  const now = Date.now();
  const plan = {
    kind: 'waves',
    fleetName: 'f',
    pollMs: 50,
    waves: [
      { name: 'one', afterWaves: [], workers: [{ handle: 'c1', mode: 'argv', argv: ['true'], timeoutMs: 10_000 }] },
      {
        name: 'two',
        afterWaves: ['one'],
        workers: [{ handle: 'c2', mode: 'argv', argv: ['true'], timeoutMs: 10_000 }],
      },
    ],
  };
  await db
    .insertInto('orchestrate_runs')
    .values({
      id: 'wave-1-abcdef',
      team_name: 'alpha',
      kind: 'waves',
      status: 'running',
      created_by: 'lead',
      request: JSON.stringify(plan),
      started_at: now - 5000,
      completed_at: null,
      error: null,
      // Its node died 2 s ago: nobody renewed the lease.
      lease_until: now - 2000,
    })
    .execute();
  const unit = { group_name: 'one', group_index: 0, mode: 'argv', worker_handle: null, finished_at: null };
  const blank = { evidence: null, output: null, error: null, extra: null };
  await db
    .insertInto('orchestrate_units')
    .values([
      { run_id: 'wave-1-abcdef', seq: 0, name: 'c1', status: 'running', started_at: now - 4000, ...unit, ...blank },
      {
        run_id: 'wave-1-abcdef',
        seq: 1,
        name: 'c2',
        status: 'pending',
        started_at: null,
        ...unit,
        group_name: 'two',
        group_index: 1,
        ...blank,
      },
    ])
    .execute();
  const emitted: { type: string; data: unknown }[] = [];
  const service = new OrchestrateService({
    db,
    emit: (type: string, _team: string, data: unknown) => {
      emitted.push({ type, data });
      return undefined as never;
    },
    log: testLogger(),
    dataDir: tempDir(t),
    workers: () => undefined,
    leaseMs: 1000,
    sweepMs: 100,
  });
  await service.start();
  t.teardown(() => service.stop());
  const caller = { uid: 'x', handle: 'lead', teamName: 'alpha', agentType: 'team-lead', role: 'coordinator' } as const;
  const run = await waitFor('the run to end', async () => {
    const view = await service.get(caller, 'waves', 'wave-1-abcdef');
    return view.status !== 'running' ? view : undefined;
  });
  t.equal(run.status, 'interrupted');
  t.match(run.error, /wave 'one' failed \(c1: interrupted by a server restart: a command is not re-attached/);
  t.same((run.orchestratorStatus as { pendingWaves: string[] }).pendingWaves, ['two'], 'the next wave never started');
  t.ok(
    emitted.some((e) => e.type === 'wave:execution:failed'),
    'said so',
  );
});
