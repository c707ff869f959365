import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

export const beliefsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await withSerialId(db, db.schema.createTable('beliefs'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('agent_handle', 'text', (c) => c.notNull())
      .addColumn('belief_type', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('belief_value', 'text', (c) => c.notNull())
      .addColumn('confidence', 'double precision', (c) => c.notNull())
      .addColumn('source_handle', 'text')
      .addColumn('source_type', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('beliefs_key', ['team_name', 'swarm_id', 'agent_handle', 'subject'])
      .execute();
    await db.schema
      .createIndex('beliefs_subject')
      .on('beliefs')
      .columns(['team_name', 'swarm_id', 'subject'])
      .execute();
    await withSerialId(db, db.schema.createTable('meta_beliefs'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('agent_handle', 'text', (c) => c.notNull())
      .addColumn('about_handle', 'text', (c) => c.notNull())
      .addColumn('meta_type', 'text', (c) => c.notNull())
      .addColumn('belief_value', 'text', (c) => c.notNull())
      .addColumn('confidence', 'double precision', (c) => c.notNull())
      .addColumn('evidence_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('meta_beliefs_key', ['team_name', 'swarm_id', 'agent_handle', 'about_handle', 'meta_type'])
      .execute();
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema.dropTable('meta_beliefs').execute();
    await db.schema.dropTable('beliefs').execute();
  },
};
