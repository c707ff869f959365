import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  registerAgent,
  registerTeam,
  startCoordination,
  TestSocket,
  toolJson,
} from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';

const askRule = (overrides: Record<string, unknown> = {}) => ({
  name: 'ask-deploy',
  decision: 'ask',
  tool: 'Bash',
  pattern: 'deploy',
  reason: 'Deploys need a lead',
  ...overrides,
});

async function fleetWithAsk(t: TestLike, policy: Record<string, unknown> | true = true, rule = askRule()) {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const created = (await as(fleet, lead, 'POST', '/policies', rule)).body;
  const check = (agent: Agent, command: string) =>
    as(fleet, agent, 'POST', '/policies/check', { tool: 'Bash', input: { command, description: 'ship it' } });
  const wait = (agent: Agent, id: string) => as(fleet, agent, 'POST', `/approvals/${id}/wait`, {});
  const decide = (agent: Agent, id: string, decision: string, note?: string) =>
    as(fleet, agent, 'POST', `/approvals/${id}/decide`, { decision, note });
  return { fleet, lead, workers: workers as [Agent, Agent], rule: created, check, wait, decide };
}

t.test('ask: the inbox shows it (HTTP, tool, a lead socket), approve wakes the waiting hook, once', async (t) => {
  const { fleet, lead, workers, rule, check, wait, decide } = await fleetWithAsk(t);
  const [ann, bob] = workers;
  const leadSocket = await TestSocket.as(t, fleet, lead);
  t.match(await leadSocket.ask({ type: 'subscribe', policy: 'leads' }), { type: 'subscribed' });
  const annSocket = await TestSocket.as(t, fleet, ann);
  t.match(await annSocket.ask({ type: 'subscribe', policy: 'leads' }), { type: 'error' }, 'workers may not follow it');

  const asked = (await check(ann, './deploy.sh prod')).body;
  t.match(asked, { decision: 'ask', reason: 'Deploys need a lead', rule: { id: rule.id, name: 'ask-deploy' } });
  t.ok(Date.parse(asked.expiresAt) > Date.now(), 'with its expiry');
  const event = await leadSocket.waitFor('approval_requested', (m) => m.type === 'approval_requested', 2000);
  t.match(event.approval, { id: asked.approvalId, agent: 'ann', tool: 'Bash', summary: './deploy.sh prod' });
  t.same(
    (await annSocket.sync()).filter((m) => m.type === 'approval_requested'),
    [],
    'a worker socket is not told',
  );

  const inbox = (await as(fleet, lead, 'GET', '/approvals')).body;
  t.equal(inbox.length, 1);
  t.match(inbox[0], {
    id: asked.approvalId,
    status: 'pending',
    agent: 'ann',
    tool: 'Bash',
    summary: './deploy.sh prod',
    input: { command: './deploy.sh prod', description: 'ship it' },
    rule: { name: 'ask-deploy' },
    used: false,
  });
  t.type(inbox[0].ageSeconds, 'number');
  t.same(
    toolJson(await callTool(fleet, lead, 'approval_list', {})).map((a: { id: string }) => a.id),
    [asked.approvalId],
  );
  t.equal((await as(fleet, ann, 'GET', '/approvals')).status, 403, 'the inbox is for leads');
  t.same((await check(ann, './deploy.sh prod')).body.approvalId, asked.approvalId, 'a retry joins the same ask');
  t.equal((await wait(bob, asked.approvalId)).body.code, 'POLICY_NOT_REQUESTER', 'only the asker waits on it');

  const waiting = wait(ann, asked.approvalId);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const decided = await decide(lead, asked.approvalId, 'approve', 'go ahead');
  t.match(decided.body, { status: 'approved', decidedBy: 'lead-alpha', note: 'go ahead' });
  t.match((await waiting).body, { status: 'approved', decision: 'allow', reason: 'Approved by lead-alpha: go ahead' });
  t.match((await wait(ann, asked.approvalId)).body, { status: 'used', decision: 'deny' }, 'good for one call');
  t.equal((await decide(lead, asked.approvalId, 'deny')).body.code, 'POLICY_APPROVAL_NOT_PENDING');
  t.match((await check(ann, './deploy.sh prod')).body, { decision: 'ask' }, 'the next run asks again');
  const decidedEvent = await leadSocket.waitFor('approval_decided', (m) => m.type === 'approval_decided', 2000);
  t.match(decidedEvent.approval, { id: asked.approvalId, status: 'approved' });

  const outcomes = (await as(fleet, lead, 'GET', '/policies/audit')).body.map((e: { outcome: string }) => e.outcome);
  t.same(outcomes.sort(), ['allowed', 'approved', 'asked', 'asked'], 'asked, approved, ran, asked again');
});

t.test('an approval is bound to the exact input: approving one command lets no other through', async (t) => {
  const { fleet, lead, workers, check, decide } = await fleetWithAsk(t);
  const [ann, bob] = workers;
  const asked = (await check(ann, './deploy.sh staging')).body;
  await decide(lead, asked.approvalId, 'approve');
  // The hook that asked is gone (timed out); the agent retries with another command.
  const other = (await check(ann, './deploy.sh prod')).body;
  t.equal(other.decision, 'ask', 'another command asks anew');
  t.not(other.approvalId, asked.approvalId);
  t.equal((await check(bob, './deploy.sh staging')).body.decision, 'ask', "another agent cannot use ann's approval");
  t.match((await check(ann, './deploy.sh staging')).body, { decision: 'allow' }, 'the approved command runs');
  t.equal((await check(ann, './deploy.sh staging')).body.decision, 'ask', 'once');
  const listed = (await as(fleet, lead, 'GET', '/approvals?status=approved')).body;
  t.match(listed, [{ id: asked.approvalId, used: true }]);
});

t.test('deny: the waiting hook is told why; a violation is recorded and announced', async (t) => {
  const { fleet, lead, workers, check, wait, decide } = await fleetWithAsk(t);
  const [ann] = workers;
  const leadSocket = await TestSocket.as(t, fleet, lead);
  await leadSocket.ask({ type: 'subscribe', policy: 'leads' });
  const asked = (await check(ann, './deploy.sh prod')).body;
  const waiting = wait(ann, asked.approvalId);
  t.equal((await decide(ann, asked.approvalId, 'approve')).status, 403, 'a worker cannot approve');
  const denied = toolJson(
    await callTool(fleet, lead, 'approval_decide', { id: asked.approvalId, decision: 'deny', note: 'not on Friday' }),
  );
  t.match(denied, { status: 'denied', note: 'not on Friday' });
  t.match((await waiting).body, { status: 'denied', decision: 'deny', reason: 'Denied by lead-alpha: not on Friday' });
  const violation = await leadSocket.waitFor('policy_violation', (m) => m.type === 'policy_violation', 2000);
  t.match(violation.violation, { outcome: 'denied', agent: 'ann', decidedBy: 'lead-alpha', note: 'not on Friday' });
  t.match((await as(fleet, lead, 'GET', '/policies/violations')).body, [{ outcome: 'denied' }]);
  const beta = await registerTeam(fleet, 'beta', []);
  t.equal((await decide(beta.lead, asked.approvalId, 'approve')).status, 404, "another team's lead cannot see it");
});

t.test('unanswered asks expire: deny by default, allow when configured', async (t) => {
  await t.test('deny at expiry', async (t) => {
    const { fleet, lead, workers, check, wait } = await fleetWithAsk(t, { approvals: { timeoutSeconds: 1 } });
    const asked = (await check(workers[0], './deploy.sh prod')).body;
    t.match((await wait(workers[0], asked.approvalId)).body, { status: 'expired', decision: 'deny' });
    t.match((await as(fleet, lead, 'GET', `/approvals/${asked.approvalId}`)).body, { status: 'expired' });
    t.match((await as(fleet, lead, 'GET', '/policies/violations')).body, [{ outcome: 'expired', decidedBy: 'fleet' }]);
  });
  await t.test('allow at expiry (approvals.onExpiry: allow)', async (t) => {
    const { workers, check, wait } = await fleetWithAsk(t, { approvals: { timeoutSeconds: 1, onExpiry: 'allow' } });
    const asked = (await check(workers[0], './deploy.sh prod')).body;
    t.match((await wait(workers[0], asked.approvalId)).body, { status: 'expired', decision: 'allow' });
    t.match((await wait(workers[0], asked.approvalId)).body, { decision: 'deny' }, 'still one call');
  });
  await t.test('an ask that ran out while nobody waited is expired by its timer', async (t) => {
    const { fleet, lead, workers, check } = await fleetWithAsk(t, { approvals: { timeoutSeconds: 1 } });
    const asked = (await check(workers[0], './deploy.sh prod')).body;
    const deadline = Date.now() + 10_000;
    let status = 'pending';
    while (status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await as(fleet, lead, 'GET', `/approvals/${asked.approvalId}`)).body.status;
    }
    t.equal(status, 'expired');
  });
});

t.test('two-person rules: the asker may not approve its own ask (nor, if configured, the rule creator)', async (t) => {
  await t.test('the requester', async (t) => {
    const { fleet, lead, rule } = await fleetWithAsk(t, true, askRule({ twoPerson: true }));
    t.equal(rule.twoPerson, true);
    const other = await registerAgent(fleet, 'lead-two', 'alpha', 'team-lead');
    const asked = (
      await as(fleet, lead, 'POST', '/policies/check', { tool: 'Bash', input: { command: './deploy.sh' } })
    ).body;
    const own = await as(fleet, lead, 'POST', `/approvals/${asked.approvalId}/decide`, { decision: 'approve' });
    t.equal(own.status, 403);
    t.equal(own.body.code, 'POLICY_TWO_PERSON');
    const second = await as(fleet, other, 'POST', `/approvals/${asked.approvalId}/decide`, { decision: 'approve' });
    t.match(second.body, { status: 'approved', decidedBy: 'lead-two' });
  });
  await t.test("the rule's creator (approvals.excludeRuleCreator)", async (t) => {
    const { fleet, lead, workers, check, decide } = await fleetWithAsk(
      t,
      { approvals: { excludeRuleCreator: true } },
      askRule({ twoPerson: true }),
    );
    const other = await registerAgent(fleet, 'lead-two', 'alpha', 'team-lead');
    const asked = (await check(workers[0], './deploy.sh')).body;
    t.match((await decide(lead, asked.approvalId, 'approve')).body, { code: 'POLICY_TWO_PERSON' });
    t.equal((await decide(lead, asked.approvalId, 'deny')).status, 200, 'denying needs no second person');
    const again = (await check(workers[0], './deploy.sh')).body;
    t.match((await decide(other, again.approvalId, 'approve')).body, { status: 'approved' });
  });
});
