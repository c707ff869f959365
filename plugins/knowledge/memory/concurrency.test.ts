/**
 * Two writers, 1,000 compare-and-set writes each on one key: each write either lands one version
 * above the version its writer read, or is a 409; the final version is the number that landed.
 */
import t from 'tap';
import { tempDir, testDatabase, testStorage } from '../../../test/kit/index.js';
import { memoryMigration } from '../migrations/0002-memory.js';
import { MemoryService } from './memory-service.js';
import { openTestDatabase } from './test-database.js';

const storage = testStorage();
const WRITES = 1000;

t.test('2 writers x 1,000 writes on one key: no lost update', async (t) => {
  const db =
    storage === 'postgres'
      ? await openTestDatabase({ dialect: 'postgres', url: await testDatabase(t) }, [memoryMigration], 6)
      : await openTestDatabase({ dialect: 'sqlite', dir: tempDir(t) }, [memoryMigration]);
  t.teardown(() => db.destroy());
  // Each writer its own service on the same database, as two fleet nodes would be.
  const services = [new MemoryService(db, storage), new MemoryService(db, storage)];
  const address = { teamName: 'alpha', scope: 'team' as const, owner: '', key: 'counter' };
  const violations: string[] = [];
  const landed: number[][] = [[], []];
  let conflicts = 0;

  async function writer(n: number) {
    const memory = services[n]!;
    const who = { uid: String(n).repeat(24), handle: `w${n}` };
    for (let i = 0; i < WRITES; i++) {
      const read = (await memory.find(address))?.version ?? 0;
      try {
        const entry = await memory.store(
          address,
          { value: `${n}:${i}`, tags: [], memoryType: 'fact', expectedVersion: read },
          who,
        );
        if (entry.version !== read + 1) violations.push(`w${n} read ${read}, landed ${entry.version}`);
        landed[n]!.push(entry.version);
      } catch (error) {
        const { code, details } = error as { code?: string; details?: { field?: string } };
        if (code !== 'KNOWLEDGE_MEMORY_VERSION_CONFLICT' || details?.field !== 'expectedVersion')
          violations.push(`w${n}: ${String(error)}`);
        conflicts++;
      }
    }
  }
  await Promise.all([writer(0), writer(1)]);

  const successes = landed[0]!.length + landed[1]!.length;
  t.same(violations, [], 'every write landed one above what it read, or was a 409');
  t.equal(successes + conflicts, 2 * WRITES);
  const final = await services[0]!.find(address);
  t.equal(final?.version, successes, 'the final version is the number of writes that landed');
  const versions = [...landed[0]!, ...landed[1]!].sort((a, b) => a - b);
  t.same(
    versions,
    Array.from({ length: successes }, (_, i) => i + 1),
    'each version landed once',
  );
  const history = await services[0]!.history(address);
  t.equal(history?.versions.length, successes, 'one provenance row per landed write');
  t.ok(conflicts > 0, 'the writers raced (some writes were refused)');
  t.comment(`${storage}: ${successes} landed, ${conflicts} conflicts`);
});
