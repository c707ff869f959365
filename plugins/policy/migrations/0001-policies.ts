import type { Kysely, Migration } from 'kysely';

/** Rules, a team's switches, approvals (asks) and the audit trail. */
export const policiesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('policy_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('pattern', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('two_person', 'integer', (c) => c.notNull())
      .addColumn('created_by_uid', 'text', (c) => c.notNull())
      .addColumn('created_by_handle', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('policy_rules_team_name', ['team_name', 'name'])
      .execute();

    await db.schema
      .createTable('policy_settings')
      .addColumn('team_name', 'text', (c) => c.primaryKey())
      .addColumn('builtin_enabled', 'integer', (c) => c.notNull())
      .addColumn('updated_by_uid', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('policy_approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('requester_uid', 'text', (c) => c.notNull())
      .addColumn('requester_handle', 'text', (c) => c.notNull())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('input_hash', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text')
      .addColumn('rule_name', 'text')
      .addColumn('reason', 'text')
      .addColumn('two_person', 'integer', (c) => c.notNull())
      .addColumn('rule_created_by_uid', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_at', 'bigint')
      .addColumn('decided_by_uid', 'text')
      .addColumn('decided_by_handle', 'text')
      .addColumn('note', 'text')
      .addColumn('consumed_at', 'bigint')
      .execute();
    // The inbox (a team's pending asks, oldest first) and the lookup of an agent's ask for one input.
    await db.schema
      .createIndex('policy_approvals_team_status')
      .on('policy_approvals')
      .columns(['team_name', 'status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('policy_approvals_requester_hash')
      .on('policy_approvals')
      .columns(['requester_uid', 'input_hash'])
      .execute();
    await db.schema
      .createIndex('policy_approvals_status_expiry')
      .on('policy_approvals')
      .columns(['status', 'expires_at'])
      .execute();

    await db.schema
      .createTable('policy_audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('agent_uid', 'text', (c) => c.notNull())
      .addColumn('agent_handle', 'text', (c) => c.notNull())
      .addColumn('actor_handle', 'text', (c) => c.notNull())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('input_hash', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text')
      .addColumn('rule_name', 'text')
      .addColumn('reason', 'text')
      .addColumn('approval_id', 'text')
      .addColumn('note', 'text')
      .execute();
    await db.schema.createIndex('policy_audit_team_at').on('policy_audit').columns(['team_name', 'at']).execute();
    await db.schema
      .createIndex('policy_audit_team_outcome')
      .on('policy_audit')
      .columns(['team_name', 'outcome', 'at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('policy_audit').execute();
    await db.schema.dropTable('policy_approvals').execute();
    await db.schema.dropTable('policy_settings').execute();
    await db.schema.dropTable('policy_rules').execute();
  },
};
