import type { Kysely, Migration } from 'kysely';

/**
 * A task's priority (critical, high, normal, low — the seed's words for queued work): existing tasks
 * are normal. A claim without a task id takes the most urgent ready task first, then the oldest.
 */
export const taskPriorityMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('tasks')
      .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal'))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').dropColumn('priority').execute();
  },
};
