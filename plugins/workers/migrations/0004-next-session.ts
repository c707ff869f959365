import type { Kysely, Migration } from 'kysely';

/**
 * `next_session` (JSON `{ sessionId, prompt }`): the fresh session a worker is to continue in once
 * its agent has ended (WorkerManager.freshSession). Kept in the row, so a server that dies between
 * ending the old session and starting the new one starts the new one when it comes back.
 * `base_cost_usd`, `base_turns`: what the worker's sessions before its current one spent, so a
 * restart's first result is compared with what the current session reported (see totals()).
 */
export const nextSessionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('workers').addColumn('next_session', 'text').execute();
    await db.schema.alterTable('workers').addColumn('base_cost_usd', 'real').execute();
    await db.schema.alterTable('workers').addColumn('base_turns', 'integer').execute();
  },
};
