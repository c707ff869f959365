import { join } from 'node:path';
import { openDatabase } from '../../../core/db/database.js';
import { createLogger } from '../../../core/log.js';
import { type TestLike, tempDir, testDatabase, testStorage } from '../../../test/kit/index.js';
import { pheromonesMigration } from '../migrations/0004-pheromones.js';
import { PheromoneService } from './pheromone-service.js';

/** A PheromoneService on a fresh database of this run's engine, with a clock the test moves. */
export async function serviceOnTestDb(t: TestLike) {
  const storage =
    testStorage() === 'postgres'
      ? { driver: 'postgres' as const, url: await testDatabase(t) }
      : { driver: 'sqlite' as const, path: join(tempDir(t), 'fleet.db') };
  const { db, dialect } = await openDatabase(storage);
  t.teardown(() => db.destroy());
  await pheromonesMigration.up(db);
  const clock = { now: Date.UTC(2026, 10, 1, 12) };
  const events: { type: string; team: string; data: unknown }[] = [];
  const service = new PheromoneService({
    db,
    dialect,
    clock: () => clock.now,
    log: createLogger({ level: 'error', sink: () => undefined }),
    emit: ((type: string, team: string, data: unknown) => void events.push({ type, team, data })) as never,
  });
  return { service, clock, events, db };
}
