import t from 'tap';
import { as, registerTeam, startFleet, waitFor } from '../../../test/kit/index.js';
import type { SchedulerApi } from '../../scheduler/index.js';

t.test('the scheduler’s workflow action starts an execution while the workflows plugin runs', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, tasks: true, scheduler: true, workflows: { pollMs: 20, seedExamples: false } },
  });
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const created = await as(fleet, lead, 'POST', '/workflows', {
    name: 'nightly',
    definition: {
      inputs: { what: { type: 'string', required: true } },
      steps: [{ key: 'sum', type: 'script', config: { script: 'inputs.what' } }],
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const scheduler = fleet.kernel.api<SchedulerApi>('scheduler')!;
  const origin = { kind: 'manual' as const, id: 'm1', actor: lead.handle };
  const outcome = await scheduler.dispatcher.dispatch(
    'alpha',
    { kind: 'workflow', workflow: 'nightly', inputs: { what: 'x' } },
    origin,
  );
  t.equal(outcome.outcome, 'delivered', JSON.stringify(outcome));
  const id = outcome.evidence?.executionId as string;
  await waitFor('the execution completes', async () =>
    (await as(fleet, lead, 'GET', `/executions/${id}`)).body.status === 'completed' ? true : undefined,
  );
  t.equal((await as(fleet, lead, 'GET', `/executions/${id}`)).body.startedBy, 'manual:m1');
  const missing = await scheduler.dispatcher.dispatch('alpha', { kind: 'workflow', workflow: 'nightly' }, origin);
  t.equal(missing.outcome, 'refused', 'a missing required input is refused with its reason');
  t.match(missing.reason, /inputs\.what/);
  const unknown = await scheduler.dispatcher.dispatch('alpha', { kind: 'workflow', workflow: 'nope' }, origin);
  t.match(unknown, { outcome: 'refused', reason: /WORKFLOWS_NOT_FOUND/ });
  const other = await scheduler.dispatcher.dispatch('beta', { kind: 'workflow', workflow: 'nightly' }, origin);
  t.equal(other.outcome, 'refused', 'another team’s schedule does not see the workflow');
});

t.test('without the workflows plugin the action stays refused with its reason', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, mail: true, tasks: true, scheduler: true } });
  const scheduler = fleet.kernel.api<SchedulerApi>('scheduler')!;
  const outcome = await scheduler.dispatcher.dispatch(
    'alpha',
    { kind: 'workflow', workflow: 'nightly' },
    { kind: 'manual', id: 'm2' },
  );
  t.same(outcome, { outcome: 'refused', reason: 'the workflows plugin is off' });
});
