import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

t.test('metrics: every operation conforms', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, metrics: true } });
  await runConformance(t, {
    fleet,
    plugin: 'metrics',
    fixtures: {
      // The fleet's own process metrics: the same for every team, nothing team-scoped in them.
      metricsJson: async () => ({ input: {}, otherTeam: 'own' }),
    },
  });
});
