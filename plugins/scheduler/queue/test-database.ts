/**
 * For this plugin's service tests (queue, templates, notifications): a database of the run's engine
 * (FLEET_TEST_STORAGE), migrated with the given migrations and closed at teardown. A second
 * `openAgain` opens another connection pool on the same database (another server, another claimer).
 * Not a test itself: the test passes test/kit's testStorage, testDatabase and tempDir.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type Migration, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

/** What tests pass from test/kit (which only *.test.ts files may import). */
export interface TestKitPart {
  testStorage(): 'sqlite' | 'postgres';
  testDatabase(t: TestLike): Promise<string>;
  tempDir(t: TestLike, prefix?: string): string;
}

export interface TestLike {
  teardown(fn: () => unknown): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- services type their own tables
export type AnyDb = Kysely<any>;

export type DatabasePlace = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export function openDatabase(t: TestLike, place: DatabasePlace, connections = 4): AnyDb {
  let db: AnyDb;
  if (place.dialect === 'postgres') {
    pg.types.setTypeParser(20, (value: string) => Number(value));
    db = new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: place.url, max: connections }) }),
    });
  } else {
    const database = new Database(place.file);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    db = new Kysely({ dialect: new SqliteDialect({ database }) });
  }
  t.teardown(() => db.destroy());
  return db;
}

/** A fresh database of this run's engine with `migrations` applied: where it is, and a first pool. */
export async function migratedDatabase(
  t: TestLike,
  migrations: readonly Migration[],
  kit: TestKitPart,
): Promise<{ place: DatabasePlace; db: AnyDb }> {
  const place: DatabasePlace =
    kit.testStorage() === 'postgres'
      ? { dialect: 'postgres', url: await kit.testDatabase(t) }
      : { dialect: 'sqlite', file: join(kit.tempDir(t, 'fleet-scheduler-'), 'fleet.db') };
  const db = openDatabase(t, place);
  for (const migration of migrations) await migration.up(db);
  return { place, db };
}
