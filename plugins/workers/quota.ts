import type { Kysely } from 'kysely';
import type { Logger, PluginContext } from '../../core/index.js';
import type { AdmissionRequest } from './pause.js';
import { parsePause, type PauseRequest } from './pause.js';
import type { WorkerQuotaTable, WorkersTables } from './tables.js';
import type { UsageLimit } from './usage-limit.js';
import type { WorkerRow, WorkerStore } from './worker-store.js';

/** The fleet's workers share one account (the credentials in the fleet's environment). */
const ACCOUNT = 'default';

/** How parked workers come back after a reset (plugins.workers.quota). */
export interface QuotaOptions {
  /** At most this many parked workers resume per window... */
  resumeBatch: number;
  /** ...of this many seconds: ten sessions resumed at once would trip the burst limiter. */
  resumeWindowSeconds: number;
  /** Wait this long past the reset time the agent gave before resuming (clocks differ). */
  resetMarginSeconds: number;
}

/** What the breaker needs of the manager. */
export interface QuotaWorkers {
  store: WorkerStore;
  pause(teamName: string, handle: string, request: PauseRequest): Promise<unknown>;
  resume(teamName: string, handle: string, options: { by?: string }): Promise<unknown>;
  drainQueue(): Promise<void>;
}

export type QuotaState = ReturnType<typeof quotaView>;

function quotaView(row: WorkerQuotaTable | undefined) {
  if (!row) return { limited: false as const };
  const resetsAt = row.resets_at === null ? null : Number(row.resets_at);
  return {
    limited: true as const,
    kind: row.kind,
    window: row.window,
    resetsAt: resetsAt === null ? null : new Date(resetsAt).toISOString(),
    /** Whether it resumes by itself: a five-hour limit with a reset time; else a lead decides. */
    resumesBySelf: autoResumes(row),
    message: row.message,
    trippedBy: { teamName: row.team_name, handle: row.handle },
    trippedAt: new Date(Number(row.tripped_at)).toISOString(),
  };
}

function autoResumes(row: Pick<WorkerQuotaTable, 'window' | 'resets_at'>): boolean {
  return row.window !== 'weekly' && row.window !== 'unknown' && row.resets_at !== null;
}

/**
 * The account's usage-limit breaker. An agent that reports a usage limit is parked (paused, reason
 * `quota`, with the reset time) and trips the breaker: no new worker starts (spawns are queued and
 * wait) until the reset. Then the breaker clears by itself and the parked workers resume, a few at a
 * time (resumeBatch per resumeWindowSeconds). A weekly limit, or one without a reset time, is not
 * guessed at: it waits for a lead (POST /orchestrate/quota/resume). Kept in the database, so a
 * restarted server waits for the same reset and resumes the same workers.
 */
export class QuotaBreaker {
  #row: WorkerQuotaTable | undefined;
  #resetTimer: NodeJS.Timeout | undefined;
  #staggerTimer: NodeJS.Timeout | undefined;
  #wakeStagger: (() => void) | undefined;
  #resuming: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly deps: {
      db: Kysely<WorkersTables>;
      workers: QuotaWorkers;
      options: () => QuotaOptions;
      log: Logger;
      emit: PluginContext['events']['emit'];
    },
  ) {}

  /** Read the breaker as the last server left it: spawns asked for before start() already wait. */
  async load(): Promise<void> {
    this.#closed = false;
    this.#row = await this.deps.db
      .selectFrom('worker_quota')
      .selectAll()
      .where('account', '=', ACCOUNT)
      .executeTakeFirst();
  }

  /** Arm the breaker's reset, and go on resuming workers a previous server left parked. */
  async start(): Promise<void> {
    if (this.#closed) return;
    if (this.#row) this.#arm(this.#row);
    else if ((await this.#parked()).length > 0) this.#resumeParked('restart');
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#resetTimer);
    clearTimeout(this.#staggerTimer);
    this.#wakeStagger?.();
  }

  state(): QuotaState {
    return quotaView(this.#row);
  }

  /** Spawns wait while the breaker is tripped; so do resumes of parked workers (input still passes). */
  async admit(request: AdmissionRequest): Promise<{ wait: string } | undefined> {
    const row = this.#row;
    // Parked workers come back first, a few at a time; held spawns start after them, not in one burst beside.
    if (!row && this.#resuming && request.action === 'spawn')
      return { wait: 'parked workers are resuming after the usage limit, a few at a time' };
    if (!row || request.action === 'send') return undefined;
    if (request.action === 'resume') {
      const worker = await this.deps.workers.store.get(request.teamName, request.handle);
      if (parsePause(worker?.pause ?? null)?.reason !== 'quota') return undefined;
    }
    const until =
      row.resets_at === null ? 'a lead resumes it' : `it resets at ${new Date(Number(row.resets_at)).toISOString()}`;
    return { wait: `the account hit its ${row.window.replace('_', '-')} usage limit; ${until}` };
  }

  /** An agent reported a limit: park its worker and trip the breaker (a later reset time wins). */
  async onLimit(row: Pick<WorkerRow, 'team_name' | 'handle'>, limit: UsageLimit): Promise<void> {
    if (limit.kind === 'overloaded') {
      this.deps.log.warn(`worker ${row.team_name}/${row.handle}: the model API is overloaded`, {
        message: limit.message,
      });
      return;
    }
    const tripped: WorkerQuotaTable = {
      account: ACCOUNT,
      kind: limit.kind,
      window: limit.window,
      resets_at: limit.resetsAt,
      message: limit.message,
      team_name: row.team_name,
      handle: row.handle,
      tripped_at: Date.now(),
    };
    const current = this.#row;
    const keep =
      current &&
      (current.window === 'weekly' ||
        (current.resets_at !== null &&
          (limit.resetsAt === null ? false : Number(current.resets_at) >= limit.resetsAt)));
    if (!keep) {
      await this.deps.db
        .insertInto('worker_quota')
        .values(tripped)
        .onConflict((oc) => oc.column('account').doUpdateSet({ ...tripped }))
        .execute();
      this.#row = tripped;
      this.#arm(tripped);
      this.deps.log.warn(`usage limit (${limit.window}) reported by ${row.team_name}/${row.handle}: workers park`, {
        resetsAt: limit.resetsAt === null ? null : new Date(limit.resetsAt).toISOString(),
      });
    }
    const resetsAt = this.#row!.resets_at === null ? null : Number(this.#row!.resets_at);
    await this.deps.workers
      .pause(row.team_name, row.handle, { reason: 'quota', detail: limit.message, source: 'quota', resetsAt })
      .catch((error: Error) => this.deps.log.warn(`could not park ${row.team_name}/${row.handle}: ${error.message}`));
    this.deps.emit('quota_limited', row.team_name, { handle: row.handle, quota: this.state() });
  }

  /**
   * Clear the breaker (a lead decided, or the reset came) and resume the parked workers, staggered:
   * a lead's team's only (the limit is the account's, the workers are each team's: another team's
   * lead resumes those), every team's at a reset. Answers how many resume (over the next windows).
   */
  async clear(by: string, teamName?: string): Promise<{ parked: number }> {
    clearTimeout(this.#resetTimer);
    this.#resetTimer = undefined;
    const was = this.#row;
    await this.deps.db.deleteFrom('worker_quota').where('account', '=', ACCOUNT).execute();
    this.#row = undefined;
    const parked = (await this.#parked()).filter((worker) => teamName === undefined || worker.team_name === teamName);
    if (was) {
      this.deps.log.info(`usage limit cleared (${by}): ${parked.length} parked workers resume`);
      const teams = new Set([was.team_name, ...parked.map((worker) => worker.team_name)]);
      for (const team of teams) this.deps.emit('quota_cleared', team, { by, parked: parked.length });
    }
    // The queue drains once the parked workers are back (see #resumeParked).
    this.#resumeParked(by, teamName);
    return { parked: parked.length };
  }

  async #parked(): Promise<WorkerRow[]> {
    const paused = await this.deps.workers.store.listPaused();
    return paused.filter((worker) => parsePause(worker.pause)?.reason === 'quota');
  }

  /** A five-hour limit with a reset time clears itself then (at once if that time has passed). */
  #arm(row: WorkerQuotaTable): void {
    clearTimeout(this.#resetTimer);
    this.#resetTimer = undefined;
    if (!autoResumes(row)) return;
    const at = Number(row.resets_at) + this.deps.options().resetMarginSeconds * 1000;
    // setTimeout holds at most ~24.8 days; a later reset re-arms on the way.
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    this.#resetTimer = setTimeout(() => {
      if (this.#closed) return;
      if (Date.now() < at) return this.#arm(row);
      void this.clear('reset').catch((error: Error) =>
        this.deps.log.error(`usage limit reset failed: ${error.message}`),
      );
    }, delay);
    this.#resetTimer.unref();
  }

  /** Resume parked workers, resumeBatch at a time, one batch per window, the longest parked first. */
  #resumeParked(by: string, teamName?: string): void {
    // One stagger at a time; a lead's call during another team's stagger waits its turn after it.
    if (this.#resuming) {
      void this.#resuming.then(() => this.#resumeParked(by, teamName));
      return;
    }
    // Each worker is tried once per run: one a budget still holds stays paused, and is not retried forever.
    const tried = new Set<string>();
    const batch = async (): Promise<void> => {
      if (this.#closed || this.#row) return;
      const { resumeBatch, resumeWindowSeconds } = this.deps.options();
      const parked = (await this.#parked()).filter(
        (worker) =>
          (teamName === undefined || worker.team_name === teamName) &&
          !tried.has(`${worker.team_name}/${worker.handle}`),
      );
      for (const worker of parked.slice(0, resumeBatch)) {
        tried.add(`${worker.team_name}/${worker.handle}`);
        await this.deps.workers
          .resume(worker.team_name, worker.handle, { by })
          .catch((error: Error) =>
            this.deps.log.warn(`could not resume ${worker.team_name}/${worker.handle}: ${error.message}`),
          );
      }
      if (parked.length <= resumeBatch || this.#closed) return;
      await new Promise<void>((wake) => {
        this.#wakeStagger = wake;
        this.#staggerTimer = setTimeout(wake, resumeWindowSeconds * 1000);
        this.#staggerTimer.unref();
      });
      this.#wakeStagger = undefined;
      return batch();
    };
    this.#resuming = batch()
      .catch((error: Error) => this.deps.log.error(`resuming parked workers failed: ${error.message}`))
      .finally(() => {
        this.#resuming = undefined;
        if (this.#closed || this.#row) return;
        void this.deps.workers
          .drainQueue()
          .catch((error: Error) => this.deps.log.error(`draining the spawn queue failed: ${error.message}`));
      });
  }

  /** Settles when the staggered resume under way (if any) is done: for tests and orderly stops. */
  async settled(): Promise<void> {
    await this.#resuming;
  }
}
