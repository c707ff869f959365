/**
 * WorkerManager.freshSession: a worker ends its Claude session and continues in a new one, in the
 * same worker (same handle, directory and log): a new --session-id, its first prompt the briefing
 * and the seed, the worker's totals carried on, worker_session `continued`. A crash afterwards
 * resumes the new session; a restarted server re-adopts the worker in it. Refusals: a stopped
 * worker, a command adapter, a change already under way. Real fleets, the fake agent as `claude`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  EventSocket,
  fakeAgentWorkers,
  killTmuxServer,
  killWorkerProcesses,
  privateTmux,
  startFleet,
  type TestFleet,
  tempDir,
} from '../../test/kit/index.js';
import type { WorkersApi } from './index.js';

const ECHO = "require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => console.log(l))";
const spawnArgv = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[] }).argv;
const after = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

/** A fleet on a data dir and tmux socket that outlive it (booted again for a restart). */
function boot(t: Test, dataDir: string, socket: string, storage?: TestFleet['storage']): Promise<TestFleet> {
  return startFleet(t, {
    dataDir,
    config: { server: { rateLimit: { max: 1_000_000 } }, log: { level: 'debug' }, ...(storage ? { storage } : {}) },
    plugins: {
      auth: true,
      mail: true,
      workers: fakeAgentWorkers({
        tmux: { socket, session: 'fleet' },
        commands: { echo: { argv: [process.execPath, '-e', ECHO] } },
      }),
    },
  });
}

t.test('freshSession: a new session in the same worker; crashes resume it; a restarted server keeps it', async (t) => {
  const dataDir = tempDir(t, 'fleet-fresh-');
  const socket = privateTmux(t, 'fresh');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const a = await boot(t, dataDir, socket);
  const lead = (await a.register('lead', 'alpha', 'team-lead')).token;
  const call = (fleet: TestFleet, method: string, path: string, body?: unknown) =>
    fleet.request(method, path, { token: lead, body });
  const worker = async (fleet: TestFleet) =>
    ((await call(fleet, 'GET', '/orchestrate/workers')).body as any[]).find((x) => x.handle === 'w1');
  const waitIdle = async (fleet: TestFleet, turns: number) => {
    for (let i = 0; i < 300; i++) {
      const seen = await worker(fleet);
      if (seen?.state === 'idle' && seen.numTurns === turns) return seen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`w1 not idle after ${turns} turns: ${JSON.stringify(await worker(fleet))}`);
  };
  const dir = join(dataDir, 'workers', 'alpha', 'w1');
  const api = a.kernel.api<WorkersApi>('workers')!;
  api.addBriefingSource({ name: 'note', briefing: async () => 'BRIEFED' });
  const ws = await EventSocket.open(t, a.url, lead);

  const spawned = await call(a, 'POST', '/orchestrate/spawn', {
    handle: 'w1',
    workingDir: dataDir,
    initialPrompt: 'one',
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const first = spawned.body.sessionId as string;
  await waitIdle(a, 1);

  const moved = await api.manager.freshSession('alpha', 'w1', { prompt: 'ECHO\nthe checkpoint' });
  t.equal(moved.previous, first, 'the session it left');
  t.not(moved.sessionId, first, 'a new session id');
  const fresh = await waitIdle(a, 2);
  t.equal(fresh.sessionId, moved.sessionId, 'the worker runs in the new session');
  t.equal(fresh.result, 'BRIEFED\n\nECHO\nthe checkpoint', 'its first prompt: the briefing, then the seed');
  t.equal(fresh.costUsd, 0.0024, 'the worker’s cost carries on across sessions');
  t.equal(fresh.restartCount, 0);
  t.equal(after(spawnArgv(dir), '--session-id'), moved.sessionId, 'launched with --session-id <new>');
  t.match(await ws.waitFor('continued', (m) => m.type === 'worker_session' && m.reason === 'continued'), {
    handle: 'w1',
    sessionId: moved.sessionId,
    previous: first,
  });
  t.equal(ws.of('worker_exit', 'w1').length, 0, 'ending the old session is no crash');
  t.equal(ws.of('worker_restart', 'w1').length, 0, 'nor a restart');

  // Refusals.
  await t.rejects(
    Promise.all([
      api.manager.freshSession('alpha', 'w1', { prompt: 'a' }),
      api.manager.freshSession('alpha', 'w1', { prompt: 'b' }),
    ]),
    { code: 'WORKERS_SESSION_CHANGING' },
    'one change at a time',
  );
  await waitIdle(a, 3);
  const third = (await worker(a)).sessionId as string;
  t.equal(
    (await call(a, 'POST', '/orchestrate/spawn', { handle: 'e1', adapter: 'echo', workingDir: dataDir })).status,
    201,
  );
  await t.rejects(api.manager.freshSession('alpha', 'e1', { prompt: 'x' }), { code: 'WORKERS_NO_SESSIONS' });
  await t.rejects(api.manager.freshSession('beta', 'w1', { prompt: 'x' }), { code: 'WORKERS_NOT_FOUND' });

  // A crash resumes the session it is in now.
  await call(a, 'POST', '/orchestrate/send/w1', { message: 'CRASH' });
  await ws.waitFor('restart', (m) => m.type === 'worker_restart' && m.handle === 'w1');
  const resumed = await waitIdle(a, 4);
  t.equal(after(spawnArgv(dir), '--resume'), third, 'restarted with --resume <the new session>');
  t.match(resumed, { sessionId: third, costUsd: 0.0048 }, 'the resumed session’s figures follow its own');

  // A restarted server re-adopts it in the same session.
  await a.kernel.stop();
  const b = await boot(t, dataDir, socket, a.storage);
  t.equal((await worker(b)).sessionId, third, 'the new session survives the server');
  t.equal((await call(b, 'POST', '/orchestrate/send/w1', { message: 'still here' })).status, 200);
  const later = await waitIdle(b, 5);
  t.match(later, { sessionId: third, result: 'ack: still here', restartCount: 1 });

  // A stopped worker continues in a fresh session too, launched again where it was, when a slot is free.
  t.equal((await call(b, 'POST', '/orchestrate/dismiss/w1')).status, 200);
  const bApi = b.kernel.api<WorkersApi>('workers')!;
  const max = bApi.manager.maxWorkers;
  bApi.manager.maxWorkers = () => 1;
  await t.rejects(bApi.manager.freshSession('alpha', 'w1', { prompt: 'x' }), {
    code: 'WORKERS_NO_SLOT',
    message: 'No free worker slot for w1: 1 of 1 workers are live',
  });
  bApi.manager.maxWorkers = max;
  const revived = await bApi.manager.freshSession('alpha', 'w1', { prompt: 'ECHO\nafter a stop' });
  t.equal(revived.previous, third);
  const back = await waitIdle(b, 6);
  t.match(back, { sessionId: revived.sessionId, result: 'ECHO\nafter a stop', restartCount: 0 });
  t.equal(after(spawnArgv(dir), '--session-id'), revived.sessionId);
  t.equal((await call(b, 'POST', '/orchestrate/send/w1', { message: 'and on' })).status, 200, 'it takes input again');
  await waitIdle(b, 7);
});
