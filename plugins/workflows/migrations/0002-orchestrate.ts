import type { Kysely, Migration } from 'kysely';

/** Wave and multi-repo runs and their units (a worker of a wave, a repository). */
export const orchestrateMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('orchestrate_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('error', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('orchestrate_runs_team_kind')
      .on('orchestrate_runs')
      .columns(['team_name', 'kind', 'started_at'])
      .execute();
    await db.schema.createIndex('orchestrate_runs_status').on('orchestrate_runs').columns(['status']).execute();
    await db.schema
      .createTable('orchestrate_units')
      .addColumn('run_id', 'text', (c) => c.notNull().references('orchestrate_runs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('group_name', 'text', (c) => c.notNull())
      .addColumn('group_index', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('worker_handle', 'text')
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('evidence', 'text')
      .addColumn('output', 'text')
      .addColumn('error', 'text')
      .addColumn('extra', 'text')
      .addPrimaryKeyConstraint('orchestrate_units_pk', ['run_id', 'seq'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('orchestrate_units').execute();
    await db.schema.dropTable('orchestrate_runs').execute();
  },
};
