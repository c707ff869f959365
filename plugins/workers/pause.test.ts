/**
 * Pause and resume: a lead pauses a worker (its agent stopped, its session, directory and slot kept),
 * nothing reaches it while paused, resume launches it again with --resume (told to continue when it
 * was mid-turn); a restarted server keeps it paused; a paused worker can be dismissed. Admission
 * checks: a refusal refuses spawns and input with its own error, a wait queues spawns until the queue
 * is drained after it. worker_request: one event per model request. Real fleets, the fake agent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { defineErrors } from '../../core/index.js';
import {
  EventSocket,
  fakeAgentWorkers,
  killTmuxServer,
  killWorkerProcesses,
  privateTmux,
  startFleet,
  type TestFleet,
  tempDir,
  waitFor,
} from '../../test/kit/index.js';
import type { WorkersApi } from './index.js';

const argvOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[] }).argv;
const after = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

function boot(t: Test, dataDir: string, socket: string, storage?: TestFleet['storage']): Promise<TestFleet> {
  return startFleet(t, {
    dataDir,
    config: { server: { rateLimit: { max: 1_000_000 } }, log: { level: 'debug' }, ...(storage ? { storage } : {}) },
    plugins: { auth: true, mail: true, workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' }, max: 3 }) },
  });
}

t.test('pause and resume: kept while paused, --resume after, across a server restart', async (t) => {
  const dataDir = tempDir(t, 'fleet-pause-');
  const socket = privateTmux(t, 'pause');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const a = await boot(t, dataDir, socket);
  const lead = (await a.register('lead', 'alpha', 'team-lead')).token;
  const call = (fleet: TestFleet, method: string, path: string, body?: unknown, token = lead) =>
    fleet.request(method, path, { token, body });
  const worker = async (fleet: TestFleet, handle = 'w1') =>
    ((await call(fleet, 'GET', '/orchestrate/workers')).body as any[]).find((w) => w.handle === handle);
  const waitState = (fleet: TestFleet, state: string, turns?: number) =>
    waitFor(`w1 ${state}`, async () => {
      const seen = await worker(fleet);
      return seen?.state === state && (turns === undefined || seen.numTurns === turns) ? seen : undefined;
    });
  const ws = await EventSocket.open(t, a.url, lead);
  const dir = join(dataDir, 'workers', 'alpha', 'w1');

  const spawned = await call(a, 'POST', '/orchestrate/spawn', {
    handle: 'w1',
    workingDir: dataDir,
    initialPrompt: 'SLEEP 20000',
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const session = spawned.body.sessionId as string;
  await waitState(a, 'working');

  const worker2 = (await a.register('w9', 'alpha', 'worker')).token;
  t.equal((await call(a, 'POST', '/orchestrate/workers/w1/pause', {}, worker2)).status, 403, 'a worker cannot pause');
  const paused = await call(a, 'POST', '/orchestrate/workers/w1/pause', { note: 'hold on' });
  t.equal(paused.status, 200, JSON.stringify(paused.body));
  t.equal(paused.body.state, 'paused', 'paused once the agent has ended');
  t.match(paused.body.pause, { reason: 'lead', detail: 'hold on', source: 'lead', midTurn: true, resetsAt: null });
  const event = await ws.waitFor('worker_paused', (m) => m.type === 'worker_paused' && m.handle === 'w1');
  t.equal(event.pause.reason, 'lead', 'worker_paused says why');
  t.equal((await call(a, 'POST', '/orchestrate/workers/w1/pause', {})).body.state, 'paused', 'pausing again: no-op');

  const sent = await call(a, 'POST', '/orchestrate/send/w1', { message: 'hello?' });
  t.equal(sent.status, 409, 'nothing reaches a paused worker');
  t.equal(sent.body.code, 'WORKERS_PAUSED');
  const board = await call(a, 'GET', '/orchestrate/board');
  const row = board.body.workers.find((w: any) => w.handle === 'w1');
  t.equal(row.pause.reason, 'lead', 'the board shows the pause');
  t.ok(board.body.needsYou >= 1, 'a paused worker needs a person');
  t.equal(
    (await call(a, 'POST', '/orchestrate/spawn', { handle: 'w1', workingDir: dataDir })).body.code,
    'WORKERS_EXISTS',
    'its handle is still taken',
  );

  // A restarted server keeps it paused: not re-adopted, not restarted.
  await a.kernel.stop();
  const b = await boot(t, dataDir, socket, a.storage);
  await new Promise((r) => setTimeout(r, 500));
  const kept = await worker(b);
  t.equal(kept.state, 'paused', 'still paused after a server restart');
  t.equal(kept.sessionId, session, 'its session is kept');

  const wsB = await EventSocket.open(t, b.url, lead);
  const resumed = await call(b, 'POST', '/orchestrate/workers/w1/resume');
  t.equal(resumed.status, 200, JSON.stringify(resumed.body));
  t.equal(resumed.body.pause, null, 'no longer paused');
  const back = await wsB.waitFor('worker_resumed', (m) => m.type === 'worker_resumed' && m.handle === 'w1');
  t.match(back, { reason: 'lead', by: 'lead' });
  t.ok(back.pausedMs > 0, 'how long it was paused');
  const argv = argvOf(dir);
  t.equal(after(argv, '--resume'), session, 'launched with --resume of its session');
  const idle = await waitState(b, 'idle');
  t.match(idle.result, /paused in the middle of a turn/, 'told to continue the turn it was paused in');
  t.equal((await call(b, 'POST', '/orchestrate/workers/w1/resume')).body.code, 'WORKERS_NOT_PAUSED');

  // Paused again and dismissed: a paused worker has no run to end.
  t.equal((await call(b, 'POST', '/orchestrate/workers/w1/pause', {})).body.pause.midTurn, false, 'idle: no turn');
  const dismissed = await call(b, 'POST', '/orchestrate/dismiss/w1');
  t.equal(dismissed.body.state, 'stopped', 'a paused worker is dismissed');
  t.equal(
    (await call(b, 'POST', '/orchestrate/workers/w1/pause', {})).body.code,
    'WORKERS_NOT_PAUSABLE',
    'a stopped worker cannot be paused',
  );
  t.equal((await call(b, 'POST', '/orchestrate/workers/nobody/resume')).status, 404);
});

const testErrors = defineErrors({ TEST_OVER: [409, 'handle: {handle} is over its test budget'] });

t.test('admission checks: refusals carry their error, waits queue spawns; worker_request per request', async (t) => {
  const dataDir = tempDir(t, 'fleet-admit-');
  const socket = privateTmux(t, 'admit');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const fleet = await boot(t, dataDir, socket);
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const call = (method: string, path: string, body?: unknown) => fleet.request(method, path, { token: lead, body });
  const api = fleet.kernel.api<WorkersApi>('workers')!;
  const ws = await EventSocket.open(t, fleet.url, lead);
  const seen: string[] = [];
  let waitFor2 = false;
  const remove = api.addAdmission(async (request) => {
    seen.push(`${request.action}:${request.handle}`);
    if (request.handle === 'over') throw testErrors.TEST_OVER({ handle: request.handle }, { field: 'handle' });
    if (request.action === 'send' && request.handle === 'w1' && waitFor2) return { wait: 'not now' };
    if (request.action === 'spawn' && request.handle === 'later') return waitFor2 ? { wait: 'later' } : undefined;
    return undefined;
  });

  const refused = await call('POST', '/orchestrate/spawn', { handle: 'over', workingDir: dataDir });
  t.equal(refused.status, 409);
  t.match(refused.body, { code: 'TEST_OVER', field: 'handle' }, "the check's own error reaches the caller");
  t.equal((await call('POST', '/spawn-queue', { handle: 'over', workingDir: dataDir })).body.code, 'TEST_OVER');

  const spawned = await call('POST', '/orchestrate/spawn', {
    handle: 'w1',
    workingDir: dataDir,
    initialPrompt: 'USAGE 300 20',
  });
  t.equal(spawned.status, 201);
  const request = await ws.waitFor('worker_request', (m) => m.type === 'worker_request' && m.handle === 'w1');
  t.match(request.tokens, { input: 300, output: 20 }, 'worker_request carries the request’s tokens');
  t.match(request.messageId, /^msg_/);
  await waitFor('w1 idle', async () => {
    const list = (await call('GET', '/orchestrate/workers')).body as any[];
    return list.find((w) => w.handle === 'w1' && w.state === 'idle');
  });
  t.equal(ws.of('worker_request', 'w1').length, 1, 'once');

  waitFor2 = true;
  const held = await call('POST', '/orchestrate/send/w1', { message: 'more' });
  t.match(held.body, { code: 'WORKERS_MUST_WAIT' }, 'a wait refuses input with the reason');
  t.match(held.body.error, /not now/);
  const queued = await call('POST', '/orchestrate/spawn', { handle: 'later', workingDir: dataDir });
  t.equal(queued.status, 202, 'a spawn asked to wait is queued');
  await api.manager.drainQueue();
  t.equal((await call('GET', `/spawn-queue/${queued.body.id}`)).body.status, 'queued', 'and stays queued');
  waitFor2 = false;
  await api.manager.drainQueue();
  t.equal((await call('GET', `/spawn-queue/${queued.body.id}`)).body.status, 'started', 'until the wait is over');
  t.ok(seen.includes('send:w1') && seen.includes('spawn:later'), 'checks see the action and the worker');

  remove();
  const allowed = await call('POST', '/orchestrate/spawn', { handle: 'over', workingDir: dataDir });
  t.equal(allowed.status, 201, 'removed: no longer refused');
});
