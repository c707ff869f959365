/**
 * Budgets as verified outcomes, on real workers (the fake agent reporting usage): a budget that
 * pauses a worker costs it credits and reputation (budget_exceeded), and its task resolved later
 * earns no "budget respected" bonus; a worker no budget paused earns the bonus with its task.
 */
import t from 'tap';
import { startWorkerFleet, waitFor } from '../../../test/kit/index.js';

t.test('budget exceeded takes; budget respected adds to a resolved task', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true, sessions: true, budgets: { checkMs: 200 } } });
  const { fleet, lead } = w;
  const req = (method: string, path: string, body?: unknown) => fleet.request(method, path, { token: lead, body });
  const sid = (await req('POST', '/swarms', { name: 'thrifty' })).body.id as string;
  for (const handle of ['w1', 'w2']) {
    t.equal((await w.spawn(handle, { swarmId: sid })).status, 201);
    await w.waitWorker(handle, (x) => x.state === 'idle' || x.state === 'ready', 'ready');
  }
  const tasks: Record<string, string> = {};
  for (const handle of ['w1', 'w2'])
    tasks[handle] = (await req('POST', '/tasks', { toHandle: handle, subject: `work of ${handle}` })).body.id;
  // The assignments reach the agents as input: let them finish that turn first.
  for (const handle of ['w1', 'w2']) await w.waitWorker(handle, (x) => x.state === 'idle', 'idle after its assignment');
  const budget = await req('POST', '/budgets', {
    scope: { kind: 'worker', id: 'w1' },
    unit: 'tokens',
    limit: 100,
    period: 'day',
  });
  t.equal(budget.status, 201, JSON.stringify(budget.body));
  // Its assignment's turn already spent 110 tokens (the fake agent's usage per turn): the budget is over.
  await w.waitWorker('w1', (x) => x.pause?.reason === 'budget', 'paused by the budget');
  const penalised = await waitFor('penalty', async () => {
    const response = await req('GET', `/credits/${sid}/w1`);
    return response.status === 200 ? response.body : undefined;
  });
  t.equal(penalised.balance, 95);
  t.ok(penalised.reputationScore < 0.5);
  const rows = (await req('GET', `/credits/${sid}/w1/history`)).body.transactions;
  t.match(rows[0], { transactionType: 'penalty', referenceType: 'budget', referenceId: budget.body.id });

  for (const handle of ['w1', 'w2']) await req('PATCH', `/tasks/${tasks[handle]}`, { status: 'resolved' });
  const w2 = await waitFor('w2 paid with the bonus', async () => {
    const response = await req('GET', `/credits/${sid}/w2`);
    return response.status === 200 && response.body.balance === 112 ? response.body : undefined;
  });
  t.equal(w2.totalEarned, 12, '10 for the task, 2 for the budget respected');
  const w1 = await waitFor('w1 paid without it', async () => {
    const account = (await req('GET', `/credits/${sid}/w1`)).body;
    return account.balance > 95 ? account : undefined;
  });
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await req('GET', `/credits/${sid}/w1`)).body.balance, 105, 'no bonus for the worker a budget paused');
  t.equal(w1.taskCount, 2);
  await req('DELETE', `/budgets/${budget.body.id}`);
  for (const handle of ['w1', 'w2']) await req('POST', `/orchestrate/dismiss/${handle}`);
});
