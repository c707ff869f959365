import t from 'tap';
import { startFleet } from '../kit/index.js';

t.test('a fleet boots and answers /health', async (t) => {
  const fleet = await startFleet(t);
  const health = await fleet.request('GET', '/health', { token: fleet.adminKey });
  t.equal(health.status, 200);
  t.same(health.body.plugins, ['auth', 'metrics']);
});
