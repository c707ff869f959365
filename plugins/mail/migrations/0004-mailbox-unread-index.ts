import type { Kysely, Migration } from 'kysely';

/** The fleet's unread mail is counted on every metrics scrape: an index on read_at keeps that a range read. */
export const mailboxUnreadIndexMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('mailbox_read_at').on('mailbox').column('read_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('mailbox_read_at').execute();
  },
};
