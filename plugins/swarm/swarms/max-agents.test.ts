/**
 * maxAgents holds under racing spawns: four spawns at once into a swarm of two start exactly two;
 * a member that ends frees its place; a queued spawn (the fleet full) keeps its swarm id.
 */
import t from 'tap';
import { startWorkerFleet } from '../../../test/kit/index.js';

t.test('maxAgents: racing spawns, a freed place, queued spawns', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true }, max: 3 });
  const { fleet, lead } = w;
  const sid = (await fleet.request('POST', '/swarms', { token: lead, body: { name: 'pair', maxAgents: 2 } })).body.id;
  const racing = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((handle) => w.spawn(handle, { swarmId: sid })));
  const started = racing.filter((r) => r.status === 201);
  t.equal(started.length, 2, JSON.stringify(racing.map((r) => r.status)));
  t.ok(racing.filter((r) => r.status === 409).every((r) => r.body.code === 'SWARM_FULL'));
  const members = (await fleet.request('GET', `/swarms/${sid}`, { token: lead })).body.agents;
  t.equal(members.length, 2);

  // One member dismissed: its place is free again.
  const gone = members[0].handle as string;
  t.equal((await fleet.request('POST', `/orchestrate/dismiss/${gone}`, { token: lead })).status, 200);
  const next = await w.spawn('r5', { swarmId: sid });
  t.equal(next.status, 201, JSON.stringify(next.body));

  // The fleet full (max 3): a spawn into another swarm is queued with its swarm id.
  const other = (await fleet.request('POST', '/swarms', { token: lead, body: { name: 'later' } })).body.id;
  t.equal((await w.spawn('x1')).status, 201);
  const queued = await w.spawn('q1', { swarmId: other });
  t.equal(queued.status, 202, JSON.stringify(queued.body));
  await fleet.request('POST', '/orchestrate/dismiss/x1', { token: lead });
  const joined = await w.waitWorker('q1', (worker) => worker.state !== 'starting', 'started from the queue');
  t.equal(joined.swarmId, other);
  t.same(
    (await fleet.request('GET', `/swarms/${other}`, { token: lead })).body.agents.map((a: any) => a.handle),
    ['q1'],
  );
  for (const handle of ['r5', members[1].handle, 'q1'])
    await fleet.request('POST', `/orchestrate/dismiss/${handle}`, { token: lead });
});

t.test('maxAgents: a member dismissed before any later spawn saw it frees its place', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true }, max: 3 });
  const { fleet, lead } = w;
  const sid = (await fleet.request('POST', '/swarms', { token: lead, body: { name: 'pair', maxAgents: 2 } })).body.id;
  t.equal((await w.spawn('a1', { swarmId: sid })).status, 201);
  t.equal((await w.spawn('a2', { swarmId: sid })).status, 201);
  // a2's admission was never followed by another spawn into the swarm before it ended.
  t.equal((await fleet.request('POST', '/orchestrate/dismiss/a2', { token: lead })).status, 200);
  const next = await w.spawn('a3', { swarmId: sid });
  t.equal(next.status, 201, JSON.stringify(next.body));
  const refused = await w.spawn('a4', { swarmId: sid });
  t.equal(refused.status, 409, JSON.stringify(refused.body));
  t.equal(refused.body.code, 'SWARM_FULL');
  for (const handle of ['a1', 'a3']) await fleet.request('POST', `/orchestrate/dismiss/${handle}`, { token: lead });
});
