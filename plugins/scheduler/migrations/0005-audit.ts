import { type Kysely, type Migration, sql } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Audit runs (at most one running per team, by a partial unique index), their lines, results and tasks. */
export const auditMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('dry_run', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('max_iterations', 'integer', (c) => c.notNull())
      .addColumn('iteration', 'integer', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('reason', 'text')
      .addColumn('exit_code', 'integer')
      .addColumn('total_lines', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_runs_team_started')
      .on('audit_runs')
      .columns(['team_name', 'started_at'])
      .execute();
    // One running audit per team, across every fleet node sharing the database.
    await sql`create unique index audit_runs_one_running on audit_runs (team_name) where status = 'running'`.execute(
      db,
    );
    await db.schema
      .createTable('audit_lines')
      .addColumn('run_id', 'text', (c) => c.notNull().references('audit_runs.id').onDelete('cascade'))
      .addColumn('n', 'integer', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_lines_pk', ['run_id', 'n'])
      .execute();
    await withSerialId(db, db.schema.createTable('audit_results'))
      .addColumn('run_id', 'text', (c) => c.notNull().references('audit_runs.id').onDelete('cascade'))
      .addColumn('iteration', 'integer', (c) => c.notNull())
      .addColumn('check_name', 'text', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('exit_code', 'integer')
      .addColumn('signal', 'text')
      .addColumn('passed', 'integer', (c) => c.notNull())
      .addColumn('timed_out', 'integer', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('audit_results_run').on('audit_results').columns(['run_id', 'id']).execute();
    await db.schema
      .createTable('audit_check_tasks')
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('check_name', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_check_tasks_pk', ['team_name', 'check_name'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('audit_check_tasks').execute();
    await db.schema.dropTable('audit_results').execute();
    await db.schema.dropTable('audit_lines').execute();
    await db.schema.dropTable('audit_runs').execute();
  },
};
