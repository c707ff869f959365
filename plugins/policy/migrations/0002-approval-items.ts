import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Approval items not bound to a tool call (a budget breach, a usage limit waiting for a lead): the
 * row's `kind` (`tool_call` for the asks of the hook), what it is about (`subject`, JSON) and the
 * key that makes opening one idempotent. Status `withdrawn` needs no column (status is text).
 */
export const approvalItemsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('policy_approvals')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('tool_call'))
      .execute();
    await db.schema.alterTable('policy_approvals').addColumn('subject', 'text').execute();
    await db.schema.alterTable('policy_approvals').addColumn('item_key', 'text').execute();
    // One pending item per (team, kind, key): two plugins' calls racing to open it get one row.
    // Tool-call asks have no key (NULLs are distinct in a unique index on both engines).
    await db.schema
      .createIndex('policy_approvals_pending_item')
      .unique()
      .on('policy_approvals')
      .columns(['team_name', 'kind', 'item_key'])
      .where(sql.ref('status'), '=', sql.lit('pending'))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('policy_approvals_pending_item').execute();
    await db.schema.alterTable('policy_approvals').dropColumn('item_key').execute();
    await db.schema.alterTable('policy_approvals').dropColumn('subject').execute();
    await db.schema.alterTable('policy_approvals').dropColumn('kind').execute();
  },
};
