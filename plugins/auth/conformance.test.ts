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
      revokeTokens: async ({ alpha, call }) => {
        const agent = await call(alpha.lead, 'POST', '/auth', { handle: 'alpha-revoked', teamName: 'alpha' });
        return {
          input: { handle: 'alpha-revoked' },
          // The handle is the caller's own input (echoed in the 404); the uid is what must not leak.
          secrets: [agent.uid],
          skipAgreement: 'each call ends the tokens again, so the version it answers moves on',
        };
      },
      teamStatus: async () => ({ input: {}, otherTeam: 'own', secrets: ['alpha-w1', 'lead-alpha'] }),
    },
  });
});
