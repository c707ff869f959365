import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const payoffsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('payoffs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text')
      .addColumn('payoff_type', 'text', (c) => c.notNull())
      .addColumn('base_value', 'double precision', (c) => c.notNull())
      .addColumn('multiplier', 'double precision', (c) => c.notNull())
      .addColumn('deadline', 'bigint')
      .addColumn('decay_rate', 'double precision', (c) => c.notNull())
      .addColumn('dependencies', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('paid_at', 'bigint')
      .addColumn('paid_amount', 'double precision')
      .addColumn('paid_to', 'text')
      .addColumn('paid_swarm', 'text')
      .addUniqueConstraint('payoffs_task_type', ['team_name', 'task_id', 'payoff_type'])
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('payoffs').execute();
  },
};
