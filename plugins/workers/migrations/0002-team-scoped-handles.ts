import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/** `workers` as 0001 made it, with the given primary key. */
async function createWorkersTable(db: AnyDb, key: 'team-and-handle' | 'handle'): Promise<void> {
  let table = db.schema
    .createTable('workers')
    .addColumn('handle', 'text', (c) => (key === 'handle' ? c.primaryKey() : c.notNull()))
    .addColumn('team_name', 'text', (c) => c.notNull())
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('pane_id', 'text')
    .addColumn('dir', 'text', (c) => c.notNull())
    .addColumn('cwd', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('restart_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('log_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('result_text', 'text')
    .addColumn('cost_usd', 'real')
    .addColumn('usage', 'text')
    .addColumn('num_turns', 'integer')
    .addColumn('worktree_path', 'text')
    .addColumn('worktree_branch', 'text')
    .addColumn('spawned_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull());
  if (key === 'team-and-handle') table = table.addPrimaryKeyConstraint('workers_pkey', ['team_name', 'handle']);
  await table.execute();
}

/**
 * Make `workers` again with another primary key, keeping every row as it is. Neither SQLite nor
 * (portably) PostgreSQL changes a primary key in place. The rows go through memory rather than a
 * scratch table: a plugin's queries may name only its own tables (the kernel's table guard covers
 * migrations too), and the table holds one row per worker handle a team ever used.
 */
async function rekey(db: AnyDb, key: 'team-and-handle' | 'handle'): Promise<void> {
  const rows = await db.selectFrom('workers').selectAll().orderBy('created_at').execute();
  await db.schema.dropTable('workers').execute();
  await createWorkersTable(db, key);
  // 22 columns a row: 40 rows stay under SQLite's oldest limit of 999 bound values a statement.
  for (let at = 0; at < rows.length; at += 40) {
    await db
      .insertInto('workers')
      .values(rows.slice(at, at + 40))
      .execute();
  }
}

/**
 * A worker is its team and its handle: two teams may each run a worker `w1`, and a team's spawn
 * never meets another team's worker. Rows keep their `dir` and `worktree_path`, so workers that
 * are live across the upgrade are re-adopted where they run. The migrator runs each migration in
 * one transaction on both dialects, so a failure leaves the old table as it was.
 */
export const teamScopedHandlesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await rekey(db as AnyDb, 'team-and-handle');
  },
  /** Back to fleet-wide handles: refused (the transaction undone) while two teams share a handle. */
  async down(db: Kysely<unknown>) {
    await rekey(db as AnyDb, 'handle');
  },
};
