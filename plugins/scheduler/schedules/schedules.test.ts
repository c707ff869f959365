import t from 'tap';
import { as, registerTeam, startFleet, type TestFleet } from '../../../test/kit/index.js';
import type { SchedulerApi } from '../index.js';
import type { FakeClock } from '../clock.js';

const START = Date.UTC(2026, 0, 5, 8, 0, 30);

async function fleetWith(t: Parameters<typeof startFleet>[0], extra: Record<string, unknown> = {}) {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      scheduler: { tickMs: 60_000, staggerMs: 0, testClock: { startAt: START, manual: true }, ...extra },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const api = fleet.kernel.api<SchedulerApi>('scheduler')!;
  return { fleet, api, clock: api.clock as FakeClock };
}

const taskAction = { kind: 'task', subject: 'Report for {{slot}}' };

async function teamTasks(fleet: TestFleet, lead: { token: string }, team: string) {
  const response = await fleet.request('GET', `/teams/${team}/tasks?limit=1000`, { token: lead.token });
  return response.body as { subject: string }[];
}

t.test('schedules: create, list, get, enable, disable, delete; leads only; other teams see nothing', async (t) => {
  const { fleet } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', ['a1']);
  const beta = await registerTeam(fleet, 'beta', []);
  const created = await as(fleet, alpha.lead, 'POST', '/scheduler/schedules', {
    name: 'hourly',
    cron: '0 * * * *',
    action: taskAction,
  });
  t.equal(created.status, 201);
  t.match(created.body, { id: /^sched_/, message: 'Schedule registered', schedule: { enabled: true, tasks: [] } });
  const id = created.body.id as string;
  t.equal(created.body.schedule.nextRun, '2026-01-05T09:00:00.000Z', 'next slot from the clock');

  t.equal(
    (
      await as(fleet, alpha.workers[0]!, 'POST', '/scheduler/schedules', {
        name: 'x',
        cron: '* * * * *',
        action: taskAction,
      })
    ).status,
    403,
    'workers may not create',
  );
  t.equal((await as(fleet, alpha.workers[0]!, 'GET', `/scheduler/schedules/${id}`)).status, 200, 'workers read');
  t.equal((await as(fleet, beta.lead, 'GET', `/scheduler/schedules/${id}`)).status, 404, 'another team: 404');
  t.equal((await as(fleet, beta.lead, 'DELETE', `/scheduler/schedules/${id}`)).status, 404);
  t.equal((await as(fleet, beta.lead, 'PATCH', `/scheduler/schedules/${id}/disable`)).status, 404);
  t.same((await as(fleet, beta.lead, 'GET', '/scheduler/schedules')).body, [], 'another team lists none');

  const taken = await as(fleet, alpha.lead, 'POST', '/scheduler/schedules', {
    name: 'hourly',
    cron: '* * * * *',
    tasks: ['generate-tests'],
  });
  t.equal(taken.status, 409);
  t.equal(taken.body.code, 'SCHEDULER_NAME_TAKEN');

  const disabled = await as(fleet, alpha.lead, 'PATCH', `/scheduler/schedules/${id}/disable`);
  t.match(disabled.body, { message: 'Schedule disabled', schedule: { enabled: false } });
  t.notOk(disabled.body.schedule.nextRun, 'a disabled schedule has no next run');
  const enabled = await as(fleet, alpha.lead, 'PATCH', `/scheduler/schedules/${id}/enable`);
  t.match(enabled.body, { message: 'Schedule enabled', schedule: { enabled: true } });
  const list = await as(fleet, alpha.workers[0]!, 'GET', '/scheduler/schedules');
  t.equal(list.body.length, 1);
  t.equal((await as(fleet, alpha.lead, 'DELETE', `/scheduler/schedules/${id}`)).body.message, 'Schedule removed');
  t.equal((await as(fleet, alpha.lead, 'GET', `/scheduler/schedules/${id}`)).status, 404);
});

t.test('schedules: bad inputs are 400s naming the field', async (t) => {
  const { fleet } = await fleetWith(t);
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const bad = async (body: Record<string, unknown>, field: string) => {
    const response = await as(fleet, lead, 'POST', '/scheduler/schedules', body);
    t.equal(response.status, 400, `${JSON.stringify(body)}: 400`);
    t.match(String(response.body.field), new RegExp(`^${field}(\\.|$)`), `names ${field}: ${response.body.error}`);
  };
  const base = { name: 'n', action: taskAction };
  await bad({ ...base, cron: '61 * * * *' }, 'cron');
  await bad({ ...base, cron: 'not a cron' }, 'cron');
  await bad({ ...base, cron: '0 0 31 2 *' }, 'cron');
  await bad({ ...base, cron: '* * * * *', timezone: 'Mars/Olympus' }, 'timezone');
  await bad({ name: 'n', cron: '* * * * *' }, 'tasks');
  await bad({ name: 'n', cron: '* * * * *', tasks: [] }, 'tasks');
  await bad({ ...base, cron: '* * * * *', catchUp: 'sometimes' }, 'catchUp');
  await bad({ ...base, cron: '* * * * *', catchUp: { all: 0 } }, 'catchUp');
  await bad({ ...base, cron: '* * * * *', overlap: { max: 0 } }, 'overlap');
  await bad({ ...base, cron: '* * * * *', overlap: { policy: 'later' } }, 'overlap');
  await bad({ name: 'n', cron: '* * * * *', action: { kind: 'nope' } }, 'action');
  await bad({ name: 'n', cron: '* * * * *', action: { kind: 'task' } }, 'action');
  await bad({ name: 'n', cron: '* * * * *', tasks: ['../etc'] }, 'tasks');
  await bad({ name: '', cron: '* * * * *', action: taskAction }, 'name');
  const ok = await as(fleet, lead, 'POST', '/scheduler/schedules', {
    name: 'berlin',
    cron: '*/15 9-17 * JAN-DEC MON-FRI',
    timezone: 'Europe/Berlin',
    action: taskAction,
  });
  t.equal(ok.status, 201, 'ranges, steps, lists and names, a time zone');
  t.equal(ok.body.schedule.nextRun, '2026-01-05T08:15:00.000Z', '09:15 in Berlin (the clock is at 09:00:30 there)');
  for (const path of ['/scheduler/schedules/nope', '/scheduler/schedules/sched_zz']) {
    const response = await as(fleet, lead, 'GET', path);
    t.equal(response.status, 400, `${path}: 400`);
    t.equal(response.body.field, 'id');
  }
  const runs = await as(fleet, lead, 'GET', '/scheduler/runs?outcome=ok');
  t.equal(runs.status, 400);
  t.equal(runs.body.field, 'outcome');
});

t.test('load-defaults is idempotent per team and loads them disabled', async (t) => {
  const { fleet } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', []);
  const beta = await registerTeam(fleet, 'beta', []);
  const first = await as(fleet, alpha.lead, 'POST', '/scheduler/schedules/load-defaults');
  t.equal(first.body.added.length, 5);
  const again = await as(fleet, alpha.lead, 'POST', '/scheduler/schedules/load-defaults');
  t.same(again.body.added, [], 'nothing added the second time');
  const list = (await as(fleet, alpha.lead, 'GET', '/scheduler/schedules')).body as { enabled: boolean }[];
  t.equal(list.length, 5);
  t.ok(
    list.every((schedule) => !schedule.enabled),
    'all disabled',
  );
  t.equal((await as(fleet, beta.lead, 'POST', '/scheduler/schedules/load-defaults')).body.added.length, 5, 'per team');
});

t.test('a slot fires exactly once, with evidence; disabled at fire time does not fire', async (t) => {
  const { fleet, api, clock } = await fleetWith(t);
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const created = await as(fleet, lead, 'POST', '/scheduler/schedules', {
    name: 'm',
    cron: '* * * * *',
    action: taskAction,
  });
  const id = created.body.id as string;
  clock.advance(30_000); // 08:01:00
  await api.engine.tick();
  await api.engine.tick();
  await api.engine.settled();
  let runs = (await as(fleet, lead, 'GET', `/scheduler/runs?schedule=${id}`)).body as any[];
  t.equal(runs.length, 1, 'one run for the slot, however many passes');
  t.match(runs[0], { slot: '2026-01-05T08:01:00.000Z', outcome: 'delivered', status: 'done', late: false });
  t.match(runs[0].dispatches[0], { kind: 'task', outcome: 'delivered', evidence: { taskId: String } });
  const tasks = await teamTasks(fleet, lead, 'alpha');
  t.same(
    tasks.map((task) => task.subject),
    ['Report for 2026-01-05T08:01:00.000Z'],
    'the task names its slot',
  );

  // A slot written while enabled, disabled before it dispatches: skipped, saying why.
  clock.advance(60_000);
  await api.engine.tick();
  await api.engine.settled();
  await as(fleet, lead, 'PATCH', `/scheduler/schedules/${id}/disable`);
  clock.advance(60_000);
  await api.engine.tick();
  runs = (await as(fleet, lead, 'GET', `/scheduler/runs?schedule=${id}`)).body as any[];
  t.equal(runs.length, 2, 'nothing written while disabled');
});

t.test('stop persists across a restart; start twice adds nothing', async (t) => {
  const { fleet, api } = await fleetWith(t);
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['w']);
  t.equal((await as(fleet, workers[0]!, 'POST', '/scheduler/stop')).status, 403, 'workers may not stop it');
  const stopped = await as(fleet, lead, 'POST', '/scheduler/stop');
  t.match(stopped.body, { message: 'Scheduler stopped', status: { running: false } });
  const beta = await registerTeam(fleet, 'beta', []);
  t.equal((await as(fleet, beta.lead, 'GET', '/scheduler/status')).body.running, true, 'another team still runs');
  await fleet.kernel.stop();
  const second = await startFleet(t, {
    dataDir: fleet.dataDir,
    plugins: { auth: true, mail: true, tasks: true, scheduler: { testClock: { startAt: START, manual: true } } },
    config: { storage: fleet.storage, server: { rateLimit: { max: 1_000_000 } } },
  });
  const status = await second.request('GET', '/scheduler/status', { token: lead.token });
  t.equal(status.body.running, false, 'still stopped after the restart');
  t.equal((await second.request('POST', '/scheduler/start', { token: lead.token })).body.status.running, true);
  t.equal((await second.request('POST', '/scheduler/start', { token: lead.token })).body.status.running, true);
  void api;
});
