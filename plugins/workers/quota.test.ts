/**
 * The usage-limit breaker with the fake agent, whose LIMIT turns end as the real CLI's do (see
 * usage-limit.test.ts for the shapes): an agent that hits its five-hour limit is parked (paused,
 * reason quota, resetsAt), new spawns wait in the queue, and after the (short, simulated) reset the
 * parked workers resume with --resume, at most resumeBatch per window, even across a server restart;
 * the queued spawn starts. A weekly limit waits for a lead (POST /orchestrate/quota/resume).
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
  waitFor,
} from '../../test/kit/index.js';

const QUOTA = { resumeBatch: 2, resumeWindowSeconds: 2, resetMarginSeconds: 0 };
const argvOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[] }).argv;

function boot(t: Test, dataDir: string, socket: string, storage?: TestFleet['storage']): Promise<TestFleet> {
  return startFleet(t, {
    dataDir,
    config: { server: { rateLimit: { max: 1_000_000 } }, log: { level: 'debug' }, ...(storage ? { storage } : {}) },
    plugins: {
      auth: true,
      mail: true,
      workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' }, max: 10, quota: QUOTA }),
    },
  });
}

function fleetCalls(fleet: TestFleet, token: string) {
  const call = (method: string, path: string, body?: unknown) => fleet.request(method, path, { token, body });
  const workers = async () => (await call('GET', '/orchestrate/workers')).body as any[];
  return { call, workers };
}

t.test('a five-hour limit parks workers, holds spawns, and resumes them staggered after the reset', async (t) => {
  const dataDir = tempDir(t, 'fleet-quota-');
  const socket = privateTmux(t, 'quota');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const a = await boot(t, dataDir, socket);
  const lead = (await a.register('lead', 'alpha', 'team-lead')).token;
  const { call, workers } = fleetCalls(a, lead);
  const ws = await EventSocket.open(t, a.url, lead);
  const handles = ['q1', 'q2', 'q3', 'q4', 'q5'];
  // The reset is far enough away for every worker to be parked and the server restarted before it.
  const resetIn = 15;
  const sessions = new Map<string, string>();
  // Spawned together, each limited a few seconds into its turn: all run before the first limit holds spawns.
  const spawns = await Promise.all(
    handles.map((handle) =>
      call('POST', '/orchestrate/spawn', {
        handle,
        workingDir: dataDir,
        initialPrompt: `SLEEP 5000\nLIMIT five_hour ${resetIn}`,
      }),
    ),
  );
  for (const [i, spawned] of spawns.entries()) {
    t.equal(spawned.status, 201, JSON.stringify(spawned.body));
    sessions.set(handles[i]!, spawned.body.sessionId);
  }
  const parked = await waitFor('all five parked', async () => {
    const list = await workers();
    return list.filter((w) => w.state === 'paused').length === handles.length ? list : undefined;
  });
  for (const worker of parked) {
    t.match(worker.pause, { reason: 'quota', source: 'quota', midTurn: true }, `${worker.handle} parked for quota`);
    t.ok(worker.pause.resetsAt, `${worker.handle} knows its reset`);
  }
  const limited = await ws.waitFor('quota_limited', (m) => m.type === 'quota_limited');
  t.match(limited.quota, { limited: true, window: 'five_hour', resumesBySelf: true });
  const status = await call('GET', '/orchestrate/quota');
  t.match(status.body, { limited: true, kind: 'usage_limit', window: 'five_hour', resumesBySelf: true });
  t.equal(status.body.parked.length, 5, 'the team’s parked workers');

  const held = await call('POST', '/orchestrate/spawn', { handle: 'late', workingDir: dataDir, initialPrompt: 'hi' });
  t.equal(held.status, 202, 'a spawn while the limit holds is queued');
  t.equal((await call('POST', '/orchestrate/workers/q1/resume')).body.code, 'WORKERS_MUST_WAIT', 'no resume yet');
  t.equal((await call('POST', '/orchestrate/send/q1', { message: 'x' })).body.code, 'WORKERS_PAUSED');

  // The server restarts while they are parked: the next one waits for the same reset.
  await a.kernel.stop();
  const b = await boot(t, dataDir, socket, a.storage);
  const onB = fleetCalls(b, lead);
  const wsB = await EventSocket.open(t, b.url, lead);
  t.equal((await onB.workers()).filter((w) => w.state === 'paused').length, 5, 'still parked after the restart');
  t.equal((await onB.call('GET', '/orchestrate/quota')).body.limited, true, 'the breaker is kept');

  const resumes = await waitFor(
    'five resumed',
    async () => {
      const seen = wsB.of('worker_resumed');
      return seen.length === handles.length ? seen : undefined;
    },
    60_000,
  );
  for (const resumed of resumes) {
    t.equal(resumed.reason, 'quota');
    t.equal(resumed.by, 'reset', 'resumed by the reset, not by a person');
  }
  const cleared = await wsB.waitFor('quota_cleared', (m) => m.type === 'quota_cleared');
  t.match(cleared, { by: 'reset', parked: 5 });
  for (const handle of handles) {
    const argv = argvOf(join(dataDir, 'workers', 'alpha', handle));
    t.equal(argv[argv.indexOf('--resume') + 1], sessions.get(handle), `${handle} resumed its own session`);
  }
  const done = await waitFor('resumed workers finish the turn', async () => {
    const list = await onB.workers();
    const back = list.filter((w) => handles.includes(w.handle) && w.state === 'idle');
    return back.length === handles.length ? back : undefined;
  });
  for (const worker of done) t.match(worker.result, /paused in the middle of a turn/, `${worker.handle} continues`);
  const late = await waitFor('the queued spawn starts', async () =>
    (await onB.workers()).find((w) => w.handle === 'late' && w.state !== 'starting'),
  );
  t.ok(late, 'the spawn held by the limit started after the reset');
  t.equal((await onB.call('GET', '/orchestrate/quota')).body.limited, false);
});

t.test('a weekly limit waits for a lead; the stagger is resumeBatch per window', async (t) => {
  const dataDir = tempDir(t, 'fleet-weekly-');
  const socket = privateTmux(t, 'weekly');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const fleet = await boot(t, dataDir, socket);
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const { call, workers } = fleetCalls(fleet, lead);
  const ws = await EventSocket.open(t, fleet.url, lead);
  const handles = ['k1', 'k2', 'k3', 'k4', 'k5'];
  const spawns = await Promise.all(
    handles.map((handle) =>
      call('POST', '/orchestrate/spawn', { handle, workingDir: dataDir, initialPrompt: 'SLEEP 5000\nLIMIT weekly 1' }),
    ),
  );
  for (const spawned of spawns) t.equal(spawned.status, 201);
  await waitFor('all parked', async () => {
    const list = await workers();
    return list.filter((w) => w.state === 'paused').length === handles.length ? list : undefined;
  });
  const status = await call('GET', '/orchestrate/quota');
  t.match(status.body, { limited: true, window: 'weekly', resumesBySelf: false });
  for (const worker of await workers()) t.equal(worker.pause.resetsAt, null, 'a weekly limit is not guessed at');
  // Its reset time (1 s) passes: nothing resumes by itself.
  await new Promise((r) => setTimeout(r, 2500));
  t.equal(ws.of('worker_resumed').length, 0, 'no resume without a lead');

  const member = (await fleet.register('m1', 'alpha', 'worker')).token;
  t.equal((await fleet.request('POST', '/orchestrate/quota/resume', { token: member })).status, 403);
  const started = Date.now();
  const decided = await call('POST', '/orchestrate/quota/resume');
  t.equal(decided.status, 200, JSON.stringify(decided.body));
  t.equal(decided.body.parked, 5);
  const arrived: number[] = [];
  await waitFor(
    'five resumed',
    async () => {
      for (let i = arrived.length; i < ws.of('worker_resumed').length; i++) arrived.push(Date.now() - started);
      return arrived.length === 5 ? arrived : undefined;
    },
    30_000,
  );
  const windowMs = QUOTA.resumeWindowSeconds * 1000;
  // At most resumeBatch resumes in any window: the third comes a window after the first.
  t.ok(arrived[2]! - arrived[0]! >= windowMs * 0.9, `third resume ${arrived[2]! - arrived[0]!} ms after the first`);
  t.ok(arrived[4]! - arrived[2]! >= windowMs * 0.9, `fifth resume ${arrived[4]! - arrived[2]!} ms after the third`);
  t.comment(`resume times after the decision (ms): ${arrived.join(', ')}`);
  for (const resumed of ws.of('worker_resumed')) t.equal(resumed.by, 'lead');
});
