import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Definitions, executions, steps (claims, leases, saved state), events, triggers and their firings. */
export const workflowsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('workflows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('is_template', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('seed_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('workflows_team_name', ['team_name', 'name'])
      .execute();
    await db.schema
      .createTable('workflow_executions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('workflow_version', 'integer', (c) => c.notNull())
      .addColumn('swarm_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('context', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text')
      .addColumn('error', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .addColumn('deadline_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('workflow_executions_team')
      .on('workflow_executions')
      .columns(['team_name', 'created_at'])
      .execute();
    await db.schema
      .createIndex('workflow_executions_workflow')
      .on('workflow_executions')
      .columns(['workflow_id'])
      .execute();
    await db.schema.createIndex('workflow_executions_status').on('workflow_executions').columns(['status']).execute();
    await db.schema
      .createTable('workflow_steps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('execution_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('step_key', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('step_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('depends_on', 'text', (c) => c.notNull())
      .addColumn('blocked_by_count', 'integer', (c) => c.notNull())
      .addColumn('guard', 'text')
      .addColumn('on_failure', 'text', (c) => c.notNull())
      .addColumn('max_retries', 'integer', (c) => c.notNull())
      .addColumn('backoff_ms', 'bigint')
      .addColumn('timeout_ms', 'bigint')
      .addColumn('budget', 'text')
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('retry_count', 'integer', (c) => c.notNull())
      .addColumn('state', 'text')
      .addColumn('output', 'text')
      .addColumn('error', 'text')
      .addColumn('evidence', 'text')
      .addColumn('claim_token', 'text')
      .addColumn('claim_expires_at', 'bigint')
      .addColumn('run_after', 'bigint')
      .addColumn('deadline_at', 'bigint')
      .addColumn('completed_by', 'text')
      .addColumn('started_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('workflow_steps_execution_key', ['execution_id', 'step_key'])
      .execute();
    // The engine's pass: steps by status (ready, waiting, running with an expired lease).
    await db.schema
      .createIndex('workflow_steps_status')
      .on('workflow_steps')
      .columns(['status', 'run_after'])
      .execute();
    await withSerialId(db, db.schema.createTable('workflow_events'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('execution_id', 'text', (c) => c.notNull())
      .addColumn('step_id', 'text')
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('details', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('workflow_events_execution')
      .on('workflow_events')
      .columns(['execution_id', 'id'])
      .execute();
    await db.schema
      .createTable('workflow_triggers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('trigger_type', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('is_enabled', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('last_fired_at', 'bigint')
      .addColumn('fire_count', 'integer', (c) => c.notNull())
      .addColumn('cursor', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('workflow_triggers_workflow')
      .on('workflow_triggers')
      .columns(['workflow_id'])
      .execute();
    await db.schema
      .createTable('workflow_trigger_firings')
      .addColumn('trigger_id', 'text', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.notNull())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('execution_id', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_trigger_firings_pk', ['trigger_id', 'dedupe_key'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'workflow_trigger_firings',
      'workflow_triggers',
      'workflow_events',
      'workflow_steps',
      'workflow_executions',
      'workflows',
    ])
      await db.schema.dropTable(table).execute();
  },
};
