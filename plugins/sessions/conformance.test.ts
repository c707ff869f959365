import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startFleet } from '../../test/kit/index.js';

/**
 * Every operation of the sessions plugin: 401 without a token, another team refused or answered
 * about its own team, each missing field named, a wrong type refused alike by route and tool, and
 * the owner's valid call. Sessions are recorded by hand here (no workers); trim and continue need a
 * running worker, so their valid calls are in lineage.test.ts.
 */
t.test('sessions: every operation conforms', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, sessions: true } });
  const record = async (call: (...args: any[]) => Promise<any>, lead: any, summary: string) =>
    call(lead, 'POST', '/sessions', { handle: 'alpha-w1', summary });
  const needsWorker = 'trim and continue need a running worker: lineage.test.ts makes their valid calls';
  await runConformance(t, {
    fleet,
    plugin: 'sessions',
    fixtures: {
      createSession: async () => ({ input: { handle: 'alpha-w1', summary: 'recorded by hand' } }),
      getSession: async ({ alpha, call }) => {
        const session = await record(call, alpha.lead, 'alpha get secret');
        return { input: { id: session.id }, secrets: ['alpha get secret'] };
      },
      listWorkerSessions: async ({ alpha, call }) => {
        await record(call, alpha.lead, 'alpha list secret');
        return { input: { handle: 'alpha-w1' }, otherTeam: 'own', secrets: ['alpha list secret'] };
      },
      trimSession: async ({ alpha, call }) => {
        const session = await record(call, alpha.lead, 'alpha trim secret');
        return { input: { id: session.id }, skipValidCall: needsWorker, secrets: ['alpha trim secret'] };
      },
      continueSession: async ({ alpha, call }) => {
        const session = await record(call, alpha.lead, 'alpha continue secret');
        return { input: { id: session.id }, skipValidCall: needsWorker, secrets: ['alpha continue secret'] };
      },
      sessionLineage: async ({ alpha, call }) => {
        const root = await record(call, alpha.lead, 'alpha root secret');
        await call(alpha.lead, 'POST', '/sessions', { handle: 'alpha-w1', parentId: root.id });
        return { input: { id: root.id }, secrets: ['alpha root secret'] };
      },
      searchSessions: async () => ({ input: { query: 'anything at all' }, otherTeam: 'own' }),
      costs: async () => ({ input: { by: 'worker' }, otherTeam: 'own' }),
      costsByDay: async () => ({ input: { days: 7 }, otherTeam: 'own' }),
    },
  });
});
