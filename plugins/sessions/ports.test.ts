/**
 * The checkpoints plugin's api is what trim and continue expect of it (CheckpointsPort): the
 * compiler checks the types (`fits` below), and a running fleet's api has every method.
 */
import t from 'tap';
import { startFleet } from '../../test/kit/index.js';
import type { CheckpointsApi } from '../checkpoints/index.js';
import type { CheckpointsPort } from './ports.js';

const fits = (api: CheckpointsApi): CheckpointsPort => api;
const METHODS: readonly (keyof CheckpointsPort)[] = ['create', 'get', 'latestFor', 'render', 'fit'];

t.test('the checkpoints plugin’s api fits CheckpointsPort', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, checkpoints: true, sessions: true } });
  const port = fits(fleet.kernel.api<CheckpointsApi>('checkpoints')!);
  for (const method of METHODS) t.type(port[method], 'function', `checkpoints api has ${method}`);
  const draft = port.fit({ goal: 'g'.repeat(5000), now: 'n', next: ['x'], filesModified: ['/a'] });
  t.equal(draft.goal.length, 1000, 'fit cuts a draft to the limits create checks');
  const made = await port.create('alpha', { fromHandle: 'w1', toHandle: 'w1', createdBy: 'lead', checkpoint: draft });
  t.match(await port.latestFor('alpha', 'w1'), { id: made.id, fromHandle: 'w1', toHandle: 'w1' });
  t.match(port.render(made), /Now: n/, 'render gives the text an agent reads');
});
