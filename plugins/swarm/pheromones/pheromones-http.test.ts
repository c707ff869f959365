import t from 'tap';
import { type Agent, callTool, registerAgent, startFleet, type TestLike, toolJson } from '../../../test/kit/index.js';

// The routes and tools through a real fleet (auth, tasks and swarm; no workers): the seed's bugs
// fixed (intensity above 1, the query's numbers and flags), bad inputs per operation, team scoping.

async function setup(t: TestLike) {
  const fleet = await startFleet(t, { plugins: { auth: true, mail: true, tasks: true, swarm: true } });
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const w1 = await registerAgent(fleet, 'w1', 'alpha');
  const w2 = await registerAgent(fleet, 'w2', 'alpha');
  const other = await registerAgent(fleet, 'lead-b', 'beta', 'team-lead');
  const call = (agent: Agent, method: string, path: string, body?: unknown) =>
    fleet.request(method, path, { token: agent.token, body });
  const made = await call(lead, 'POST', '/swarms', { name: 'builders' });
  const sid = made.body.id as string;
  return { fleet, lead, w1, w2, other, call, sid };
}

let sid = 'swarm-1';
const deposit = (extra: Record<string, unknown> = {}) => ({
  swarmId: sid,
  resourceType: 'file',
  resourceId: 'src/a.ts',
  trailType: 'modify',
  ...extra,
});

t.test('deposit, query, resource, activity, hot, stats and decay over HTTP', async (t) => {
  const { w1, w2, lead, call, other, ...rest } = await setup(t);
  sid = rest.sid;
  const made = await call(w1, 'POST', '/pheromones', deposit({ intensity: 7, metadata: { note: 'x' } }));
  t.equal(made.status, 201, JSON.stringify(made.body));
  t.equal(made.body.intensity, 7, 'above 1 is stored (the seed answered 500)');
  t.equal(made.body.depositorHandle, 'w1', 'from the token');
  t.equal(made.body.decayedAt, null);
  t.equal((await call(w2, 'POST', '/pheromones', deposit({ trailType: 'touch' }))).status, 201);
  t.equal((await call(w2, 'POST', '/pheromones', deposit({ resourceId: 'src/b.ts', intensity: 0.5 }))).status, 201);
  const lead1 = await call(lead, 'POST', '/pheromones', deposit({ depositorHandle: 'w2', resourceId: 'src/c.ts' }));
  t.equal(lead1.status, 201, 'a lead may deposit for an agent of its team');
  t.equal(lead1.body.depositorHandle, 'w2');

  const q = await call(w2, 'GET', `/pheromones/${sid}?activeOnly=true&minIntensity=0.6&trailType=modify&limit=10`);
  t.equal(q.status, 200, 'activeOnly and minIntensity in the query work (the seed: always 400)');
  t.same(
    q.body.trails.map((x: { resourceId: string }) => x.resourceId),
    ['src/a.ts', 'src/c.ts'],
  );
  t.equal(q.body.count, 2);
  const res = await call(w1, 'GET', `/pheromones/${sid}/resource/${encodeURIComponent('src/a.ts')}`);
  t.equal(res.status, 200);
  t.equal(res.body.count, 2);
  const activity = await call(w1, 'GET', `/pheromones/${sid}/activity?limit=2`);
  // Real time passes while the test runs: intensities are a hair under what was deposited.
  t.same(
    activity.body.activity.map((a: { resourceId: string; totalIntensity: number }) => [
      a.resourceId,
      Math.round(a.totalIntensity * 10) / 10,
    ]),
    [
      ['src/a.ts', 8],
      ['src/c.ts', 1],
    ],
  );
  const hot = await call(w1, 'GET', `/pheromones/${sid}/hot?resourceType=file`);
  t.equal(hot.status, 200);
  t.equal(hot.body.activity[0].resourceId, 'src/a.ts');
  t.equal(Math.round(hot.body.activity[0].score), 22, '7×3 + 1×1');
  t.same(hot.body.activity[0].byType, { modify: 1, touch: 1 });
  const stats = await call(w1, 'GET', `/pheromones/${sid}/stats`);
  t.equal(stats.body.activeTrails, 4);
  t.equal(stats.body.byType.modify, 3);
  const decay = await call(lead, 'POST', '/pheromones/decay', {
    swarmId: sid,
    decayRate: 0.5,
    minIntensity: 0.3,
  });
  t.same(decay.body, { success: true, decayed: 4, removed: 1 }, 'b (0.5 → 0.25) retired');
  t.equal((await call(w1, 'GET', `/pheromones/${sid}/stats`)).body.decayedTrails, 1);

  // Another team: the swarm is not found, whatever it asks; its own decay touches nothing of alpha's.
  for (const path of ['', '/hot', '/stats', '/activity', '/resource/src%2Fa.ts']) {
    const r = await call(other, 'GET', `/pheromones/${sid}${path}`);
    t.equal(r.status, 404, path);
    t.equal(r.body.code, 'SWARM_NOT_FOUND');
  }
  t.equal((await call(other, 'POST', '/pheromones', deposit())).status, 404, 'nor can it deposit there');
  t.equal((await call(other, 'POST', '/pheromones/decay', { swarmId: sid })).status, 404);
  t.same((await call(other, 'POST', '/pheromones/decay', {})).body, { success: true, decayed: 0, removed: 0 });
  t.equal((await call(w1, 'GET', '/pheromones/nope')).status, 404, 'an unknown swarm');
  t.equal((await call(w1, 'GET', '/pheromones/team')).status, 200, 'the team-wide space is always there');
  t.equal((await call(w1, 'GET', `/pheromones/${sid}`)).body.count, 3, 'the other team’s decay touched nothing');
});

t.test('the tools: deposit as self, query (works), hot resources; no swarm → the team-wide space', async (t) => {
  const { fleet, w1, w2 } = await setup(t);
  const made = toolJson(
    await callTool(fleet, w1, 'pheromone_deposit', {
      resource_type: 'file',
      resource_id: 'README.md',
      trail_type: 'warning',
      intensity: 3,
    }),
  );
  t.equal(made.swarmId, 'team', 'a worker outside swarms writes in the team-wide space');
  t.equal(made.depositorHandle, 'w1');
  const query = toolJson(await callTool(fleet, w2, 'pheromone_query', { min_intensity: 1, active_only: true }));
  t.equal(query.count, 1, 'pheromone_query answers (the seed: always 400)');
  const hot = toolJson(await callTool(fleet, w2, 'pheromone_hot_resources', { swarm_id: 'team', limit: 5 }));
  t.equal(hot.activity[0].resourceId, 'README.md');
  t.equal(Math.round(hot.activity[0].score), 6);
  const denied = await callTool(fleet, w1, 'pheromone_deposit', {
    resource_type: 'file',
    resource_id: 'x',
    trail_type: 'touch',
    depositor_handle: 'w2',
  });
  t.ok(denied.isError, 'no depositor argument: the tool deposits as its caller');
});

t.test('bad inputs: 400 naming the field, 403 for others, never 500', async (t) => {
  const { w1, call, ...rest } = await setup(t);
  sid = rest.sid;
  const cases: [string, string, unknown, number, string][] = [
    ['POST', '/pheromones', deposit({ intensity: 11 }), 400, 'intensity'],
    ['POST', '/pheromones', deposit({ intensity: -1 }), 400, 'intensity'],
    ['POST', '/pheromones', deposit({ intensity: 'lots' }), 400, 'intensity'],
    ['POST', '/pheromones', deposit({ resourceType: 'function' }), 400, 'resourceType'],
    ['POST', '/pheromones', deposit({ trailType: 'smell' }), 400, 'trailType'],
    ['POST', '/pheromones', deposit({ resourceId: '' }), 400, 'resourceId'],
    ['POST', '/pheromones', deposit({ resourceId: 'x'.repeat(501) }), 400, 'resourceId'],
    ['POST', '/pheromones', deposit({ swarmId: 'bad id!' }), 400, 'swarmId'],
    ['POST', '/pheromones', deposit({ metadata: [1, 2] }), 400, 'metadata'],
    ['POST', '/pheromones', deposit({ depositorHandle: 'w2' }), 403, 'depositorHandle'],
    ['POST', '/pheromones', { swarmId: sid }, 400, 'resourceType'],
    ['GET', `/pheromones/${sid}?activeOnly=maybe`, undefined, 400, 'activeOnly'],
    ['GET', `/pheromones/${sid}?minIntensity=x`, undefined, 400, 'minIntensity'],
    ['GET', `/pheromones/${sid}?limit=0`, undefined, 400, 'limit'],
    ['GET', `/pheromones/${sid}?limit=1001`, undefined, 400, 'limit'],
    ['GET', `/pheromones/${sid}?trailType=nope`, undefined, 400, 'trailType'],
    ['GET', `/pheromones/${'s'.repeat(101)}`, undefined, 400, 'swarmId'],
    ['GET', `/pheromones/${sid}/activity?resourceType=x`, undefined, 400, 'resourceType'],
    ['GET', `/pheromones/${sid}/hot?limit=-3`, undefined, 400, 'limit'],
    ['GET', '/pheromones/bad%20id/stats', undefined, 400, 'swarmId'],
    ['GET', `/pheromones/${sid}/resource/${'r'.repeat(501)}`, undefined, 400, 'resourceId'],
    ['POST', '/pheromones/decay', {}, 403, ''],
  ];
  for (const [method, path, body, status, field] of cases) {
    const r = await call(w1, method, path, body);
    t.equal(
      r.status,
      status,
      `${method} ${path.slice(0, 60)} ${JSON.stringify(body)?.slice(0, 80)}: ${JSON.stringify(r.body)}`,
    );
    t.type(r.body.code, 'string', 'a code');
    if (field) t.match(JSON.stringify(r.body), field, `names ${field}`);
  }
});

t.test('the lead decay: bad rates are 400', async (t) => {
  const { lead, call, ...rest } = await setup(t);
  sid = rest.sid;
  for (const body of [{ decayRate: 1.5 }, { decayRate: -0.1 }, { minIntensity: 2 }, { swarmId: '' }]) {
    const r = await call(lead, 'POST', '/pheromones/decay', body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(r.body.error, Object.keys(body)[0]!);
  }
});
