import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { FleetConfig } from '../config/types.js';
import { cachedStatements } from './statement-cache.js';

/** Plugins see the database untyped at the kernel level; each plugin types its own tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the kernel's handle knows no plugin's tables
export type FleetDb = Kysely<any>;

export type Dialect = 'sqlite' | 'postgres';

/**
 * Open the fleet's database. SQLite: WAL (readers never block the writer), foreign keys on,
 * a busy timeout so a second process waits instead of failing, and synchronous=NORMAL, which in WAL
 * mode keeps every committed write across a process kill (only a power loss can cost the last ones).
 */
export async function openDatabase(
  storage: FleetConfig['storage'],
  onIdleError: (error: Error) => void = () => undefined,
): Promise<{ db: FleetDb; dialect: Dialect }> {
  if (storage.driver === 'postgres') {
    const pg = (await import('pg')).default;
    // COUNT(*) and bigint columns come back as strings by default; our counts fit in a double.
    pg.types.setTypeParser(20, (value: string) => Number(value));
    const pool = new pg.Pool({ connectionString: storage.url, max: 10 });
    // An idle connection the server ends (a restart, an admin's terminate, a dropped database) is
    // an 'error' event on the pool: without a listener it would crash the process. The pool has
    // already removed that connection; the next query opens a fresh one.
    pool.on('error', onIdleError);
    const db: FleetDb = new Kysely({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(db);
    return { db, dialect: 'postgres' };
  }
  const Database = (await import('better-sqlite3')).default;
  mkdirSync(dirname(storage.path), { recursive: true, mode: 0o700 });
  const database = new Database(storage.path);
  // Only the fleet's user may read it (SQLite gives its -wal and -shm files the same mode).
  chmodSync(storage.path, 0o600);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const db: FleetDb = new Kysely({ dialect: new SqliteDialect({ database: cachedStatements(database) }) });
  return { db, dialect: 'sqlite' };
}
