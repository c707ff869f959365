import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Chats (DMs and team chats), their members with unread counts, and messages. */
export const chatsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('chats')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('chat_members')
      .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
      .addColumn('uid', 'text', (c) => c.notNull())
      .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('chat_members_pk', ['chat_id', 'uid'])
      .execute();
    await db.schema.createIndex('chat_members_uid').on('chat_members').column('uid').execute();
    await withSerialId(db, db.schema.createTable('messages'))
      .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
      .addColumn('from_uid', 'text', (c) => c.notNull())
      .addColumn('from_handle', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_chat_id').on('messages').columns(['chat_id', 'id']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('messages').execute();
    await db.schema.dropTable('chat_members').execute();
    await db.schema.dropTable('chats').execute();
  },
};
