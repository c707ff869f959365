import t from 'tap';
import { as, registerTeam, startFleet } from '../../../test/kit/index.js';

t.test('the seed’s examples are seeded once per team, valid, with {{inputs.x}}, never re-versioned', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, workflows: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['alpha-w1']);
  const beta = await registerTeam(fleet, 'beta', []);
  const first = (await as(fleet, alpha.workers[0]!, 'GET', '/workflows?isTemplate=true')).body as any[];
  t.same(first.map((w) => w.name).sort(), ['checkpoint-gate', 'feature-branch', 'parallel-test']);
  t.ok(first.every((w) => w.version === 1 && w.isTemplate));
  const feature = first.find((w) => w.name === 'feature-branch');
  t.match(JSON.stringify(feature.definition), /\{\{inputs\.feature\}\}/, 'templates read inputs.x');
  t.notMatch(JSON.stringify(feature.definition), /\{\{feature\}\}/);
  const again = (await as(fleet, alpha.lead, 'GET', '/workflows')).body as any[];
  t.equal(again.length, 3, 'not seeded twice');
  await as(fleet, alpha.lead, 'DELETE', `/workflows/${feature.id}`);
  t.equal(((await as(fleet, alpha.lead, 'GET', '/workflows')).body as any[]).length, 2, 'a deleted one stays deleted');
  const other = (await as(fleet, beta.lead, 'GET', '/workflows')).body as any[];
  t.equal(other.length, 3, 'another team has its own copies');
  t.notOk(other.some((w) => w.id === feature.id));
});
