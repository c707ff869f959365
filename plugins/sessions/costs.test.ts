/**
 * GET /costs reads whole hours from the hourly sums and the hours its range cuts from the results
 * themselves: checked against a plain sum over the same results for many ranges (hour boundaries,
 * a few ms, days, open ends) and every grouping. The results are seeded into session_usage and summed
 * into hours by the migration's own statement, as a database from before the hourly table would be.
 */
import type { Kysely } from 'kysely';
import t from 'tap';
import { startFleet } from '../../test/kit/index.js';
import { COST_GROUPS } from './costs.js';
import { sumIntoHours } from './migrations/0003-usage-hourly.js';

const HOUR = 3_600_000;

t.test('GET /costs equals a plain sum over the results, for any range and grouping', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, sessions: true } });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const db = fleet.kernel.db as Kysely<any>;
  const start = Math.floor(Date.parse('2026-11-20T00:00:00Z') / HOUR) * HOUR;
  // 1,500 results over three days, some in another team, some without a task or a cost, a second model on some.
  const rows: Record<string, any>[] = [];
  for (let i = 0; i < 1500; i++) {
    const base = {
      team_name: i % 9 === 0 ? 'beta' : 'alpha',
      handle: `w${i % 4}`,
      worker_created_at: 1,
      offset: i,
      session_id: `s${Math.floor(i / 40)}`,
      task_id: i % 5 === 0 ? null : `t${Math.floor(i / 100)}`,
      at: start + Math.floor((i * 3 * 24 * HOUR) / 1500) + (i % 7) * 13_001,
      cache_write_tokens: i % 3,
    };
    rows.push({
      ...base,
      model: 'm1',
      result: 1,
      input_tokens: 100 + i,
      output_tokens: 10 + (i % 17),
      cache_read_tokens: 1000,
      cost_nanos: i % 11 === 0 ? null : 1000 + i,
      cost_source: i % 11 === 0 ? null : 'reported',
    });
    if (i % 4 === 0)
      rows.push({
        ...base,
        model: 'm2',
        result: 0,
        input_tokens: 7,
        output_tokens: 3,
        cache_read_tokens: 0,
        cost_nanos: 500,
        cost_source: 'reported',
      });
  }
  for (let at = 0; at < rows.length; at += 200)
    await db
      .insertInto('session_usage')
      .values(rows.slice(at, at + 200))
      .execute();
  await sumIntoHours(db);

  const keyOf = {
    task: 'task_id',
    worker: 'handle',
    session: 'session_id',
    team: 'team_name',
    model: 'model',
  } as const;
  const expected = (by: (typeof COST_GROUPS)[number], since?: number, until?: number) => {
    const groups = new Map<
      string | null,
      { results: number; input: number; cost: number; priced: number; rows: number }
    >();
    for (const row of rows) {
      if (row.team_name !== 'alpha') continue;
      if (since !== undefined && row.at < since) continue;
      if (until !== undefined && row.at >= until) continue;
      const key = row[keyOf[by]] as string | null;
      const group = groups.get(key) ?? { results: 0, input: 0, cost: 0, priced: 0, rows: 0 };
      group.results += by === 'model' ? 1 : row.result;
      group.rows += 1;
      group.input += row.input_tokens;
      if (row.cost_nanos !== null) {
        group.cost += row.cost_nanos;
        group.priced += 1;
      }
      groups.set(key, group);
    }
    return [...groups]
      .map(([key, g]) => ({
        key,
        results: g.results,
        inputTokens: g.input,
        costUsd: g.priced === 0 ? null : g.cost / 1e9,
        unpricedResults: g.rows - g.priced,
      }))
      .sort((a, b) => String(a.key).localeCompare(String(b.key)));
  };
  const ranges: [number | undefined, number | undefined][] = [
    [undefined, undefined],
    [start, undefined],
    [undefined, start + 36 * HOUR],
    [start + HOUR, start + 2 * HOUR],
    [start + HOUR + 1, start + 2 * HOUR - 1],
    [start + 5 * HOUR + 123_456, start + 5 * HOUR + 223_456],
    [start + 10 * HOUR - 1, start + 10 * HOUR + 1],
    [start + 17 * HOUR + 999, start + 53 * HOUR + 7],
    [start - 5 * HOUR, start + 100 * HOUR],
    [start + 80 * HOUR, undefined],
  ];
  for (const by of COST_GROUPS) {
    for (const [since, until] of ranges) {
      const query = new URLSearchParams({ by, limit: '1000' });
      if (since !== undefined) query.set('since', String(since));
      if (until !== undefined) query.set('until', String(until));
      const answer = await fleet.request('GET', `/costs?${query}`, { token: lead });
      t.equal(answer.status, 200);
      const got = (answer.body.groups as any[])
        .map((g) => ({
          key: g.key,
          results: g.results,
          inputTokens: g.inputTokens,
          costUsd: g.costUsd,
          unpricedResults: g.unpricedResults,
        }))
        .sort((a, b) => String(a.key).localeCompare(String(b.key)));
      t.same(got, expected(by, since, until), `by=${by} since=${since ?? '-'} until=${until ?? '-'}`);
    }
  }
});
