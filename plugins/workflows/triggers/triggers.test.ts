/**
 * Triggers on the events the issue names, through a real fleet (auth, mail, tasks, the scheduler's inbound
 * webhooks, workflows): a signed delivery to `/webhooks/in/ci` starts the workflow of a `webhook` trigger once
 * (a redelivery of the same id starts nothing; another event name or path starts nothing), and a `task_resolved`
 * event trigger starts its workflow with the resolved task as its `trigger` input.
 * (executions/engine.test.ts: task_created, schedules, isEnabled, delete.)
 */
import { createHmac } from 'node:crypto';
import t from 'tap';
import { as, registerTeam, startFleet, waitFor } from '../../../test/kit/index.js';
import { stepFleet } from '../steps/step-fleet.fixture.js';

/** The fleet's webhook signature as its README states it: HMAC-SHA256 of `<timestamp>.<body>`, hex, `sha256=`. */
const fleetSignature = (secret: string, timestamp: number | string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

const CI_SECRET = 'workflows-trigger-test-secret';

const fleet = await startFleet(t, {
  plugins: {
    auth: true,
    mail: true,
    tasks: true,
    scheduler: { webhooks: { team: 'alpha', generic: { ci: { secret: CI_SECRET } } } },
    workflows: { pollMs: 20, triggerPollMs: 50, seedExamples: false },
  },
  config: { server: { rateLimit: { max: 1_000_000 } } },
});
const alpha = await registerTeam(fleet, 'alpha', ['alpha-w1']);
const beta = await registerTeam(fleet, 'beta', []);
const lead = alpha.lead;
const w = stepFleet(fleet, (method, path, body) => as(fleet, lead, method, path, body));
const executionsOf = async (workflowId: string) =>
  (await as(fleet, lead, 'GET', `/executions?workflowId=${workflowId}`)).body as any[];
/** A workflow whose one step keeps what its trigger said (a `script` step reading its `trigger` input). */
const echoing = (path: string) =>
  w.define([{ key: 'seen', type: 'script', config: { script: `inputs.trigger.${path}`, outputKey: 'value' } }], {
    inputs: { trigger: { type: 'object' } },
  });
const trigger = async (workflowId: string, triggerType: string, config: Record<string, unknown>) => {
  const answer = await as(fleet, lead, 'POST', `/workflows/${workflowId}/triggers`, { triggerType, config });
  if (answer.status !== 201) throw new Error(`trigger: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
};
const send = (name: string, delivery: string, event: string) => {
  const ts = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ status: 'red' });
  return fleet.request('POST', `/webhooks/in/${name}`, {
    body,
    headers: {
      'x-fleet-timestamp': String(ts),
      'x-fleet-delivery': delivery,
      'x-fleet-event': event,
      'x-fleet-signature-256': fleetSignature(CI_SECRET, ts, body),
    },
  });
};
/** The trigger's executions once `count` of them completed (and, a moment later, still only those). */
async function completed(workflowId: string, count: number) {
  await waitFor(`${count} completed`, async () => {
    const list = await executionsOf(workflowId);
    return list.filter((e) => e.status === 'completed').length === count ? true : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return executionsOf(workflowId);
}

t.test('a webhook delivery starts the workflow once per delivery id', async (t) => {
  const builds = await echoing('data.deliveryId');
  const deploys = await echoing('data.deliveryId');
  const id = await trigger(builds, 'webhook', { path: '/webhooks/in/ci', event: 'build' });
  await trigger(deploys, 'webhook', { path: 'ci', event: 'deploy' });
  const listed = (await as(fleet, lead, 'GET', `/workflows/${builds}/triggers`)).body as any[];
  t.equal(listed[0].config.path, 'ci', 'the path is stored as the webhook’s name');

  const first = await send('ci', 'd-1', 'build');
  t.equal(first.status, 200, JSON.stringify(first.body));
  const again = await send('ci', 'd-1', 'build');
  t.match(again.body, { duplicate: true }, 'the sender’s redelivery is a duplicate');
  const one = await completed(builds, 1);
  t.equal(one.length, 1, 'one execution for the delivery and its redelivery');
  t.equal(one[0].startedBy, `trigger:${id}`);
  t.equal((await w.step(one[0].id, 'seen')).output.value, 'd-1', 'the delivery reached the workflow');

  t.equal((await send('ci', 'd-2', 'build')).status, 200);
  const two = await completed(builds, 2);
  t.same(
    (await Promise.all(two.map(async (e) => (await w.step(e.id, 'seen')).output.value))).sort(),
    ['d-1', 'd-2'],
    'a new delivery id starts it again',
  );
  t.same(await executionsOf(deploys), [], 'a trigger on another event name did not fire');
  const triggers = (await as(fleet, lead, 'GET', `/workflows/${builds}/triggers`)).body as any[];
  t.equal(triggers[0].fireCount, 2);
  t.same((await as(fleet, beta.lead, 'GET', '/executions')).body, [], 'another team: nothing');

  const secret = await as(fleet, lead, 'POST', `/workflows/${builds}/triggers`, {
    triggerType: 'webhook',
    config: { path: 'ci', secret: 'x' },
  });
  t.equal(secret.status, 400);
  t.equal(secret.body.field, 'config.secret', 'secrets live in the scheduler’s options');
  const badPath = await as(fleet, lead, 'POST', `/workflows/${builds}/triggers`, {
    triggerType: 'webhook',
    config: { path: 'a b' },
  });
  t.equal(badPath.body.field, 'config.path');
});

t.test('a task_resolved event starts the workflow with the task as its trigger input', async (t) => {
  const workflowId = await echoing('data.task.subject');
  const id = await trigger(workflowId, 'event', { eventType: 'task_resolved' });
  const created = await as(fleet, lead, 'POST', '/tasks', { subject: 'ship it', toHandle: 'alpha-w1' });
  t.ok(created.status < 300, JSON.stringify(created.body));
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.same(await executionsOf(workflowId), [], 'created, not resolved: nothing yet');
  const resolved = await as(fleet, lead, 'PATCH', `/tasks/${created.body.id}`, { status: 'resolved' });
  t.equal(resolved.status, 200, JSON.stringify(resolved.body));
  const [execution] = await completed(workflowId, 1);
  t.equal(execution.startedBy, `trigger:${id}`);
  t.equal((await w.step(execution.id, 'seen')).output.value, 'ship it');
});
