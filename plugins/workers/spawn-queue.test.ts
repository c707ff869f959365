/**
 * The spawn queue: with maxWorkers live, a spawn answers 202 with its queue position; the queue is
 * persisted (it survives the server stopping and booting again on the same data dir), queued
 * spawns start as slots free (a dismiss, or a boot with a higher limit), and can be cancelled.
 * Routes /spawn-queue and the spawn_request / spawn_status / spawn_cancel tools, scoped per team.
 */
import t, { type Test } from 'tap';
import {
  fakeAgentWorkers,
  killTmuxServer,
  killWorkerProcesses,
  privateTmux,
  requestJson,
  startFleet,
  tempDir,
  type TestFleet,
  waitFor,
} from '../../test/kit/index.js';
import type { WorkersApi } from './index.js';

interface Booted {
  kernel: TestFleet['kernel'];
  url: string;
  request: (method: string, path: string, token: string, body?: unknown) => Promise<{ status: number; body: any }>;
  call: (
    token: string,
    name: string,
    args: Record<string, unknown>,
  ) => Promise<{ text: string; isError: boolean; json: () => any }>;
  worker: (token: string, handle: string) => Promise<any>;
}

/**
 * Boot a fleet on a given data dir, storage and tmux socket (the same ones again for a restart);
 * stopped at teardown.
 */
async function boot(
  t: Test,
  dataDir: string,
  socket: string,
  options: { max?: number; env?: Record<string, string>; storage?: TestFleet['storage'] } = {},
): Promise<Booted & { storage: TestFleet['storage'] }> {
  const fleet = await startFleet(t, {
    dataDir,
    env: options.env,
    config: {
      server: { rateLimit: { max: 1_000_000 } },
      log: { level: 'warn' },
      ...(options.storage ? { storage: options.storage } : {}),
    },
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' }, ...(options.max ? { max: options.max } : {}) }),
    },
  });
  const kernel = fleet.kernel;
  const url = kernel.url;
  const request = (method: string, path: string, token: string, body?: unknown) =>
    requestJson(url, method, path, { token, body });
  return {
    kernel,
    url,
    storage: fleet.storage,
    request,
    async call(token, name, args) {
      const response = await request('POST', '/mcp/call', token, { name, arguments: args });
      const text = response.body.content[0].text as string;
      return { text, isError: response.body.isError === true, json: () => JSON.parse(text) };
    },
    async worker(token, handle) {
      return ((await request('GET', '/orchestrate/workers', token)).body as any[]).find((w) => w.handle === handle);
    },
  };
}

t.test('queue at maxWorkers, survive restarts, start as slots free, cancel', async (t) => {
  const dataDir = tempDir(t, 'fleet-queue-');
  const socket = privateTmux(t, 'queue');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });

  // Boot A: MAX_WORKERS=1 from the environment.
  const a = await boot(t, dataDir, socket, { env: { MAX_WORKERS: '1' } });
  t.equal(a.kernel.api<WorkersApi>('workers')!.options.max, 1, 'MAX_WORKERS sets the limit');
  const lead = (
    await a.request('POST', '/auth', a.kernel.adminKey, { handle: 'lead', teamName: 'alpha', agentType: 'team-lead' })
  ).body.token as string;
  const otherLead = (
    await a.request('POST', '/auth', a.kernel.adminKey, { handle: 'lead', teamName: 'beta', agentType: 'team-lead' })
  ).body.token as string;
  const member = (
    await a.request('POST', '/auth', a.kernel.adminKey, { handle: 'dev', teamName: 'alpha', agentType: 'worker' })
  ).body.token as string;
  const spawn = (b: Booted, handle: string, prompt: string) =>
    b.request('POST', '/orchestrate/spawn', lead, { handle, initialPrompt: prompt, workingDir: dataDir });

  t.equal((await spawn(a, 'w1', 'first')).status, 201, 'the first spawn runs');
  const w2 = await spawn(a, 'w2', 'TOOL team_status {}');
  t.equal(w2.status, 202, 'the second is queued');
  t.match(w2.body, { queued: true, id: Number, position: 1, handle: 'w2' });
  const w3 = await spawn(a, 'w3', 'TOOL team_status {}');
  t.match(w3, { status: 202, body: { queued: true, position: 2, handle: 'w3' } });
  const dup = await spawn(a, 'w2', 'again');
  t.equal(dup.status, 409, 'a queued handle cannot be queued twice');
  t.match(dup.body.error, /already queued/);
  t.equal((await spawn(a, 'w1', 'again')).status, 409, 'nor a live one');

  // The tools: spawn_request queues, spawn_status shows, spawn_cancel cancels.
  const requested = await a.call(lead, 'spawn_request', { handle: 'w4', prompt: 'later', workingDir: dataDir });
  t.notOk(requested.isError, requested.text);
  t.match(requested.json(), { handle: 'w4', status: 'queued', position: 3, requestedBy: 'lead' });
  const w4id = requested.json().id as number;
  const status = await a.call(lead, 'spawn_status', {});
  t.match(status.json(), {
    live: 1,
    maxWorkers: 1,
    queued: [
      { handle: 'w2', position: 1 },
      { handle: 'w3', position: 2 },
      { handle: 'w4', position: 3 },
    ],
  });
  t.match((await a.call(lead, 'spawn_status', { id: w4id })).json(), { id: w4id, handle: 'w4', status: 'queued' });
  const cancelled = await a.call(lead, 'spawn_cancel', { id: w4id });
  t.match(cancelled.json(), { id: w4id, status: 'cancelled', position: null });
  const again = await a.call(lead, 'spawn_cancel', { id: w4id });
  t.ok(again.isError, 'cancelling twice is an error');
  t.match(again.text, /is cancelled, not queued/);
  const denied = await a.call(member, 'spawn_request', { handle: 'w9' });
  t.ok(denied.isError);
  t.match(denied.text, /^FLEET_INSUFFICIENT_PERMISSIONS: Insufficient permissions/);
  t.match(
    (await a.call(member, 'spawn_status', {})).json(),
    { queued: [{ handle: 'w2' }, { handle: 'w3' }] },
    'a member may look at the queue',
  );

  // Another team sees none of it.
  t.equal((await a.request('GET', `/spawn-queue/${w2.body.id}`, otherLead)).status, 404);
  t.equal((await a.request('DELETE', `/spawn-queue/${w2.body.id}`, otherLead)).status, 404);
  t.same((await a.request('GET', '/spawn-queue/status', otherLead)).body.queued, []);
  t.ok((await a.call(otherLead, 'spawn_cancel', { id: w2.body.id })).isError);
  await a.kernel.stop();

  // Boot B on the same data dir: the queue survived, w1 is re-adopted and still counts.
  const b = await boot(t, dataDir, socket, { max: 1, storage: a.storage });
  const afterRestart = await b.request('GET', '/spawn-queue/status', lead);
  t.match(
    afterRestart.body,
    {
      live: 1,
      maxWorkers: 1,
      queued: [
        { handle: 'w2', position: 1, status: 'queued' },
        { handle: 'w3', position: 2 },
      ],
    },
    'the queue survives a restart',
  );
  t.equal(afterRestart.body.queued.length, 2);
  t.match(await b.request('GET', `/spawn-queue/${w2.body.id}`, lead), {
    status: 200,
    body: { id: w2.body.id, handle: 'w2', status: 'queued', position: 1 },
  });
  await waitFor('w1 idle', async () => (await b.worker(lead, 'w1'))?.state === 'idle');

  // Dismissing w1 frees the slot: w2 starts, w3 moves up.
  t.equal((await b.request('POST', '/orchestrate/dismiss/w1', lead)).status, 200);
  const started = await waitFor('w2 idle', async () => {
    const worker = await b.worker(lead, 'w2');
    return worker?.state === 'idle' ? worker : undefined;
  });
  t.equal(started.result, 'team_status: ok', 'the queued worker ran its prompt, its fleet tool call included');
  t.equal(started.restartCount, 0);
  t.match((await b.request('GET', `/spawn-queue/${w2.body.id}`, lead)).body, { status: 'started', position: null });
  t.match((await b.request('GET', '/spawn-queue/status', lead)).body, {
    live: 1,
    queued: [{ handle: 'w3', position: 1 }],
  });
  t.equal(await b.worker(lead, 'w3'), undefined, 'w3 still waits');
  await b.kernel.stop();

  // Boot C with a higher limit: w3 starts while the fleet boots (on port 0: with the real URL).
  const c = await boot(t, dataDir, socket, { max: 3, storage: a.storage });
  const w3worker = await waitFor('w3 idle', async () => {
    const worker = await c.worker(lead, 'w3');
    return worker?.state === 'idle' ? worker : undefined;
  });
  t.equal(
    w3worker.result,
    'team_status: ok',
    'a spawn started at boot reaches the fleet over MCP (not an unresolved port 0)',
  );
  t.equal(w3worker.restartCount, 0, 'at the first try');
  t.match((await c.request('GET', '/spawn-queue/status', lead)).body, { live: 2, maxWorkers: 3, queued: [] });

  // POST /spawn-queue with a free slot starts at once; DELETE of a started one is a 409.
  const queued = await c.request('POST', '/spawn-queue', lead, {
    handle: 'w5',
    initialPrompt: 'now',
    workingDir: dataDir,
  });
  t.equal(queued.status, 202);
  t.match(queued.body, { handle: 'w5', status: 'started' });
  t.equal((await c.request('DELETE', `/spawn-queue/${queued.body.id}`, lead)).status, 409);
  const full = await c.request('POST', '/spawn-queue', lead, {
    handle: 'w6',
    initialPrompt: 'wait',
    workingDir: dataDir,
  });
  t.match(full, { status: 202, body: { handle: 'w6', status: 'queued', position: 1 } }, 'at the limit it waits');
  const removed = await c.request('DELETE', `/spawn-queue/${full.body.id}`, lead);
  t.match(removed, { status: 200, body: { status: 'cancelled' } });
  t.equal((await c.request('DELETE', '/spawn-queue/999999', lead)).status, 404);
  t.equal((await c.request('GET', '/spawn-queue/abc', lead)).status, 400);
  for (const handle of ['w2', 'w3', 'w5'])
    t.equal((await c.request('POST', `/orchestrate/dismiss/${handle}`, lead)).status, 200);
  t.match(
    (await c.request('GET', '/spawn-queue/status', lead)).body,
    { live: 0, queued: [] },
    'the cancelled w6 never starts',
  );
});
