import type { Kysely, Migration } from 'kysely';

/**
 * Lists are ordered by (created_at, id) within a team; an index in exactly that order lets a deep
 * page (offset 9,900 of 10,000) be read from the index instead of sorting the team's tasks.
 */
export const taskOrderIndexMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('tasks_team_created_id')
      .on('tasks')
      .columns(['team_name', 'created_at', 'id'])
      .execute();
    await db.schema.dropIndex('tasks_team_created').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.createIndex('tasks_team_created').on('tasks').columns(['team_name', 'created_at']).execute();
    await db.schema.dropIndex('tasks_team_created_id').execute();
  },
};
