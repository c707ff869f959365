/**
 * Payoffs through a real fleet (SQLite or PostgreSQL per FLEET_TEST_STORAGE) with the plugin's fake
 * clock: define, list, calculate with deadline decay, payment once on a verified completion (racing
 * resolutions and concurrent deliveries pay once), nothing on the owner's own word, the tools, bad
 * inputs and another team seeing nothing.
 */
import t from 'tap';
import { startWorkerFleet, waitFor } from '../../../test/kit/index.js';
import type { FakeClock } from '../../../core/index.js';
import type { GovernanceApi } from '../index.js';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

interface PaidRow {
  payoffType: string;
  paidAt: string | null;
  paidAmount: number;
  paidTo: string;
}

t.test('payoffs', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true, governance: { testClock: { startAt: START } } } });
  const { fleet, lead } = w;
  const api = fleet.kernel.api<GovernanceApi>('governance')!;
  const clock = api.clock as FakeClock;
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });
  const tool = async (token: string, name: string, args: Record<string, unknown>) => {
    const response = await req('POST', '/mcp/call', token, { name, arguments: args });
    const text = (response.body.content as { text: string }[]).map((c) => c.text).join('\n');
    return { isError: response.body.isError === true, text, json: () => JSON.parse(text) as Record<string, any> };
  };
  const sid = (await req('POST', '/swarms', lead, { name: 'crew' })).body.id as string;
  t.equal((await w.spawn('w1', { swarmId: sid })).status, 201);
  const w1 = (await fleet.register('w1', 'alpha', 'worker')).token;
  const beta = (await fleet.register('blead', 'beta', 'team-lead')).token;
  const task = async (subject: string, toHandle?: string) =>
    (await req('POST', '/tasks', lead, { subject, ...(toHandle ? { toHandle } : {}) })).body.id as string;
  const define = (body: Record<string, unknown>, token = lead) => req('POST', '/payoffs', token, body);
  const payoffRows = async () => {
    const r = await req('GET', `/credits/${sid}/w1/history?limit=1000`, lead);
    return r.status === 200
      ? (r.body.transactions as { referenceType: string; referenceId: string; amount: number }[]).filter(
          (x) => x.referenceType === 'payoff',
        )
      : [];
  };

  await t.test('define, list, calculate with decay; paid once on a verified completion', async (t) => {
    const a = await task('paid work', 'w1');
    const created = await define({
      taskId: a,
      payoffType: 'completion',
      baseValue: 40,
      multiplier: 1.5,
      deadline: START + HOUR,
      decayRate: 0.25,
    });
    t.equal(created.status, 201, JSON.stringify(created.body));
    t.match(created.body, {
      id: String,
      taskId: a,
      swarmId: null,
      payoffType: 'completion',
      baseValue: 40,
      multiplier: 1.5,
      deadline: START + HOUR,
      decayRate: 0.25,
      dependencies: [],
      paidAt: null,
    });
    t.notOk('task_id' in created.body, 'camelCase, not the raw row');
    t.equal((await define({ taskId: a, payoffType: 'penalty', baseValue: 5 })).status, 201);
    t.equal((await define({ taskId: a, payoffType: 'cooperation', baseValue: 1 })).status, 201);
    const redefined = await define({ taskId: a, payoffType: 'cooperation', baseValue: 2, swarmId: sid });
    t.equal(redefined.status, 201);
    t.match(redefined.body, { baseValue: 2, swarmId: sid }, 'one payoff per type: redefined in place');
    const list = await req('GET', `/payoffs/${a}`, w1);
    t.equal(list.body.count, 3);

    const calc = async () => (await req('GET', `/payoffs/${a}/calculate`, w1)).body;
    t.same(await calc(), {
      taskId: a,
      totalPayoff: 57,
      breakdown: { completion: 60, penalty: -5, cooperation: 2 },
      bonuses: ['cooperation: +2'],
      penalties: ['penalty: -5'],
      timeDecay: 0,
    });
    clock.set(START + HOUR);
    t.equal((await calc()).totalPayoff, 57, 'at the deadline: no decay yet');
    clock.set(START + 3 * HOUR);
    t.match(await calc(), { totalPayoff: 27, breakdown: { completion: 30 }, timeDecay: 30 }, '2 h late × 0.25');
    clock.set(START + 10 * HOUR);
    t.match(await calc(), { totalPayoff: -3, breakdown: { completion: 0 }, timeDecay: 60 }, 'fully decayed');
    clock.set(START + 3 * HOUR);

    // Three racing resolutions by the lead: one task_resolved, paid once.
    const racing = await Promise.all([0, 1, 2].map(() => req('PATCH', `/tasks/${a}`, lead, { status: 'resolved' })));
    t.same(
      racing.map((r) => r.status),
      [200, 200, 200],
    );
    const paid = await waitFor('all three paid', async () => {
      const rows = (await req('GET', `/payoffs/${a}`, lead)).body.payoffs as PaidRow[];
      return rows.every((p) => p.paidAt !== null) ? rows : undefined;
    });
    t.same(paid.map((p) => [p.payoffType, p.paidAmount, p.paidTo]).sort(), [
      ['completion', 30, 'w1'],
      ['cooperation', 2, 'w1'],
      ['penalty', -5, 'w1'],
    ]);
    // Redeliveries of task_resolved (or a racing node) pay nothing more.
    const owner = { id: a, ownerHandle: 'w1' };
    const again = await Promise.all([0, 1, 2].map(() => api.payoffs.pay('alpha', owner)));
    t.same(again, [[], [], []], 'nothing left to pay');
    t.equal((await payoffRows()).length, 3, 'one ledger row per payoff');
    await waitFor('the swarm’s own 10 for the task', async () =>
      (await req('GET', `/credits/${sid}/w1`, lead)).body.balance === 137 ? true : undefined,
    );
    const changed = await define({ taskId: a, payoffType: 'completion', baseValue: 1 });
    t.equal(changed.status, 409, 'a paid payoff is final');
    t.equal(changed.body.code, 'GOVERNANCE_PAYOFF_PAID');
  });

  await t.test('concurrent deliveries of one completion pay once', async (t) => {
    const b = await task('raced payment', 'w1');
    const id = (await define({ taskId: b, payoffType: 'speed', baseValue: 7 })).body.id as string;
    const results = await Promise.all([0, 1, 2, 3].map(() => api.payoffs.pay('alpha', { id: b, ownerHandle: 'w1' })));
    t.equal(results.flat().length, 1, 'recorded once');
    const rows = (await payoffRows()).filter((r) => r.referenceId === id);
    t.same(
      rows.map((r) => r.amount),
      [7],
      'one ledger row',
    );
  });

  await t.test('the owner’s own word pays nothing', async (t) => {
    const c = await task('self-closed', 'w1');
    await define({ taskId: c, payoffType: 'completion', baseValue: 10 });
    const before = (await payoffRows()).length;
    const done = await req('POST', '/mcp/call', w1, { name: 'team_complete', arguments: { task_id: c } });
    t.notOk(done.body.isError, JSON.stringify(done.body));
    t.equal((await req('GET', `/tasks/${c}`, lead)).body.status, 'resolved');
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.equal((await req('GET', `/payoffs/${c}`, lead)).body.payoffs[0].paidAt, null);
    t.equal((await payoffRows()).length, before);
  });

  await t.test('tools: payoff_define (multiplier, decay_rate) and payoff_calculate', async (t) => {
    const d = await task('by tools', 'w1');
    const defined = await tool(lead, 'payoff_define', {
      task_id: d,
      payoff_type: 'quality',
      base_value: 10,
      multiplier: 2,
      deadline: clock.now() - HOUR,
      decay_rate: 0.5,
    });
    t.notOk(defined.isError, defined.text);
    t.match(defined.json(), { multiplier: 2, decayRate: 0.5 });
    t.match((await tool(w1, 'payoff_calculate', { task_id: d })).json(), { totalPayoff: 10, timeDecay: 10 });
    t.equal((await tool(w1, 'payoff_define', { task_id: d, payoff_type: 'quality', base_value: 1 })).isError, true);
  });

  await t.test('bad inputs and another team', async (t) => {
    const e = await task('inputs');
    const bad: [Record<string, unknown>, string][] = [
      [{ taskId: e, payoffType: 'bonus', baseValue: 1 }, 'payoffType'],
      [{ taskId: e, payoffType: 'completion', baseValue: 20_000 }, 'baseValue'],
      [{ taskId: e, payoffType: 'completion', baseValue: 'x' }, 'baseValue'],
      [{ taskId: e, payoffType: 'completion', baseValue: 1, multiplier: -1 }, 'multiplier'],
      [{ taskId: e, payoffType: 'completion', baseValue: 1, decayRate: 2 }, 'decayRate'],
      [{ taskId: e, payoffType: 'completion', baseValue: 1, deadline: 0 }, 'deadline'],
      [{ taskId: e, payoffType: 'completion', baseValue: 1, dependencies: Array(21).fill('t') }, 'dependencies'],
      [{ payoffType: 'completion', baseValue: 1 }, 'taskId'],
    ];
    for (const [body, field] of bad) {
      const r = await define(body);
      t.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      t.match(r.body.error, new RegExp(`^${field}: `));
    }
    t.equal((await define({ taskId: e, payoffType: 'completion', baseValue: 1 }, w1)).status, 403, 'leads define');
    t.equal((await define({ taskId: 'nope', payoffType: 'completion', baseValue: 1 })).status, 404);
    t.equal((await define({ taskId: e, swarmId: 'nope', payoffType: 'completion', baseValue: 1 })).status, 404);
    t.equal((await define({ taskId: e, payoffType: 'completion', baseValue: 1 })).status, 201);
    t.equal((await req('GET', `/payoffs/${e}`, beta)).status, 404, 'another team: 404');
    t.equal((await req('GET', `/payoffs/${e}/calculate`, beta)).status, 404);
    t.equal((await define({ taskId: e, payoffType: 'completion', baseValue: 9 }, beta)).status, 404);
    t.equal((await req('GET', `/payoffs/${e}`, lead)).body.payoffs[0].baseValue, 1, 'untouched');
  });

  await req('POST', '/orchestrate/dismiss/w1', lead);
});
