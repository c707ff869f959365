/**
 * For this folder's and tldr's service tests: a fresh database of the run's engine with the given
 * migrations, closed by the caller. (Not a test itself; test/kit gives the place and the URL.)
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type Migration, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- services type their own tables
export type AnyDb = Kysely<any>;

export async function openTestDatabase(
  where: { dialect: 'sqlite'; dir: string } | { dialect: 'postgres'; url: string },
  migrations: readonly Migration[],
  connections = 4,
): Promise<AnyDb> {
  let db: AnyDb;
  if (where.dialect === 'postgres') {
    pg.types.setTypeParser(20, (value: string) => Number(value));
    const pool = new pg.Pool({ connectionString: where.url, max: connections });
    // As the fleet's own pool does: an idle connection the server ends (the database dropped at teardown)
    // is an 'error' on the pool, which would otherwise be thrown in the test's process.
    pool.on('error', () => undefined);
    db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  } else {
    const database = new Database(join(where.dir, 'fleet.db'));
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    db = new Kysely({ dialect: new SqliteDialect({ database }) });
  }
  for (const migration of migrations) await migration.up(db);
  return db;
}
