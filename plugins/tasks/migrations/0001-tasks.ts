import type { Kysely, Migration } from 'kysely';

/** Tasks and their blockedBy edges (a table, so "ready" and cycle checks are queries, not JSON scans). */
export const tasksMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('owner_handle', 'text')
      .addColumn('owner_uid', 'text')
      .addColumn('created_by_handle', 'text', (c) => c.notNull())
      .addColumn('created_by_uid', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tasks_team_created').on('tasks').columns(['team_name', 'created_at']).execute();
    await db.schema.createIndex('tasks_team_status').on('tasks').columns(['team_name', 'status']).execute();
    await db.schema
      .createTable('task_blockers')
      .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
      .addColumn('blocker_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('task_blockers_pk', ['task_id', 'blocker_id'])
      .execute();
    await db.schema.createIndex('task_blockers_blocker').on('task_blockers').column('blocker_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('task_blockers').execute();
    await db.schema.dropTable('tasks').execute();
  },
};
