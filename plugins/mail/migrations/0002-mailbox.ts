import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Persistent mail between agents by handle, and handoffs of context from one agent to another. */
export const mailboxMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await withSerialId(db, db.schema.createTable('mailbox'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('from_handle', 'text', (c) => c.notNull())
      .addColumn('to_handle', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('mailbox_recipient').on('mailbox').columns(['team_name', 'to_handle', 'id']).execute();
    await withSerialId(db, db.schema.createTable('handoffs'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('from_handle', 'text', (c) => c.notNull())
      .addColumn('to_handle', 'text', (c) => c.notNull())
      .addColumn('context', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('handoffs_recipient')
      .on('handoffs')
      .columns(['team_name', 'to_handle', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('handoffs').execute();
    await db.schema.dropTable('mailbox').execute();
  },
};
