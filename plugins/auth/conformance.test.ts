import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

t.test('auth: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true } });
  await runConformance(t, {
    fleet,
    plugin: 'auth',
    fixtures: {
      register: async () => ({ input: { handle: 'alpha-new', teamName: 'alpha' } }),
      listTeamAgents: async ({ alpha }) => ({
        input: { teamName: 'alpha' },
        secrets: [alpha.workers[0]!.uid, 'alpha-w1'],
      }),
      getUser: async ({ alpha }) => ({ input: { uid: alpha.workers[0]!.uid }, secrets: ['alpha-w1'] }),
      teamStatus: async () => ({ input: {}, otherTeam: 'own', secrets: ['alpha-w1', 'lead-alpha'] }),
    },
  });
});
