/**
 * Every leases operation conforms: 401 without a token, another team refused or answered about its
 * own leases and told nothing of the owner's, required fields named by the route and the tools alike,
 * the owner's valid call succeeding. Leases live in a real git repository in a temp dir.
 */
import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startFleet, tempDir } from '../../test/kit/index.js';
import { makeRepo } from './leases/test-repos.js';

t.test('leases: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, leases: true },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  let n = 0;
  const unique = (what: string) => `SECRET-${what}-${++n}`;
  const lease = async (c: Parameters<Parameters<typeof runConformance>[1]['fixtures'][string]>[0], what: string) => {
    const made = await c.call(c.alpha.lead, 'POST', '/leases', { repo, paths: [unique(what)] });
    return made as { id: string; paths: string[] };
  };

  await runConformance(t, {
    fleet,
    plugin: 'leases',
    fixtures: {
      // The other team asks for the same paths after the owner holds them: 409 naming only "another team".
      acquireLease: async () => ({
        input: { repo, paths: [unique('acquire')] },
        validCallFirst: true,
        otherTeam: 'own',
        secrets: ['lead-alpha'],
      }),
      listLeases: async (c) => {
        const made = await lease(c, 'list');
        return { input: {}, otherTeam: 'own', secrets: [made.id, made.paths[0]!] };
      },
      checkLeases: async (c) => {
        const made = await lease(c, 'check');
        return {
          input: { repo, paths: [`${made.paths[0]}/x.ts`] },
          otherTeam: 'own',
          secrets: [made.id, 'lead-alpha'],
        };
      },
      getLease: async (c) => {
        const made = await lease(c, 'get');
        return { input: { id: made.id }, secrets: [made.paths[0]!] };
      },
      releaseLease: async (c) => {
        const made = await lease(c, 'release');
        return { input: { id: made.id }, secrets: [made.paths[0]!] };
      },
      renewLease: async (c) => {
        const made = await lease(c, 'renew');
        return { input: { id: made.id }, secrets: [made.paths[0]!] };
      },
      listLeaseFlags: async () => ({ input: {}, otherTeam: 'own' }),
    },
  });
});
