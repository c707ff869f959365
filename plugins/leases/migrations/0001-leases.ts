import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const leasesMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('lease_repos')
      .addColumn('repo', 'text', (c) => c.primaryKey())
      .addColumn('fence', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('leases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('repo', 'text', (c) => c.notNull())
      .addColumn('paths', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('holder', 'text')
      .addColumn('task_id', 'text')
      .addColumn('fence', 'bigint', (c) => c.notNull())
      .addColumn('ttl_seconds', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    // blockers() and acquisitions read a repo's leases (every team's: files are the repository's).
    await db.schema.createIndex('leases_repo').on('leases').columns(['repo', 'expires_at']).execute();
    await db.schema.createIndex('leases_holder').on('leases').columns(['team_name', 'holder']).execute();
    await db.schema.createIndex('leases_task').on('leases').columns(['team_name', 'task_id']).execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('leases').execute();
    await db.schema.dropTable('lease_repos').execute();
  },
};
