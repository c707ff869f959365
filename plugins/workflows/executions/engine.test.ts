import t from 'tap';
import { registerTeam, startFleet, waitFor, as } from '../../../test/kit/index.js';
import type { WorkflowsApi } from '../index.js';
import { stepKinds } from '../steps/index.js';
import { probeKind } from './probe-kind.fixture.js';

const probe = probeKind();
stepKinds.probe = probe.kind;
t.teardown(() => void delete stepKinds.probe);

const fleet = await startFleet(t, {
  plugins: {
    auth: true,
    mail: true,
    tasks: true,
    workflows: { pollMs: 20, backoffMs: 10, leaseMs: 1000, triggerPollMs: 50, seedExamples: false },
  },
  config: { server: { rateLimit: { max: 1_000_000 } } },
});
const alpha = await registerTeam(fleet, 'alpha', ['alpha-w1']);
const beta = await registerTeam(fleet, 'beta', []);
const lead = alpha.lead;
const api = fleet.kernel.api<WorkflowsApi>('workflows')!;
let n = 0;

async function define(steps: unknown[], extra: Record<string, unknown> = {}) {
  const answer = await as(fleet, lead, 'POST', '/workflows', { name: `wf-${++n}`, definition: { steps, ...extra } });
  if (answer.status !== 201) throw new Error(`create: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}
async function start(id: string, inputs?: Record<string, unknown>) {
  const answer = await as(fleet, lead, 'POST', `/workflows/${id}/start`, inputs ? { inputs } : {});
  if (answer.status !== 201) throw new Error(`start: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}
const execution = async (id: string) => (await as(fleet, lead, 'GET', `/executions/${id}`)).body;
const steps = async (id: string) => (await as(fleet, lead, 'GET', `/executions/${id}/steps`)).body as any[];
const until = (id: string, status: string) =>
  waitFor(`execution ${status}`, async () => ((await execution(id)).status === status ? true : undefined), 30_000);

t.test('bad definitions are a 400 naming the step and field', async (t) => {
  const cases: [unknown, string][] = [
    [{ steps: [{ key: 'a', type: 'probe', dependsOn: ['nope'] }] }, 'definition.steps[0].dependsOn'],
    [
      {
        steps: [
          { key: 'a', type: 'probe' },
          { key: 'a', type: 'probe' },
        ],
      },
      'definition.steps[1].key',
    ],
    [
      {
        steps: [
          { key: 'a', type: 'probe', dependsOn: ['b'] },
          { key: 'b', type: 'probe', dependsOn: ['a'] },
        ],
      },
      'definition.steps[0].dependsOn',
    ],
    [{ steps: [{ key: 'a', type: 'nosuchkind' }] }, 'definition.steps[0].type'],
    [{ steps: [{ key: 'a', type: 'probe', config: { type: 'spawn' } }] }, 'definition.steps[0].config.type'],
    [{ steps: [{ key: 'a', type: 'probe', config: { mode: 'dance' } }] }, 'definition.steps[0].config.mode'],
    [{ steps: [{ key: 'a', type: 'probe', onFailure: 'explode' }] }, 'definition.steps[0].onFailure'],
    [{ steps: [] }, 'definition.steps'],
    [
      { steps: [{ key: 'a', type: 'probe' }], inputs: { x: { type: 'number', default: 'ten' } } },
      'definition.inputs.x.default',
    ],
    [{ steps: [{ key: 'a', type: 'probe', guard: { condition: '' } }] }, 'definition.steps[0].guard.condition'],
    [
      { steps: [{ key: 'a', type: 'probe', guard: { condition: 'inputs.x = 1' } }] },
      'definition.steps[0].guard.condition',
    ],
    [
      { steps: [{ key: 'g', type: 'gate', config: { condition: 'inputs.go === true', onTrue: ['nowhere'] } }] },
      'definition.steps[0].config.onTrue',
    ],
    [{ steps: [{ key: 'a', type: 'probe', extra: 1 }] }, 'definition.steps[0].extra'],
  ];
  for (const [definition, field] of cases) {
    const answer = await as(fleet, lead, 'POST', '/workflows', { name: `bad-${++n}`, definition });
    t.equal(answer.status, 400, `${field}: 400`);
    t.equal(answer.body.field, field, `names ${field}: ${answer.body.error}`);
  }
  const worker = await as(fleet, alpha.workers[0]!, 'POST', '/workflows', {
    name: 'by-worker',
    definition: { steps: [{ key: 'a', type: 'probe' }] },
  });
  t.equal(worker.status, 403, 'a worker cannot define workflows');
});

t.test('a DAG runs to completion with evidence, templates and outputs; other teams see nothing', async (t) => {
  const id = await define(
    [
      { key: 'a', type: 'probe', config: { value: '{{inputs.feature}}' } },
      { key: 'b', type: 'probe', dependsOn: ['a'], config: { label: 'after {{steps.a.output.value}}' } },
      { key: 'c', type: 'probe', dependsOn: ['a'], config: { type: 'probe' } },
      { key: 'd', type: 'probe', dependsOn: ['b', 'c'] },
    ],
    { inputs: { feature: { type: 'string', required: true } }, outputs: { label: 'steps.b.output.label' } },
  );
  const missing = await as(fleet, lead, 'POST', `/workflows/${id}/start`, {});
  t.equal(missing.status, 400, 'a required input missing is a 400');
  t.equal(missing.body.field, 'inputs.feature');
  const wrongType = await as(fleet, lead, 'POST', `/workflows/${id}/start`, { inputs: { feature: 3 } });
  t.equal(wrongType.body.field, 'inputs.feature', 'a wrong input type names the input');
  const run = await start(id, { feature: 'login' });
  await until(run, 'completed');
  const done = await execution(run);
  t.same(done.outputs, { label: 'after login' }, 'outputs resolved from the steps');
  t.same(
    done.steps.map((s: any) => [s.stepKey, s.status]),
    [
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['c', 'succeeded'],
      ['d', 'succeeded'],
    ],
    'the execution lists its steps’ statuses',
  );
  const rows = await steps(run);
  t.ok(
    rows.every((s) => s.evidence?.startsWith('probe ran')),
    'every step has evidence',
  );
  t.ok(
    rows.every((s) => probe.runs.get(`${run}:${s.stepKey}`) === 1),
    'each step ran once',
  );
  const events = (await as(fleet, lead, 'GET', `/executions/${run}/events`)).body as any[];
  t.equal(events[0].eventType, 'completed', 'events newest first');
  t.equal(events.filter((e) => e.eventType === 'step_completed').length, 4);
  for (const path of [
    `/executions/${run}`,
    `/executions/${run}/steps`,
    `/workflows/${id}`,
    `/executions/${run}/events`,
  ])
    t.equal((await as(fleet, beta.lead, 'GET', path)).status, 404, `another team: 404 on ${path}`);
  t.same((await as(fleet, beta.lead, 'GET', '/executions')).body, [], 'another team lists no executions');
  t.equal((await as(fleet, beta.lead, 'POST', `/executions/${run}/cancel`)).status, 404);
  const noEvidence = await start(await define([{ key: 'x', type: 'probe', config: { mode: 'noEvidence' } }]));
  await until(noEvidence, 'failed');
  t.match((await steps(noEvidence))[0].error, /without evidence/, 'success without evidence is a failure');
});

t.test(
  'retries with backoff; onFailure skip and continue; a retry after the execution failed runs again',
  async (t) => {
    const flaky = await start(
      await define([{ key: 'f', type: 'probe', config: { mode: 'fail', failTimes: 2 }, maxRetries: 2 }]),
    );
    await until(flaky, 'completed');
    const [f] = await steps(flaky);
    t.equal(f.attempt, 3, 'succeeded at the third attempt');
    t.equal(f.retryCount, 2);
    const lenient = await start(
      await define([
        { key: 's', type: 'probe', config: { mode: 'fail' }, onFailure: 'skip' },
        { key: 'c', type: 'probe', config: { mode: 'fail' }, onFailure: 'continue' },
        { key: 'after', type: 'probe', dependsOn: ['s', 'c'] },
      ]),
    );
    await until(lenient, 'completed');
    t.same(
      (await steps(lenient)).map((s) => s.status),
      ['skipped', 'failed', 'succeeded'],
      'skip and continue release their dependents',
    );
    const strict = await start(
      await define([
        { key: 'x', type: 'probe', config: { mode: 'fail', failTimes: 1 } },
        { key: 'y', type: 'probe', dependsOn: ['x'] },
      ]),
    );
    await until(strict, 'failed');
    const [x, y] = await steps(strict);
    t.equal(x.status, 'failed');
    t.equal(y.status, 'cancelled', 'a dependent of the failure is cancelled');
    const retried = await as(fleet, lead, 'POST', `/steps/${x.id}/retry`);
    t.equal(retried.status, 200, 'retry after the execution failed');
    await until(strict, 'completed');
    t.same(
      (await steps(strict)).map((s) => s.status),
      ['succeeded', 'succeeded'],
      'it ran again to the end',
    );
    t.equal((await as(fleet, lead, 'POST', `/steps/${x.id}/retry`)).status, 409, 'a succeeded step is not retried');
  },
);

t.test('pause, resume, cancel; manual complete records who; guards skip; timeouts fail', async (t) => {
  const id = await define([
    { key: 'gate', type: 'probe', config: { mode: 'wait' } },
    { key: 'next', type: 'probe', dependsOn: ['gate'] },
  ]);
  const run = await start(id);
  await waitFor('waiting', async () => ((await steps(run))[0].status === 'waiting' ? true : undefined));
  t.equal((await as(fleet, lead, 'POST', `/executions/${run}/pause`)).status, 200);
  t.equal((await execution(run)).status, 'paused');
  t.equal((await as(fleet, lead, 'POST', `/executions/${run}/pause`)).status, 409, 'pausing twice: 409');
  probe.released.add('gate');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal((await steps(run))[1].status, 'pending', 'nothing moves while paused');
  t.equal((await as(fleet, lead, 'POST', `/executions/${run}/resume`)).status, 200);
  await until(run, 'completed');
  probe.released.delete('gate');

  const cancelled = await start(id);
  await waitFor('waiting', async () => ((await steps(cancelled))[0].status === 'waiting' ? true : undefined));
  t.equal(
    (await as(fleet, alpha.workers[0]!, 'POST', `/executions/${cancelled}/cancel`)).status,
    403,
    'a worker cannot',
  );
  t.equal((await as(fleet, lead, 'POST', `/executions/${cancelled}/cancel`)).status, 200);
  t.equal((await execution(cancelled)).status, 'cancelled');
  await waitFor('the kind was told', () => (probe.cancels.get(`${cancelled}:gate`) === 1 ? true : undefined));
  t.equal((await as(fleet, lead, 'POST', `/executions/${cancelled}/cancel`)).status, 409, 'cancelling twice: 409');

  const manual = await start(id);
  await waitFor('waiting', async () => ((await steps(manual))[0].status === 'waiting' ? true : undefined));
  const gate = (await steps(manual))[0];
  t.equal(
    (await as(fleet, alpha.workers[0]!, 'POST', `/steps/${gate.id}/complete`, {})).status,
    403,
    'a worker the step was not handed to cannot complete it',
  );
  const completed = await as(fleet, lead, 'POST', `/steps/${gate.id}/complete`, { output: { ok: true } });
  t.equal(completed.status, 200);
  await until(manual, 'completed');
  const settled = (await steps(manual))[0];
  t.equal(settled.completedBy, lead.handle, 'who completed it');
  t.match(settled.evidence, /manual completion by lead-alpha/);

  const failedByHand = await start(id);
  await waitFor('waiting', async () => ((await steps(failedByHand))[0].status === 'waiting' ? true : undefined));
  const step = (await steps(failedByHand))[0];
  await as(fleet, lead, 'POST', `/steps/${step.id}/complete`, { error: 'not good' });
  await until(failedByHand, 'failed');

  const guarded = await start(
    await define([
      { key: 'a', type: 'probe' },
      { key: 'never', type: 'probe', dependsOn: ['a'], guard: { condition: "inputs.mode === 'full'" } },
      { key: 'last', type: 'probe', dependsOn: ['never'] },
    ]),
    { mode: 'quick' },
  );
  await until(guarded, 'completed');
  t.same(
    (await steps(guarded)).map((s) => s.status),
    ['succeeded', 'skipped', 'succeeded'],
    'a false guard skips',
  );

  const slow = await start(await define([{ key: 'h', type: 'probe', config: { mode: 'hang' }, timeoutMs: 150 }]));
  await until(slow, 'failed');
  t.match((await steps(slow))[0].error, /timed out after 150 ms/);
  const whole = await start(await define([{ key: 'w', type: 'probe', config: { mode: 'wait' } }], { timeoutMs: 200 }));
  await until(whole, 'failed');
  t.match((await execution(whole)).error, /timed out after 200 ms/, 'the definition’s timeoutMs fails the execution');
  t.equal((await steps(whole))[0].status, 'cancelled');
});

t.test('triggers fire once per event; schedules; isEnabled; delete', async (t) => {
  const id = await define([{ key: 'a', type: 'probe', config: { value: '{{inputs.trigger.data.task.subject}}' } }], {
    inputs: { trigger: { type: 'object' } },
  });
  const bad = await as(fleet, lead, 'POST', `/workflows/${id}/triggers`, {
    triggerType: 'schedule',
    config: { cron: 'not a cron' },
  });
  t.equal(bad.status, 400);
  t.equal(bad.body.field, 'config.cron');
  const trigger = await as(fleet, lead, 'POST', `/workflows/${id}/triggers`, {
    triggerType: 'event',
    config: { eventType: 'task_created', filter: {} },
  });
  t.equal(trigger.status, 201);
  const off = await as(fleet, lead, 'POST', `/workflows/${id}/triggers`, {
    triggerType: 'event',
    config: { eventType: 'task_created' },
    isEnabled: false,
  });
  t.equal(off.body.isEnabled, false, 'isEnabled is honoured');
  const created = await as(fleet, lead, 'POST', '/tasks', { subject: 'trigger me', toHandle: 'alpha-w1' });
  t.ok(created.status < 300, `a task created: ${created.status} ${JSON.stringify(created.body)}`);
  await waitFor('an execution by the trigger', async () => {
    const list = (await as(fleet, lead, 'GET', `/executions?workflowId=${id}`)).body as any[];
    return list.length === 1 && list[0].status === 'completed' ? true : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const list = (await as(fleet, lead, 'GET', `/executions?workflowId=${id}`)).body as any[];
  t.equal(list.length, 1, 'fired once (the disabled trigger did not)');
  t.equal(list[0].startedBy, `trigger:${trigger.body.id}`);
  t.equal((await steps(list[0].id))[0].output.value, 'trigger me', 'the event reached the workflow as its input');
  const triggers = (await as(fleet, lead, 'GET', `/workflows/${id}/triggers`)).body as any[];
  t.equal(triggers.find((x) => x.id === trigger.body.id).fireCount, 1);
  t.equal((await as(fleet, beta.lead, 'GET', `/workflows/${id}/triggers`)).status, 404, 'another team: 404');
  t.equal((await as(fleet, beta.lead, 'DELETE', `/triggers/${trigger.body.id}`)).status, 404);
  t.equal((await as(fleet, lead, 'DELETE', `/triggers/${trigger.body.id}`)).status, 200);

  const every = await define([{ key: 'tick', type: 'probe' }]);
  const schedule = await as(fleet, lead, 'POST', `/workflows/${every}/triggers`, {
    triggerType: 'schedule',
    config: { intervalMs: 1000 },
  });
  t.equal(schedule.status, 201);
  await waitFor(
    'a scheduled execution',
    async () => ((await as(fleet, lead, 'GET', `/executions?workflowId=${every}`)).body.length >= 1 ? true : undefined),
    5000,
  );
  await as(fleet, lead, 'PATCH', `/triggers/${schedule.body.id}`, { isEnabled: false });
  const firings = (await as(fleet, lead, 'GET', `/executions?workflowId=${every}`)).body as any[];
  t.ok(
    firings.every((e) => e.startedBy === `trigger:${schedule.body.id}`),
    'started by the schedule trigger',
  );
  t.ok(api.engine.looping, 'the engine runs');
});

t.test('a workflow is deleted only when nothing runs it; PATCH bumps the version', async (t) => {
  const id = await define([{ key: 'w', type: 'probe', config: { mode: 'wait' } }]);
  const patched = await as(fleet, lead, 'PATCH', `/workflows/${id}`, { description: 'v2' });
  t.equal(patched.body.version, 2);
  t.equal((await as(fleet, lead, 'PATCH', `/workflows/${id}`, {})).status, 400, 'nothing to change: 400');
  const run = await start(id);
  const refused = await as(fleet, lead, 'DELETE', `/workflows/${id}`);
  t.equal(refused.status, 409, 'running executions: 409');
  t.same(refused.body.executions, [run], 'naming them');
  await as(fleet, lead, 'POST', `/executions/${run}/cancel`);
  t.equal((await as(fleet, lead, 'DELETE', `/workflows/${id}`)).status, 200);
  t.equal((await as(fleet, lead, 'GET', `/executions/${run}`)).status, 404, 'its executions went with it');
});
