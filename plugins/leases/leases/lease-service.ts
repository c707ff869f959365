import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Identity, isLead, type Logger, type PluginContext } from '../../../core/index.js';
import type { TasksApi } from '../../tasks/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { leaseErrors as errors } from '../errors.js';
import type { LeasesOptions } from '../options.js';
import type { Clock } from '../../../core/index.js';
import { type Conflict, blockersFor, conflictsFor, type LeaseBlocker } from './conflicts.js';
import {
  activeInRepo,
  type Db,
  isActive,
  type Lease,
  type LeaseMode,
  type LeaseView,
  lockRepo,
  toView,
  type Trx,
} from './lease-store.js';
import { covers } from './overlap.js';
import { normalizePattern } from './paths.js';
import { RepoLocator } from './repo-locator.js';
import { RepoCache } from './repo-cache.js';

export type { Lease, LeaseMode, LeaseView } from './lease-store.js';
export type { Conflict, LeaseBlocker } from './conflicts.js';

export interface LeaseServiceDeps {
  db: Db;
  clock: Clock;
  emit: PluginContext['events']['emit'];
  log: Logger;
  options: LeasesOptions;
  tasks(): TasksApi | undefined;
  workers(): WorkersApi | undefined;
}

export interface AcquireInput {
  repo: string;
  paths: readonly string[];
  mode: LeaseMode;
  ttlSeconds?: number;
  taskId?: string;
}

/** Leases: acquisition (atomic per repository), release, renewal, expiry, task leases, and the edit check. */
export class LeaseService {
  readonly locator = new RepoLocator();
  readonly #cache: RepoCache;
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(private readonly deps: LeaseServiceDeps) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#cache = new RepoCache(deps.options.blockersCacheMs, (repo) => activeInRepo(this.#db, repo, this.#now()));
  }

  #now(): number {
    return this.#clock.now();
  }

  /** The repository of an absolute path and the path relative to its working tree (cached per directory). */
  locate(absPath: string): Promise<{ repo: string; relPath: string } | undefined> {
    return this.locator.locate(absPath);
  }

  /** A body's `repo`: an absolute directory inside a repository or one of its worktrees → the main tree. */
  async resolveRepo(dir: string, field = 'repo'): Promise<string> {
    const roots = path.isAbsolute(dir) ? await this.locator.roots(dir) : undefined;
    if (!roots) throw errors.LEASES_NOT_A_REPO({ repo: dir }, { field });
    return roots.repo;
  }

  /** Patterns as stored; an absolute path must lie in `repo` (its main tree or one of its worktrees). */
  async normalizePaths(repo: string, raw: readonly string[], field = 'paths'): Promise<string[]> {
    const out: string[] = [];
    for (const [i, given] of raw.entries()) {
      const name = `${field}[${i}]`;
      let pattern = given;
      if (path.isAbsolute(given)) {
        const found = await this.locator.locate(given);
        if (!found || found.repo !== repo)
          throw errors.LEASES_BAD_PATH({ field: name, reason: 'is outside the repository' }, { field: name });
        pattern = found.relPath === '' ? '.' : found.relPath;
      }
      const normal = normalizePattern(pattern, name);
      if (!out.includes(normal)) out.push(normal);
    }
    return out;
  }

  #ttl(ttlSeconds: number | undefined): number {
    const ttl = ttlSeconds ?? this.deps.options.defaultTtlSeconds;
    const max = this.deps.options.maxTtlSeconds;
    if (ttl > max) throw errors.LEASES_TTL_TOO_LONG({ max }, { field: 'ttlSeconds' });
    return ttl;
  }

  /**
   * Take a lease for the caller (201), or declare a task's (lead only, `taskId`: it waits for the
   * task's owner, or is granted at once when the task has one). Conflicts are 409 LEASES_CONFLICT.
   */
  async acquire(caller: Identity, input: AcquireInput): Promise<LeaseView> {
    const repo = await this.resolveRepo(input.repo);
    const paths = await this.normalizePaths(repo, input.paths);
    const ttl = this.#ttl(input.ttlSeconds);
    if (input.taskId !== undefined) return this.#declare(caller, repo, paths, input.mode, ttl, input.taskId);
    const lease = await this.#grant(
      caller.teamName,
      caller.handle,
      repo,
      async (trx, fence, now) => {
        const row = {
          id: randomUUID(),
          team_name: caller.teamName,
          repo,
          paths: JSON.stringify(paths),
          mode: input.mode,
          holder: caller.handle,
          task_id: null,
          fence,
          ttl_seconds: ttl,
          expires_at: now + ttl * 1000,
          created_at: now,
          created_by: caller.handle,
        };
        await trx.insertInto('leases').values(row).execute();
        return toView(row);
      },
      { mode: input.mode, paths, taskId: null },
    );
    this.deps.emit('lease:acquired', caller.teamName, { lease });
    return lease;
  }

  /**
   * One grant in a repository: lock its row (the next fence), read its active leases, refuse on a
   * conflict, else write. Everything in one transaction, so of racing grants exactly one sees none.
   */
  async #grant<T>(
    teamName: string,
    holder: string,
    repo: string,
    write: (trx: Trx, fence: number, now: number) => Promise<T>,
    request: { mode: LeaseMode; paths: string[]; taskId: string | null; skip?: ReadonlySet<string> },
  ): Promise<T> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const fence = await lockRepo(trx, repo);
        const now = this.#now();
        const active = (await activeInRepo(trx, repo, now)).filter((l) => !request.skip?.has(l.id));
        const conflicts = conflictsFor({ teamName, holder, mode: request.mode, paths: request.paths }, active);
        if (conflicts.length > 0) throw new ConflictFound(conflicts);
        return await write(trx, fence, now);
      });
    } catch (error) {
      if (!(error instanceof ConflictFound)) throw error;
      this.#conflictEvent(teamName, holder, repo, request, error.conflicts);
      throw conflictError(teamName, error.conflicts);
    } finally {
      this.#cache.invalidate(repo);
    }
  }

  #conflictEvent(
    teamName: string,
    requester: string,
    repo: string,
    request: { paths: string[]; taskId: string | null },
    conflicts: Conflict[],
  ): void {
    const leaseIds = conflicts.filter((c) => c.lease.teamName === teamName).map((c) => c.lease.id);
    this.deps.emit('lease:conflict', teamName, {
      repo,
      paths: request.paths,
      requester,
      taskId: request.taskId,
      leaseIds,
    });
  }

  async #declare(
    caller: Identity,
    repo: string,
    paths: string[],
    mode: LeaseMode,
    ttl: number,
    taskId: string,
  ): Promise<LeaseView> {
    if (!isLead(caller)) throw errors.LEASES_TASK_LEAD_ONLY({}, { field: 'taskId' });
    const tasks = this.deps.tasks();
    if (!tasks) throw errors.LEASES_TASKS_OFF({}, { field: 'taskId' });
    const task = await tasks.tasks.get(caller.teamName, taskId);
    if (!task) throw errors.LEASES_TASK_NOT_FOUND({ taskId }, { field: 'taskId' });
    if (task.status === 'resolved') throw errors.LEASES_TASK_RESOLVED({ taskId }, { field: 'taskId' });
    const now = this.#now();
    const row = {
      id: randomUUID(),
      team_name: caller.teamName,
      repo,
      paths: JSON.stringify(paths),
      mode,
      holder: null,
      task_id: taskId,
      fence: 0,
      ttl_seconds: ttl,
      expires_at: null,
      created_at: now,
      created_by: caller.handle,
    };
    await this.#db.insertInto('leases').values(row).execute();
    // A task that has an owner already: its new lease is granted now (a conflict undoes the declaration).
    if (task.ownerHandle) {
      try {
        await this.grantTask(caller.teamName, taskId, task.ownerHandle);
      } catch (error) {
        await this.#db.deleteFrom('leases').where('id', '=', row.id).execute();
        throw error;
      }
      return (await this.get(caller.teamName, row.id))!;
    }
    return toView(row);
  }

  /**
   * Grant a task's waiting leases (and any held by someone else) to its owner, each in its repo's
   * transaction; a conflict puts back what this call granted and throws LEASES_CONFLICT.
   */
  async grantTask(teamName: string, taskId: string, owner: string): Promise<LeaseView[]> {
    const rows = await this.#db
      .selectFrom('leases')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('task_id', '=', taskId)
      .orderBy('repo')
      .orderBy('id')
      .execute();
    const pending = rows.map(toView).filter((lease) => lease.holder !== owner);
    const granted: LeaseView[] = [];
    const skip = new Set(rows.map((row) => row.id));
    try {
      for (const lease of pending) {
        const view = await this.#grant(
          teamName,
          owner,
          lease.repo,
          async (trx, fence) => {
            await trx
              .updateTable('leases')
              .set({ holder: owner, fence, expires_at: null })
              .where('id', '=', lease.id)
              .execute();
            return { ...lease, holder: owner, fence, expiresAt: null };
          },
          { mode: lease.mode, paths: lease.paths, taskId, skip },
        );
        granted.push(view);
      }
    } catch (error) {
      for (const lease of granted) await this.#toWaiting(lease, 'task');
      throw error;
    }
    for (const lease of granted) this.deps.emit('lease:acquired', teamName, { lease });
    return granted;
  }

  /** A task lost its owner or was resolved: its leases wait again (holder null). */
  async waitTask(teamName: string, taskId: string): Promise<void> {
    const rows = await this.#db
      .selectFrom('leases')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('task_id', '=', taskId)
      .where('holder', 'is not', null)
      .execute();
    for (const row of rows) {
      const lease = toView(row);
      if (await this.#toWaiting(lease, 'task')) this.deps.emit('lease:released', teamName, { lease, by: 'task' });
    }
  }

  async #toWaiting(lease: LeaseView, _why: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('leases')
      .set({ holder: null, expires_at: null })
      .where('id', '=', lease.id)
      .where('holder', '=', lease.holder)
      .executeTakeFirst();
    this.#cache.invalidate(lease.repo);
    return Number(result.numUpdatedRows) === 1;
  }

  /** A lease of the caller's team (404 for another team's, an expired one, or none). */
  async get(teamName: string, id: string): Promise<LeaseView | undefined> {
    const row = await this.#db
      .selectFrom('leases')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const lease = toView(row);
    return lease.holder === null || isActive(lease, this.#now()) ? lease : undefined;
  }

  async require(teamName: string, id: string): Promise<LeaseView> {
    const lease = await this.get(teamName, id);
    if (!lease) throw errors.LEASES_NOT_FOUND({}, { id });
    return lease;
  }

  /** The team's leases (active, and tasks' waiting ones), newest first; filtered by repo and holder. */
  async list(teamName: string, filter: { repo?: string; holder?: string; limit?: number }): Promise<LeaseView[]> {
    const now = this.#now();
    let q = this.#db
      .selectFrom('leases')
      .selectAll()
      .where('team_name', '=', teamName)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (filter.repo !== undefined) q = q.where('repo', '=', filter.repo);
    if (filter.holder !== undefined) q = q.where('holder', '=', filter.holder);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(filter.limit ?? 500)
      .execute();
    return rows.map(toView);
  }

  /** DELETE /leases/:id: the holder or a lead; a task's lease (its declaration) only a lead. */
  async release(caller: Identity, id: string): Promise<LeaseView> {
    const lease = await this.require(caller.teamName, id);
    const own = lease.holder === caller.handle && lease.taskId === null;
    if (!own && !isLead(caller)) throw errors.LEASES_NOT_YOURS({ action: 'release', id }, { id });
    await this.#db.deleteFrom('leases').where('id', '=', id).execute();
    this.#cache.invalidate(lease.repo);
    this.deps.emit('lease:released', caller.teamName, { lease, by: caller.handle });
    return lease;
  }

  /** POST /leases/:id/renew: the holder or a lead; a task's lease has no expiry and is returned as it is. */
  async renew(caller: Identity, id: string, ttlSeconds?: number): Promise<LeaseView> {
    const lease = await this.require(caller.teamName, id);
    if (lease.holder !== caller.handle && !isLead(caller))
      throw errors.LEASES_NOT_YOURS({ action: 'renew', id }, { id });
    const ttl = this.#ttl(ttlSeconds ?? lease.ttlSeconds);
    if (lease.expiresAt === null) return lease;
    const now = this.#now();
    const expiresAt = now + ttl * 1000;
    const result = await this.#db
      .updateTable('leases')
      .set({ expires_at: expiresAt, ttl_seconds: ttl })
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    this.#cache.invalidate(lease.repo);
    if (Number(result.numUpdatedRows) !== 1) throw errors.LEASES_NOT_FOUND({}, { id });
    return { ...lease, ttlSeconds: ttl, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** POST /leases/check: the leases that forbid the caller these paths (or globs) now. */
  async check(caller: Identity, repoDir: string, rawPaths: readonly string[]) {
    const repo = await this.resolveRepo(repoDir);
    const paths = await this.normalizePaths(repo, rawPaths);
    const conflicts = await this.blockers(caller.teamName, caller.handle, repo, paths);
    return { allowed: conflicts.length === 0, repo, paths, conflicts };
  }

  /**
   * Leases of others that forbid `handle` writing these repo-relative paths now (empty: allowed).
   * Read from a per-repo copy in memory (see RepoCache): this runs on every edit a worker makes.
   */
  async blockers(teamName: string, handle: string, repo: string, relPaths: string[]): Promise<LeaseBlocker[]> {
    return blockersFor(teamName, handle, relPaths, await this.#cache.get(repo), this.#now());
  }

  /** Leases `handle` holds in `repo` (active). */
  async heldBy(teamName: string, handle: string, repo: string): Promise<Lease[]> {
    const now = this.#now();
    return (await this.#cache.get(repo)).leases.filter(
      (lease) => lease.teamName === teamName && lease.holder === handle && isActive(lease, now),
    );
  }

  covers(lease: Lease, relPath: string): boolean {
    return lease.paths.some((pattern) => covers(pattern, relPath));
  }

  /** A dismissed worker's leases go at once: its own are deleted, its tasks' wait again. */
  async releaseHolder(teamName: string, handle: string, by: string): Promise<number> {
    const rows = await this.#db
      .selectFrom('leases')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('holder', '=', handle)
      .execute();
    let released = 0;
    for (const row of rows) {
      const lease = toView(row);
      const gone =
        lease.taskId === null
          ? Number((await this.#db.deleteFrom('leases').where('id', '=', lease.id).executeTakeFirst()).numDeletedRows)
          : Number(await this.#toWaiting(lease, by));
      this.#cache.invalidate(lease.repo);
      if (gone === 1) {
        released++;
        this.deps.emit('lease:released', teamName, { lease, by });
      }
    }
    return released;
  }

  /**
   * The upkeep sweep: extend the leases of live workers (by their own ttl), then delete the expired
   * ones with lease:expired. Returns what it did, for tests.
   */
  async sweep(): Promise<{ renewed: number; expired: number }> {
    const now = this.#now();
    let renewed = 0;
    const workers = this.deps.workers();
    if (workers) {
      const holders = await this.#db
        .selectFrom('leases')
        .select(['team_name', 'holder'])
        .distinct()
        .where('holder', 'is not', null)
        .where('task_id', 'is', null)
        .where('expires_at', '>', now)
        .execute();
      for (const { team_name: team, holder } of holders) {
        if (!holder || !(await workers.isLive(team, holder).catch(() => false))) continue;
        const rows = await this.#db
          .selectFrom('leases')
          .select(['id', 'repo', 'ttl_seconds'])
          .where('team_name', '=', team)
          .where('holder', '=', holder)
          .where('task_id', 'is', null)
          .where('expires_at', '>', now)
          .execute();
        for (const row of rows) {
          await this.#db
            .updateTable('leases')
            .set({ expires_at: now + Number(row.ttl_seconds) * 1000 })
            .where('id', '=', row.id)
            .where('expires_at', '>', now)
            .execute();
          this.#cache.invalidate(row.repo);
          renewed++;
        }
      }
    }
    const expired = await this.#db.selectFrom('leases').selectAll().where('expires_at', '<=', now).execute();
    let count = 0;
    for (const row of expired) {
      const result = await this.#db
        .deleteFrom('leases')
        .where('id', '=', row.id)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      this.#cache.invalidate(row.repo);
      if (Number(result.numDeletedRows) !== 1) continue;
      count++;
      this.deps.emit('lease:expired', row.team_name, { lease: toView(row) });
    }
    return { renewed, expired: count };
  }

  /** Active leases (every team), waiting ones not counted: for /health. */
  async countActive(teamName: string | undefined): Promise<number> {
    const now = this.#now();
    let q = this.#db
      .selectFrom('leases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('holder', 'is not', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (teamName !== undefined) q = q.where('team_name', '=', teamName);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}

class ConflictFound extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('lease conflict');
  }
}

/** 409: the own team's conflicts named (holder, lease, paths, expiry); another team's only by its expiry. */
export function conflictError(teamName: string, conflicts: Conflict[]) {
  const ours = conflicts.filter((c) => c.lease.teamName === teamName);
  const first = ours[0];
  if (first) {
    const until = first.lease.expiresAt ? `until ${first.lease.expiresAt}` : 'for its task';
    const detail =
      `${first.paths.join(', ')} overlaps lease ${first.lease.id} held ${first.lease.mode} by ` +
      `${first.lease.holder} ${until}`;
    return errors.LEASES_CONFLICT(
      { detail },
      {
        field: 'paths',
        holder: first.lease.holder,
        leaseId: first.lease.id,
        paths: first.paths,
        expiresAt: first.lease.expiresAt,
        conflicts: conflicts.map((c) =>
          c.lease.teamName === teamName
            ? { holder: c.lease.holder, leaseId: c.lease.id, paths: c.paths, expiresAt: c.lease.expiresAt }
            : { holder: 'another team', expiresAt: c.lease.expiresAt },
        ),
      },
    );
  }
  const expiresAt = conflicts[0]!.lease.expiresAt;
  return errors.LEASES_CONFLICT(
    { detail: `another team holds an overlapping lease ${expiresAt ? `until ${expiresAt}` : 'for its task'}` },
    { field: 'paths', holder: 'another team', expiresAt },
  );
}
