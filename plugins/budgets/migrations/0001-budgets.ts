import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const budgetsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('budgets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('scope_kind', 'text', (c) => c.notNull())
      .addColumn('scope_id', 'text', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('limit_value', 'double precision', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('throttle_at', 'double precision')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('budgets_team').on('budgets').columns(['team_name']).execute();
    await db.schema
      .createTable('budget_windows')
      .addColumn('budget_id', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('extension', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('exceeded_at', 'bigint')
      .addPrimaryKeyConstraint('budget_windows_pk', ['budget_id', 'window_start'])
      .execute();
    await db.schema
      .createTable('budget_pauses')
      .addColumn('budget_id', 'text', (c) => c.notNull())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('paused_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('budget_pauses_pk', ['budget_id', 'team_name', 'handle'])
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('budget_pauses').execute();
    await db.schema.dropTable('budget_windows').execute();
    await db.schema.dropTable('budgets').execute();
  },
};
