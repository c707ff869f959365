/**
 * Restart and health with the fake agent in real tmux panes: an agent that dies is restarted with
 * --resume <its session> (cumulative cost survives) up to maxRestarts, then marked failed with an
 * event; a pane host that stops sending heartbeats (SIGSTOP) makes its worker degraded, then
 * unhealthy, and healthy again after SIGCONT; a silent working agent is flagged stalled.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  EventSocket,
  freezePaneHost,
  groupAlive,
  running,
  startWorkerFleet,
  testStorage,
  tmuxSync,
  waitFor,
  withPgClient,
} from '../../test/kit/index.js';

const spawnArgv = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[]; initialPrompt?: string };
const windows = (socket: string) =>
  tmuxSync(socket, ['list-windows', '-t', '=fleet', '-F', '#{window_name}']).trim().split('\n');

t.test('a crashing agent is restarted with --resume <same session> up to maxRestarts, then failed', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 2 } });
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  const spawned = await w.spawn('crashy', { initialPrompt: 'hello' });
  t.equal(spawned.status, 201);
  const sessionId = spawned.body.sessionId as string;
  const idle = await w.waitWorker('crashy', (x) => x.state === 'idle', 'first turn done');
  t.equal(idle.costUsd, 0.0012);
  t.same(
    spawnArgv(w.workerDir('crashy'))
      .argv.slice(-0)
      .filter((a) => a === '--session-id' || a === '--resume'),
    ['--session-id'],
    'the first launch names its session with --session-id',
  );
  const firstHost = w.host('crashy');

  // The agent dies mid-turn: restart 1 resumes the same session and re-runs the task.
  await w.fleet.request('POST', '/orchestrate/send/crashy', { token: w.lead, body: { message: 'CRASH' } });
  const restart1 = await ws.waitFor('worker_restart 1', (m) => m.type === 'worker_restart' && m.attempt === 1);
  t.match(restart1, { handle: 'crashy', attempt: 1, resume: sessionId });
  t.match(ws.of('worker_exit', 'crashy')[0], { code: 1, signal: null }, 'the exit is reported');
  const resumed = await w.waitWorker(
    'crashy',
    (x) => x.restartCount === 1 && x.state === 'idle',
    'idle after restart 1',
  );
  t.equal(resumed.sessionId, sessionId, 'the same session id');
  t.equal(resumed.costUsd, 0.0024, 'the resumed session’s cost is cumulative (the fake agent kept it per session)');
  t.equal(resumed.numTurns, 2);
  t.equal(
    resumed.result,
    'ack: You were restarted in the middle of a turn. Continue where you left off.',
    'the restarted agent was told to finish the turn it was cut off in',
  );
  const spec = spawnArgv(w.workerDir('crashy'));
  const at = spec.argv.indexOf('--resume');
  t.ok(at > 0 && spec.argv[at + 1] === sessionId, `relaunched with --resume ${sessionId}`);
  t.notOk(spec.argv.includes('--session-id'), 'not with a new --session-id');
  t.notMatch(spec.initialPrompt, /hello/, 'its finished task is not sent again');
  t.notOk(running(firstHost.hostPid) || groupAlive(firstHost.agentPid), 'the first pane host and agent are gone');
  t.ok(running(w.host('crashy').hostPid), 'a new pane host runs');
  t.same(
    windows(w.socket).filter((name) => name === 'crashy'),
    ['crashy'],
    'one window for the worker, not two',
  );

  // It keeps dying: restart 2, then failed.
  await w.fleet.request('POST', '/orchestrate/send/crashy', { token: w.lead, body: { message: 'CRASH' } });
  await ws.waitFor('worker_restart 2', (m) => m.type === 'worker_restart' && m.attempt === 2);
  await w.waitWorker('crashy', (x) => x.restartCount === 2 && x.state === 'idle', 'idle after restart 2');
  const lastHost = w.host('crashy');
  await w.fleet.request('POST', '/orchestrate/send/crashy', { token: w.lead, body: { message: 'CRASH' } });
  const failed = await ws.waitFor('worker_failed', (m) => m.type === 'worker_failed' && m.handle === 'crashy');
  t.match(failed, { handle: 'crashy', code: 1, restarts: 2 });
  const final = await w.waitWorker('crashy', (x) => x.state === 'failed', 'failed');
  t.equal(final.restartCount, 2);
  t.equal(final.paneId, null);
  t.equal(ws.of('worker_restart', 'crashy').length, 2, 'no third restart');
  await waitFor('the last host to end', () => !running(lastHost.hostPid) && !groupAlive(lastHost.agentPid), 5000);
  await waitFor('the window to close', () => !windows(w.socket).includes('crashy'), 5000);
  t.pass('nothing of the failed worker is left');
  const send = await w.fleet.request('POST', '/orchestrate/send/crashy', {
    token: w.lead,
    body: { message: 'hello?' },
  });
  t.equal(send.status, 409, 'a failed worker takes no input');
  t.match(send.body.error, /not running \(failed\)/);
});

t.test('an agent that crashes on every start fails after maxRestarts', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 1 } });
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  t.equal((await w.spawn('doomed', { initialPrompt: 'CRASH' })).status, 201);
  await ws.waitFor('worker_failed', (m) => m.type === 'worker_failed' && m.handle === 'doomed');
  const worker = await w.worker('doomed');
  t.match(worker, { state: 'failed', restartCount: 1 });
  t.same(
    ws.of('worker_restart', 'doomed').map((m) => m.attempt),
    [1],
  );
  t.same(ws.of('worker_state', 'doomed').at(-1)?.state, 'failed');
});

t.test('maxRestarts 0: the first death fails the worker', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 0 } });
  t.equal((await w.spawn('once', { initialPrompt: 'hi\nEXIT 2' })).status, 201);
  const worker = await w.waitWorker('once', (x) => x.state === 'failed', 'failed');
  t.equal(worker.restartCount, 0);
  t.equal(worker.result, 'ack: hi', 'the turn before the exit was recorded');
});

t.test('a pane host killed with SIGKILL: its agent group is ended before the worker is restarted', async (t) => {
  // A command agent that ignores its stdin closing (so it would outlive its host).
  const stubborn =
    `process.stdin.resume(); process.stdin.on('end', () => {}); ` +
    `console.log('up ' + process.pid); setInterval(() => {}, 1000);`;
  const w = await startWorkerFleet(t, {
    workers: { maxRestarts: 1, commands: { stubborn: { argv: [process.execPath, '-e', stubborn] } } },
  });
  t.equal((await w.spawn('orphan', { adapter: 'stubborn', initialPrompt: 'go' })).status, 201);
  await w.waitWorker('orphan', (x) => x.state === 'working', 'working');
  const first = w.host('orphan');
  process.kill(first.hostPid, 'SIGKILL');
  await w.waitWorker('orphan', (x) => x.restartCount === 1 && x.state !== 'starting', 'restarted');
  const second = await waitFor('a new host', () => {
    const host = w.host('orphan');
    return host.hostPid !== first.hostPid ? host : undefined;
  });
  t.ok(running(second.agentPid), 'the new agent runs');
  await waitFor('the old agent group to end', () => !groupAlive(first.agentPid), 5000).catch(() => undefined);
  t.notOk(groupAlive(first.agentPid), 'the agent of the killed host did not survive as an orphan');
});

t.test(
  'one death reported again and again while the database is slow restarts the worker once',
  { skip: testStorage() === 'postgres' ? false : 'holds a table lock from another PostgreSQL session' },
  async (t) => {
    // The health check (every 100 ms here) reports a dead pane host each time it looks until the exit
    // is handled, and that waits behind the worker's log lines, whose writes wait for a lock. Every
    // report was handled in turn, each ending the run the one before had started: 3 restarts, 1 death.
    const w = await startWorkerFleet(t, { workers: { maxRestarts: 3, heartbeatSeconds: 0.1 } });
    t.equal((await w.spawn('slow', { initialPrompt: 'hello' })).status, 201);
    await w.waitWorker('slow', (x) => x.state === 'idle', 'idle');
    const host = w.host('slow');
    const output = join(w.workerDir('slow'), 'output.log');
    const size = statSync(output).size;
    await withPgClient((w.fleet.storage as { url: string }).url, async (db) => {
      await db.query('BEGIN');
      await db.query('LOCK TABLE workers IN EXCLUSIVE MODE');
      // The send waits for the lock too (its "working"); the agent answers meanwhile.
      const sent = w.fleet.request('POST', '/orchestrate/send/slow', { token: w.lead, body: { message: 'more' } });
      await waitFor('the answer in the log', () =>
        readFileSync(output, 'utf8').slice(size).includes('"type":"result"'),
      );
      process.kill(host.hostPid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 700));
      await db.query('COMMIT');
      t.equal((await sent).status, 200, 'the send was taken before the host died');
    });
    // It died with its turn done: resumed in silence, it waits for input.
    await w.waitWorker('slow', (x) => x.restartCount >= 1 && x.state === 'ready', 'restarted and waiting');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    t.equal(
      w.fleet.logs.filter((line) => /worker alpha\/slow exited .*; restart \d of/.test(line)).length,
      1,
      'one restart for one death',
    );
    t.match(await w.worker('slow'), { restartCount: 1, state: 'ready' });
  },
);

const stateOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

t.test('health: heartbeats stop (host SIGSTOPped) → degraded → unhealthy; SIGCONT → healthy', async (t) => {
  const w = await startWorkerFleet(t, { workers: { heartbeatSeconds: 0.2, degradedSeconds: 1, unhealthySeconds: 2 } });
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  t.equal((await w.spawn('sleepy', { initialPrompt: 'hi' })).status, 201);
  await w.waitWorker('sleepy', (x) => x.state === 'idle', 'idle');
  await new Promise((r) => setTimeout(r, 600));
  t.equal((await w.worker('sleepy')).health, 'healthy', 'an idle agent with heartbeats is healthy');
  const host = w.host('sleepy');
  const before = ws.received.length;
  const thaw = freezePaneHost(w.socket, host.hostPid);
  t.teardown(thaw);
  const stoppedAt = Date.now();
  await waitFor('the host to be stopped', () => stateOf(host.hostPid) === 'T', 2000);
  const after = (m: Record<string, any>) => ws.received.indexOf(m) >= before;
  const degraded = await ws.waitFor(
    'degraded',
    (m) => after(m) && m.type === 'worker_health' && m.health === 'degraded',
    5000,
  );
  const degradedAfter = Date.now() - stoppedAt;
  t.match(degraded, { handle: 'sleepy', previous: 'healthy' });
  t.ok(
    degradedAfter >= 700 && degradedAfter < 2000,
    `degraded ${degradedAfter} ms after the last heartbeat (degradedSeconds 1)`,
  );
  const unhealthy = await ws.waitFor(
    'unhealthy',
    (m) => after(m) && m.type === 'worker_health' && m.health === 'unhealthy',
    5000,
  );
  const unhealthyAfter = Date.now() - stoppedAt;
  t.match(unhealthy, { handle: 'sleepy', previous: 'degraded' });
  t.ok(unhealthyAfter >= 1700 && unhealthyAfter < 3500, `unhealthy ${unhealthyAfter} ms after (unhealthySeconds 2)`);
  const listed = await w.worker('sleepy');
  t.match(listed, { health: 'unhealthy', state: 'idle' }, 'health is reported; the state is not touched');
  t.equal(ws.of('worker_restart', 'sleepy').length, 0, 'an unhealthy worker is not killed or restarted');
  thaw();
  await ws.waitFor('healthy again', (m) => after(m) && m.type === 'worker_health' && m.health === 'healthy', 5000);
  t.equal((await w.worker('sleepy')).health, 'healthy');
  const sent = await w.fleet.request('POST', '/orchestrate/send/sleepy', {
    token: w.lead,
    body: { message: 'still there?' },
  });
  t.equal(sent.status, 200);
  await w.waitWorker('sleepy', (x) => x.numTurns === 2, 'answers after SIGCONT');
});

t.test('a working agent that goes silent is flagged stalled (an event), not killed', async (t) => {
  const w = await startWorkerFleet(t, { workers: { heartbeatSeconds: 0.2, stalledSeconds: 0.8 } });
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  t.equal((await w.spawn('thinker', { initialPrompt: 'SLEEP 2000' })).status, 201);
  const stalled = await ws.waitFor(
    'worker_stalled',
    (m) => m.type === 'worker_stalled' && m.handle === 'thinker',
    5000,
  );
  t.ok(stalled.secondsSilent >= 0, 'seconds silent reported');
  t.equal(ws.of('worker_stalled', 'thinker').length, 1, 'reported once per silence');
  const done = await w.waitWorker('thinker', (x) => x.state === 'idle', 'the long turn completes');
  t.equal(done.result, 'ack: SLEEP 2000');
  t.equal(done.restartCount, 0);
  t.ok(existsSync(join(w.workerDir('thinker'), 'host.json')));
});
