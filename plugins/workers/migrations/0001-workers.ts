import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/**
 * Workers survive the server: each row says where its pane host and log are and how far the log
 * was parsed, so a restarted server re-adopts it. The spawn queue persists spawns waiting for a slot.
 */
export const workersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('workers')
      .addColumn('handle', 'text', (c) => c.primaryKey())
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('adapter', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('health', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text')
      .addColumn('pane_id', 'text')
      .addColumn('dir', 'text', (c) => c.notNull())
      .addColumn('cwd', 'text', (c) => c.notNull())
      .addColumn('prompt', 'text')
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('restart_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('log_offset', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('result_text', 'text')
      .addColumn('cost_usd', 'real')
      .addColumn('usage', 'text')
      .addColumn('num_turns', 'integer')
      .addColumn('worktree_path', 'text')
      .addColumn('worktree_branch', 'text')
      .addColumn('spawned_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await withSerialId(db, db.schema.createTable('spawn_queue'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('spawn_queue').execute();
    await db.schema.dropTable('workers').execute();
  },
};
