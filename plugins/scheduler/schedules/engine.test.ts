import t from 'tap';
import { as, registerTeam, startFleet, waitFor } from '../../../test/kit/index.js';
import type { FakeClock } from '../clock.js';
import type { SchedulerApi } from '../index.js';

const START = Date.UTC(2026, 0, 5, 8, 0, 30);
const MINUTE = 60_000;

async function fleetWith(t: Parameters<typeof startFleet>[0]) {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      metrics: true,
      scheduler: {
        tickMs: 60_000,
        graceMs: 10_000,
        staggerMs: 5_000,
        queue: { pollMs: 20 },
        testClock: { startAt: START, manual: true },
      },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const api = fleet.kernel.api<SchedulerApi>('scheduler')!;
  const pass = async () => {
    await api.engine.tick();
    await api.engine.settled();
  };
  return { fleet, api, clock: api.clock as FakeClock, pass };
}

const task = { kind: 'task', subject: 'Report for {{slot}}' };
const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 8, minute)).toISOString();

t.test('catch-up after downtime: skip, latest_once, all N (overflow recorded), spread out', async (t) => {
  const { fleet, clock, pass } = await fleetWith(t);
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const ids: Record<string, string> = {};
  for (const [name, catchUp] of [
    ['skip', 'skip'],
    ['latest', 'latest_once'],
    ['all3', { all: 3 }],
  ] as const) {
    const created = await as(fleet, lead, 'POST', '/scheduler/schedules', {
      name,
      cron: '* * * * *',
      catchUp,
      action: task,
    });
    t.equal(created.status, 201);
    ids[name] = created.body.id;
  }
  clock.advance(10 * MINUTE); // 08:10:30: slots 08:01..08:10 were all missed (grace 10 s)
  await pass();
  const runs = async (name: string) =>
    ((await as(fleet, lead, 'GET', `/scheduler/runs?schedule=${ids[name]}`)).body as any[]).reverse();

  const skipped = await runs('skip');
  t.equal(skipped.length, 10, 'every missed slot has its run');
  t.ok(
    skipped.every((run) => run.outcome === 'skipped' && /catch-up: skip/.test(run.reason)),
    'skip: all skipped, saying why',
  );

  const latest = await runs('latest');
  t.same(
    latest.map((run) => run.slot),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(at),
    'one run per slot, in order',
  );
  t.ok(latest.slice(0, 9).every((run) => run.outcome === 'skipped' && /latest_once/.test(run.reason)));
  t.match(latest[9], { outcome: 'delivered', late: true }, 'latest_once: the latest missed slot runs');

  // all: 3 — the 3 latest run, one every staggerMs (5 s), not all at once; the 7 older are overflow.
  let all = await runs('all3');
  t.equal(all.length, 10);
  t.ok(
    all.slice(0, 7).every((run) => run.outcome === 'skipped' && /overflow/.test(run.reason)),
    'overflow recorded',
  );
  const fired = () => all.slice(7).filter((run) => run.outcome === 'delivered').length;
  // One stagger for the whole pass: latest_once's fire went first, then one every 5 s.
  t.equal(fired(), 0, 'the fires after downtime are spread out, not all at once');
  for (const expected of [1, 2, 3]) {
    clock.advance(5_000);
    await pass();
    all = await runs('all3');
    t.equal(fired(), expected, `${expected} of 3 after ${expected * 5} s`);
  }

  const tasks = (await as(fleet, lead, 'GET', '/teams/alpha/tasks?limit=100')).body as { subject: string }[];
  t.equal(tasks.length, 4, 'four tasks: latest_once 1, all:3 3');
  const metrics = await fleet.request('GET', '/metrics', { token: fleet.adminKey });
  t.match(String(metrics.body), /fleet_scheduler_runs_total\{outcome="delivered"\} 4/, 'counted by outcome');
  t.match(String(metrics.body), /fleet_scheduler_runs_total\{outcome="skipped"\} 26/);
});

t.test('overlap: skip, queue, replace; a run stays active until its queued job settles', async (t) => {
  const { fleet, api, clock, pass } = await fleetWith(t);
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const gates: (() => void)[] = [];
  api.queue.registerHandler('template', async (job) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    return { outcome: 'delivered', evidence: { ran: job.name } };
  });
  const ids: Record<string, string> = {};
  for (const policy of ['skip', 'queue', 'replace']) {
    const created = await as(fleet, lead, 'POST', '/scheduler/schedules', {
      name: policy,
      cron: '* * * * *',
      tasks: [`t-${policy}`],
      overlap: { max: 1, policy },
    });
    ids[policy] = created.body.id;
  }
  const runs = async (name: string) =>
    ((await as(fleet, lead, 'GET', `/scheduler/runs?schedule=${ids[name]}`)).body as any[]).reverse();
  clock.set(Date.UTC(2026, 0, 5, 8, 1, 1));
  await pass();
  for (const name of ['skip', 'queue', 'replace'])
    t.match((await runs(name))[0], { outcome: 'queued', status: 'active' }, `${name}: the first run is queued, active`);
  await waitFor('three jobs running', () => gates.length === 3, 10_000);

  clock.set(Date.UTC(2026, 0, 5, 8, 2, 1));
  await pass();
  t.match((await runs('skip'))[1], { outcome: 'skipped', reason: /overlap/ }, 'skip: the second is skipped');
  t.match((await runs('queue'))[1], { status: 'waiting', outcome: null }, 'queue: the second waits');
  const replaced = await runs('replace');
  t.match(
    replaced[0],
    { status: 'done', outcome: 'skipped', reason: /replaced by run/ },
    'replace: the first ends skipped',
  );
  t.match(replaced[1], { status: 'active', outcome: 'queued' }, 'replace: the second is dispatched');

  for (const release of gates.splice(0)) release();
  await waitFor('the first queued job settled', async () => (await runs('queue'))[0].outcome === 'delivered', 10_000);
  t.match((await runs('queue'))[0], { status: 'done', outcome: 'delivered' }, 'delivered once its job settled');
  t.match(
    (await runs('queue'))[0].dispatches[0],
    { evidence: { jobId: Number, ran: 't-queue' } },
    'with the job’s evidence',
  );
  await pass();
  t.match(
    (await runs('queue'))[1],
    { status: 'active', outcome: 'queued' },
    'queue: the waiting run starts when the first ends',
  );
  await waitFor('more jobs', () => gates.length >= 1, 10_000);
  for (const release of gates.splice(0)) release();
  await waitFor('all settled', async () => (await runs('queue'))[1].status === 'done', 10_000);
  await api.queue.idle?.();
});

t.test('deleted schedule: its waiting runs end skipped; runs of other teams stay hidden', async (t) => {
  const { fleet, api, clock, pass } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', []);
  const beta = await registerTeam(fleet, 'beta', []);
  const created = await as(fleet, alpha.lead, 'POST', '/scheduler/schedules', {
    name: 'q',
    cron: '* * * * *',
    tasks: ['never'],
    overlap: { max: 1, policy: 'queue' },
  });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.teardown(() => release());
  api.queue.registerHandler('template', async () => {
    await gate;
    return { outcome: 'refused', reason: 'test over' };
  });
  clock.set(Date.UTC(2026, 0, 5, 8, 1, 1));
  await pass();
  clock.set(Date.UTC(2026, 0, 5, 8, 2, 1));
  await pass();
  t.same((await as(fleet, beta.lead, 'GET', '/scheduler/runs')).body, [], 'another team sees no runs');
  t.same((await as(fleet, beta.lead, 'GET', `/scheduler/runs?schedule=${created.body.id}`)).body, []);
  await as(fleet, alpha.lead, 'DELETE', `/scheduler/schedules/${created.body.id}`);
  const runs = (await as(fleet, alpha.lead, 'GET', '/scheduler/runs')).body as any[];
  t.match(runs[0], { status: 'done', outcome: 'skipped', reason: 'schedule deleted' });
  t.match(runs[1], { status: 'active', outcome: 'queued' }, 'the dispatched one keeps its record');
});
