import t from 'tap';
import { fakeAgentWorkers, startFleet, startWorkerFleet, waitFor, WsClient } from '../../test/kit/index.js';
import type { SessionsApi } from '../sessions/index.js';
import type { BudgetsApi } from './index.js';

/**
 * Budgets on real workers (the fake agent in tmux): a breach pauses every worker the budget covers
 * (reason budget, its id as source) and refuses new work; a raise resumes them (the time from PATCH to
 * worker_resumed is printed); a restart while paused keeps them paused until the budget is under.
 */
const PLUGINS = { sessions: true, budgets: { checkMs: 200 } };

t.test('budgets: breach pauses, new work refused, a raise resumes; a restart keeps them paused', async (t) => {
  const { fleet, lead, spawn, waitWorker, socket } = await startWorkerFleet(t, { plugins: PLUGINS });
  const ws = await WsClient.open(t, fleet, lead);
  for (const handle of ['w1', 'w2']) {
    t.equal((await spawn(handle)).status, 201, `${handle} spawned`);
    await waitWorker(handle, (w) => w.state === 'idle' || w.state === 'ready', 'ready');
  }
  const budget = (
    await fleet.request('POST', '/budgets', {
      token: lead,
      body: { scope: { kind: 'team' }, unit: 'tokens', limit: 1000, period: 'day' },
    })
  ).body;
  const send = (handle: string, message: string) =>
    fleet.request('POST', `/orchestrate/send/${handle}`, { token: lead, body: { message } });
  t.equal((await send('w1', 'USAGE 500 100')).status, 200);
  await waitFor('600 spent', async () => {
    const view = (await fleet.request('GET', `/budgets/${budget.id}`, { token: lead })).body;
    return view.spent === 610 || view.spent === 600 ? view : undefined;
  });
  t.equal((await send('w2', 'USAGE 500 100')).status, 200);
  for (const handle of ['w1', 'w2']) await waitWorker(handle, (w) => w.state === 'paused', 'paused for the budget');
  const w1 = await waitWorker('w1', (w) => w.pause?.reason === 'budget', 'pause reason');
  t.match(w1.pause, { reason: 'budget', source: budget.id });
  const view = (await fleet.request('GET', `/budgets/${budget.id}`, { token: lead })).body;
  t.match(view, { over: true, paused: ['w1', 'w2'] });
  t.equal(ws.received.filter((m: any) => m.type === 'budget_exceeded').length, 1);

  const refused = await spawn('w3');
  t.match(refused, { status: 409, body: { code: 'BUDGETS_EXCEEDED', budget: budget.id } });
  t.match(refused.body.error, /team alpha.*spent 1200 of 1000 tokens/);

  // A raise: both resume within 5 s.
  const raised = Date.now();
  await fleet.request('PATCH', `/budgets/${budget.id}`, { token: lead, body: { limit: 100_000 } });
  const resumedAt: Record<string, number> = {};
  await waitFor(
    'both resumed',
    () => {
      for (const m of ws.received as any[])
        if (m.type === 'worker_resumed' && resumedAt[m.handle] === undefined) resumedAt[m.handle] = Date.now();
      return resumedAt.w1 !== undefined && resumedAt.w2 !== undefined ? true : undefined;
    },
    10_000,
    10,
  );
  const times = Object.values(resumedAt).map((at) => at - raised);
  t.comment(`cap raise → worker_resumed: ${times.join(' ms, ')} ms`);
  t.ok(
    times.every((ms) => ms < 5000),
    'resumed within 5 s',
  );
  for (const handle of ['w1', 'w2']) await waitWorker(handle, (w) => w.state !== 'paused', 'running again');

  // Over again (the limit back down), then the server restarts: they stay paused.
  await fleet.request('PATCH', `/budgets/${budget.id}`, { token: lead, body: { limit: 1000 } });
  for (const handle of ['w1', 'w2']) await waitWorker(handle, (w) => w.state === 'paused', 'paused again');
  await fleet.kernel.api<SessionsApi>('sessions')!.settled();
  await fleet.kernel.stop();
  const again = await startFleet(t, {
    dataDir: fleet.dataDir,
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      ...PLUGINS,
      workers: fakeAgentWorkers({ max: 10, tmux: { socket } }),
    },
    config: { storage: fleet.storage, server: { rateLimit: { max: 1_000_000 } } },
  });
  const worker = async (handle: string) =>
    ((await again.request('GET', '/orchestrate/workers', { token: lead })).body as any[]).find(
      (w) => w.handle === handle,
    );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.match(await worker('w1'), { state: 'paused', pause: { reason: 'budget' } }, 'still paused after the restart');
  t.match((await again.request('GET', `/budgets/${budget.id}`, { token: lead })).body, {
    over: true,
    paused: ['w1', 'w2'],
  });
  await again.request('PATCH', `/budgets/${budget.id}`, { token: lead, body: { limit: 100_000 } });
  await waitFor('resumed after the restart', async () =>
    (await worker('w1'))?.state !== 'paused' && (await worker('w2'))?.state !== 'paused' ? true : undefined,
  );
  t.pass('resumed once the budget was under');
  void again.kernel.api<BudgetsApi>('budgets');
});
