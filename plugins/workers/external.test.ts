/**
 * External workers: registered by a lead, running elsewhere, pushing what they write. Their output
 * goes through the same log, cursors, parser, lifecycle and events as a pane worker's; they have
 * no heartbeats and take no input over a pane; another team cannot push or read.
 */
import t from 'tap';
import { EventSocket, sleep, startWorkerFleet } from '../../test/kit/index.js';

const line = (message: Record<string, unknown>) => JSON.stringify({ ...message, session_id: 'ext-session-1' });

t.test('an external stream-json worker: pushed lines drive its lifecycle, output and events', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const ws = await EventSocket.open(t, fleet.url, w.lead);
  const registered = await fleet.request('POST', '/orchestrate/workers/register', {
    token: w.lead,
    body: { handle: 'ext', format: 'ndjson' },
  });
  t.equal(registered.status, 201, JSON.stringify(registered.body));
  t.match(registered.body, { handle: 'ext', teamName: 'alpha', adapter: 'external', state: 'ready', paneId: null });
  await ws.waitFor('worker_spawned', (m) => m.type === 'worker_spawned' && m.handle === 'ext');
  const self = (await fleet.register('ext', 'alpha')).token;

  const push = (token: string, body: unknown) =>
    fleet.request('POST', '/orchestrate/workers/ext/output', { token, body });
  const first = await push(self, {
    lines: [
      line({ type: 'system', subtype: 'init', model: 'm' }),
      line({ type: 'assistant', message: { content: [{ type: 'text', text: 'working on it' }] } }),
    ],
  });
  t.equal(first.status, 200, JSON.stringify(first.body));
  t.match(first.body, { cursor: Number });
  const working = await w.waitWorker('ext', (x) => x.state === 'working', 'working');
  t.equal(working.sessionId, 'ext-session-1', 'the session id from its init line');
  const second = await push(w.lead, {
    output: line({
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: 'done remotely',
      total_cost_usd: 0.5,
      num_turns: 3,
      usage: { input_tokens: 1 },
    }),
  });
  t.equal(second.status, 200, 'a lead may push for it');
  const idle = await w.waitWorker('ext', (x) => x.state === 'idle', 'idle');
  t.match(idle, { result: 'done remotely', costUsd: 0.5, numTurns: 3, usage: { input_tokens: 1 } });
  t.same(
    ws.of('worker_state', 'ext').map((m) => m.state),
    ['working', 'idle'],
  );

  const output = await w.allOutput('ext');
  t.equal(output.length, 3, 'three lines in its log');
  t.equal(
    second.body.cursor,
    output.at(-1)!.offset + Buffer.byteLength(output.at(-1)!.text) + 1,
    'the cursor returned is the end of the log',
  );
  await ws.waitFor(
    'the last line as an event',
    (m) => m.type === 'worker_output' && m.handle === 'ext' && m.offset === output.at(-1)!.offset,
  );
  t.same(
    ws.of('worker_output', 'ext').map((m) => m.offset),
    output.map((l) => l.offset),
    'one event per line',
  );

  const send = await fleet.request('POST', '/orchestrate/send/ext', { token: w.lead, body: { message: 'hello' } });
  t.equal(send.status, 409);
  t.match(send.body.error, /is external/);
  const other = (await fleet.register('other', 'alpha')).token;
  t.equal((await push(other, { output: 'x' })).status, 403, 'another member may not push for it');
  const stranger = (await fleet.register('lead', 'beta', 'team-lead')).token;
  t.equal((await push(stranger, { output: 'x' })).status, 404, 'another team gets a 404');
  t.equal((await push(self, {})).status, 400, 'nothing to push is a 400');
  t.match((await push(self, { lines: 'x' })).body.error, /^lines: must be a list of lines/);

  t.equal((await fleet.request('POST', '/orchestrate/dismiss/ext', { token: w.lead })).status, 200);
  const late = await push(self, { output: 'after' });
  t.match(late, { status: 401, body: { code: 'FLEET_TOKEN_REVOKED' } }, 'its token ended with it');
  const byLead = await push(w.lead, { output: 'after' });
  t.equal(byLead.status, 409, 'a dismissed external worker takes no more output');
  t.equal((await w.worker('ext')).state, 'stopped');
});

t.test('an external text worker: pushed text makes it working; no pane host, so no heartbeat health', async (t) => {
  const w = await startWorkerFleet(t, {
    workers: { heartbeatSeconds: 0.2, degradedSeconds: 0.5, unhealthySeconds: 1 },
  });
  const { fleet } = w;
  t.equal(
    (await fleet.request('POST', '/orchestrate/workers/register', { token: w.lead, body: { handle: 'remote' } }))
      .status,
    201,
  );
  const self = (await fleet.register('remote', 'alpha')).token;
  const pushed = await fleet.request('POST', '/orchestrate/workers/remote/output', {
    token: self,
    body: { lines: ['step 1', 'step 2'] },
  });
  t.equal(pushed.status, 200);
  const worker = await w.waitWorker('remote', (x) => x.state === 'working', 'working');
  t.same(
    (await w.allOutput('remote')).map((l) => l.text),
    ['step 1', 'step 2'],
  );
  await sleep(1500);
  t.equal(
    (await w.worker('remote')).health,
    'healthy',
    'silence does not make an external worker unhealthy (it has no heartbeats)',
  );
  t.equal(worker.sessionId, null);
  const runs = await fleet.request('POST', '/orchestrate/spawn', {
    token: w.lead,
    body: { handle: 'remote', workingDir: fleet.dataDir },
  });
  t.equal(runs.status, 409, 'its handle is taken');
});
