import type { Kysely, Migration } from 'kysely';

/** Registered agents: the seed's `users` table, keyed by the deterministic uid. */
export const agentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('agents')
      .addColumn('uid', 'text', (c) => c.primaryKey())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('agent_type', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint')
      .execute();
    await db.schema.createIndex('agents_team_handle').on('agents').columns(['team_name', 'handle']).unique().execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('agents').execute();
  },
};
