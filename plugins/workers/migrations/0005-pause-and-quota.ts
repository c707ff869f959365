import type { Kysely, Migration } from 'kysely';

/**
 * `pause` (JSON WorkerPause): why a worker is paused (a budget, a usage limit, a lead), set before its
 * agent is stopped, so a server that dies in between stops it again when it comes back. Null while the
 * worker runs. `worker_quota`: the account's usage-limit breaker, one row per account, so a tripped
 * breaker and its reset time survive a restart.
 */
export const pauseAndQuotaMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('workers').addColumn('pause', 'text').execute();
    await db.schema
      .createTable('worker_quota')
      .addColumn('account', 'text', (col) => col.primaryKey())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('window', 'text', (col) => col.notNull())
      .addColumn('resets_at', 'bigint')
      .addColumn('message', 'text', (col) => col.notNull())
      .addColumn('team_name', 'text', (col) => col.notNull())
      .addColumn('handle', 'text', (col) => col.notNull())
      .addColumn('tripped_at', 'bigint', (col) => col.notNull())
      .execute();
  },
};
