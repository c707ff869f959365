import type { Kysely, Migration } from 'kysely';
import { withSerialId } from '../../../core/index.js';

/**
 * `worktree_rescues`: every rescue the fleet took before removing a worker's worktree (per team): the
 * ref it wrote (`refs/fleet/rescue/<handle>/<time>`) and its commit, the branch and HEAD it was on, and
 * what it held (tracked changes, untracked files, commits on no remote branch, the files themselves as
 * JSON). `restored_*`: the last worktree it was restored into.
 */
export const worktreeRescuesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await withSerialId(db, db.schema.createTable('worktree_rescues'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('repo', 'text', (c) => c.notNull())
      .addColumn('worktree_path', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('commit_id', 'text', (c) => c.notNull())
      .addColumn('branch', 'text')
      .addColumn('head', 'text')
      .addColumn('changed_files', 'integer', (c) => c.notNull())
      .addColumn('untracked_files', 'integer', (c) => c.notNull())
      .addColumn('unpushed_commits', 'integer', (c) => c.notNull())
      .addColumn('files', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('restored_path', 'text')
      .addColumn('restored_branch', 'text')
      .addColumn('restored_at', 'bigint')
      .execute();
    await db.schema.createIndex('worktree_rescues_team').on('worktree_rescues').columns(['team_name', 'id']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('worktree_rescues').execute();
  },
};
