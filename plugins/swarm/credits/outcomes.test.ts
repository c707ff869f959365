/**
 * Reputation and credits move only on verified outcomes: a policy violation (a real block by the
 * policy plugin) takes, a claim earns nothing, a replayed event pays once (also when the replays
 * race), and an event about an agent outside any swarm changes nothing. Real workers (fake agent).
 */
import t from 'tap';
import type { SwarmApi } from '../index.js';
import { startWorkerFleet, waitFor } from '../../../test/kit/index.js';

t.test('outcomes: violation takes, claim earns nothing, replays pay once', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true, policy: true } });
  const { fleet, lead } = w;
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });
  const sid = (await req('POST', '/swarms', lead, { name: 'crew' })).body.id as string;
  t.equal((await w.spawn('w1', { swarmId: sid })).status, 201);
  t.equal((await w.spawn('solo')).status, 201);
  const w1 = (await fleet.register('w1', 'alpha', 'worker')).token;
  const solo = (await fleet.register('solo', 'alpha', 'worker')).token;
  const account = async () => (await req('GET', `/credits/${sid}/w1`, lead)).body;

  // A claim is no outcome: nothing is opened or paid.
  const task = await req('POST', '/tasks', lead, { subject: 'unowned work' });
  const claimed = await req('POST', '/mcp/call', w1, { name: 'team_claim', arguments: { task_id: task.body.id } });
  t.notOk(claimed.body.isError, JSON.stringify(claimed.body));
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await req('GET', `/credits/${sid}/w1`, lead)).status, 404, 'a claim opens no account, pays nothing');

  // A real policy violation: a block rule, the worker's call checked by the policy plugin.
  const rule = await req('POST', '/policies', lead, {
    name: 'no-rm',
    decision: 'block',
    tool: 'Bash',
    pattern: 'rm -rf',
    reason: 'destructive',
  });
  t.equal(rule.status, 201, JSON.stringify(rule.body));
  const denied = await req('POST', '/policies/check', w1, { tool: 'Bash', input: { command: 'rm -rf build' } });
  t.equal(denied.body.decision, 'deny', JSON.stringify(denied.body));
  const penalised = await waitFor('penalty', async () => {
    const response = await req('GET', `/credits/${sid}/w1`, lead);
    return response.status === 200 ? response.body : undefined;
  });
  t.equal(penalised.balance, 95, 'the violation cost 5 of the starting 100');
  t.ok(penalised.reputationScore < 0.5, 'reputation went down');
  t.equal(penalised.taskCount, 1);
  t.equal(penalised.successCount, 0);
  const history = (await req('GET', `/credits/${sid}/w1/history`, lead)).body.transactions;
  t.match(history[0], {
    transactionType: 'penalty',
    referenceType: 'policy_violation',
    eventKey: /^policy_violation:/,
  });
  // An agent outside any swarm: the violation is recorded by the policy plugin, no credits anywhere.
  await req('POST', '/policies/check', solo, { tool: 'Bash', input: { command: 'rm -rf x' } });
  await new Promise((r) => setTimeout(r, 300));
  t.same(
    (await req('GET', `/credits/${sid}/leaderboard`, lead)).body.leaderboard.map((e: any) => e.agentHandle),
    ['w1'],
  );

  // A replayed event pays once, also when the replays race.
  const api = fleet.kernel.api<SwarmApi>('swarm')!;
  const change = {
    type: 'earn' as const,
    amount: 3,
    reference: { type: 'task', id: 'x' },
    reason: 'replay',
    eventKey: 'test_event:1',
  };
  const results = await Promise.all(Array.from({ length: 10 }, () => api.credits.apply('alpha', sid, 'w1', change)));
  t.equal(results.filter((r) => r.applied).length, 1, 'one of ten racing replays applied');
  t.equal((await account()).balance, 98);
  const again = await api.credits.apply('alpha', sid, 'w1', change);
  t.equal(again.applied, false);
  t.equal(again.transaction.id, results.find((r) => r.applied)!.transaction.id, 'the replay names the row it matched');
  t.equal((await account()).balance, 98);
  // The same key in another team is another event.
  t.equal((await api.credits.apply('beta', 'swarm-other', 'w1', change)).applied, true);
  t.equal((await account()).balance, 98, 'another team’s row changes nothing here');

  for (const handle of ['w1', 'solo']) await req('POST', `/orchestrate/dismiss/${handle}`, lead);
});
