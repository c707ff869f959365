/**
 * The webhook routes over real HTTP in a real fleet (auth, mail, tasks, scheduler): GitHub deliveries with
 * no fleet token (signed, unsigned, garbage, over the limit, redelivered), a rule whose task the
 * real dispatcher creates, the generic signed sender, status/history/delivery/replay with access
 * and team isolation. (audit/http.test.ts: the audit and coordination routes.)
 */
import t from 'tap';
import { as, registerTeam, startFleet, type TestFleet } from '../../../test/kit/index.js';
import type { TestLike } from '../../../test/kit/index.js';
import { fleetSignature, githubSignature } from './signature.js';

const SECRET = 'http-test-github-secret';
const CI_SECRET = 'http-test-generic-secret';
const node = (script: string) => [process.execPath, '-e', script];

async function fleetWith(t: TestLike, webhooks: Record<string, unknown> = {}) {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      scheduler: {
        webhooks: {
          team: 'alpha',
          maxBodyBytes: 2048,
          github: {
            secret: SECRET,
            rules: [
              {
                event: 'issues',
                action: ['opened'],
                labels: ['bug'],
                actions: [{ kind: 'task', subject: 'Investigate the new bug report' }],
              },
            ],
          },
          generic: {
            ci: {
              secret: CI_SECRET,
              rules: [{ event: 'build', actions: [{ kind: 'task', subject: 'CI build is red' }] }],
            },
          },
          ...webhooks,
        },
        audit: {
          checks: [
            { name: 'ok', command: node('console.log("fine")'), timeoutSeconds: 30 },
            { name: 'bad', command: node('console.error("broken"); process.exit(2)'), timeoutSeconds: 30 },
          ],
          pollSeconds: 0.05,
        },
      },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  return { fleet, lead: alpha.lead, ann: alpha.workers[0]!, betaLead: beta.lead, bo: beta.workers[0]! };
}

let n = 0;
function deliver(fleet: TestFleet, event: string, payload: unknown, headers: Record<string, string> = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return fleet.request('POST', '/webhooks/github', {
    body,
    headers: {
      'x-github-event': event,
      'x-github-delivery': `http-${process.pid}-${++n}`,
      'x-hub-signature-256': githubSignature(SECRET, body),
      ...headers,
    },
  });
}

const bug = {
  action: 'opened',
  issue: { number: 9, labels: [{ name: 'bug' }] },
  repository: { full_name: 'acme/app' },
};

t.test('GitHub deliveries need no fleet token; the real dispatcher creates the rule’s task', async (t) => {
  const { fleet, ann } = await fleetWith(t);
  const delivery = `http-${process.pid}-${++n}`;
  const answer = await deliver(fleet, 'issues', bug, { 'x-github-delivery': delivery });
  t.equal(answer.status, 200);
  t.match(answer.body, {
    received: true,
    event: 'issues',
    action: 'opened',
    deliveryId: delivery,
    tasksQueued: 1,
    tasks: ['Investigate the new bug report'],
    outcomes: [{ kind: 'task', outcome: 'delivered' }],
  });
  const tasks = await as(fleet, ann, 'GET', '/teams/alpha/tasks');
  t.equal(
    (tasks.body as { subject: string }[]).filter((task) => task.subject === 'Investigate the new bug report').length,
    1,
    'the task exists in the team',
  );
  const again = await deliver(fleet, 'issues', bug, { 'x-github-delivery': delivery });
  t.match(again.body, { duplicate: true, id: answer.body.id });
  const after = await as(fleet, ann, 'GET', '/teams/alpha/tasks');
  t.equal(
    (after.body as { subject: string }[]).filter((task) => task.subject === 'Investigate the new bug report').length,
    1,
    'a redelivery created nothing',
  );
  const ping = await deliver(fleet, 'ping', { zen: 'hi' });
  t.match(ping.body, { message: 'pong' });
});

t.test('refusals over HTTP: unsigned, garbage, wrong length, bad headers, over the limit, no secret', async (t) => {
  const { fleet } = await fleetWith(t);
  const unsigned = await deliver(fleet, 'issues', bug, { 'x-hub-signature-256': '' });
  t.equal(unsigned.status, 401);
  t.match(unsigned.body, { code: 'SCHEDULER_WEBHOOK_UNSIGNED' });
  for (const signature of ['garbage', 'sha256=00', `sha256=${'f'.repeat(200)}`, `sha256=${'0'.repeat(64)}`]) {
    const bad = await deliver(fleet, 'issues', bug, { 'x-hub-signature-256': signature });
    t.equal(bad.status, 401, signature.slice(0, 20));
    t.match(bad.body, { error: 'Invalid signature', code: 'SCHEDULER_WEBHOOK_BAD_SIGNATURE' });
  }
  const noEvent = await deliver(fleet, 'issues', bug, { 'x-github-event': '' });
  t.equal(noEvent.status, 400);
  t.match(noEvent.body, { error: /^x-github-event: is required/ });
  const big = await deliver(fleet, 'push', { filler: 'x'.repeat(3000) });
  t.equal(big.status, 413);
  t.match(big.body, { code: 'SCHEDULER_WEBHOOK_TOO_LARGE' });
  const text = await deliver(fleet, 'push', 'plain text, not json', { 'content-type': 'text/plain' });
  t.equal(text.status, 400);
  t.match(text.body, { code: 'SCHEDULER_WEBHOOK_BAD_BODY' });

  const none = await fleetWith(t, { github: {} });
  const refused = await deliver(none.fleet, 'issues', bug);
  t.equal(refused.status, 503);
  t.match(refused.body, { code: 'SCHEDULER_WEBHOOK_NOT_CONFIGURED' });
  t.match((await as(none.fleet, none.ann, 'GET', '/webhooks/status')).body, { configured: false });
});

t.test(
  'status, history, one delivery, replay: agents read their team’s, leads replay, others see nothing',
  async (t) => {
    const { fleet, lead, ann, betaLead } = await fleetWith(t);
    t.equal((await fleet.request('GET', '/webhooks/status')).status, 401, 'reads need a token');
    t.match((await as(fleet, ann, 'GET', '/webhooks/status')).body, {
      configured: true,
      endpoint: '/webhooks/github',
      supportedEvents: [
        'push',
        'pull_request',
        'issues',
        'issue_comment',
        'check_run',
        'dependabot_alert',
        'security_advisory',
        'ping',
      ],
    });
    const answer = await deliver(fleet, 'issues', bug);
    const history = await as(fleet, ann, 'GET', '/webhooks/history?limit=5');
    t.equal(history.status, 200);
    t.match(history.body[0], { id: answer.body.id, event: 'issues', outcomes: [{ outcome: 'delivered' }] });
    t.same((await as(fleet, betaLead, 'GET', '/webhooks/history')).body, [], 'another team sees nothing');
    t.equal((await as(fleet, ann, 'GET', '/webhooks/history?limit=0')).status, 400);
    t.equal((await as(fleet, ann, 'GET', `/webhooks/deliveries/${answer.body.id}`)).status, 200);
    t.equal((await as(fleet, betaLead, 'GET', `/webhooks/deliveries/${answer.body.id}`)).status, 404);
    const badId = await as(fleet, ann, 'GET', '/webhooks/deliveries/nope');
    t.equal(badId.status, 400);
    t.match(badId.body, { error: /^id: / });
    const path = `/webhooks/deliveries/${answer.body.id}/replay`;
    t.equal((await as(fleet, ann, 'POST', path)).status, 403, 'workers do not replay');
    t.equal((await as(fleet, betaLead, 'POST', path)).status, 404, 'another team’s lead cannot');
    const replay = await as(fleet, lead, 'POST', path);
    t.equal(replay.status, 200);
    t.match(replay.body, { replayed: true, tasksQueued: 1 });
  },
);

t.test('generic signed sender: fresh taken, stale refused, bad name 400', async (t) => {
  const { fleet, lead } = await fleetWith(t);
  const send = (ts: number, delivery: string) => {
    const body = JSON.stringify({ status: 'red' });
    return fleet.request('POST', '/webhooks/in/ci', {
      body,
      headers: {
        'x-fleet-timestamp': String(ts),
        'x-fleet-delivery': delivery,
        'x-fleet-event': 'build',
        'x-fleet-signature-256': fleetSignature(CI_SECRET, ts, body),
      },
    });
  };
  const now = Math.floor(Date.now() / 1000);
  const fresh = await send(now, 'b-1');
  t.equal(fresh.status, 200);
  t.match(fresh.body, { name: 'ci', event: 'build', tasks: ['CI build is red'], tasksQueued: 1 });
  const stale = await send(now - 3600, 'b-2');
  t.equal(stale.status, 401);
  t.match(stale.body, { code: 'SCHEDULER_WEBHOOK_STALE' });
  t.equal((await fleet.request('POST', '/webhooks/in/Bad!', { body: '{}' })).status, 400);
  t.equal((await fleet.request('POST', '/webhooks/in/unknown', { body: '{}' })).status, 404);
  const tasks = (await as(fleet, lead, 'GET', '/teams/alpha/tasks')).body as { subject: string }[];
  t.equal(tasks.filter((task) => task.subject === 'CI build is red').length, 1, 'the rule’s task, once');
});
