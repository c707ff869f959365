import t from 'tap';
import { callTool, startFleet, type TestFleet, type TestLike, toolJson, toolText } from '../../test/kit/index.js';
import type { SessionsApi } from '../sessions/index.js';
import type { BudgetsApi } from './index.js';
import { windowOf } from './windows.js';

const PLUGINS = (budgets: Record<string, unknown> = {}) => ({
  auth: true,
  mail: true,
  tasks: true,
  sessions: { prices: { 'priced-*': { input: 1, output: 5 } } },
  budgets: { checkMs: 200, ...budgets },
});

interface Ctx {
  fleet: TestFleet;
  lead: string;
  worker: string;
  beta: string;
  betaWorker: string;
}

async function boot(t: TestLike, budgets?: Record<string, unknown>): Promise<Ctx> {
  const fleet = await startFleet(t, {
    plugins: PLUGINS(budgets),
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  return {
    fleet,
    lead: (await fleet.register('lead', 'alpha', 'team-lead')).token,
    worker: (await fleet.register('w1', 'alpha')).token,
    beta: (await fleet.register('lead-b', 'beta', 'team-lead')).token,
    betaWorker: (await fleet.register('bw1', 'beta')).token,
  };
}

const offsets = new Map<string, number>();
/**
 * One result of a worker, as the workers plugin reports it (worker_usage): this turn's tokens, and
 * the session's cumulative cost (null: none reported). The sessions plugin records it and emits cost_recorded.
 */
function result(
  fleet: TestFleet,
  team: string,
  handle: string,
  turn: { input: number; output: number },
  totalCostUsd: number | null,
  model = 'fake-model-1',
) {
  const offset = (offsets.get(`${team}/${handle}`) ?? 0) + 100;
  offsets.set(`${team}/${handle}`, offset);
  fleet.kernel.spine.publish({
    topic: `team.${team}.workers.${handle}`,
    type: 'worker_usage',
    team,
    data: {
      handle,
      sessionId: `session-${team}-${handle}`,
      model,
      workerCreatedAt: 1,
      offset,
      run: 0,
      isError: false,
      numTurns: 1,
      totalCostUsd,
      models: {},
      turn: { ...turn, cacheRead: 0, cacheWrite: 0 },
      contextTokens: null,
    },
  });
}

/** One model request of a worker's turn (the workers plugin's worker_request). */
function request(
  fleet: TestFleet,
  team: string,
  handle: string,
  input: number,
  output: number,
  model = 'fake-model-1',
) {
  fleet.kernel.spine.publish({
    topic: `team.${team}.workers.${handle}`,
    type: 'worker_request',
    team,
    data: {
      handle,
      messageId: `msg-${Math.random()}`,
      model,
      tokens: { input, output, cacheRead: 0, cacheWrite: 0 },
    },
  });
}

const settled = async (fleet: TestFleet) => {
  await fleet.kernel.api<SessionsApi>('sessions')!.settled();
  await fleet.kernel.api<BudgetsApi>('budgets')!.engine.settled();
};

t.test('windows: UTC day from 00:00, week from Monday 00:00, total from 0', async (t) => {
  const wed = Date.UTC(2026, 10, 25, 13, 30); // Wednesday 25 Nov 2026
  t.same(windowOf('day', wed), { start: Date.UTC(2026, 10, 25), end: Date.UTC(2026, 10, 26) });
  t.same(windowOf('week', wed), { start: Date.UTC(2026, 10, 23), end: Date.UTC(2026, 10, 30) });
  t.same(windowOf('week', Date.UTC(2026, 10, 23)), { start: Date.UTC(2026, 10, 23), end: Date.UTC(2026, 10, 30) });
  t.same(windowOf('week', Date.UTC(2026, 10, 29, 23, 59)).start, Date.UTC(2026, 10, 23), 'Sunday is the last day');
  t.same(windowOf('total', wed), { start: 0, end: null });
});

t.test('budgets: create, list, get, patch, delete; bad input is a 400 naming the field', async (t) => {
  const { fleet, lead, worker, beta } = await boot(t);
  const post = (body: unknown, token = lead) => fleet.request('POST', '/budgets', { token, body });
  const created = await post({ scope: { kind: 'team' }, unit: 'usd', limit: 5, period: 'day', throttleAt: 0.9 });
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.match(created.body, {
    teamName: 'alpha',
    scope: { kind: 'team', id: 'alpha' },
    unit: 'usd',
    limit: 5,
    period: 'day',
    throttleAt: 0.9,
    createdBy: 'lead',
    source: 'api',
    spent: 0,
    remaining: 5,
    over: false,
    throttled: false,
    unpricedResults: 0,
    windowStart: windowOf('day', Date.now()).start,
    paused: [],
  });
  const id = created.body.id as string;
  t.equal((await post({ scope: { kind: 'worker', id: 'w1' }, unit: 'turns', limit: 3, period: 'total' })).status, 201);

  const list = await fleet.request('GET', '/budgets', { token: worker });
  t.equal(list.status, 200);
  t.equal(list.body.length, 2, 'a worker reads its team’s budgets');
  t.match((await fleet.request('GET', `/budgets/${id}`, { token: worker })).body, { id, limit: 5 });

  const patched = await fleet.request('PATCH', `/budgets/${id}`, { token: lead, body: { limit: 7, throttleAt: null } });
  t.match(patched.body, { id, limit: 7, throttleAt: null, remaining: 7 });
  t.equal((await fleet.request('PATCH', `/budgets/${id}`, { token: worker, body: { limit: 1 } })).status, 403);

  // Bad inputs: each a 400 with a code and the field.
  const bad = async (body: unknown, field: string) => {
    const answer = await post(body);
    t.equal(answer.status, 400, `${JSON.stringify(body)} → 400`);
    t.equal(answer.body.code, 'FLEET_INVALID_INPUT');
    t.equal(answer.body.field, field, `names ${field}`);
  };
  const ok = { scope: { kind: 'team' }, unit: 'usd', limit: 1, period: 'day' };
  await bad({ ...ok, limit: 0 }, 'limit');
  await bad({ ...ok, limit: -1 }, 'limit');
  await bad({ ...ok, limit: 'lots' }, 'limit');
  await bad({ ...ok, unit: 'tokens', limit: 1.5 }, 'limit');
  await bad({ ...ok, unit: 'turns', limit: 2.5 }, 'limit');
  await bad({ ...ok, unit: 'euros' }, 'unit');
  await bad({ ...ok, period: 'month' }, 'period');
  await bad({ ...ok, throttleAt: 1.5 }, 'throttleAt');
  await bad({ ...ok, throttleAt: 0 }, 'throttleAt');
  await bad({ ...ok, scope: { kind: 'galaxy' } }, 'scope.kind');
  await bad({ ...ok, scope: { kind: 'worker' } }, 'scope.id');
  await bad({ ...ok, scope: { kind: 'worker', id: 'bad handle!' } }, 'scope.id');
  await bad({ ...ok, scope: { kind: 'task', id: 'not-a-uuid' } }, 'scope.id');
  await bad({ ...ok, scope: 'team' }, 'scope');
  const huge = await fleet.request('PATCH', `/budgets/${id}`, { token: lead, body: { limit: Infinity } });
  t.equal(huge.status, 400, 'a limit that is not finite (JSON null) is refused');
  t.equal((await fleet.request('GET', '/budgets/nope', { token: lead })).status, 400, 'a malformed id');
  const missing = await fleet.request('GET', '/budgets/b-00000000-0000-0000-0000-000000000000', { token: lead });
  t.match(missing, { status: 404, body: { code: 'BUDGETS_NOT_FOUND' } });

  // Fleet budgets only in the config; another team's budget is not there.
  const fleetScope = await post({ ...ok, scope: { kind: 'fleet' } });
  t.match(fleetScope, { status: 403, body: { code: 'BUDGETS_FLEET_SCOPE', field: 'scope.kind' } });
  const other = await post({ ...ok, scope: { kind: 'team', id: 'beta' } });
  t.match(other, { status: 403, body: { code: 'FLEET_OTHER_TEAM', field: 'scope.id' } });
  const unknownTask = await post({ ...ok, scope: { kind: 'task', id: '00000000-0000-4000-8000-000000000000' } });
  t.match(unknownTask, { status: 404, body: { code: 'BUDGETS_TASK_NOT_FOUND', field: 'scope.id' } });
  t.equal((await fleet.request('GET', `/budgets/${id}`, { token: beta })).status, 404, 'beta does not see it');
  t.equal((await fleet.request('PATCH', `/budgets/${id}`, { token: beta, body: { limit: 1 } })).status, 404);
  t.equal((await fleet.request('DELETE', `/budgets/${id}`, { token: beta })).status, 404);
  t.same((await fleet.request('GET', '/budgets', { token: beta })).body, []);

  t.match((await fleet.request('DELETE', `/budgets/${id}`, { token: lead })).body, { success: true, id });
  t.equal((await fleet.request('GET', `/budgets/${id}`, { token: lead })).status, 404);
});

t.test('config budgets: fleet and team, shown with source config, read-only', async (t) => {
  const { fleet, lead, beta } = await boot(t, {
    budgets: [
      { id: 'fleet-day', scope: { kind: 'fleet' }, unit: 'usd', limit: 100, period: 'day' },
      { teamName: 'alpha', scope: { kind: 'team' }, unit: 'tokens', limit: 1_000_000, period: 'week' },
    ],
  });
  const alpha = (await fleet.request('GET', '/budgets', { token: lead })).body;
  t.equal(alpha.length, 2);
  t.match(alpha, [
    { id: 'config-fleet-day', teamName: null, scope: { kind: 'fleet' }, source: 'config', createdBy: 'config' },
    { teamName: 'alpha', scope: { kind: 'team', id: 'alpha' }, unit: 'tokens', source: 'config' },
  ]);
  const betaList = (await fleet.request('GET', '/budgets', { token: beta })).body;
  t.same(
    betaList.map((b: any) => b.id),
    ['config-fleet-day'],
    'beta sees the fleet budget only',
  );
  const patch = await fleet.request('PATCH', '/budgets/config-fleet-day', { token: lead, body: { limit: 1 } });
  t.match(patch, { status: 409, body: { code: 'BUDGETS_READ_ONLY' } });
  t.match(await fleet.request('DELETE', '/budgets/config-fleet-day', { token: lead }), {
    status: 409,
    body: { code: 'BUDGETS_READ_ONLY' },
  });
});

t.test('spend: usd (reported, priced, unpriced), tokens and turns; scopes; in-flight requests', async (t) => {
  const { fleet, lead, beta } = await boot(t, {
    budgets: [{ id: 'all', scope: { kind: 'fleet' }, unit: 'turns', limit: 1000, period: 'total' }],
  });
  const post = async (body: unknown, token = lead) => (await fleet.request('POST', '/budgets', { token, body })).body;
  const usd = await post({ scope: { kind: 'team' }, unit: 'usd', limit: 10, period: 'day' });
  const tokens = await post({ scope: { kind: 'team' }, unit: 'tokens', limit: 100_000, period: 'week' });
  const turns = await post({ scope: { kind: 'worker', id: 'w1' }, unit: 'turns', limit: 10, period: 'total' });
  const w2 = await post({ scope: { kind: 'worker', id: 'w2' }, unit: 'tokens', limit: 10_000, period: 'day' });
  const get = async (id: string, token = lead) => (await fleet.request('GET', `/budgets/${id}`, { token })).body;

  result(fleet, 'alpha', 'w1', { input: 1000, output: 100 }, 0.5); // reported $0.50
  result(fleet, 'alpha', 'w1', { input: 500, output: 50 }, 0.75); // +$0.25
  result(fleet, 'alpha', 'w2', { input: 2000, output: 200 }, null, 'priced-model'); // priced: 2000*1 + 200*5 = $0.003
  result(fleet, 'alpha', 'w3', { input: 10, output: 10 }, null, 'unknown-model'); // no cost known
  result(fleet, 'beta', 'w1', { input: 99_999, output: 1 }, 9); // another team
  await settled(fleet);

  t.match(await get(usd.id), { spent: 0.753, unpricedResults: 1, over: false });
  t.equal((await get(tokens.id)).spent, 1100 + 550 + 2200 + 20);
  t.equal((await get(turns.id)).spent, 2, 'w1’s two turns');
  t.equal((await get(w2.id)).spent, 2200);
  t.equal((await get('config-all')).spent, 5, 'the fleet budget counts every team');
  t.equal((await get('config-all', beta)).spent, 5);

  // In-flight requests count at once (tokens, and dollars where a price is known) until the result is recorded.
  request(fleet, 'alpha', 'w2', 4000, 1000, 'priced-model');
  request(fleet, 'alpha', 'w2', 4000, 1000, 'priced-model');
  t.equal((await get(w2.id)).spent, 2200 + 10_000, 'two requests in flight');
  t.match(await get(w2.id), { over: true, remaining: 0 });
  t.equal((await get(usd.id)).spent, 0.753 + 2 * 0.009);
  t.equal((await get(turns.id)).spent, 2, 'a turn counts when its result is recorded');
  // The result supersedes the requests: its own figures count.
  result(fleet, 'alpha', 'w2', { input: 100, output: 10 }, null, 'priced-model');
  await settled(fleet);
  t.equal((await get(w2.id)).spent, 2200 + 110, 'the recorded result replaced the in-flight requests');
  t.equal((await get(w2.id)).over, false);

  // A new budget, or a restart, reads what was recorded from the database.
  const later = await post({ scope: { kind: 'team' }, unit: 'turns', limit: 100, period: 'day' });
  t.equal(later.spent, 5, 'five alpha results today');
});

t.test('admission: over refuses everything of the scope; a throttle refuses new work only', async (t) => {
  const { fleet, lead } = await boot(t);
  const engine = fleet.kernel.api<BudgetsApi>('budgets')!.engine;
  const budget = (
    await fleet.request('POST', '/budgets', {
      token: lead,
      body: { scope: { kind: 'worker', id: 'w1' }, unit: 'tokens', limit: 1000, period: 'day', throttleAt: 0.5 },
    })
  ).body;
  await t.resolves(engine.admit('spawn', 'alpha', 'w1'));
  request(fleet, 'alpha', 'w1', 500, 100);
  t.match((await fleet.request('GET', `/budgets/${budget.id}`, { token: lead })).body, {
    throttled: true,
    over: false,
  });
  await t.rejects(engine.admit('spawn', 'alpha', 'w1'), { code: 'BUDGETS_THROTTLED', status: 409 });
  await t.rejects(engine.admit('claim', 'alpha', 'w1', null), { code: 'BUDGETS_THROTTLED' });
  await t.resolves(engine.admit('send', 'alpha', 'w1'), 'a running worker still takes input');
  await t.resolves(engine.admit('spawn', 'alpha', 'w2'), 'another worker is not covered');
  request(fleet, 'alpha', 'w1', 400, 100);
  const refusal = await engine.admit('send', 'alpha', 'w1').catch((error: unknown) => error);
  t.match(refusal, {
    code: 'BUDGETS_EXCEEDED',
    status: 409,
    details: { field: 'budget', budget: budget.id, spent: 1100, limit: 1000, unit: 'tokens' },
  });
  t.match((refusal as Error).message, /worker alpha\/w1.*spent 1100 of 1000 tokens/);
  await t.resolves(engine.admit('spawn', 'beta', 'w1'), 'another team’s w1 is not covered');
  const gate = await engine.gate('alpha', 'w1');
  t.match(gate?.reason, new RegExp(`budget ${budget.id} .* is over`));
  t.equal(await engine.gate('alpha', 'w2'), undefined);
  // Raised: it passes again.
  await fleet.request('PATCH', `/budgets/${budget.id}`, { token: lead, body: { limit: 10_000 } });
  await t.resolves(engine.admit('spawn', 'alpha', 'w1'));
});

t.test('budget_set and budget_list tools', async (t) => {
  const { fleet, lead, worker } = await boot(t);
  const as = (token: string) => ({ token }) as Parameters<typeof callTool>[1];
  const created = toolJson(
    await callTool(fleet, as(lead), 'budget_set', {
      scope: { kind: 'team' },
      unit: 'turns',
      limit: 5,
      period: 'week',
    }),
  );
  t.match(created, { scope: { kind: 'team', id: 'alpha' }, unit: 'turns', limit: 5, source: 'api' });
  const updated = toolJson(await callTool(fleet, as(lead), 'budget_set', { id: created.id, limit: 8 }));
  t.match(updated, { id: created.id, limit: 8 });
  const missing = await callTool(fleet, as(lead), 'budget_set', { unit: 'turns', limit: 5, period: 'week' });
  t.ok(missing.isError);
  t.match(toolText(missing), /scope: is required/);
  const byWorker = await callTool(fleet, as(worker), 'budget_set', { id: created.id, limit: 100 });
  t.ok(byWorker.isError, 'workers do not set budgets');
  const listed = toolJson(await callTool(fleet, as(worker), 'budget_list', {}));
  t.same(
    listed.map((b: any) => [b.id, b.limit]),
    [[created.id, 8]],
  );
});

t.test('tasks admission: assignment and claim refused while over or throttled', async (t) => {
  const { fleet, lead, worker } = await boot(t);
  const budget = (
    await fleet.request('POST', '/budgets', {
      token: lead,
      body: { scope: { kind: 'worker', id: 'w1' }, unit: 'tokens', limit: 1000, period: 'day', throttleAt: 0.5 },
    })
  ).body;
  request(fleet, 'alpha', 'w1', 600, 0);
  const assigned = await fleet.request('POST', '/tasks', {
    token: lead,
    body: { subject: 'Throttled work', toHandle: 'w1' },
  });
  t.match(assigned, { status: 409, body: { code: 'BUDGETS_THROTTLED', budget: budget.id } });
  const open = await fleet.request('POST', '/tasks', { token: lead, body: { subject: 'Unowned work' } });
  t.equal(open.status, 200, JSON.stringify(open.body));
  request(fleet, 'alpha', 'w1', 600, 0);
  const claim = await callTool(fleet, { token: worker } as Parameters<typeof callTool>[1], 'team_claim', {
    task_id: open.body.id,
  });
  t.ok(claim.isError, 'the claim is refused');
  t.match(toolText(claim), /BUDGETS_EXCEEDED/);
  const other = await fleet.request('POST', '/tasks', {
    token: lead,
    body: { subject: 'For the lead', toHandle: 'lead' },
  });
  t.equal(other.status, 200, 'another agent is not covered');
});
