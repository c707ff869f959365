import { type Kysely, type Migration, sql } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const mergeQueueMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('merge_queue')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('repo', 'text', (c) => c.notNull())
      .addColumn('branch', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('handle', 'text')
      .addColumn('lead_handle', 'text')
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('test', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('phase', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('queued_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('onto_commit', 'text')
      .addColumn('rebased_commit', 'text')
      .addColumn('report', 'text')
      .addColumn('message', 'text')
      .addCheckConstraint(
        'merge_queue_status',
        sql`status in ('queued', 'running', 'merged', 'conflict', 'failed', 'refused', 'cancelled', 'pr_open')`,
      )
      .execute();
    await db.schema.createIndex('merge_queue_team').on('merge_queue').columns(['team_name', 'created_at']).execute();
    await db.schema.createIndex('merge_queue_status').on('merge_queue').columns(['status', 'repo', 'target']).execute();
    // One live entry per branch and target: queueing it twice is a 409, whatever two requests race.
    await db.schema
      .createIndex('merge_queue_one_live')
      .on('merge_queue')
      .columns(['repo', 'branch', 'target'])
      .unique()
      .where(sql.ref('status'), 'in', sql`('queued', 'running')`)
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('merge_queue').execute();
  },
};
