import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/** Sessions (with their lineage) and the accounting of every result, by model. */
export const sessionsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('worker_created_at', 'bigint', (c) => c.notNull())
      .addColumn('agent_session_id', 'text')
      .addColumn('parent_id', 'text')
      .addColumn('derivation', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('model', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addColumn('end_reason', 'text')
      .addColumn('results', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cache_write_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cost_nanos', 'bigint')
      .addColumn('unpriced_results', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('context_tokens', 'bigint')
      .addColumn('reported', 'text')
      .addColumn('checkpoint', 'text')
      .addColumn('files', 'text')
      .addColumn('summary', 'text')
      .addColumn('created_by', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sessions_worker')
      .on('sessions')
      .columns(['team_name', 'handle', 'started_at'])
      .execute();
    await db.schema
      .createIndex('sessions_agent_session')
      .on('sessions')
      .columns(['team_name', 'agent_session_id'])
      .execute();
    await db.schema.createIndex('sessions_parent').on('sessions').columns(['team_name', 'parent_id']).execute();
    await db.schema.createIndex('sessions_open').on('sessions').columns(['ended_at', 'team_name']).execute();

    await withSerialId(db, db.schema.createTable('session_usage'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('worker_created_at', 'bigint', (c) => c.notNull())
      .addColumn('offset', 'bigint', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('result', 'integer', (c) => c.notNull())
      .addColumn('input_tokens', 'bigint', (c) => c.notNull())
      .addColumn('output_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cache_write_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cost_nanos', 'bigint')
      .addColumn('cost_source', 'text')
      .addUniqueConstraint('session_usage_result', ['team_name', 'handle', 'worker_created_at', 'offset', 'model'])
      .execute();
    await db.schema.createIndex('session_usage_team_at').on('session_usage').columns(['team_name', 'at']).execute();
    await db.schema
      .createIndex('session_usage_session')
      .on('session_usage')
      .columns(['team_name', 'session_id'])
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('session_usage').execute();
    await db.schema.dropTable('sessions').execute();
  },
};
