import t from 'tap';
import { startFleet, type TestFleet, waitFor, WsClient } from '../../test/kit/index.js';
import type { BudgetsApi } from './index.js';

/**
 * A breach opens one approval item for the leads (kind budget, key budget id + window) and emits
 * budget_exceeded once; approving it extends the limit by extensionRatio for the window; a raise
 * withdraws the open item. Spend comes as the workers plugin reports model requests (worker_request).
 */
function request(fleet: TestFleet, handle: string, input: number) {
  fleet.kernel.spine.publish({
    topic: `team.alpha.workers.${handle}`,
    type: 'worker_request',
    team: 'alpha',
    data: {
      handle,
      messageId: `m-${Math.random()}`,
      model: 'm',
      tokens: { input, output: 0, cacheRead: 0, cacheWrite: 0 },
    },
  });
}

t.test('budgets: approval item on breach; approve extends; deny keeps; a raise withdraws', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, tasks: true, sessions: true, policy: true, budgets: { extensionRatio: 0.5 } },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const ws = await WsClient.open(t, fleet, lead);
  const engine = fleet.kernel.api<BudgetsApi>('budgets')!.engine;
  const budget = (
    await fleet.request('POST', '/budgets', {
      token: lead,
      body: { scope: { kind: 'worker', id: 'w1' }, unit: 'tokens', limit: 1000, period: 'day' },
    })
  ).body;
  const items = async (status = 'pending') =>
    (await fleet.request('GET', `/approvals?kind=budget&status=${status}`, { token: lead })).body.approvals ??
    (await fleet.request('GET', `/approvals?kind=budget&status=${status}`, { token: lead })).body;

  const w1 = (await fleet.register('w1', 'alpha')).token;
  const check = (token: string) =>
    fleet.request('POST', '/policies/check', { token, body: { tool: 'Bash', input: { command: 'ls' } } });
  t.not((await check(w1)).body.decision, 'deny', 'under its budget, the gate lets w1 through');
  request(fleet, 'w1', 1200);
  await engine.settled();
  // The policy hook's check: the next tool call of a worker over its budget is denied, naming the budget.
  const denied = (await check(w1)).body;
  t.match(denied, { decision: 'deny', gate: 'budgets' });
  t.match(denied.reason, new RegExp(`budget ${budget.id} \\(worker alpha/w1\\) is over: spent 1200 of 1000 tokens`));
  const open = await waitFor('an item', async () => ((await items()).length === 1 ? (await items())[0] : undefined));
  t.match(open, {
    kind: 'budget',
    key: `${budget.id}:${budget.windowStart}`,
    subject: { budgetId: budget.id, windowStart: budget.windowStart, unit: 'tokens', limit: 1000, extension: 500 },
  });
  request(fleet, 'w1', 10);
  await engine.settled();
  t.equal((await items()).length, 1, 'still one item');
  const exceeded = ws.received.filter((m: any) => m.type === 'budget_exceeded');
  t.equal(exceeded.length, 1, 'budget_exceeded once');
  t.match(exceeded[0], { budget: { id: budget.id, over: true } });

  // Deny: nothing changes, it stays over.
  t.equal(
    (await fleet.request('POST', `/approvals/${open.id}/decide`, { token: lead, body: { decision: 'deny' } })).status,
    200,
  );
  await engine.settled();
  t.match((await fleet.request('GET', `/budgets/${budget.id}`, { token: lead })).body, { over: true, extension: 0 });

  // Over again later in the window: a new item (the last was decided); approve adds 50% of 1000.
  engine.evaluate(engine.entries.get(budget.id)!);
  const reopened = engine.entries.get(budget.id)!;
  reopened.breached = false;
  engine.evaluate(reopened);
  await engine.settled();
  const second = await waitFor('a second item', async () => (await items())[0]);
  t.not(second.id, open.id);
  await fleet.request('POST', `/approvals/${second.id}/decide`, { token: lead, body: { decision: 'approve' } });
  await waitFor('extended', async () => {
    const view = (await fleet.request('GET', `/budgets/${budget.id}`, { token: lead })).body;
    return view.extension === 500 && !view.over ? view : undefined;
  });
  t.equal(ws.received.filter((m: any) => m.type === 'budget_exceeded').length, 1, 'still once in this window');

  // Over the extended limit; a raise withdraws the open item.
  request(fleet, 'w1', 400);
  await engine.settled();
  const third = await waitFor('a third item', async () => (await items())[0]);
  await fleet.request('PATCH', `/budgets/${budget.id}`, { token: lead, body: { limit: 100_000 } });
  await engine.settled();
  t.same(await items(), [], 'no pending item');
  t.ok(
    (await items('withdrawn')).some((item: any) => item.id === third.id),
    'withdrawn',
  );
  t.ok(
    ws.received.some((m: any) => m.type === 'budget_cleared'),
    'budget_cleared',
  );
});
