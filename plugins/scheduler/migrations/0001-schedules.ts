import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const schedulesMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('schedules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('cron', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('actions', 'text', (c) => c.notNull())
      .addColumn('tasks', 'text', (c) => c.notNull())
      .addColumn('repository', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('catch_up', 'text', (c) => c.notNull())
      .addColumn('overlap_max', 'integer', (c) => c.notNull())
      .addColumn('overlap_policy', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_uid', 'text', (c) => c.notNull())
      .addColumn('created_handle', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('covered_until', 'bigint', (c) => c.notNull())
      .addColumn('next_slot', 'bigint')
      .execute();
    await db.schema.createIndex('schedules_team_name').on('schedules').columns(['team_name', 'name']).execute();
    await db.schema.createIndex('schedules_due').on('schedules').columns(['enabled', 'next_slot']).execute();
    await db.schema
      .createTable('schedule_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('schedule_id', 'text', (c) => c.notNull())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('schedule_name', 'text', (c) => c.notNull())
      .addColumn('slot', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('reason', 'text')
      .addColumn('evidence', 'text')
      .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('not_before', 'bigint', (c) => c.notNull())
      .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cost_usd', 'double precision')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addUniqueConstraint('schedule_runs_slot', ['schedule_id', 'slot'])
      .execute();
    await db.schema.createIndex('schedule_runs_status').on('schedule_runs').columns(['status']).execute();
    await db.schema.createIndex('schedule_runs_team').on('schedule_runs').columns(['team_name', 'slot']).execute();
    await db.schema
      .createTable('scheduler_state')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('scheduler_state').execute();
    await db.schema.dropTable('schedule_runs').execute();
    await db.schema.dropTable('schedules').execute();
  },
};
