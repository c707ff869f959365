import type { Kysely, Migration } from 'kysely';

/**
 * `swarm_id`: the swarm (swarm plugin) a worker was spawned into, from its spawn request's swarmId;
 * null for workers outside any swarm (and every worker from before). Indexed by team and swarm:
 * the swarm plugin lists and counts a swarm's members.
 */
export const swarmIdMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('workers').addColumn('swarm_id', 'text').execute();
    await db.schema.createIndex('workers_swarm').on('workers').columns(['team_name', 'swarm_id']).execute();
  },
};
