/**
 * GET /costs/daily: a team's spend per UTC day, equal to a plain sum over its results, every day of the
 * range listed (empty days with a null cost), another team's results left out, bad input a 400 naming
 * `days`. Results are seeded into session_usage and summed into hours by the migration's own statement.
 */
import type { Kysely } from 'kysely';
import t from 'tap';
import { startFleet } from '../../test/kit/index.js';
import { sumIntoHours } from './migrations/0003-usage-hourly.js';

const DAY = 86_400_000;

t.test('GET /costs/daily sums each UTC day of the team, oldest first', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, sessions: true } });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const worker = (await fleet.register('ann', 'alpha')).token;
  const db = fleet.kernel.db as Kysely<any>;
  const today = Math.floor(Date.now() / DAY);
  // Results on days today-9 .. today (none on today-3), some unpriced, some of team beta.
  const rows: Record<string, any>[] = [];
  for (let i = 0; i < 600; i++) {
    const back = i % 10;
    if (back === 3) continue;
    rows.push({
      team_name: i % 7 === 0 ? 'beta' : 'alpha',
      handle: `w${i % 3}`,
      worker_created_at: 1,
      offset: i,
      model: i % 2 ? 'm1' : 'm2',
      session_id: `s${i % 5}`,
      task_id: i % 4 ? `t${i % 4}` : null,
      at: (today - back) * DAY + ((i * 7_919_000) % DAY),
      result: 1,
      input_tokens: 100 + i,
      output_tokens: 10,
      cache_read_tokens: 5,
      cache_write_tokens: i % 2,
      cost_nanos: i % 11 === 0 ? null : 1_000_000 + i,
      cost_source: i % 11 === 0 ? null : 'reported',
    });
  }
  await db.insertInto('session_usage').values(rows).execute();
  await sumIntoHours(db);

  const response = await fleet.request('GET', '/costs/daily?days=7', { token: worker });
  t.equal(response.status, 200);
  // The server reads its own clock: a run across midnight UTC would compare other days.
  if (Math.floor(Date.now() / DAY) !== today) {
    t.comment('the UTC day changed during the test: its days are not compared');
    return;
  }
  const body = response.body;
  t.equal(body.days.length, 7, 'every day of the range');
  t.equal(body.since, new Date((today - 6) * DAY).toISOString());
  for (const [index, entry] of body.days.entries()) {
    const day = today - 6 + index;
    t.equal(entry.day, new Date(day * DAY).toISOString().slice(0, 10));
    const mine = rows.filter((row) => row.team_name === 'alpha' && Math.floor(row.at / DAY) === day);
    const priced = mine.filter((row) => row.cost_nanos !== null);
    t.equal(entry.results, mine.length, `${entry.day}: results`);
    t.equal(
      entry.totalTokens,
      mine.reduce((n, r) => n + r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens, 0),
      `${entry.day}: tokens`,
    );
    t.equal(entry.unpricedResults, mine.length - priced.length, `${entry.day}: unpriced`);
    if (priced.length === 0) t.equal(entry.costUsd, null, `${entry.day}: no known cost is null, not 0`);
    else
      t.ok(Math.abs(entry.costUsd - priced.reduce((n, r) => n + r.cost_nanos, 0) / 1e9) < 1e-9, `${entry.day}: cost`);
  }
  t.equal(body.days[3].results, 0, 'a day without results is listed with zeros');
  const alphaWeek = rows.filter((r) => r.team_name === 'alpha' && Math.floor(r.at / DAY) > today - 7);
  t.equal(body.total.results, alphaWeek.length, 'the total is the sum of the days');

  const other = (await fleet.register('lead', 'gamma', 'team-lead')).token;
  const empty = await fleet.request('GET', '/costs/daily', { token: other });
  t.equal(empty.body.days.length, 14, 'default: 14 days');
  t.equal(empty.body.total.results, 0, 'another team sees none of alpha’s results');
  t.equal(empty.body.total.costUsd, null);

  for (const days of ['0', '367', 'x', '1.5']) {
    const bad = await fleet.request('GET', `/costs/daily?days=${days}`, { token: lead });
    t.equal(bad.status, 400, `days=${days}`);
    t.equal(bad.body.field, 'days');
  }
  t.equal((await fleet.request('GET', '/costs/daily')).status, 401, 'a token is required');
});
