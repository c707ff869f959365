import t from 'tap';
import { migratedDatabase, type TestLike, testLogger } from '../../../test/kit/index.js';
import { pheromonesMigration } from '../migrations/0004-pheromones.js';
import { DEFAULT_DECAY, effectiveIntensity } from './decay.js';
import { PheromoneService } from './pheromone-service.js';

/** A PheromoneService on a fresh database of this run's engine, with a clock the test moves. */
async function serviceOnTestDb(t: TestLike) {
  const { db, dialect } = await migratedDatabase(t, [pheromonesMigration]);
  const clock = { now: Date.UTC(2026, 10, 1, 12) };
  const events: { type: string; team: string; data: unknown }[] = [];
  const service = new PheromoneService({
    db,
    dialect,
    clock: () => clock.now,
    log: testLogger(),
    emit: ((type: string, team: string, data: unknown) => void events.push({ type, team, data })) as never,
  });
  return { service, clock, events };
}

const MIN = 60_000;
const trail = (resourceId: string, trailType: 'touch' | 'modify' | 'error' | 'success', extra = {}) => ({
  swarmId: 'swarm-1',
  resourceType: 'file' as const,
  resourceId,
  depositorHandle: 'w1',
  trailType,
  ...extra,
});

t.test('a deposit of any intensity 0-10 is stored and announced; reads decay it by elapsed time', async (t) => {
  const { service, clock, events } = await serviceOnTestDb(t);
  const ten = await service.deposit('alpha', trail('src/a.ts', 'modify', { intensity: 10, metadata: { why: 'x' } }));
  t.equal(ten.intensity, 10);
  t.same(ten.metadata, { why: 'x' });
  t.equal(events.length, 1);
  t.equal(events[0]!.type, 'pheromone:deposit');
  const zero = await service.deposit('alpha', trail('src/z.ts', 'touch', { intensity: 0 }));
  t.equal(zero.depositedIntensity, 0);
  clock.now += 10 * MIN;
  const { trails } = await service.query('alpha', 'swarm-1', { limit: 10 });
  t.equal(trails.length, 1, 'the zero-intensity trail was never active');
  t.ok(Math.abs(trails[0]!.intensity - 10 * Math.pow(0.9, 10)) < 1e-3, `10 × 0.9^10, got ${trails[0]!.intensity}`);
  t.equal(trails[0]!.depositedIntensity, 10, 'nothing rewritten');
  // Intensity 10 at 0.1 a minute falls below 0.01 after ~65.6 minutes.
  clock.now += 55 * MIN;
  t.equal((await service.query('alpha', 'swarm-1', { limit: 10 })).count, 1);
  clock.now += 1 * MIN;
  t.equal((await service.query('alpha', 'swarm-1', { limit: 10 })).count, 0, 'faded');
  const all = await service.query('alpha', 'swarm-1', { limit: 10, activeOnly: false });
  t.equal(all.count, 2);
  t.ok(all.trails.every((x) => x.decayedAt !== null && x.intensity === 0));
});

t.test('query filters, minimum intensity on the decayed value, order strongest first', async (t) => {
  const { service, clock } = await serviceOnTestDb(t);
  await service.deposit('alpha', trail('a', 'touch', { intensity: 1 }));
  clock.now += 1000;
  await service.deposit('alpha', trail('b', 'modify', { intensity: 5, depositorHandle: 'w2' }));
  await service.deposit('alpha', trail('c', 'error', { intensity: 2, resourceType: 'task' }));
  let r = await service.query('alpha', 'swarm-1', { limit: 10 });
  t.same(
    r.trails.map((x) => x.resourceId),
    ['b', 'c', 'a'],
  );
  r = await service.query('alpha', 'swarm-1', { limit: 10, trailType: 'modify' });
  t.same(
    r.trails.map((x) => x.resourceId),
    ['b'],
  );
  r = await service.query('alpha', 'swarm-1', { limit: 10, depositorHandle: 'w1', resourceType: 'file' });
  t.same(
    r.trails.map((x) => x.resourceId),
    ['a'],
  );
  clock.now += 10 * MIN; // ×0.3487: b 1.74, c 0.70, a 0.35
  r = await service.query('alpha', 'swarm-1', { limit: 10, minIntensity: 0.5 });
  t.same(
    r.trails.map((x) => x.resourceId),
    ['b', 'c'],
  );
  r = await service.query('alpha', 'swarm-1', { limit: 1 });
  t.equal(r.count, 1);
  t.equal((await service.resource('alpha', 'swarm-1', 'a')).count, 1);
});

t.test('hot resources weigh modify and error over touch; activity keeps the seed unweighted sum', async (t) => {
  const { service, clock } = await serviceOnTestDb(t);
  await service.depositMany('alpha', [
    trail('read-a-lot', 'touch'),
    trail('read-a-lot', 'touch', { depositorHandle: 'w2' }),
    trail('read-a-lot', 'touch', { depositorHandle: 'w3' }),
    trail('edited', 'modify'),
    trail('edited', 'modify', { depositorHandle: 'w2' }),
    trail('broken', 'error'),
  ]);
  const hot = await service.hot('alpha', 'swarm-1', { limit: 10 });
  t.same(
    hot.resources.map((r) => [r.resourceId, r.score]),
    [
      ['edited', 6],
      ['read-a-lot', 3],
      ['broken', 2],
    ],
  );
  const edited = hot.resources[0]!;
  t.equal(edited.trailCount, 2);
  t.equal(edited.uniqueDepositors, 2);
  t.same(edited.byType, { modify: 2 });
  t.equal(edited.lastActivity, clock.now);
  const activity = await service.activity('alpha', 'swarm-1', { limit: 10 });
  t.same(
    activity.activity.map((r) => [r.resourceId, r.totalIntensity]),
    [
      ['read-a-lot', 3],
      ['edited', 2],
      ['broken', 1],
    ],
  );
  t.notOk('score' in activity.activity[0]!, 'the seed shape');
  // Recency: an old edit counts less than a fresh read.
  clock.now += 30 * MIN;
  await service.deposit('alpha', trail('fresh', 'touch', { intensity: 1 }));
  const later = await service.hot('alpha', 'swarm-1', { limit: 10 });
  t.same(
    later.resources.map((r) => r.resourceId),
    ['fresh', 'edited', 'read-a-lot', 'broken'],
  );
  t.ok(later.resources[1]!.score < 0.3, 'two edits 30 minutes old: 6 × 0.9^30');
  t.equal((await service.hot('alpha', 'swarm-1', { limit: 10, trailType: 'modify' })).count, 1);
});

t.test('the manual decay is one step of the seed formula, scoped to the team (and swarm)', async (t) => {
  const { service, clock } = await serviceOnTestDb(t);
  await service.deposit('alpha', trail('a', 'touch', { intensity: 1 }));
  await service.deposit('alpha', trail('b', 'touch', { intensity: 0.011 }));
  await service.deposit('alpha', trail('c', 'touch', { intensity: 1, swarmId: 'swarm-2' }));
  await service.deposit('beta', trail('a', 'touch', { intensity: 1 }));
  const step = await service.decay('alpha', { swarmId: 'swarm-1', decayRate: 0.1, minIntensity: 0.01 });
  t.same(step, { success: true, decayed: 2, removed: 1 });
  const stepped = await service.hot('alpha', 'swarm-1', { limit: 10 });
  t.same(
    stepped.resources.map((r) => [r.resourceId, r.score, r.trailCount]),
    [['a', 0.9, 1]],
    'the retired trail left the hot resources; the other counts 0.9',
  );
  t.equal((await service.hot('alpha', 'swarm-2', { limit: 10 })).resources[0]!.score, 1, 'other swarm untouched');
  t.equal((await service.hot('beta', 'swarm-1', { limit: 10 })).resources[0]!.score, 1, 'other team untouched');
  const r = await service.query('alpha', 'swarm-1', { limit: 10 });
  t.same(
    r.trails.map((x) => [x.resourceId, x.depositedIntensity]),
    [['a', 0.9]],
  );
  t.equal((await service.query('alpha', 'swarm-2', { limit: 10 })).trails[0]!.depositedIntensity, 1, 'other swarm');
  t.equal((await service.query('beta', 'swarm-1', { limit: 10 })).trails[0]!.depositedIntensity, 1, 'other team');
  // After the step the trail expires sooner: 0.9 lasts as long as 1 minus one period.
  clock.now += 43 * MIN;
  t.equal((await service.query('alpha', 'swarm-1', { limit: 10 })).count, 0);
  t.ok(effectiveIntensity(1, 43 * MIN, DEFAULT_DECAY) >= 0.01, 'an unstepped trail of 1 would still be active');
  const hot = await service.hot('alpha', 'swarm-1', { limit: 10 });
  t.same(
    hot.resources.map((r) => r.resourceId),
    [],
    'hot resources follow the step: nothing active is left in swarm-1',
  );
  const all = await service.decay('alpha', { decayRate: 1, minIntensity: 0.01 });
  t.same(all, { success: true, decayed: 1, removed: 1 }, 'rate 1 retires every active trail of the team');
  const stats = await service.stats('alpha', 'swarm-2');
  t.equal(stats.activeTrails, 0);
  t.equal(stats.decayedTrails, 1);
});

t.test('stats count active trails by type and resource; other teams see nothing', async (t) => {
  const { service } = await serviceOnTestDb(t);
  await service.depositMany('alpha', [
    trail('a', 'touch'),
    trail('a', 'modify', { intensity: 2 }),
    trail('t1', 'success', { resourceType: 'task' }),
  ]);
  const stats = await service.stats('alpha', 'swarm-1');
  t.equal(stats.activeTrails, 3);
  t.equal(stats.decayedTrails, 0);
  t.equal(stats.totalIntensity, 4);
  t.same(stats.byType, { touch: 1, modify: 1, complete: 0, error: 0, warning: 0, success: 1 });
  t.same(stats.byResource, { file: 2, task: 1, endpoint: 0, module: 0, custom: 0 });
  const beta = await service.stats('beta', 'swarm-1');
  t.equal(beta.activeTrails, 0);
  t.equal((await service.query('beta', 'swarm-1', { limit: 10 })).count, 0);
  t.equal((await service.hot('beta', 'swarm-1', { limit: 10 })).count, 0);
  t.equal(await service.countAll('alpha'), 3);
  t.equal(await service.countAll('beta'), 0);
});

t.test('modifiers and heat: who else edited a file recently, and how hot named files are', async (t) => {
  const { service, clock } = await serviceOnTestDb(t);
  await service.deposit('alpha', trail('src/a.ts', 'modify'));
  clock.now += 2 * MIN;
  await service.deposit('alpha', trail('src/a.ts', 'modify', { depositorHandle: 'w2' }));
  await service.deposit('alpha', trail('src/a.ts', 'touch', { depositorHandle: 'w3' }));
  const others = await service.modifiers('alpha', 'swarm-1', 'src/a.ts', { exclude: 'w2', minIntensity: 0.35 });
  t.same(
    others.map((m) => m.handle),
    ['w1'],
  );
  clock.now += 9 * MIN; // w1's edit is 11 minutes old: 0.31
  t.same(await service.modifiers('alpha', 'swarm-1', 'src/a.ts', { exclude: 'w2', minIntensity: 0.35 }), []);
  const heat = await service.heat('alpha', 'swarm-1', ['src/a.ts', 'src/cold.ts'], { exclude: 'w9' });
  t.ok((heat.get('src/a.ts') ?? 0) > 0);
  t.notOk(heat.has('src/cold.ts'));
});
