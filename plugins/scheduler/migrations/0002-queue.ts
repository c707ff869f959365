import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/** The durable job queue (queue/job-queue.ts): one row per job, claimed by a conditional UPDATE. */
export const queueMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await withSerialId(db, db.schema.createTable('scheduler_jobs'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('payload', 'text')
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('priority_rank', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('trigger_event', 'text')
      .addColumn('repository', 'text')
      .addColumn('origin_kind', 'text')
      .addColumn('origin_id', 'text')
      .addColumn('created_by', 'text')
      .addColumn('error', 'text')
      .addColumn('evidence', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .execute();
    // The claim's scan: the next due queued job by priority, then age.
    await db.schema
      .createIndex('scheduler_jobs_claim')
      .on('scheduler_jobs')
      .columns(['status', 'priority_rank', 'id'])
      .execute();
    await db.schema.createIndex('scheduler_jobs_team').on('scheduler_jobs').columns(['team_name', 'status']).execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('scheduler_jobs').execute();
  },
};
