import { randomUUID } from 'node:crypto';
import { type Identity, isLead } from '../../core/index.js';
import { type MergeEntry, toEntry } from './entry-view.js';
import { mergesErrors as errors } from './errors.js';
import { revParse } from './git.js';
import type { MergesOptions } from './options.js';
import type { WorkersPort } from './ports.js';
import { isUniqueViolation, type ListFilter, type QueueStore } from './queue-store.js';
import { repositoryOf } from './repo.js';

export interface EnqueueInput {
  handle?: string;
  branch?: string;
  repo?: string;
  target?: string;
  priority: number;
  test?: string[];
}

export interface ServiceDeps {
  store: QueueStore;
  options: () => MergesOptions;
  workers: () => WorkersPort | undefined;
  now: () => number;
  /** An entry changed status (its event); the runner is woken for queued ones. */
  changed(entry: MergeEntry): void;
}

/** The queue's requests: who may queue what, and the entries' reads and changes. Team-scoped throughout. */
export class MergesService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The branch, repository and people of a request: a worker's by its handle, or a branch of a repository. */
  async #resolve(caller: Identity, input: EnqueueInput) {
    const timeout = this.deps.options().gitTimeoutSeconds;
    if (input.handle !== undefined) {
      if (input.handle !== caller.handle && !isLead(caller))
        throw errors.MERGES_NOT_YOURS({ field: 'handle', handle: caller.handle }, { field: 'handle' });
      const workers = this.deps.workers();
      if (!workers) throw errors.MERGES_WORKERS_OFF({}, { field: 'handle' });
      const worker = await workers.manager.store.get(caller.teamName, input.handle);
      if (!worker) throw errors.MERGES_WORKER_NOT_FOUND({ handle: input.handle }, { field: 'handle' });
      if (!worker.worktree_path || !worker.worktree_branch)
        throw errors.MERGES_NO_WORKTREE({ handle: input.handle }, { field: 'handle' });
      if (input.branch !== undefined && input.branch !== worker.worktree_branch)
        throw errors.MERGES_NOT_YOURS({ field: 'branch', handle: input.handle }, { field: 'branch' });
      const repo = await repositoryOf(input.repo ?? worker.worktree_path, timeout);
      if (repo === undefined)
        throw errors.MERGES_NOT_A_REPO({ field: 'repo', path: input.repo ?? 'its worktree' }, { field: 'repo' });
      return { repo, branch: worker.worktree_branch, handle: worker.handle, lead: worker.spawned_by };
    }
    if (input.branch === undefined) throw errors.MERGES_BRANCH_REQUIRED({}, { field: 'branch' });
    if (input.repo === undefined) throw errors.MERGES_REPO_REQUIRED({}, { field: 'repo' });
    const own = `fleet/${caller.handle}`;
    if (!isLead(caller) && input.branch !== own)
      throw errors.MERGES_NOT_YOURS({ field: 'branch', handle: caller.handle }, { field: 'branch' });
    const repo = await repositoryOf(input.repo, timeout);
    if (repo === undefined) throw errors.MERGES_NOT_A_REPO({ field: 'repo', path: input.repo }, { field: 'repo' });
    // A worker's own branch: the worker hears of it, and the one who spawned it when the fleet knows.
    const worker = isLead(caller)
      ? undefined
      : await this.deps.workers()?.manager.store.get(caller.teamName, caller.handle);
    return {
      repo,
      branch: input.branch,
      handle: isLead(caller) ? null : caller.handle,
      lead: isLead(caller) ? caller.handle : (worker?.spawned_by ?? null),
    };
  }

  async enqueue(caller: Identity, input: EnqueueInput): Promise<MergeEntry> {
    if (input.test !== undefined && !isLead(caller)) throw errors.MERGES_TEST_LEAD_ONLY({}, { field: 'test' });
    const timeout = this.deps.options().gitTimeoutSeconds;
    const { repo, branch, handle, lead } = await this.#resolve(caller, input);
    const target = input.target ?? this.deps.options().target;
    if (target === branch) throw errors.MERGES_SAME_BRANCH({ branch }, { field: 'target' });
    if ((await revParse(repo, timeout, `refs/heads/${branch}`)) === undefined)
      throw errors.MERGES_NO_BRANCH({ field: 'branch', branch }, { field: 'branch' });
    if ((await revParse(repo, timeout, `refs/heads/${target}`)) === undefined)
      throw errors.MERGES_NO_BRANCH({ field: 'target', branch: target }, { field: 'target' });
    const now = this.deps.now();
    const row = {
      id: randomUUID(),
      team_name: caller.teamName,
      repo,
      branch,
      target,
      handle,
      lead_handle: lead,
      requested_by: caller.handle,
      priority: input.priority,
      test: input.test === undefined ? null : JSON.stringify(input.test),
      status: 'queued' as const,
      phase: null,
      attempts: 0,
      queued_at: now,
      created_at: now,
      started_at: null,
      finished_at: null,
      onto_commit: null,
      rebased_commit: null,
      report: null,
      message: null,
    };
    try {
      await this.deps.store.insert(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw await this.#alreadyQueued(caller, repo, branch, target);
    }
    const entry = toEntry(row);
    this.deps.changed(entry);
    return entry;
  }

  /** The 409 for a branch queued already: the entry's id only when it is the caller's team's. */
  async #alreadyQueued(caller: Identity, repo: string, branch: string, target: string) {
    const live = await this.deps.store.live(repo, branch, target);
    const id = live && live.team_name === caller.teamName ? live.id : 'of another team';
    return errors.MERGES_ALREADY_QUEUED({ branch, target, id }, { field: 'branch' });
  }

  async require(teamName: string, id: string): Promise<MergeEntry> {
    const row = await this.deps.store.get(teamName, id);
    if (!row) throw errors.MERGES_NOT_FOUND({}, { field: 'id' });
    return toEntry(row);
  }

  async list(teamName: string, filter: ListFilter): Promise<MergeEntry[]> {
    return (await this.deps.store.list(teamName, filter)).map(toEntry);
  }

  /** A lead changes any entry of its team; a worker only the entries of its own branch. */
  #mayChange(caller: Identity, entry: MergeEntry): void {
    if (isLead(caller) || entry.handle === caller.handle || entry.requestedBy === caller.handle) return;
    throw errors.MERGES_NOT_YOURS({ field: 'id', handle: caller.handle }, { field: 'id' });
  }

  async cancel(caller: Identity, id: string): Promise<MergeEntry> {
    const entry = await this.require(caller.teamName, id);
    this.#mayChange(caller, entry);
    const done = await this.deps.store.update(
      id,
      { status: 'cancelled', finished_at: this.deps.now(), message: `cancelled by ${caller.handle}` },
      'queued',
    );
    if (!done) {
      const now = await this.require(caller.teamName, id);
      throw errors.MERGES_NOT_CANCELLABLE({ id, status: now.status }, { field: 'id' });
    }
    const after = await this.require(caller.teamName, id);
    this.deps.changed(after);
    return after;
  }

  async retry(caller: Identity, id: string): Promise<MergeEntry> {
    const entry = await this.require(caller.teamName, id);
    this.#mayChange(caller, entry);
    if (!['conflict', 'failed', 'refused', 'cancelled'].includes(entry.status))
      throw errors.MERGES_NOT_RETRYABLE({ id, status: entry.status }, { field: 'id' });
    const patch = {
      status: 'queued' as const,
      phase: null,
      attempts: 0,
      queued_at: this.deps.now(),
      started_at: null,
      finished_at: null,
      report: null,
      message: `queued again by ${caller.handle}`,
    };
    try {
      if (!(await this.deps.store.update(id, patch, entry.status)))
        throw errors.MERGES_NOT_RETRYABLE(
          { id, status: (await this.require(caller.teamName, id)).status },
          { field: 'id' },
        );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw await this.#alreadyQueued(caller, entry.repo, entry.branch, entry.target);
    }
    const after = await this.require(caller.teamName, id);
    this.deps.changed(after);
    return after;
  }
}
