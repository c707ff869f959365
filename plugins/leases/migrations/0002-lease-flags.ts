import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Enforcement's flags: what a worker's turn changed that its leases do not allow. */
export const leaseFlagsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await withSerialId(db, db.schema.createTable('lease_flags'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('repo', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('lease_id', 'text')
      .addColumn('holder', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('lease_flags_team_created')
      .on('lease_flags')
      .columns(['team_name', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('lease_flags').execute();
  },
};
