import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import { isApiError, type Logger, type PluginContext } from '../../core/index.js';
import { workersErrors } from './errors.js';
import {
  branchExists,
  GitError,
  inspectWorktree,
  needsRescue,
  refTime,
  removeWorktreeDir,
  repoOf,
  rescueExists,
  restoreRescue,
  writeRescue,
} from './rescue-git.js';
import type { WorkersTables, WorktreeRescuesTable } from './tables.js';
import { FINAL_STATES, type WorkerStore } from './worker-store.js';

/** Files kept per rescue in its row (the commit holds them all). */
const MAX_FILES = 1000;

export type RescueReason = 'remove' | 'cleanup' | 'dismiss';

export function rescueView(row: Selectable<WorktreeRescuesTable>) {
  return {
    id: Number(row.id),
    teamName: row.team_name,
    handle: row.handle,
    repo: row.repo,
    worktreePath: row.worktree_path,
    ref: row.ref,
    commit: row.commit_id,
    branch: row.branch,
    head: row.head,
    /** Tracked files with changes (staged or not), untracked files, commits on no remote branch. */
    changed: Number(row.changed_files),
    untracked: Number(row.untracked_files),
    unpushed: Number(row.unpushed_commits),
    files: JSON.parse(row.files) as { status: string; path: string }[],
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    restored:
      row.restored_path === null
        ? null
        : {
            path: row.restored_path,
            branch: row.restored_branch,
            at: new Date(Number(row.restored_at)).toISOString(),
          },
  };
}

export type RescueView = ReturnType<typeof rescueView>;

/** What removing one worker's worktree did: removed or not, and the rescue it took first (null: none needed). */
export interface Removal {
  handle: string;
  removed: boolean;
  rescued: RescueView | null;
}

export interface RescueDeps {
  db: Kysely<WorkersTables>;
  store: WorkerStore;
  dataDir: string;
  log: Logger;
  emit: PluginContext['events']['emit'];
}

const reasonOf = (error: unknown) =>
  error instanceof GitError || error instanceof Error ? error.message.split('\n')[0]! : String(error);

/**
 * Worktrees are never deleted dirty: before the fleet removes a worker's worktree that has
 * uncommitted changes, untracked files or commits on no remote branch, their whole state is committed
 * to `refs/fleet/rescue/<handle>/<time>` and recorded for the team; the worktree goes only once that
 * ref is written and verified. A rescue restores into a new worktree on a new branch.
 */
export class WorktreeRescues {
  /** Worktrees (team/handle) and restore targets being worked on by this server: one at a time. */
  readonly #busy = new Set<string>();

  constructor(private readonly deps: RescueDeps) {}

  async #exclusive<T>(key: string, handle: string, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(key)) throw workersErrors.WORKERS_WORKTREE_BUSY({ handle });
    this.#busy.add(key);
    try {
      return await work();
    } finally {
      this.#busy.delete(key);
    }
  }

  /**
   * Remove an ended worker's worktree (409 while it runs or is paused), rescuing it first when it
   * holds anything removal would lose. A rescue that cannot be written keeps the worktree (409).
   */
  async removeWorktree(teamName: string, handle: string, by: string, reason: RescueReason): Promise<Removal> {
    const row = await this.deps.store.get(teamName, handle);
    if (!row) throw workersErrors.WORKERS_NOT_FOUND({ handle });
    if (!row.worktree_path) throw workersErrors.WORKERS_NO_WORKTREE({ handle });
    if (!FINAL_STATES.includes(row.state)) throw workersErrors.WORKERS_STILL_RUNNING({ handle, state: row.state });
    const path = row.worktree_path;
    return this.#exclusive(`${teamName}/${handle}`, handle, async () => {
      if (!existsSync(path)) {
        // Removed by hand already: nothing to rescue; git forgets it if the repository is still there.
        const request = JSON.parse(row.spec) as { cwd?: string };
        if (request.cwd && existsSync(request.cwd))
          await repoOf(request.cwd)
            .then((repo) => removeWorktreeDir(repo, path))
            .catch(() => undefined);
        await this.deps.store.update(teamName, handle, { worktree_path: null, worktree_branch: null });
        return { handle, removed: false, rescued: null };
      }
      let repo: string;
      try {
        repo = await repoOf(path);
      } catch (error) {
        throw workersErrors.WORKERS_REMOVE_FAILED({ handle, reason: `not a git worktree: ${reasonOf(error)}` });
      }
      let rescued: RescueView | null = null;
      try {
        const holdings = await inspectWorktree(path, repo);
        if (needsRescue(holdings)) rescued = await this.#rescue(teamName, handle, path, repo, holdings, by, reason);
      } catch (error) {
        if (isApiError(error)) throw error;
        this.deps.log.error(`worktree of ${teamName}/${handle}: rescue failed, worktree kept`, { error });
        throw workersErrors.WORKERS_RESCUE_FAILED({ handle, reason: reasonOf(error) });
      }
      try {
        await removeWorktreeDir(repo, path);
      } catch (error) {
        throw workersErrors.WORKERS_REMOVE_FAILED({ handle, reason: reasonOf(error) });
      }
      await this.deps.store.update(teamName, handle, { worktree_path: null, worktree_branch: null });
      this.deps.log.info(
        `worktree of ${teamName}/${handle} removed (${reason} by ${by})` +
          (rescued ? `; rescued to ${rescued.ref} (rescue ${rescued.id})` : '; it was clean'),
      );
      this.deps.emit('worktree_removed', teamName, { handle, path, rescueId: rescued?.id ?? null });
      return { handle, removed: true, rescued };
    });
  }

  async #rescue(
    teamName: string,
    handle: string,
    path: string,
    repo: string,
    holdings: Awaited<ReturnType<typeof inspectWorktree>>,
    by: string,
    reason: RescueReason,
  ): Promise<RescueView> {
    let at = Date.now();
    const summary =
      `${holdings.changed} changed, ${holdings.untracked} untracked, ` +
      `${holdings.unpushed} commits not on ${holdings.against === 'remotes' ? 'a remote' : holdings.against}`;
    const message =
      `fleet rescue of ${teamName}/${handle} (${holdings.branch ?? 'detached'}) before ${reason} by ${by}\n\n` +
      `${summary}\nworktree: ${path}\n`;
    // The ref is new or the write fails (a rescue is never overwritten): a clash moves on a millisecond.
    const write = async (attempt: number): Promise<{ ref: string; commit: string }> => {
      const ref = `refs/fleet/rescue/${handle}/${refTime(at)}`;
      try {
        return { ref, commit: await writeRescue(path, holdings, ref, message) };
      } catch (error) {
        if (attempt >= 2 || !/update-ref/.test((error as Error).message)) throw error;
        at += 1;
        return write(attempt + 1);
      }
    };
    const { ref, commit } = await write(0);
    const inserted = await this.deps.db
      .insertInto('worktree_rescues')
      .values({
        team_name: teamName,
        handle,
        repo,
        worktree_path: path,
        ref,
        commit_id: commit,
        branch: holdings.branch,
        head: holdings.head,
        changed_files: holdings.changed,
        untracked_files: holdings.untracked,
        unpushed_commits: holdings.unpushed,
        files: JSON.stringify(holdings.files.slice(0, MAX_FILES)),
        reason,
        created_by: by,
        created_at: at,
        restored_path: null,
        restored_branch: null,
        restored_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const view = await this.get(teamName, Number(inserted.id));
    this.deps.emit('worktree_rescued', teamName, { handle, rescue: view });
    return view;
  }

  /** Every ended worker of the team with a worktree: each removed (rescued first when it needs it). */
  async cleanup(teamName: string, by: string) {
    const rows = (await this.deps.store.listTeam(teamName)).filter(
      (row) => row.worktree_path !== null && FINAL_STATES.includes(row.state),
    );
    const workers: (Removal & { error?: { code: string; error: string } })[] = [];
    for (const row of rows) {
      try {
        workers.push(await this.removeWorktree(teamName, row.handle, by, 'cleanup'));
      } catch (error) {
        if (!isApiError(error)) throw error;
        workers.push({
          handle: row.handle,
          removed: false,
          rescued: null,
          error: { code: error.code, error: error.message },
        });
      }
    }
    return {
      workers,
      removed: workers.filter((worker) => worker.removed).length,
      rescued: workers.filter((worker) => worker.rescued !== null).length,
    };
  }

  async list(teamName: string, handle?: string): Promise<RescueView[]> {
    let query = this.deps.db.selectFrom('worktree_rescues').selectAll().where('team_name', '=', teamName);
    if (handle !== undefined) query = query.where('handle', '=', handle);
    return (await query.orderBy('id', 'desc').limit(500).execute()).map(rescueView);
  }

  /** A rescue of the team; another team's is not found, like an unknown one. */
  async get(teamName: string, id: number): Promise<RescueView> {
    const row = await this.deps.db
      .selectFrom('worktree_rescues')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw workersErrors.WORKERS_RESCUE_NOT_FOUND({ id });
    return rescueView(row);
  }

  /**
   * A new worktree on a new branch `fleet/<handle>` (default handle `<rescued handle>-r<id>`) at the
   * rescued HEAD, with the rescued changes as uncommitted changes and untracked files as untracked; at
   * `path`, or `<dataDir>/worktrees/<team>/<handle>` (a worker spawned there with worktree: true carries
   * on in it). An existing directory or branch is never overwritten (409).
   */
  async restore(teamName: string, id: number, wanted: { handle?: string; path?: string }, by: string) {
    const rescue = await this.get(teamName, id);
    const suffix = `-r${id}`;
    const handle = wanted.handle ?? `${rescue.handle.slice(0, 50 - suffix.length)}${suffix}`;
    const branch = `fleet/${handle}`;
    let path: string;
    if (wanted.path !== undefined) {
      if (!isAbsolute(wanted.path)) throw workersErrors.WORKERS_RELATIVE_PATH({}, { field: 'path' });
      const parent = dirname(wanted.path);
      if (!existsSync(parent) || !statSync(parent).isDirectory())
        throw workersErrors.WORKERS_NO_PARENT_DIR({ parent }, { field: 'path' });
      path = wanted.path;
    } else path = join(this.deps.dataDir, 'worktrees', teamName, handle);
    return this.#exclusive(`restore:${path}`, handle, async () => {
      if (existsSync(path)) throw workersErrors.WORKERS_PATH_EXISTS({ path }, { field: 'path' });
      if (!existsSync(rescue.repo))
        throw workersErrors.WORKERS_RESCUE_GONE({ id, reason: `its repository ${rescue.repo} is gone` });
      if (!(await rescueExists(rescue.repo, rescue.ref)))
        throw workersErrors.WORKERS_RESCUE_GONE({ id, reason: `its ref ${rescue.ref} is gone from the repository` });
      if (await branchExists(rescue.repo, branch))
        throw workersErrors.WORKERS_BRANCH_EXISTS({ branch }, { field: 'handle' });
      mkdirSync(dirname(path), { recursive: true });
      try {
        await restoreRescue(rescue.repo, { commit: rescue.commit, head: rescue.head }, path, branch);
      } catch (error) {
        this.deps.log.error(`rescue ${id} of ${teamName}: restore failed`, { error });
        throw workersErrors.WORKERS_RESCUE_GONE({ id, reason: reasonOf(error) });
      }
      const at = Date.now();
      await this.deps.db
        .updateTable('worktree_rescues')
        .set({ restored_path: path, restored_branch: branch, restored_at: at })
        .where('team_name', '=', teamName)
        .where('id', '=', id)
        .execute();
      this.deps.log.info(`rescue ${id} of ${teamName}/${rescue.handle} restored to ${path} on ${branch} by ${by}`);
      this.deps.emit('worktree_restored', teamName, { handle: rescue.handle, rescueId: id, path, branch });
      return { rescue: await this.get(teamName, id), restored: { handle, path, branch, head: rescue.head } };
    });
  }
}
