import { type CreateTableBuilder, type Kysely, SqliteAdapter } from 'kysely';

/** Any database handle: migrations see the schema, not typed tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on every plugin's tables
type AnyDb = Kysely<any>;

/** Whether a migration runs on SQLite (the embedded default) or PostgreSQL. */
export function isSqlite(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * An auto-incrementing integer primary key `id` on either dialect: SQLite's INTEGER PRIMARY KEY
 * AUTOINCREMENT (ids never reused, so they work as cursors), PostgreSQL's serial.
 */
export function withSerialId<T extends string>(
  db: AnyDb,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return isSqlite(db)
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'serial', (c) => c.primaryKey());
}
