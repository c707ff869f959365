/**
 * Budgets benchmark, on a real fleet (auth, mail, tasks, sessions, budgets; SQLite): the admission
 * check (what every spawn, send, assignment and claim pays) with a team's budgets of every scope and
 * unit, and the event path: 20 workers' model requests (worker_request) published on the spine and
 * judged against the budgets, with a result (cost_recorded) every 10 requests per worker.
 */
import type { BudgetsApi } from '../../plugins/budgets/index.js';
import { bootBenchFleet } from './lib/fleet.js';
import { formatNumber, formatTable } from './lib/table.js';

const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? 5));
const WORKERS = 20;

const fleet = await bootBenchFleet({ auth: true, mail: true, tasks: true, sessions: true, budgets: true });
try {
  const lead = await fetch(`${fleet.url}/auth`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fleet.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ handle: 'lead', teamName: 'alpha', agentType: 'team-lead' }),
  }).then((r) => r.json() as Promise<{ token: string }>);
  const post = (body: unknown) =>
    fetch(`${fleet.url}/budgets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lead.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // Budgets a team might have: the team in three units, and a budget per worker.
  for (const unit of ['usd', 'tokens', 'turns'])
    await post({ scope: { kind: 'team' }, unit, limit: 1e12, period: 'day', throttleAt: 0.9 });
  for (let i = 0; i < WORKERS; i++)
    await post({ scope: { kind: 'worker', id: `w${i}` }, unit: 'tokens', limit: 1e12, period: 'total' });
  const api = fleet.kernel.api<BudgetsApi>('budgets')!;

  const latencies: number[] = [];
  let checks = 0;
  const admitEnd = performance.now() + SECONDS * 1000;
  while (performance.now() < admitEnd) {
    const started = performance.now();
    await api.engine.admit(checks % 2 ? 'send' : 'spawn', 'alpha', `w${checks % WORKERS}`);
    latencies.push(performance.now() - started);
    checks++;
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;

  // The event path: requests through the spine to the engine (publish → listener → judge every covering budget).
  let requests = 0;
  const spine = fleet.kernel.spine;
  const eventEnd = performance.now() + SECONDS * 1000;
  const eventStart = performance.now();
  while (performance.now() < eventEnd) {
    for (let batch = 0; batch < 100; batch++) {
      const handle = `w${requests % WORKERS}`;
      spine.publish({
        topic: `team.alpha.workers.${handle}`,
        type: 'worker_request',
        team: 'alpha',
        data: {
          handle,
          messageId: `m${requests}`,
          model: 'm',
          tokens: { input: 100, output: 10, cacheRead: 0, cacheWrite: 0 },
        },
      });
      if (requests % (WORKERS * 10) < WORKERS)
        spine.publish({
          topic: `team.alpha.sessions.${handle}`,
          type: 'cost_recorded',
          team: 'alpha',
          data: {
            handle,
            sessionId: 's',
            agentSessionId: null,
            taskId: null,
            models: [],
            costUsd: null,
            contextTokens: null,
          },
        });
      requests++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const eventSeconds = (performance.now() - eventStart) / 1000;
  await api.engine.settled();
  process.stdout.write(
    formatTable(
      ['budgets (23 of team alpha)', 'ops/s', 'p50 µs', 'p99 µs'],
      [
        [
          'admission check (spawn/send)',
          formatNumber(checks / SECONDS),
          formatNumber(pct(0.5) * 1000, 1),
          formatNumber(pct(0.99) * 1000, 1),
        ],
        [`worker_request events (${WORKERS} workers)`, formatNumber(requests / eventSeconds), '', ''],
      ],
    ) + '\n',
  );
} finally {
  await fleet.close();
}
