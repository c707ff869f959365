import { type Kysely, type Migration, sql } from 'kysely';
import { isSqlite } from '../../../core/index.js';

/**
 * Pheromone trails. Intensity is 0–10 with no CHECK that disagrees with the input (the seed's 0–1
 * CHECK made every deposit above 1 a 500). Indexes: a swarm's active trails (expires_at), and one
 * resource's trails in a swarm. pheromone_heat: the decayed sums hot resources read.
 */
export const pheromonesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pheromone_trails')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('depositor_handle', 'text', (c) => c.notNull())
      .addColumn('trail_type', 'text', (c) => c.notNull())
      .addColumn('intensity', 'double precision', (c) => c.notNull())
      .addColumn('metadata', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('decayed_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('pheromone_trails_active')
      .on('pheromone_trails')
      .columns(['team_name', 'swarm_id', 'expires_at'])
      .execute();
    await db.schema
      .createIndex('pheromone_trails_resource')
      .on('pheromone_trails')
      // Covering for the counts of hot resources (type, depositor) and the hot-edit lookups.
      .columns([
        'team_name',
        'swarm_id',
        'resource_id',
        'expires_at',
        'decayed_at',
        'resource_type',
        'trail_type',
        'depositor_handle',
      ])
      .execute();
    // On SQLite the sums live in their primary key's b-tree (WITHOUT ROWID): a swarm's are read in one range.
    const heat = db.schema.createTable('pheromone_heat');
    await (isSqlite(db) ? heat.modifyEnd(sql`without rowid`) : heat)
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('swarm_id', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('trail_type', 'text', (c) => c.notNull())
      .addColumn('mass', 'double precision', (c) => c.notNull())
      .addColumn('anchor_at', 'bigint', (c) => c.notNull())
      .addColumn('last_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('pheromone_heat_pk', [
        'team_name',
        'swarm_id',
        'resource_id',
        'resource_type',
        'trail_type',
      ])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('pheromone_heat').execute();
    await db.schema.dropTable('pheromone_trails').execute();
  },
};
