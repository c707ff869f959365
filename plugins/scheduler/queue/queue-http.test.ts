import t from 'tap';
import { as, registerTeam, startFleet, waitFor } from '../../../test/kit/index.js';
import type { SchedulerApi } from '../index.js';

const queueOptions = { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 20, pollMs: 20 };

async function fleetWith(t: Parameters<typeof startFleet>[0]) {
  const fleet = await startFleet(t, {
    plugins: { auth: true, scheduler: { queue: queueOptions } },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  return { fleet, api: fleet.kernel.api<SchedulerApi>('scheduler')! };
}

t.test('queue routes: add (leads), list, get, cancel; bad inputs 400 with the field; other teams 404', async (t) => {
  const { fleet, api } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', ['a1']);
  const beta = await registerTeam(fleet, 'beta', []);
  const worker = alpha.workers[0]!;

  t.equal((await as(fleet, worker, 'POST', '/scheduler/queue', { name: 'code-review' })).status, 403, 'workers: 403');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{}, /^name: /],
    [{ name: '' }, /^name: /],
    [{ name: 'x y' }, /^name: must be 1–100 letters/],
    [{ name: 'ok', priority: 'urgent' }, /^priority: must be one of critical, high, normal, low/],
    [{ name: 'ok', payload: [1, 2] }, /^payload: must be an object/],
    [{ name: 'ok', payload: 'text' }, /^payload: must be an object/],
    [{ name: 'ok', repository: 5 }, /^repository: must be a string/],
    [{ name: 'ok', maxAttempts: 0 }, /^maxAttempts: must be at least 1/],
  ];
  for (const [body, message] of bad) {
    const response = await as(fleet, alpha.lead, 'POST', '/scheduler/queue', body);
    t.equal(response.status, 400, JSON.stringify(body));
    t.match(response.body.error, message);
  }

  // A kind nobody handles stays queued (the route queues 'template' jobs, whose handler may refuse at once).
  const waiting = await api.queue.enqueue({ team: 'alpha', kind: 'parked', name: 'parked', priority: 'low' });
  const added = await as(fleet, alpha.lead, 'POST', '/scheduler/queue', {
    name: 'nightly-thing',
    priority: 'critical',
    repository: 'octo/app',
    payload: { reason: 'test' },
  });
  t.equal(added.status, 201);
  t.match(added.body, {
    taskId: Number,
    message: 'Task queued',
    task: { name: 'nightly-thing', priority: 'critical' },
  });
  const id = added.body.taskId as number;
  const got = await as(fleet, worker, 'GET', `/scheduler/queue/${id}`);
  t.equal(got.status, 200, 'workers read');
  t.match(got.body, {
    id,
    name: 'nightly-thing',
    kind: 'template',
    trigger: 'manual',
    repository: 'octo/app',
    priority: 'critical',
    createdAt: String,
    maxRetries: 1,
    maxAttempts: 2,
  });
  t.notOk('completed' === got.body.status, 'never "completed"');
  const list = await as(fleet, worker, 'GET', '/scheduler/queue');
  t.match(list.body, { queued: Array, running: Array, counts: { queued: Number, running: Number, dead: 0 } });
  t.ok(list.body.queued.some((job: { id: number }) => job.id === waiting.id));

  t.equal((await as(fleet, beta.lead, 'GET', `/scheduler/queue/${id}`)).status, 404, 'another team: 404');
  t.equal((await as(fleet, beta.lead, 'DELETE', `/scheduler/queue/${waiting.id}`)).status, 404);
  t.same((await as(fleet, beta.lead, 'GET', '/scheduler/queue')).body.queued, [], 'another team lists none');
  t.equal((await as(fleet, alpha.lead, 'GET', '/scheduler/queue/abc')).status, 400);
  t.equal((await as(fleet, alpha.lead, 'GET', '/scheduler/queue/99999999999')).status, 400, 'beyond a serial id');
  t.equal((await as(fleet, alpha.lead, 'GET', '/scheduler/queue/424242')).status, 404);

  t.equal((await as(fleet, worker, 'DELETE', `/scheduler/queue/${waiting.id}`)).status, 403, 'workers may not cancel');
  const cancelled = await as(fleet, alpha.lead, 'DELETE', `/scheduler/queue/${waiting.id}`);
  t.match(cancelled.body, { message: 'Task cancelled', task: { status: 'cancelled' } });
  const again = await as(fleet, alpha.lead, 'DELETE', `/scheduler/queue/${waiting.id}`);
  t.equal(again.status, 409);
  t.equal(again.body.code, 'SCHEDULER_QUEUE_FINISHED');
  t.equal((await as(fleet, alpha.lead, 'POST', `/scheduler/queue/${waiting.id}/replay`)).status, 409, 'not dead');
});

t.test('a running job cannot be cancelled (409)', async (t) => {
  const { fleet, api } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', []);
  let release = (): void => undefined;
  t.teardown(() => release());
  api.queue.registerHandler('slow', async (job) => {
    await new Promise<void>((done) => (release = done));
    return { outcome: 'delivered', evidence: { id: job.id } };
  });
  const job = await api.queue.enqueue({ team: 'alpha', kind: 'slow', name: 'slow' });
  await waitFor('running', async () => (await api.queue.get('alpha', job.id)).status === 'running');
  const response = await as(fleet, alpha.lead, 'DELETE', `/scheduler/queue/${job.id}`);
  t.equal(response.status, 409);
  t.equal(response.body.code, 'SCHEDULER_QUEUE_RUNNING');
  release();
  await waitFor('delivered', async () => (await api.queue.get('alpha', job.id)).status === 'delivered');
  const done = await as(fleet, alpha.lead, 'GET', `/scheduler/queue/${job.id}`);
  t.match(done.body, { status: 'delivered', evidence: { id: job.id }, attempts: 1, retries: 0 });
});

t.test('dead-letter list survives a restart of the fleet; a lead replays it; it runs again', async (t) => {
  const { fleet, api } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', ['a1']);
  const beta = await registerTeam(fleet, 'beta', []);
  api.queue.registerHandler('flaky', async () => ({ outcome: 'failed', reason: 'HTTP 503' }));
  const job = await api.queue.enqueue({ team: 'alpha', kind: 'flaky', name: 'deliver-report' });
  await waitFor('dead', async () => (await api.queue.get('alpha', job.id)).status === 'dead');
  await fleet.kernel.stop();

  const second = await startFleet(t, {
    dataDir: fleet.dataDir,
    plugins: { auth: true, scheduler: { queue: queueOptions } },
    config: { storage: fleet.storage, server: { rateLimit: { max: 1_000_000 } } },
  });
  const dead = await as(second, alpha.workers[0]!, 'GET', '/scheduler/queue/dead');
  t.equal(dead.status, 200);
  t.equal(dead.body.count, 1);
  t.match(dead.body.dead[0], { id: job.id, status: 'dead', attempts: 2, retries: 1, error: 'HTTP 503' });
  t.same((await as(second, beta.lead, 'GET', '/scheduler/queue/dead')).body.dead, [], 'beta sees none');
  t.equal((await as(second, beta.lead, 'POST', `/scheduler/queue/${job.id}/replay`)).status, 404);
  t.equal((await as(second, alpha.workers[0]!, 'POST', `/scheduler/queue/${job.id}/replay`)).status, 403);
  const api2 = second.kernel.api<SchedulerApi>('scheduler')!;
  let ran = 0;
  api2.queue.registerHandler('flaky', async (j) => {
    ran++;
    return { outcome: 'delivered', evidence: { status: 200, id: j.id } };
  });
  const replayed = await as(second, alpha.lead, 'POST', `/scheduler/queue/${job.id}/replay`);
  t.equal(replayed.status, 200);
  t.match(replayed.body, { message: 'Task replayed', task: { status: 'queued', attempts: 0 } });
  await waitFor('delivered', async () => (await api2.queue.get('alpha', job.id)).status === 'delivered');
  t.equal(ran, 1);
  t.same((await as(second, alpha.lead, 'GET', '/scheduler/queue/dead')).body.dead, []);
});
