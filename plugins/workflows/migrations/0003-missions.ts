import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/** Missions (a goal, a worker, gates) and their iterations (each gate's exit code and output tail). */
export const missionsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('workflow_missions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('goal', 'text', (c) => c.notNull())
      .addColumn('worker_handle', 'text', (c) => c.notNull())
      .addColumn('spawned', 'integer', (c) => c.notNull())
      .addColumn('spawn', 'text')
      .addColumn('cwd', 'text')
      .addColumn('gates', 'text', (c) => c.notNull())
      .addColumn('max_iterations', 'integer', (c) => c.notNull())
      .addColumn('budget', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('iteration', 'integer', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('cost_at_start', 'real')
      .addColumn('cost_usd', 'real')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('workflow_missions_team')
      .on('workflow_missions')
      .columns(['team_name', 'created_at'])
      .execute();
    await db.schema
      .createIndex('workflow_missions_worker')
      .on('workflow_missions')
      .columns(['team_name', 'worker_handle', 'status'])
      .execute();
    await db.schema
      .createTable('workflow_mission_iterations')
      .addColumn('mission_id', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('prompt', 'text')
      .addColumn('delivered_at', 'bigint')
      .addColumn('turns_before', 'integer')
      .addColumn('result_text', 'text')
      .addColumn('gate_results', 'text')
      .addColumn('cost_usd', 'real')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('turn_ended_at', 'bigint')
      .addColumn('ended_at', 'bigint')
      .addPrimaryKeyConstraint('workflow_mission_iterations_pk', ['mission_id', 'n'])
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('workflow_mission_iterations').execute();
    await db.schema.dropTable('workflow_missions').execute();
  },
};
