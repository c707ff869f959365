import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/index.js';
import { type MergeEntry, type MergeReport, toEntry } from './entry-view.js';
import { landed, type Outcome, removeWorktree, runEntry, Stopped } from './merge-entry.js';
import type { MergesOptions } from './options.js';
import { queueOrder } from './order.js';
import type { MergeRow, QueueStore } from './queue-store.js';

export interface RunnerDeps {
  store: QueueStore;
  options: () => MergesOptions;
  workRoot: () => string;
  log: Logger;
  now: () => number;
  /** An entry changed status: emit its event (and, for a conflict, failure or refusal, tell its people). */
  changed(entry: MergeEntry): void;
}

const keyOf = (row: { repo: string; target: string }) => `${row.repo}\0${row.target}`;

/**
 * The fleet's one runner: one entry at a time per target (repository and branch), targets side by side.
 * Woken by each enqueue and retry, and every `pollSeconds` for entries another node queued. At start,
 * entries left `running` are settled: merged if the target already holds their rebased commit, else
 * queued again (in their old place) and run from the start in a new throwaway worktree.
 */
export class MergeRunner {
  readonly #deps: RunnerDeps;
  readonly #busy = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #passing: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    await this.#resume();
    const every = this.#deps.options().pollSeconds * 1000;
    this.#timer = setInterval(() => this.kick(), every);
    this.#timer.unref();
    this.kick();
  }

  /** Look for work now (coalesced: a pass under way looks again when it ends). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#passing) {
      this.#again = true;
      return;
    }
    this.#passing = this.#pass()
      .catch((error: unknown) => this.#deps.log.error('merge queue: a pass failed', { error: String(error) }))
      .finally(() => {
        this.#passing = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Stop taking entries; a test under way is stopped (its entry is run again at the next start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#passing;
    await Promise.allSettled([...this.#busy.values()]);
  }

  /** Resolves once nothing is running (tests and the bench wait on it). */
  async idle(): Promise<void> {
    while (this.#passing || this.#busy.size > 0) {
      await this.#passing;
      await Promise.allSettled([...this.#busy.values()]);
    }
  }

  async #resume(): Promise<void> {
    const { store, options } = this.#deps;
    const timeout = options().gitTimeoutSeconds;
    for (const row of await store.running()) {
      await this.#cleanLeftovers(row);
      if (await landed(row.repo, row.target, row.rebased_commit, timeout)) {
        const message = `${row.target} holds ${String(row.rebased_commit).slice(0, 12)}: merged before the restart`;
        const report = (row.report === null ? null : JSON.parse(row.report)) as MergeReport;
        await this.#finish(row, { status: 'merged', report, message });
        continue;
      }
      await store.update(row.id, { status: 'queued', phase: null, started_at: null, attempts: 0 });
      this.#deps.log.info('merge queue: an entry left running is queued again', { id: row.id, branch: row.branch });
    }
  }

  /** Throwaway worktrees a stopped runner left for this entry. */
  async #cleanLeftovers(row: MergeRow): Promise<void> {
    const root = this.#deps.workRoot();
    let names: string[];
    try {
      names = readdirSync(root).filter((name) => name.startsWith(`${row.id}-`));
    } catch {
      return; // no work root yet
    }
    for (const name of names) await removeWorktree(row.repo, join(root, name), this.#deps.options().gitTimeoutSeconds);
  }

  async #pass(): Promise<void> {
    const { store, options, now } = this.#deps;
    const byTarget = new Map<string, MergeRow[]>();
    for (const row of await store.queued()) {
      if (this.#busy.has(keyOf(row))) continue;
      byTarget.set(keyOf(row), [...(byTarget.get(keyOf(row)) ?? []), row]);
    }
    for (const [key, rows] of byTarget) {
      const waiting = rows.map((row) => ({
        row,
        id: row.id,
        priority: Number(row.priority),
        queuedAt: Number(row.queued_at),
      }));
      for (const { row } of queueOrder(waiting, now(), options().agingMinutes)) {
        if (this.#stopped) return;
        if (!(await store.claim(row, now()))) continue;
        const started = { ...row, status: 'running' as const, phase: 'rebase', started_at: now(), attempts: 0 };
        this.#deps.changed(toEntry(started));
        const work = this.#run(started).finally(() => {
          this.#busy.delete(key);
          this.kick();
        });
        this.#busy.set(key, work);
        break;
      }
    }
  }

  async #run(row: MergeRow): Promise<void> {
    const { store, options, workRoot } = this.#deps;
    let outcome: Outcome;
    try {
      outcome = await runEntry(toEntry(row), {
        options: options(),
        workRoot: workRoot(),
        signal: this.#abort.signal,
        progress: async (patch) => {
          const update: Partial<MergeRow> = { phase: patch.phase };
          if (patch.ontoCommit !== undefined) update.onto_commit = patch.ontoCommit;
          if (patch.rebasedCommit !== undefined) update.rebased_commit = patch.rebasedCommit;
          if (patch.attempts !== undefined) update.attempts = patch.attempts;
          await store.update(row.id, update);
        },
      });
    } catch (error) {
      if (error instanceof Stopped || this.#stopped) return; // run again from the start at the next start
      this.#deps.log.error('merge queue: an entry failed to run', { id: row.id, error: String(error) });
      const report = { timings: { rebaseMs: 0, testMs: 0, checkMs: 0, mergeMs: 0 }, rebases: 0 };
      outcome = { status: 'failed', report, message: `the queue could not run it: ${(error as Error).message}` };
    }
    await this.#finish(row, outcome);
  }

  async #finish(row: MergeRow, outcome: Pick<Outcome, 'status' | 'report' | 'message'> & Partial<Outcome>) {
    const patch: Partial<MergeRow> = {
      status: outcome.status,
      phase: null,
      finished_at: this.#deps.now(),
      report: outcome.report === null ? null : JSON.stringify(outcome.report),
      message: outcome.message,
    };
    if (outcome.ontoCommit !== undefined) patch.onto_commit = outcome.ontoCommit;
    if (outcome.rebasedCommit !== undefined) patch.rebased_commit = outcome.rebasedCommit;
    if (!(await this.#deps.store.update(row.id, patch))) return;
    const after = await this.#deps.store.byId(row.id);
    if (after) this.#deps.changed(toEntry(after));
  }
}
