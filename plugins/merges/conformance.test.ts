/**
 * Every merges operation conforms: 401 without a token, another team refused and told nothing, required
 * fields named by the route and the tools alike, the owner's valid call succeeding. A blocker entry (a
 * test that waits) holds target `hold`, so the entries the fixtures queue behind it stay queued.
 */
import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { startFleet, tempDir } from '../../test/kit/index.js';
import { testRepo } from './test-repo.js';

t.test('merges: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const repo = testRepo(tempDir(t, 'merges-conformance-'), { 'a.txt': 'a\n' });
  repo.git('branch', 'hold');
  for (let i = 0; i < 12; i++) repo.branch(`secret-${i}`, { [`f${i}.txt`]: `${i}\n` });
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, merges: { pollSeconds: 0.2 } },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  let next = 0;
  let blocked = false;
  const queued = async (c: FixtureContext) => {
    if (!blocked) {
      blocked = true;
      const test = ['node', '-e', 'setTimeout(() => {}, 600000)'];
      await c.call(c.alpha.lead, 'POST', '/merge-queue', { branch: 'secret-0', repo: repo.dir, target: 'hold', test });
    }
    next++;
    const body = { branch: `secret-${next}`, repo: repo.dir, target: 'hold' };
    return (await c.call(c.alpha.lead, 'POST', '/merge-queue', body)).id as string;
  };

  await runConformance(t, {
    fleet,
    plugin: 'merges',
    fixtures: {
      enqueueMerge: async (c) => {
        await queued(c);
        next++;
        return {
          input: { branch: `secret-${next}`, repo: repo.dir, target: 'hold', priority: 2 },
          otherTeam: 'own',
          validCallFirst: true,
        };
      },
      listMerges: async (c) => {
        const id = await queued(c);
        return { input: { status: 'queued' }, otherTeam: 'own', secrets: [id] };
      },
      getMerge: async (c) => {
        const id = await queued(c);
        return { input: { id }, secrets: [id] };
      },
      cancelMerge: async (c) => {
        const id = await queued(c);
        return { input: { id } };
      },
      retryMerge: async (c) => {
        const id = await queued(c);
        await c.call(c.alpha.lead, 'DELETE', `/merge-queue/${id}`);
        return { input: { id } };
      },
    },
  });
});
