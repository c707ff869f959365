import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../../core/index.js';

/** Written with Kysely's schema builder, so the same file runs on SQLite and PostgreSQL. */
export const notesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await withSerialId(db, db.schema.createTable('notes'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notes_team').on('notes').columns(['team_name', 'id']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('notes').execute();
  },
};
