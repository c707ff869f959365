/**
 * For the webhook and audit service tests: a fresh database of the run's engine (SQLite in a temp
 * dir, or a throwaway PostgreSQL database) with the given migrations, destroyed at teardown.
 * (Not a test itself.)
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type Migration, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type TestLike, tempDir, testDatabase, testStorage } from '../../../test/kit/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- services type their own tables
export type AnyDb = Kysely<any>;

export async function serviceDatabase(t: TestLike, migrations: readonly Migration[]): Promise<AnyDb> {
  let db: AnyDb;
  if (testStorage() === 'postgres') {
    pg.types.setTypeParser(20, (value: string) => Number(value));
    const url = await testDatabase(t);
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // The drop at teardown ends connections a pool still holds: an 'error' event, not a crash.
    pool.on('error', () => undefined);
    db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  } else {
    const database = new Database(join(tempDir(t), 'fleet.db'));
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    db = new Kysely({ dialect: new SqliteDialect({ database }) });
  }
  t.teardown(() => db.destroy());
  for (const migration of migrations) await migration.up(db);
  return db;
}
