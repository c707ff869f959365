/**
 * Queued spawn ids past PostgreSQL's 32-bit serial range are refused as input (400 naming id):
 * on PostgreSQL they used to reach the query and fail "out of range" with a 500. Found by the
 * API fuzzer (test/fuzz).
 */
import t from 'tap';
import { startWorkersFleet } from '../../test/kit/index.js';

t.test('a queued spawn id past 2147483647 is a 400 naming id, on every queue route', async (t) => {
  const w = await startWorkersFleet(t);
  const { fleet } = w;
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  for (const [method, id] of [
    ['GET', '83842287263520'],
    ['DELETE', '2147483648'],
  ] as const) {
    const response = await fleet.request(method, `/spawn-queue/${id}`, { token: lead });
    t.equal(response.status, 400, `${method} /spawn-queue/${id}`);
    t.same(response.body, {
      error: 'id: must be at most 2147483647',
      code: 'FLEET_INVALID_INPUT',
      field: 'id',
    });
  }
  const largest = await fleet.request('GET', '/spawn-queue/2147483647', { token: lead });
  t.equal(largest.status, 404, 'the largest serial id is a plain not found');
});
