import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Checkpoints with serial ids; indexes for "addressed to a handle" and "from or to a handle", newest first. */
export const checkpointsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await withSerialId(db, db.schema.createTable('checkpoints'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('from_handle', 'text', (c) => c.notNull())
      .addColumn('to_handle', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'bigint')
      .addColumn('delivered_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('checkpoints_team_to')
      .on('checkpoints')
      .columns(['team_name', 'to_handle', 'id'])
      .execute();
    await db.schema
      .createIndex('checkpoints_team_from')
      .on('checkpoints')
      .columns(['team_name', 'from_handle', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('checkpoints').execute();
  },
};
