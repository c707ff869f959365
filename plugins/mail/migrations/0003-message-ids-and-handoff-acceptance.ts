import { randomUUID } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';

/** The one table this migration reads rows of, as it stands between its two steps. */
type Rows = Kysely<{ messages: { id: number; uuid: string | null } }>;

/**
 * The seed's shapes: a chat message's public id is a UUID (the integer id stays, as the order and
 * cursor) and it carries a status; a handoff records when it was accepted. Existing rows keep
 * everything: each message gets a UUID, status `pending`; handoffs stay open.
 */
export const messageIdsAndHandoffAcceptanceMigration: Migration = {
  async up(schema: Kysely<unknown>) {
    const db = schema as unknown as Rows;
    await db.schema.alterTable('messages').addColumn('uuid', 'text').execute();
    await db.schema
      .alterTable('messages')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
      .execute();
    for (;;) {
      const rows = await db.selectFrom('messages').select('id').where('uuid', 'is', null).limit(500).execute();
      if (rows.length === 0) break;
      for (const row of rows)
        await db.updateTable('messages').set({ uuid: randomUUID() }).where('id', '=', row.id).execute();
    }
    await db.schema.createIndex('messages_uuid').on('messages').column('uuid').unique().execute();
    await db.schema.alterTable('handoffs').addColumn('accepted_at', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('handoffs').dropColumn('accepted_at').execute();
    await db.schema.dropIndex('messages_uuid').execute();
    await db.schema.alterTable('messages').dropColumn('status').execute();
    await db.schema.alterTable('messages').dropColumn('uuid').execute();
  },
};
