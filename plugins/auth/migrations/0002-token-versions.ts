import type { Kysely, Migration } from 'kysely';

/**
 * Each agent's token version: its tokens carry the version they were minted with, and only the
 * current one is accepted. Raising it (a new type or role, a dismissed worker, a lead's revoke)
 * ends every token minted before. Existing agents start at 1, the version of tokens without one.
 */
export const tokenVersionsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('agents')
      .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('agents').dropColumn('token_version').execute();
  },
};
