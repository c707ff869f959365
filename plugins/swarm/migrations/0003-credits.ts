import { type Kysely, type Migration, sql } from 'kysely';
import { withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const creditsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('credit_accounts')
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('agent_handle', 'text', (c) => c.notNull())
      .addColumn('balance', 'double precision', (c) => c.notNull())
      .addColumn('reputation', 'double precision', (c) => c.notNull())
      .addColumn('total_earned', 'double precision', (c) => c.notNull())
      .addColumn('total_spent', 'double precision', (c) => c.notNull())
      .addColumn('task_count', 'integer', (c) => c.notNull())
      .addColumn('success_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('credit_accounts_pk', ['team_name', 'swarm_id', 'agent_handle'])
      // The last line of defence of "never below zero": a write that would go under fails.
      .addCheckConstraint('credit_accounts_balance', sql`balance >= 0`)
      .execute();
    await withSerialId(db, db.schema.createTable('credit_transactions'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('agent_handle', 'text', (c) => c.notNull())
      .addColumn('transaction_type', 'text', (c) => c.notNull())
      .addColumn('amount', 'double precision', (c) => c.notNull())
      .addColumn('balance_after', 'double precision', (c) => c.notNull())
      .addColumn('reputation_after', 'double precision', (c) => c.notNull())
      .addColumn('reference_type', 'text')
      .addColumn('reference_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('event_key', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('credit_transactions_agent')
      .on('credit_transactions')
      .columns(['team_name', 'swarm_id', 'agent_handle', 'created_at'])
      .execute();
    // NULL keys are distinct on both engines: only rows from events are held to one per event.
    await db.schema
      .createIndex('credit_transactions_event')
      .on('credit_transactions')
      .columns(['team_name', 'event_key'])
      .unique()
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('credit_transactions').execute();
    await db.schema.dropTable('credit_accounts').execute();
  },
};
