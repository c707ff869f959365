/**
 * Budgets above the per-agent one: all the agents of a team share a team budget (a lead minting
 * worker tokens gets no more requests for its team), and requests with a refused credential have
 * a tight budget of their own per address, apart from anonymous requests.
 */
import t from 'tap';
import { resolveConfig } from '../../core/config/load-config.js';
import { startFleet } from '../kit/index.js';

t.test('a team budget above the agents’: more tokens buy the team nothing; other teams keep theirs', async (t) => {
  const fleet = await startFleet(t, { config: { server: { rateLimit: { windowMs: 60_000, max: 5, teamMax: 8 } } } });
  const lead = await fleet.register('lead', 'alpha', 'team-lead');
  const minted: string[] = [];
  for (let i = 0; i < 4; i++) {
    const registered = await fleet.request('POST', '/auth', {
      token: lead.token,
      body: { handle: `w${i}`, teamName: 'alpha' },
    });
    t.equal(registered.status, 200, `the lead mints worker token ${i}`);
    minted.push(registered.body.token);
  }
  // The lead spent 4 of the team's 8 minting; its 4 workers get the other 4 between them.
  const statuses: number[] = [];
  for (const token of minted)
    for (let i = 0; i < 2; i++) statuses.push((await fleet.request('GET', '/teams/alpha/agents', { token })).status);
  t.same(statuses, [200, 200, 200, 200, 429, 429, 429, 429], 'each worker is under its own 5, the team is not');
  const refused = await fleet.request('GET', '/teams/alpha/agents', { token: minted[0]! });
  t.same(refused.body, { error: 'Too many requests. Try again later.', code: 'FLEET_RATE_LIMITED', scope: 'team' });
  t.equal(refused.headers.get('ratelimit-limit'), '8', 'the headers speak of the budget that ran out');
  t.ok(Number(refused.headers.get('retry-after')) >= 1);

  const beta = await fleet.register('lead', 'beta', 'team-lead');
  t.equal((await fleet.request('GET', '/teams/beta/agents', { token: beta.token })).status, 200, 'beta has its own');
  t.equal((await fleet.request('GET', '/health')).status, 200, '/health stays exempt');
});

t.test('refused credentials: a tight budget per address of their own; anonymous callers keep theirs', async (t) => {
  const fleet = await startFleet(t, { config: { server: { rateLimit: { max: 50, authFailuresMax: 3 } } } });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++)
    statuses.push((await fleet.request('GET', '/teams/alpha/agents', { token: `forged-${i}` })).status);
  t.same(statuses, [403, 403, 403, 429, 429], 'three refusals (403 Invalid token), then 429');
  const limited = await fleet.request('GET', '/teams/alpha/agents', { token: 'forged-again' });
  t.match(limited.body, { code: 'FLEET_RATE_LIMITED', scope: 'auth-failures' });
  t.equal((await fleet.request('GET', '/openapi.json')).status, 200, 'an anonymous request still goes through');
  const alice = await fleet.register('alice', 'alpha');
  t.equal(
    (await fleet.request('GET', '/teams/alpha/agents', { token: alice.token })).status,
    200,
    'a valid token is not held back by the failures',
  );
});

t.test('teamMax and authFailuresMax are checked like the other limits', async (t) => {
  const resolved = resolveConfig({ server: { rateLimit: { max: 7 } } }, { env: {} });
  t.match(resolved.server.rateLimit, { max: 7, teamMax: 70, authFailuresMax: 20 }, 'the team default follows max');
  t.throws(
    () => resolveConfig({ server: { rateLimit: { teamMax: 0 } } }, { env: {} }),
    /server\.rateLimit\.teamMax: must be at least 1/,
  );
});
