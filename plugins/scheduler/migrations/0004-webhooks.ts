import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/** Deliveries unique by (source, name, sender's delivery id); processings per delivery. */
export const webhooksMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('action', 'text')
      .addColumn('repository', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('payload_sha256', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint')
      .addColumn('processed_at', 'bigint')
      .addColumn('outcomes', 'text')
      .addColumn('error', 'text')
      .addUniqueConstraint('webhook_deliveries_sender_id', ['source', 'name', 'delivery_id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_team_received')
      .on('webhook_deliveries')
      .columns(['team_name', 'received_at'])
      .execute();
    await db.schema.createIndex('webhook_deliveries_status').on('webhook_deliveries').columns(['status']).execute();
    await withSerialId(db, db.schema.createTable('webhook_processings'))
      .addColumn('delivery', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('outcomes', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema
      .createIndex('webhook_processings_delivery')
      .on('webhook_processings')
      .columns(['delivery', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('webhook_processings').execute();
    await db.schema.dropTable('webhook_deliveries').execute();
  },
};
