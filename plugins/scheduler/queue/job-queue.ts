import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { EventType, FleetEventMap, Logger } from '../../../core/index.js';
import type { Clock } from '../clock.js';
import { backoffDelay } from './backoff.js';
import { queueErrors } from './errors.js';
import { FINAL_STATUSES, type Job, jobOf, priorityRank, viewOf } from './job.js';
import type { JobPriority, JobStatus, JobTrigger, QueueTables, SchedulerJobsTable } from './tables.js';

/** What a handler answers: delivered only with evidence; a failure is retried unless `retry: false`. */
export type JobResult =
  | { outcome: 'delivered'; evidence: Record<string, unknown> }
  | { outcome: 'failed'; reason: string; retry?: boolean }
  | { outcome: 'refused'; reason: string };

export type JobHandler = (job: Job) => Promise<JobResult>;

export interface EnqueueInput {
  team: string;
  kind: string;
  name: string;
  payload?: unknown;
  priority?: JobPriority;
  maxAttempts?: number;
  origin?: { kind: string; id: string };
  trigger?: JobTrigger;
  triggerEvent?: string;
  repository?: string;
  createdBy?: string;
}

export interface QueueOptions {
  /** Jobs this queue runs at once (default 3). */
  concurrency: number;
  /** Attempts of a job unless it says otherwise (default 3). */
  maxAttempts: number;
  /** First retry's backoff ceiling; each next attempt doubles it (full jitter), up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a claim holds without a heartbeat; renewed every third of it while the job runs. */
  leaseMs: number;
  /** How often to look for due jobs besides the wake-ups of enqueue and backoff (other nodes' jobs). */
  pollMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  concurrency: 3,
  maxAttempts: 3,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  leaseMs: 60_000,
  pollMs: 1_000,
};

type Emit = <K extends EventType>(type: K, team: string, data: FleetEventMap[K]) => unknown;

export interface JobQueueDeps {
  db: Kysely<QueueTables> | Kysely<unknown>;
  dialect: 'sqlite' | 'postgres';
  clock: Clock;
  log: Logger;
  emit: Emit;
  options?: Partial<QueueOptions>;
  /** For the jitter (tests pass their own). */
  random?: () => number;
}

/**
 * The durable priority queue. Jobs are rows; a claim is one conditional UPDATE of the next due
 * queued row (critical > high > normal > low, then FIFO by id), so several queues on one PostgreSQL
 * database never run a job twice. A claim counts an attempt and takes a lease, renewed while the
 * handler runs; a job whose lease ran out (its server died) is queued again — or dead-lettered when
 * that was its last attempt — by whichever queue notices first, and at start.
 */
export class JobQueue {
  readonly options: QueueOptions;
  /** This instance's lease owner id (one per start: a restarted server is a new owner). */
  readonly owner = randomUUID();
  private readonly db: Kysely<QueueTables>;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly settledListeners = new Set<(job: Job) => void>();
  private readonly running = new Map<number, Promise<void>>();
  private started = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private poll: ReturnType<typeof setInterval> | undefined;
  private wake: { at: number; cancel(): void } | undefined;
  private recoveredAt = 0;

  constructor(private readonly deps: JobQueueDeps) {
    this.db = deps.db as Kysely<QueueTables>;
    this.options = { ...DEFAULT_QUEUE_OPTIONS, ...deps.options };
  }

  registerHandler(kind: string, handler: JobHandler): () => void {
    this.handlers.set(kind, handler);
    if (this.started) this.kick();
    return () => {
      if (this.handlers.get(kind) === handler) this.handlers.delete(kind);
    };
  }

  hasHandler(kind: string): boolean {
    return this.handlers.has(kind);
  }

  /** Called with each job that reaches a final state (delivered, refused, dead, cancelled). */
  onSettled(listener: (job: Job) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  async enqueue(input: EnqueueInput): Promise<Job> {
    const now = this.deps.clock.now();
    const priority = input.priority ?? 'normal';
    const row = await this.db
      .insertInto('scheduler_jobs')
      .values({
        team_name: input.team,
        kind: input.kind,
        name: input.name,
        payload: input.payload === undefined ? null : JSON.stringify(input.payload),
        priority,
        priority_rank: priorityRank(priority),
        status: 'queued',
        attempts: 0,
        max_attempts: input.maxAttempts ?? this.options.maxAttempts,
        next_attempt_at: now,
        trigger: input.trigger ?? 'manual',
        trigger_event: input.triggerEvent ?? null,
        repository: input.repository ?? null,
        origin_kind: input.origin?.kind ?? null,
        origin_id: input.origin?.id ?? null,
        created_by: input.createdBy ?? null,
        created_at: now,
      } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    const job = jobOf(row);
    this.deps.emit('job_queued', job.team, { job: viewOf(job) });
    this.kick();
    return job;
  }

  async get(team: string, id: number): Promise<Job> {
    const row = await this.db
      .selectFrom('scheduler_jobs')
      .selectAll()
      .where('id', '=', id)
      .where('team_name', '=', team)
      .executeTakeFirst();
    if (!row) throw queueErrors.SCHEDULER_QUEUE_NOT_FOUND();
    return jobOf(row);
  }

  /** A team's jobs in the given states, in the order they would run (or newest first for final ones). */
  async list(team: string, statuses: readonly JobStatus[], limit = 100): Promise<Job[]> {
    const final = statuses.every((status) => FINAL_STATUSES.includes(status));
    let query = this.db
      .selectFrom('scheduler_jobs')
      .selectAll()
      .where('team_name', '=', team)
      .where('status', 'in', [...statuses]);
    query = final
      ? query.orderBy('completed_at', 'desc').orderBy('id', 'desc')
      : query.orderBy('priority_rank').orderBy('id');
    const rows = await query.limit(limit).execute();
    return rows.map((row) => jobOf(row));
  }

  async counts(team: string): Promise<Record<JobStatus, number>> {
    const rows = await this.db
      .selectFrom('scheduler_jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('team_name', '=', team)
      .groupBy('status')
      .execute();
    const counts: Record<JobStatus, number> = {
      queued: 0,
      running: 0,
      delivered: 0,
      refused: 0,
      dead: 0,
      cancelled: 0,
    };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Cancel a queued job (a running one: 409; an ended one: 409). */
  async cancel(team: string, id: number, by: string): Promise<Job> {
    const now = this.deps.clock.now();
    const row = await this.db
      .updateTable('scheduler_jobs')
      .set({ status: 'cancelled', completed_at: now, error: `cancelled by ${by}` })
      .where('id', '=', id)
      .where('team_name', '=', team)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const job = await this.get(team, id);
      if (job.status === 'running') throw queueErrors.SCHEDULER_QUEUE_RUNNING({ id });
      throw queueErrors.SCHEDULER_QUEUE_FINISHED({ id, status: job.status });
    }
    const job = jobOf(row);
    this.deps.emit('job_cancelled', team, { id, by });
    this.settled(job);
    return job;
  }

  /** A dead job back to queued with fresh attempts (leads). */
  async replay(team: string, id: number, by: string): Promise<Job> {
    const now = this.deps.clock.now();
    const row = await this.db
      .updateTable('scheduler_jobs')
      .set({
        status: 'queued',
        attempts: 0,
        next_attempt_at: now,
        error: null,
        evidence: null,
        started_at: null,
        completed_at: null,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', id)
      .where('team_name', '=', team)
      .where('status', '=', 'dead')
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const job = await this.get(team, id);
      throw queueErrors.SCHEDULER_QUEUE_NOT_DEAD({ id, status: job.status });
    }
    const job = jobOf(row);
    this.deps.emit('job_replayed', team, { id, by });
    this.deps.emit('job_queued', team, { job: viewOf(job) });
    this.kick();
    return job;
  }

  /**
   * Start running jobs: first take back what a dead server left running (on SQLite every running
   * row is an orphan, since one server owns the file; on PostgreSQL those whose lease ran out).
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.recover(this.deps.dialect === 'sqlite');
    this.poll = setInterval(() => this.kick(), this.options.pollMs);
    this.poll.unref();
    this.kick();
  }

  /** Stop claiming; wait for the jobs running now (their results are still recorded). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.poll) clearInterval(this.poll);
    this.wake?.cancel();
    this.wake = undefined;
    await this.pumping;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when nothing is running and no due job is waiting (tests, the bench). */
  async idle(): Promise<void> {
    for (;;) {
      await this.pumping;
      await Promise.allSettled([...this.running.values()]);
      if (this.pumping === undefined && this.running.size === 0) return;
    }
  }

  /** Look for work now (enqueue, a finished job, a backoff that ended, the poll). */
  kick(): void {
    if (!this.started) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error: unknown) => this.deps.log.error('queue: claim failed', { error: (error as Error).message }))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pump(): Promise<void> {
    // Looking for orphans is a scan: at most once per poll interval, not after every job.
    if (Date.now() - this.recoveredAt >= this.options.pollMs) {
      this.recoveredAt = Date.now();
      await this.recover(false);
    }
    let empty = false;
    while (this.started && this.running.size < this.options.concurrency) {
      const job = await this.claim();
      if (!job) {
        empty = true;
        break;
      }
      const run = this.execute(job).finally(() => {
        this.running.delete(job.id);
        this.kick();
      });
      this.running.set(job.id, run);
    }
    // Nothing due now: wake up when the next backoff or lease ends.
    if (empty) await this.armWake();
  }

  /** One conditional UPDATE: the next due queued job with a handler, if still queued, becomes ours. */
  async claim(): Promise<Job | undefined> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return undefined;
    const now = this.deps.clock.now();
    const leaseUntil = now + this.options.leaseMs;
    const lock = this.deps.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const result = await sql<SchedulerJobsTable>`
      update scheduler_jobs
         set status = 'running', attempts = attempts + 1, lease_owner = ${this.owner},
             lease_until = ${leaseUntil}, started_at = ${now}
       where id = (select id from scheduler_jobs
                    where status = 'queued' and next_attempt_at <= ${now}
                      and kind in (${sql.join(kinds)})
                    order by priority_rank, id limit 1 ${lock})
         and status = 'queued'
      returning *`.execute(this.db);
    const row = result.rows[0];
    return row ? jobOf(row) : undefined;
  }

  private async execute(job: Job): Promise<void> {
    this.deps.emit('job_started', job.team, { id: job.id, kind: job.kind, name: job.name, attempt: job.attempts });
    const heartbeat = setInterval(() => void this.renew(job.id), Math.max(10, this.options.leaseMs / 3));
    heartbeat.unref();
    let result: JobResult;
    try {
      const handler = this.handlers.get(job.kind);
      result = handler ? await handler(job) : { outcome: 'failed', reason: `no handler for jobs of kind ${job.kind}` };
      if (result.outcome === 'delivered' && Object.keys(result.evidence ?? {}).length === 0)
        result = { outcome: 'failed', reason: 'the handler reported delivered without evidence' };
    } catch (error) {
      result = { outcome: 'failed', reason: (error as Error).message || 'the handler threw' };
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await this.finish(job, result);
    } catch (error) {
      // The lease runs out and another attempt follows: nothing is marked done that was not recorded.
      this.deps.log.error('queue: could not record a result', { id: job.id, error: (error as Error).message });
    }
  }

  private async renew(id: number): Promise<void> {
    await this.db
      .updateTable('scheduler_jobs')
      .set({ lease_until: this.deps.clock.now() + this.options.leaseMs })
      .where('id', '=', id)
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'running')
      .execute()
      .catch(() => undefined);
  }

  private async finish(job: Job, result: JobResult): Promise<void> {
    const now = this.deps.clock.now();
    const ours = this.db
      .updateTable('scheduler_jobs')
      .where('id', '=', job.id)
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'running');
    let row: SchedulerJobsTable | undefined;
    if (result.outcome === 'delivered') {
      row = await ours
        .set({ status: 'delivered', completed_at: now, evidence: JSON.stringify(result.evidence), error: null })
        .set({ lease_owner: null, lease_until: null })
        .returningAll()
        .executeTakeFirst();
    } else if (result.outcome === 'refused') {
      row = await ours
        .set({ status: 'refused', completed_at: now, error: result.reason, lease_owner: null, lease_until: null })
        .returningAll()
        .executeTakeFirst();
    } else if (result.retry !== false && job.attempts < job.maxAttempts) {
      const next = now + backoffDelay(job.attempts, this.backoff(), this.deps.random);
      row = await ours
        .set({ status: 'queued', next_attempt_at: next, error: result.reason, lease_owner: null, lease_until: null })
        .returningAll()
        .executeTakeFirst();
      if (row) {
        this.deps.emit('job_retry', job.team, {
          id: job.id,
          kind: job.kind,
          name: job.name,
          attempt: job.attempts,
          reason: result.reason,
          nextAttemptAt: new Date(next).toISOString(),
        });
      }
      return;
    } else {
      row = await this.dead(job.id, this.owner, now, result.reason);
    }
    if (!row) {
      this.deps.log.warn('queue: a job’s lease was lost before its result was recorded', { id: job.id });
      return;
    }
    this.settled(jobOf(row));
  }

  private backoff() {
    return { baseMs: this.options.backoffBaseMs, maxMs: this.options.backoffMaxMs };
  }

  /** The running job `id` of lease owner `owner` to the dead-letter list. */
  private async dead(id: number, owner: string, now: number, reason: string): Promise<SchedulerJobsTable | undefined> {
    const row = await this.db
      .updateTable('scheduler_jobs')
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .set({ status: 'dead', completed_at: now, error: reason, lease_owner: null, lease_until: null })
      .returningAll()
      .executeTakeFirst();
    if (row) {
      const job = jobOf(row);
      this.deps.emit('job_dead', job.team, {
        id: job.id,
        kind: job.kind,
        name: job.name,
        attempts: job.attempts,
        reason,
      });
    }
    return row;
  }

  /**
   * Running jobs whose lease ran out (or, at a SQLite start, every running job): queued again
   * after a backoff, the attempt they were in counted; dead when it was their last.
   */
  private async recover(all: boolean): Promise<void> {
    const now = this.deps.clock.now();
    let query = this.db.selectFrom('scheduler_jobs').selectAll().where('status', '=', 'running');
    if (!all) query = query.where('lease_until', '<', now);
    const orphans = (await query.execute()) as SchedulerJobsTable[];
    for (const orphan of orphans) {
      const job = jobOf(orphan);
      const reason = `attempt ${job.attempts} was interrupted (its server stopped before it ended)`;
      const same = this.db
        .updateTable('scheduler_jobs')
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .where('lease_owner', '=', orphan.lease_owner ?? '');
      if (job.attempts >= job.maxAttempts) {
        const row = await this.dead(job.id, orphan.lease_owner ?? '', now, reason);
        if (row) this.settled(jobOf(row));
        continue;
      }
      const next = now + backoffDelay(job.attempts, this.backoff(), this.deps.random);
      const row = await same
        .set({ status: 'queued', next_attempt_at: next, error: reason, lease_owner: null, lease_until: null })
        .returningAll()
        .executeTakeFirst();
      if (row) {
        this.deps.log.info('queue: took back an interrupted job', { id: job.id, attempt: job.attempts });
        this.deps.emit('job_retry', job.team, {
          id: job.id,
          kind: job.kind,
          name: job.name,
          attempt: job.attempts,
          reason,
          nextAttemptAt: new Date(next).toISOString(),
        });
      }
    }
  }

  /** A timer (on the scheduler's clock) for the earliest backoff or lease that ends in the future. */
  private async armWake(): Promise<void> {
    if (!this.started) return;
    const now = this.deps.clock.now();
    const next = await this.db
      .selectFrom('scheduler_jobs')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', '=', 'queued')
      .where('next_attempt_at', '>', now)
      .executeTakeFirst();
    const lease = await this.db
      .selectFrom('scheduler_jobs')
      .select((eb) => eb.fn.min('lease_until').as('at'))
      .where('status', '=', 'running')
      .executeTakeFirst();
    const times = [next?.at, lease?.at].filter((at) => at !== null && at !== undefined).map(Number);
    if (times.length === 0) return;
    const at = Math.max(now, Math.min(...times)) + 1;
    if (this.wake && this.wake.at <= at && this.wake.at > now) return;
    this.wake?.cancel();
    const timer = this.deps.clock.setTimeout(() => {
      this.wake = undefined;
      this.kick();
    }, at - now);
    this.wake = { at, cancel: () => timer.cancel() };
  }

  private settled(job: Job): void {
    this.deps.emit('job_settled', job.team, { job: viewOf(job) });
    for (const listener of this.settledListeners) {
      try {
        listener(job);
      } catch (error) {
        this.deps.log.error('queue: a settled listener threw', { id: job.id, error: (error as Error).message });
      }
    }
  }
}
