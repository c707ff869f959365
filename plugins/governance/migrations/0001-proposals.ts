import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const proposalsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('proposals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('proposer_handle', 'text', (c) => c.notNull())
      .addColumn('proposal_type', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('voting_method', 'text', (c) => c.notNull())
      .addColumn('quorum_type', 'text', (c) => c.notNull())
      .addColumn('quorum_value', 'double precision', (c) => c.notNull())
      .addColumn('threshold', 'double precision')
      .addColumn('weight_by_reputation', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('deadline', 'bigint')
      .addColumn('result', 'text')
      .addColumn('participation', 'double precision')
      .addColumn('action', 'text')
      .addColumn('action_outcome', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_vote_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .addColumn('closed_by', 'text')
      .execute();
    await db.schema
      .createIndex('proposals_swarm')
      .on('proposals')
      .columns(['team_name', 'swarm_id', 'created_at'])
      .execute();
    // The deadline timers load open proposals with a deadline at start.
    await db.schema.createIndex('proposals_open_deadline').on('proposals').columns(['status', 'deadline']).execute();
    await db.schema
      .createTable('proposal_votes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('proposal_id', 'text', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
      .addColumn('voter_handle', 'text', (c) => c.notNull())
      .addColumn('vote_value', 'text', (c) => c.notNull())
      .addColumn('vote_weight', 'double precision', (c) => c.notNull())
      .addColumn('rationale', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('proposal_votes_one', ['proposal_id', 'voter_handle'])
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('proposal_votes').execute();
    await db.schema.dropTable('proposals').execute();
  },
};
