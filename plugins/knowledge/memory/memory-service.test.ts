import t from 'tap';
import { type TestLike, tempDir, testDatabase, testStorage } from '../../../test/kit/index.js';
import { memoryMigration } from '../migrations/0002-memory.js';
import { MemoryService } from './memory-service.js';
import { openTestDatabase } from './test-database.js';

const storage = testStorage();

async function service(t: TestLike, connections = 4) {
  const db =
    storage === 'postgres'
      ? await openTestDatabase({ dialect: 'postgres', url: await testDatabase(t) }, [memoryMigration], connections)
      : await openTestDatabase({ dialect: 'sqlite', dir: tempDir(t) }, [memoryMigration]);
  t.teardown(() => db.destroy());
  return new MemoryService(db, storage);
}

const ann = { uid: 'a'.repeat(24), handle: 'ann' };
const bob = { uid: 'b'.repeat(24), handle: 'bob' };
const mine = (key: string) => ({ teamName: 'alpha', scope: 'worker' as const, owner: 'ann', key });
const team = (key: string, teamName = 'alpha') => ({ teamName, scope: 'team' as const, owner: '', key });
const write = (value: string, extra: { expectedVersion?: number; tags?: string[] } = {}) => ({
  value,
  tags: extra.tags ?? [],
  memoryType: 'fact',
  expectedVersion: extra.expectedVersion,
});

t.test('store, recall, versions with provenance, soft delete and revive', async (t) => {
  const memory = await service(t);
  const first = await memory.store(mine('runner'), write('use --no-cache', { tags: ['tests'] }), ann);
  t.match(first, { agentId: 'ann', scope: 'worker', key: 'runner', version: 1, tags: ['tests'], accessCount: 0 });
  t.match(first.createdBy, ann);
  const second = await memory.store(mine('runner'), write('use --no-cache --runInBand'), ann);
  t.equal(second.version, 2, 'a write without expectedVersion lands one version up');
  t.equal(second.createdAt, first.createdAt, 'created stays');
  const recalled = await memory.recall(mine('runner'));
  t.equal(recalled?.value, 'use --no-cache --runInBand');
  t.equal(recalled?.accessCount, 1);

  const teamOne = await memory.store(team('deploy'), write('deploy with make ship'), ann);
  const teamTwo = await memory.store(team('deploy'), write('deploy with make ship2', { expectedVersion: 1 }), bob);
  t.equal(teamTwo.id, teamOne.id);
  t.match(teamTwo, { agentId: null, owner: null, scope: 'team', version: 2, createdBy: ann, updatedBy: bob });

  const removed = await memory.remove(team('deploy'), bob, 2);
  t.equal(removed.version, 3);
  t.equal(await memory.recall(team('deploy')), undefined, 'a deleted memory is not recalled');
  await t.rejects(memory.remove(team('deploy'), bob), { code: 'KNOWLEDGE_MEMORY_NOT_FOUND', status: 404 });
  const history = await memory.history(team('deploy'));
  t.same(
    history?.versions.map((v) => [v.version, v.handle, v.deleted]),
    [
      [1, 'ann', false],
      [2, 'bob', false],
      [3, 'bob', true],
    ],
  );
  const revived = await memory.store(team('deploy'), write('back', { expectedVersion: 0 }), ann);
  t.equal(revived.version, 4, 'expectedVersion 0 revives a deleted memory');
  await t.rejects(memory.store(team('deploy'), write('again', { expectedVersion: 0 }), ann), {
    code: 'KNOWLEDGE_MEMORY_VERSION_CONFLICT',
    status: 409,
    details: { field: 'expectedVersion', currentVersion: 4, expectedVersion: 0 },
  });
  const refused = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );
  t.match(await refused(memory.store(mine('runner'), write('stale', { expectedVersion: 1 }), ann)), {
    code: 'KNOWLEDGE_MEMORY_VERSION_CONFLICT',
    details: { currentVersion: 2 },
  });
  t.match(await refused(memory.store(mine('nothing'), write('x', { expectedVersion: 3 }), ann)), {
    code: 'KNOWLEDGE_MEMORY_VERSION_CONFLICT',
    details: { currentVersion: 0 },
  });
  t.equal((await memory.recall(mine('runner')))?.value, 'use --no-cache --runInBand', 'a refused write wrote nothing');
});

t.test('search: words and prefixes, key weighs most, visibility and teams apart, no syntax errors', async (t) => {
  const memory = await service(t);
  await memory.store(mine('test-runner-flag'), write('pass --experimental-vm-modules to jest'), ann);
  await memory.store(team('build'), write('the test runner needs node 20', { tags: ['build'] }), ann);
  await memory.store(
    { teamName: 'alpha', scope: 'worker', owner: 'bob', key: 'secret' },
    write('bob private runner note'),
    bob,
  );
  await memory.store(team('runner', 'beta'), write('beta team runner fact'), bob);

  const annSees = await memory.search('alpha', { team: true, workers: ['ann'] }, { query: 'runner', limit: 10 });
  t.same(annSees.map((e) => e.key).sort(), ['build', 'test-runner-flag'], "ann sees hers and the team's, not bob's");
  t.equal(annSees[0]?.key, 'test-runner-flag', 'a word of the key ranks first');
  t.ok(annSees.every((e) => e.score > 0));
  const lead = await memory.search('alpha', { team: true, workers: 'all' }, { query: 'runn*', limit: 10 });
  t.equal(lead.length, 3, 'a prefix, every worker of the team; never team beta');
  for (const hostile of [
    '"',
    'NEAR(',
    'a AND OR',
    "'; drop table memory_entries; --",
    ':*&|!',
    '*',
    '_',
    '__ a*',
    '日本語',
    'ß٣',
    'the',
  ])
    await memory.search('alpha', { team: true, workers: ['ann'] }, { query: hostile, limit: 5 }).then(
      (found) => t.ok(Array.isArray(found), `${hostile}: searched`),
      (error: { code?: string; status?: number }) =>
        t.match(error, { code: 'KNOWLEDGE_MEMORY_EMPTY_QUERY', status: 400 }, `${hostile}: a 400`),
    );
  const hits = await memory.searchTeam('alpha', 'runner', 10);
  t.same(
    hits.map((h) => [h.key, h.scope, h.owner]),
    [['build', 'team', null]],
    'without a viewer only team memory',
  );
  t.same((await memory.searchTeam('beta', 'private', 10)).length, 0);
  const asAnn = await memory.searchTeam('alpha', 'runner', 10, { handle: 'ann', lead: false });
  t.same(asAnn.map((h) => h.key).sort(), ['build', 'test-runner-flag'], "a worker viewer: its own and the team's");
  const asLead = await memory.searchTeam('alpha', 'runner', 10, { handle: 'lead-alpha', lead: true });
  t.same(asLead.map((h) => h.key).sort(), ['build', 'secret', 'test-runner-flag'], "a lead viewer: every worker's");
  t.same(await memory.searchTeam('beta', 'private', 10, { handle: 'x', lead: true }), [], 'never another team');
  await memory.remove(team('build'), ann);
  t.same(await memory.searchTeam('alpha', 'runner', 10), [], 'a deleted memory is not found');
  t.equal(await memory.countAll('alpha'), 2);
  const listed = await memory.list('alpha', { team: true, workers: ['ann'] }, { limit: 10 });
  t.same(
    listed.map((e) => e.key),
    ['test-runner-flag'],
  );
});
