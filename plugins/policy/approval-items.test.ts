import t from 'tap';
import {
  type Agent,
  as,
  registerAgent,
  registerTeam,
  sleep,
  startCoordination,
  startFleet,
  TestSocket,
} from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';
import type { Approval, ItemDecision, ItemRequest, PolicyApi } from './index.js';

// Items as the budgets plugin opens them: through the policy plugin's api, decided over HTTP.
interface Heard {
  item: Approval;
  decision: ItemDecision;
  by: { uid: string; handle: string };
}

async function fleetWithItems(t: TestLike, policy: Record<string, unknown> = {}) {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  const api = fleet.kernel.api<PolicyApi>('policy')!;
  const heard: Heard[] = [];
  const remove = api.approvals.onItemDecided('budget', (item, decision, by) => void heard.push({ item, decision, by }));
  const ann = workers[0] as Agent;
  const breach = (overrides: Partial<ItemRequest> = {}): ItemRequest => ({
    teamName: 'alpha',
    kind: 'budget',
    key: 'worker:ann',
    summary: 'ann is over its budget: $1.02 of $1.00 today',
    reason: 'Approve to extend the budget by $1.00; deny to keep ann paused',
    subject: { budgetId: 'b-1', scope: { kind: 'worker', id: 'ann' }, spent: 1.02, limit: 1 },
    requester: { uid: ann.uid, handle: 'ann' },
    ...overrides,
  });
  const decide = (agent: Agent, id: string, decision: string, note?: string) =>
    as(fleet, agent, 'POST', `/approvals/${id}/decide`, { decision, note });
  return { fleet, lead, ann, api, heard, remove, breach, decide };
}

t.test('openItem: idempotent on team, kind and key while pending; shown with kind and subject', async (t) => {
  const { fleet, lead, api, breach } = await fleetWithItems(t);
  const leadSocket = await TestSocket.as(t, fleet, lead);
  await leadSocket.ask({ type: 'subscribe', policy: 'leads' });
  const item = await api.approvals.openItem(breach());
  t.match(item, {
    kind: 'budget',
    key: 'worker:ann',
    status: 'pending',
    agent: 'ann',
    summary: 'ann is over its budget: $1.02 of $1.00 today',
    subject: { budgetId: 'b-1', scope: { kind: 'worker', id: 'ann' }, spent: 1.02, limit: 1 },
    tool: null,
    input: null,
    expiresAt: null,
  });
  const again = await api.approvals.openItem(breach({ summary: 'said again' }));
  t.equal(again.id, item.id, 'the pending one is returned');
  t.equal(again.summary, item.summary, 'unchanged');
  const racing = await Promise.all(
    Array.from({ length: 6 }, (_, i) => api.approvals.openItem(breach({ key: 'worker:race', summary: `r${i}` }))),
  );
  t.equal(new Set(racing.map((r) => r.id)).size, 1, 'six racing opens make one item');
  const other = await api.approvals.openItem(breach({ key: 'worker:bob' }));
  t.not(other.id, item.id, 'another key is another item');
  const quota = await api.approvals.openItem(breach({ kind: 'quota' }));
  t.not(quota.id, item.id, 'another kind too');
  const beta = await api.approvals.openItem(breach({ teamName: 'beta' }));
  t.not(beta.id, item.id, 'another team too');

  const event = await leadSocket.waitFor(
    'approval_requested',
    (m) => m.type === 'approval_requested' && m.approval?.id === item.id,
    2000,
  );
  t.match(event.approval, { kind: 'budget', subject: { budgetId: 'b-1' } });
  const requested = (await leadSocket.sync()).filter((m) => m.type === 'approval_requested');
  t.equal(requested.length, 4, 'one event per item opened (alpha: budget, race, bob, quota), none for a repeat');

  const inbox = (await as(fleet, lead, 'GET', '/approvals')).body as Approval[];
  t.equal(inbox.length, 4, "alpha's pending items; beta's is not shown");
  const one = (await as(fleet, lead, 'GET', `/approvals/${item.id}`)).body;
  t.match(one, { id: item.id, kind: 'budget', subject: { spent: 1.02 }, status: 'pending' });
  t.same(
    ((await as(fleet, lead, 'GET', '/approvals?kind=quota')).body as Approval[]).map((a) => a.id),
    [quota.id],
    '?kind= filters',
  );

  await t.rejects(api.approvals.openItem(breach({ kind: 'tool_call' })), /kind may not be tool_call/);
  await t.rejects(api.approvals.openItem(breach({ kind: 'Bad Kind' })), TypeError);
  await t.rejects(api.approvals.openItem(breach({ summary: '' })), /summary/);
});

t.test('tool-call approvals show kind tool_call and no subject; ?kind= tells them apart', async (t) => {
  const { fleet, lead, ann, api, breach } = await fleetWithItems(t);
  await as(fleet, lead, 'POST', '/policies', {
    name: 'ask-all',
    decision: 'ask',
    tool: 'Bash',
    pattern: '.',
    reason: 'r',
  });
  const asked = (await as(fleet, ann, 'POST', '/policies/check', { tool: 'Bash', input: { command: 'ls' } })).body;
  const item = await api.approvals.openItem(breach());
  const toolCalls = (await as(fleet, lead, 'GET', '/approvals?kind=tool_call')).body as Approval[];
  t.same(
    toolCalls.map((a) => a.id),
    [asked.approvalId],
  );
  t.match(toolCalls[0], { kind: 'tool_call', subject: null, key: null, tool: 'Bash', input: { command: 'ls' } });
  t.type(toolCalls[0]!.expiresAt, 'string');
  const all = (await as(fleet, lead, 'GET', '/approvals')).body as Approval[];
  t.same(all.map((a) => a.id).sort(), [asked.approvalId, item.id].sort());
  t.equal((await as(fleet, lead, 'GET', '/approvals?kind=NOPE')).status, 400, 'a bad kind is a 400');
  t.match((await as(fleet, lead, 'GET', '/approvals?kind=NOPE')).body, { field: 'kind' });
});

t.test('a lead decides an item: handlers of its kind are called once; workers 403, other teams 404', async (t) => {
  const { fleet, lead, ann, api, heard, breach, decide } = await fleetWithItems(t);
  const quotaHeard: string[] = [];
  api.approvals.onItemDecided('quota', (item) => void quotaHeard.push(item.id));
  const leadSocket = await TestSocket.as(t, fleet, lead);
  await leadSocket.ask({ type: 'subscribe', policy: 'leads' });
  const item = await api.approvals.openItem(breach());

  t.equal((await decide(ann, item.id, 'approve')).status, 403, 'a worker may not decide');
  const beta = await registerTeam(fleet, 'beta', []);
  t.equal((await decide(beta.lead, item.id, 'approve')).status, 404, "another team's lead cannot see it");
  t.equal((await as(fleet, beta.lead, 'GET', `/approvals/${item.id}`)).status, 404);
  t.same(heard, [], 'nothing decided yet');

  const decided = await decide(lead, item.id, 'approve', 'one more dollar');
  t.equal(decided.status, 200);
  t.match(decided.body, { id: item.id, kind: 'budget', status: 'approved', decidedBy: 'lead-alpha' });
  t.equal(heard.length, 1, 'the handler was called once, before the answer');
  t.match(heard[0], {
    item: { id: item.id, kind: 'budget', status: 'approved', note: 'one more dollar', subject: { budgetId: 'b-1' } },
    decision: 'approved',
    by: { uid: lead.uid, handle: 'lead-alpha' },
  });
  t.same(quotaHeard, [], "another kind's handler is not called");
  t.match((await decide(lead, item.id, 'deny')).body, { code: 'POLICY_APPROVAL_NOT_PENDING' }, 'decided once');
  t.equal(heard.length, 1);
  const event = await leadSocket.waitFor(
    'approval_decided',
    (m) => m.type === 'approval_decided' && m.approval?.id === item.id,
    2000,
  );
  t.match(event.approval, { status: 'approved', kind: 'budget' });
  // An item is not a tool call: nothing in the audit trail or the violations.
  t.same((await as(fleet, lead, 'GET', '/policies/audit')).body, []);

  const second = await api.approvals.openItem(breach());
  t.not(second.id, item.id, 'once decided, the same key opens a new item');
  t.match((await decide(lead, second.id, 'deny')).body, { status: 'denied' });
  t.match(heard[1], { decision: 'denied', item: { id: second.id } });
  t.same((await as(fleet, lead, 'GET', '/policies/violations')).body, [], 'a denied item is no violation');
  t.same(
    ((await as(fleet, lead, 'GET', '/approvals?status=denied&kind=budget')).body as Approval[]).map((a) => a.id),
    [second.id],
  );
});

t.test('a handler that throws is logged; the decision stands and the next handler runs', async (t) => {
  const { fleet, lead, api, heard, breach, decide } = await fleetWithItems(t);
  api.approvals.onItemDecided('budget', () => {
    throw new Error('could not raise the cap');
  });
  const after: string[] = [];
  api.approvals.onItemDecided('budget', async (item) => void after.push(item.id));
  const item = await api.approvals.openItem(breach());
  const decided = await decide(lead, item.id, 'approve');
  t.equal(decided.status, 200);
  t.match(decided.body, { status: 'approved' });
  t.equal(heard.length, 1);
  t.same(after, [item.id]);
  t.ok(
    fleet.logs.some((line) => line.includes('could not raise the cap')),
    'logged',
  );
  t.match((await as(fleet, lead, 'GET', `/approvals/${item.id}`)).body, { status: 'approved' });
});

t.test('a removed handler is not called', async (t) => {
  const { lead, api, heard, remove, breach, decide } = await fleetWithItems(t);
  remove();
  remove();
  const item = await api.approvals.openItem(breach());
  t.equal((await decide(lead, item.id, 'approve')).status, 200);
  t.same(heard, []);
});

t.test('closeItem withdraws a pending item: no decision, no handler; waiters are told', async (t) => {
  const { fleet, lead, ann, api, heard, breach, decide } = await fleetWithItems(t);
  const item = await api.approvals.openItem(breach());
  const waiting = as(fleet, ann, 'POST', `/approvals/${item.id}/wait`, {});
  await sleep(100);
  const closed = await api.approvals.closeItem('alpha', 'budget', 'worker:ann', 'the cap was raised');
  t.match(closed, { id: item.id, status: 'withdrawn', decidedBy: 'fleet', note: 'the cap was raised' });
  t.match((await waiting).body, { status: 'withdrawn', decision: 'deny', reason: 'Withdrawn: the cap was raised' });
  t.equal(await api.approvals.closeItem('alpha', 'budget', 'worker:ann', 'again'), undefined, 'nothing open');
  t.equal(await api.approvals.closeItem('beta', 'budget', 'worker:ann', 'x'), undefined, 'not across teams');
  t.match((await decide(lead, item.id, 'approve')).body, { code: 'POLICY_APPROVAL_NOT_PENDING', error: /withdrawn/ });
  t.same(heard, []);
  t.same(((await as(fleet, lead, 'GET', '/approvals')).body as Approval[]).length, 0, 'gone from the inbox');
  t.match((await as(fleet, lead, 'GET', '/approvals?status=withdrawn')).body, [{ id: item.id }]);
  const reopened = await api.approvals.openItem(breach());
  t.not(reopened.id, item.id, 'the key is free again');
});

t.test('waiting on an item answers like on any approval (and does not use it up)', async (t) => {
  const { fleet, lead, ann, api, breach, decide } = await fleetWithItems(t);
  const item = await api.approvals.openItem(breach());
  const waiting = as(fleet, ann, 'POST', `/approvals/${item.id}/wait`, {});
  await sleep(100);
  await decide(lead, item.id, 'approve', 'go on');
  t.match((await waiting).body, { status: 'approved', decision: 'allow', reason: 'Approved by lead-alpha: go on' });
  t.match((await as(fleet, ann, 'POST', `/approvals/${item.id}/wait`, {})).body, { status: 'approved' }, 'again');
  const bob = await registerAgent(fleet, 'bob', 'alpha');
  t.match((await as(fleet, bob, 'POST', `/approvals/${item.id}/wait`, {})).body, { code: 'POLICY_NOT_REQUESTER' });
});

t.test('two leads deciding at once: one wins, the other is a 409, the handler runs once', async (t) => {
  const { fleet, lead, api, heard, breach, decide } = await fleetWithItems(t);
  const other = await registerAgent(fleet, 'lead-two', 'alpha', 'team-lead');
  for (let round = 0; round < 5; round++) {
    const item = await api.approvals.openItem(breach({ key: `round-${round}` }));
    const answers = await Promise.all([decide(lead, item.id, 'approve'), decide(other, item.id, 'deny')]);
    t.same(answers.map((a) => a.status).sort(), [200, 409], `round ${round}`);
    const won = answers.find((a) => a.status === 200)!.body as Approval;
    const calls = heard.filter((h) => h.item.id === item.id);
    t.equal(calls.length, 1, `round ${round}: one call`);
    t.equal(calls[0]!.decision, won.status, 'with the decision that won');
  }
});

t.test('items never expire: not by the approvals timeout, nor at a restart', async (t) => {
  const first = await fleetWithItems(t, { approvals: { timeoutSeconds: 1 } });
  const item = await first.api.approvals.openItem(first.breach());
  await sleep(1600);
  t.match((await as(first.fleet, first.lead, 'GET', `/approvals/${item.id}`)).body, { status: 'pending' });
  await first.fleet.kernel.stop();
  const second = await startFleet(t, {
    dataDir: first.fleet.dataDir,
    plugins: { auth: true, policy: { approvals: { timeoutSeconds: 1 } } },
    config: { storage: first.fleet.storage, server: { rateLimit: { max: 1_000_000 } } },
  });
  await sleep(300);
  t.match((await as(second, first.lead, 'GET', `/approvals/${item.id}`)).body, { status: 'pending', expiresAt: null });
  const api = second.kernel.api<PolicyApi>('policy')!;
  t.equal((await api.approvals.openItem(first.breach())).id, item.id, 'still the open one after the restart');
  const decided = await as(second, first.lead, 'POST', `/approvals/${item.id}/decide`, { decision: 'approve' });
  t.match(decided.body, { status: 'approved' });
});
