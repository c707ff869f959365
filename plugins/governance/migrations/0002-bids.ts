import { type Kysely, type Migration, sql } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const bidsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('bids')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('bidder_handle', 'text', (c) => c.notNull())
      .addColumn('bid_amount', 'double precision', (c) => c.notNull())
      .addColumn('estimated_duration', 'bigint')
      .addColumn('confidence', 'double precision', (c) => c.notNull())
      .addColumn('rationale', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('processed_at', 'bigint')
      .addColumn('price', 'double precision')
      .addColumn('awarded_by', 'text')
      .addCheckConstraint('bids_status', sql`status in ('pending', 'accepted', 'rejected', 'withdrawn')`)
      .execute();
    await db.schema.createIndex('bids_task').on('bids').columns(['team_name', 'task_id', 'status']).execute();
    await db.schema.createIndex('bids_swarm').on('bids').columns(['team_name', 'swarm_id']).execute();
    // One pending bid per bidder and task (a new bid changes it in place).
    await db.schema
      .createIndex('bids_one_pending')
      .on('bids')
      .columns(['team_name', 'task_id', 'bidder_handle'])
      .unique()
      .where(sql.ref('status'), '=', sql.lit('pending'))
      .execute();
    // One winner per task, whatever the tasks plugin says: the database refuses a second award.
    await db.schema
      .createIndex('bids_one_accepted')
      .on('bids')
      .columns(['team_name', 'task_id'])
      .unique()
      .where(sql.ref('status'), '=', sql.lit('accepted'))
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('bids').execute();
  },
};
