import { type Kysely, type Selectable, sql } from 'kysely';
import type { Logger, PluginContext } from '../../../core/index.js';
import type { Clock } from '../clock.js';
import type { CatchUp } from '../fields.js';
import type { SchedulerMetrics } from '../metrics.js';
import type { SchedulerOptions } from '../options.js';
import { fillAction, type ScheduleAction } from './action.js';
import { planSlots } from './catch-up.js';
import { CronSpec } from './cron.js';
import { type Dispatcher, TURN_OVER } from './dispatcher.js';
import type { JobLike, QueuePort, WorkersPort } from './ports.js';
import { newRunId, runOutcome } from './runs.js';
import type { ScheduleRunsTable, ScheduleTables, SchedulesTable } from './tables.js';
import { type Dispatch, runView } from './views.js';

export interface EngineDeps {
  db: Kysely<ScheduleTables>;
  clock: Clock;
  dispatcher: Dispatcher;
  emit: PluginContext['events']['emit'];
  on: PluginContext['events']['on'];
  log: Logger;
  options: () => SchedulerOptions;
  metrics: SchedulerMetrics;
  workers: () => WorkersPort | undefined;
  queue: () => QueuePort | undefined;
}

type RunRow = Selectable<ScheduleRunsTable>;
type ScheduleRow = Selectable<SchedulesTable>;

const INTERRUPTED =
  'interrupted: the server stopped after this run was written and before its outcome was known; ' +
  'not dispatched again (its work may or may not have started)';
const JOB_OUTCOMES: Record<string, Dispatch['outcome']> = {
  delivered: 'delivered',
  refused: 'refused',
  dead: 'failed',
  failed: 'failed',
  cancelled: 'skipped',
};

/** How often (real time) runs orphaned by a claim that committed after its process died are looked for. */
const ORPHAN_SWEEP_MS = 2_000;

/** Run rows per multi-row insert (17 values each: within SQLite's and PostgreSQL's parameter limits). */
const INSERT_BATCH = 500;
/** Ids per `IN (...)` list. */
const ID_BATCH = 500;

const stoppedKey = (team: string) => `stopped:${team}`;

/**
 * The firing engine. Each pass: every enabled schedule whose next slot is due gets one run row per
 * slot (UNIQUE(schedule_id, slot); the schedule's covered_until moves in the same transaction, under
 * an optimistic check, so two passes or two nodes cannot both claim a slot); then waiting runs are
 * claimed (waiting → dispatching, its own write) and dispatched in the background, each re-reading
 * its schedule (deleted, disabled, stopped: skipped) and its overlap policy first.
 */
export class FiringEngine {
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stopped = new Set<string>();
  /** Worker turns runs wait on: team/handle → run ids. */
  readonly #watches = new Map<string, Set<string>>();
  /** One change at a time per run (read, change, write). */
  readonly #chains = new Map<string, Promise<unknown>>();
  #timer: { cancel(): void } | undefined;
  #looping = false;
  #kicked = false;
  #again = false;
  #ticking: Promise<void> | undefined;
  #staggerAt = 0;
  #removers: (() => void)[] = [];
  /** Runs this process claimed and is dispatching now. */
  readonly #dispatching = new Set<string>();
  /** The clock when this process recovered; a claim older than that is no dispatch of this process. */
  #recoveredAt = 0;
  #sweptAt = 0;

  constructor(private readonly deps: EngineDeps) {}

  get looping(): boolean {
    return this.#looping;
  }

  teamRunning(team: string): boolean {
    return !this.#stopped.has(team);
  }

  /** Load which teams are stopped, finish interrupted runs, listen, and (loop) tick until stopped. */
  async start(options: { loop: boolean } = { loop: true }): Promise<void> {
    const rows = await this.deps.db.selectFrom('scheduler_state').selectAll().execute();
    for (const row of rows)
      if (row.key.startsWith('stopped:') && row.value === '1') this.#stopped.add(row.key.slice(8));
    this.#listen();
    await this.#recover();
    this.#staggerAt = this.deps.clock.now();
    if (options.loop) {
      this.#looping = true;
      this.#schedule();
    }
  }

  /** Stop ticking; wait a little for dispatches under way (those cut off end interrupted at the next start). */
  async stop(): Promise<void> {
    this.#looping = false;
    this.#timer?.cancel();
    for (const remove of this.#removers.splice(0)) remove();
    await this.#ticking;
    await Promise.race([this.settled(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  /** Every dispatch and change under way. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(): void {
    if (!this.#looping) return;
    const timer = setTimeout(() => {
      void this.tick()
        .catch((error: unknown) => this.deps.log.error('scheduler: a pass failed', { error: (error as Error).message }))
        .finally(() => this.#schedule());
    }, this.deps.options().tickMs);
    timer.unref();
    this.#timer = { cancel: () => clearTimeout(timer) };
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** One pass: write the due slots' runs, then start the waiting runs that may start. */
  async tick(): Promise<void> {
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = (async () => {
      const now = this.deps.clock.now();
      const due = await this.deps.db
        .selectFrom('schedules')
        .selectAll()
        .where('enabled', '=', 1)
        .where('next_slot', 'is not', null)
        .where('next_slot', '<=', now)
        .orderBy('next_slot')
        .execute();
      const running = due.filter((schedule) => !this.#stopped.has(schedule.team_name));
      if (running.length > 0) await this.#writeSlots(running, now);
      await this.#sweepOrphans();
      await this.#startWaiting(now);
    })().finally(() => {
      this.#ticking = undefined;
      if (!this.#again || !this.#looping) return;
      this.#again = false;
      void this.#track(this.tick()).catch(() => undefined);
    });
    return this.#ticking;
  }

  /** What a due schedule's pass writes: its covered_until move and its slots' run rows. */
  #planSchedule(schedule: ScheduleRow, now: number): { until: number; next: number | null; rows: RunRow[] } {
    const options = this.deps.options();
    const spec = CronSpec.parse(schedule.cron, schedule.timezone);
    const covered = Number(schedule.covered_until);
    const { slots, more } = spec.between(covered, now, options.catchUpScanLimit);
    if (more)
      this.deps.log.warn('scheduler: many missed slots; writing them in batches', {
        schedule: schedule.id,
        batch: slots.length,
      });
    const plans = planSlots(slots, {
      now,
      graceMs: options.graceMs,
      policy: JSON.parse(schedule.catch_up) as CatchUp,
      more,
    });
    const until = more ? slots[slots.length - 1]! : now;
    const rows = plans.map((plan): RunRow => ({
      id: newRunId(),
      schedule_id: schedule.id,
      team_name: schedule.team_name,
      schedule_name: schedule.name,
      slot: plan.slot,
      status: plan.fire ? 'waiting' : 'done',
      outcome: plan.fire ? null : 'skipped',
      reason: plan.reason ?? null,
      evidence: null,
      late: plan.late ? 1 : 0,
      not_before: plan.fire && plan.late ? this.#stagger(now, options.staggerMs) : plan.slot,
      tokens: 0,
      cost_usd: null,
      created_at: now,
      started_at: null,
      finished_at: plan.fire ? null : now,
    }));
    return { until, next: spec.nextAfter(until) ?? null, rows };
  }

  /**
   * Write the due schedules' slots, all in one transaction: each schedule's covered_until moves
   * under an optimistic check (another pass or node that moved it first wrote these slots), and
   * the run rows of the schedules that moved go in as multi-row inserts (UNIQUE(schedule_id, slot)).
   */
  async #writeSlots(due: ScheduleRow[], now: number): Promise<void> {
    const planned: { schedule: ScheduleRow; until: number; next: number | null; rows: RunRow[] }[] = [];
    for (const schedule of due) {
      try {
        planned.push({ schedule, ...this.#planSchedule(schedule, now) });
      } catch (error) {
        this.deps.log.error('scheduler: could not plan the runs of a schedule', {
          schedule: schedule.id,
          error: (error as Error).message,
        });
      }
    }
    const written: RunRow[] = [];
    await this.deps.db.transaction().execute(async (trx) => {
      const rows: RunRow[] = [];
      for (const { schedule, until, next, rows: mine } of planned) {
        const moved = await trx
          .updateTable('schedules')
          .set({ covered_until: until, next_slot: next })
          .where('id', '=', schedule.id)
          .where('covered_until', '=', Number(schedule.covered_until))
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) === 1) rows.push(...mine);
      }
      for (let at = 0; at < rows.length; at += INSERT_BATCH) {
        const batch = rows.slice(at, at + INSERT_BATCH);
        const inserted = await trx
          .insertInto('schedule_runs')
          .values(batch)
          .onConflict((conflict) => conflict.columns(['schedule_id', 'slot']).doNothing())
          .returning('id')
          .execute();
        const ids = new Set(inserted.map((row) => row.id));
        written.push(...batch.filter((row) => ids.has(row.id)));
      }
    });
    for (const row of written) {
      this.deps.emit('run_started', row.team_name, { run: runView(row) });
      if (row.status === 'done') this.#finished(row);
    }
  }

  #stagger(now: number, staggerMs: number): number {
    this.#staggerAt = Math.max(now, this.#staggerAt + staggerMs);
    return this.#staggerAt;
  }

  #finished(row: RunRow): void {
    this.deps.emit('run_finished', row.team_name, { run: runView(row) });
    if (row.status === 'done' && row.outcome) this.deps.metrics.runFinished(row.outcome);
  }

  /**
   * Start the waiting runs that are due: their schedules and the runs still busy read in bulk, the
   * overlap policy decided per run in memory, and the runs that may start claimed in bulk
   * (waiting → dispatching where still waiting: a run another pass or node claimed first is not
   * dispatched twice). A `replace` overlap goes through #startRun, one run at a time.
   */
  async #startWaiting(now: number): Promise<void> {
    const db = this.deps.db;
    const waiting = await db
      .selectFrom('schedule_runs')
      .selectAll()
      .where('status', '=', 'waiting')
      .where('not_before', '<=', now)
      .orderBy('not_before')
      .orderBy('slot')
      .limit(1000)
      .execute();
    if (waiting.length === 0) return;
    const ids = [...new Set(waiting.map((run) => run.schedule_id))];
    const schedules = new Map<string, ScheduleRow>();
    const busy = new Map<string, number>();
    for (const chunk of chunks(ids, ID_BATCH)) {
      for (const row of await db.selectFrom('schedules').selectAll().where('id', 'in', chunk).execute())
        schedules.set(row.id, row);
      const active = await db
        .selectFrom('schedule_runs')
        .select(['schedule_id', db.fn.countAll<number>().as('n')])
        .where('schedule_id', 'in', chunk)
        .where('status', 'in', ['dispatching', 'active'])
        .groupBy('schedule_id')
        .execute();
      for (const row of active) busy.set(row.schedule_id, Number(row.n));
    }
    const claim: RunRow[] = [];
    const blocked = new Set<string>();
    for (const run of waiting) {
      if (blocked.has(run.schedule_id)) continue;
      const schedule = schedules.get(run.schedule_id);
      try {
        if (!schedule || Number(schedule.enabled) !== 1 || this.#stopped.has(schedule.team_name)) {
          await this.#startRun(run, now, schedule); // skipped, with its reason
          continue;
        }
        const count = busy.get(schedule.id) ?? 0;
        if (count >= Number(schedule.overlap_max)) {
          if (schedule.overlap_policy === 'skip') await this.#startRun(run, now, schedule);
          else if (schedule.overlap_policy === 'queue') blocked.add(schedule.id);
          else if ((await this.#startRun(run, now, schedule)) === 'waits') blocked.add(schedule.id);
          continue;
        }
        busy.set(schedule.id, count + 1);
        claim.push(run);
      } catch (error) {
        this.deps.log.error('scheduler: could not start a run', { run: run.id, error: (error as Error).message });
      }
    }
    for (const chunk of chunks(claim, ID_BATCH)) {
      try {
        const claimed = await db
          .updateTable('schedule_runs')
          .set({ status: 'dispatching', started_at: now })
          .where(
            'id',
            'in',
            chunk.map((run) => run.id),
          )
          .where('status', '=', 'waiting')
          .returning('id')
          .execute();
        const mine = new Set(claimed.map((row) => row.id));
        for (const run of chunk) if (mine.has(run.id)) this.#dispatch(run, now, schedules.get(run.schedule_id)!);
      } catch (error) {
        this.deps.log.error('scheduler: could not claim runs', { runs: chunk.length, error: (error as Error).message });
      }
    }
  }

  /** Finish a run that never dispatched (status waiting → done, skipped). */
  async #skipWaiting(run: RunRow, reason: string): Promise<void> {
    const now = this.deps.clock.now();
    const changed = await this.deps.db
      .updateTable('schedule_runs')
      .set({ status: 'done', outcome: 'skipped', reason, finished_at: now })
      .where('id', '=', run.id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 1)
      this.#finished({ ...run, status: 'done', outcome: 'skipped', reason, finished_at: now });
  }

  /** Start one waiting run: `started`, `skipped` (finished without dispatch), or `waits` (overlap). */
  async #startRun(
    run: RunRow,
    now: number,
    schedule: ScheduleRow | undefined,
  ): Promise<'started' | 'skipped' | 'waits'> {
    const db = this.deps.db;
    // Read at fire time (this pass): a schedule deleted, disabled or stopped since its slot was written does not fire.
    const skip = async (reason: string) => {
      await this.#skipWaiting(run, reason);
      return 'skipped' as const;
    };
    if (!schedule) return skip('schedule deleted');
    if (Number(schedule.enabled) !== 1) return skip('schedule disabled at fire time');
    if (this.#stopped.has(schedule.team_name)) return skip('scheduler stopped at fire time');
    const busy = await db
      .selectFrom('schedule_runs')
      .select(['id', 'status'])
      .where('schedule_id', '=', schedule.id)
      .where('status', 'in', ['dispatching', 'active'])
      .orderBy('slot')
      .execute();
    const max = Number(schedule.overlap_max);
    if (busy.length >= max) {
      if (schedule.overlap_policy === 'skip')
        return skip(`overlap: ${busy.length} run(s) of this schedule still active (max ${max})`);
      if (schedule.overlap_policy === 'queue') return 'waits'; // until one ends
      const replaceable = busy.filter((other) => other.status === 'active');
      const release = replaceable.slice(0, busy.length - max + 1);
      if (release.length < busy.length - max + 1) return 'waits'; // the others are mid-dispatch
      for (const other of release) await this.#release(other.id, run.id);
    }
    const claimed = await db
      .updateTable('schedule_runs')
      .set({ status: 'dispatching', started_at: now })
      .where('id', '=', run.id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return 'waits';
    this.#dispatch(run, now, schedule);
    return 'started';
  }

  /** Dispatch a run this process claimed, in the background; then the next one waiting behind it. */
  #dispatch(run: RunRow, now: number, schedule: ScheduleRow): void {
    this.#dispatching.add(run.id);
    const claimedRow: RunRow = { ...run, status: 'dispatching', started_at: now };
    void this.#track(
      this.#dispatchRun(claimedRow, schedule)
        .catch((error: unknown) => this.#dispatchFailed(claimedRow, error))
        .finally(() => {
          this.#dispatching.delete(run.id);
          return this.#next(schedule.id);
        }),
    );
  }

  /**
   * A run of this schedule was dispatched: the next one waiting behind it (overlap queue) starts now,
   * without waiting for a whole pass (a backlog drains at the speed of its dispatches).
   */
  async #next(scheduleId: string): Promise<void> {
    if (!this.#looping) return;
    try {
      const now = this.deps.clock.now();
      const run = await this.deps.db
        .selectFrom('schedule_runs')
        .selectAll()
        .where('schedule_id', '=', scheduleId)
        .where('status', '=', 'waiting')
        .where('not_before', '<=', now)
        .orderBy('not_before')
        .orderBy('slot')
        .executeTakeFirst();
      if (!run) return;
      const schedule = await this.deps.db
        .selectFrom('schedules')
        .selectAll()
        .where('id', '=', scheduleId)
        .executeTakeFirst();
      await this.#startRun(run, now, schedule);
    } catch (error) {
      this.deps.log.error('scheduler: could not start the next run', { error: (error as Error).message });
      this.#kick();
    }
  }

  /** Another pass soon: a run ended, so one waiting behind it (overlap queue) may start now. */
  #kick(): void {
    if (!this.#looping || this.#kicked) return;
    this.#kicked = true;
    setImmediate(() => {
      this.#kicked = false;
      void this.tick().catch(() => undefined);
    });
  }

  async #dispatchRun(run: RunRow, schedule: ScheduleRow): Promise<void> {
    const actions = JSON.parse(schedule.actions) as ScheduleAction[];
    const dispatches: Dispatch[] = [];
    const values = { slot: new Date(Number(run.slot)).toISOString(), schedule: schedule.name };
    for (const action of actions) {
      const result = await this.deps.dispatcher.dispatch(run.team_name, fillAction(action, values), {
        kind: 'run',
        id: run.id,
        actor: schedule.created_handle,
        name: schedule.name,
        ...(schedule.repository !== null ? { repository: schedule.repository } : {}),
      });
      const handle = typeof result.evidence?.handle === 'string' ? result.evidence.handle : undefined;
      const worker = handle !== undefined && (action.kind === 'prompt' || action.kind === 'spawn');
      const active =
        (result.outcome === 'delivered' && worker) || (result.outcome === 'queued' && (worker || !!result.evidence));
      dispatches.push({
        kind: action.kind,
        outcome: result.outcome,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        ...(result.evidence !== undefined ? { evidence: result.evidence } : {}),
        ...(active ? { active: true } : {}),
      });
    }
    await this.#write(run.id, dispatches, run);
    for (const dispatch of dispatches) {
      const handle = dispatch.evidence?.handle;
      if (dispatch.active && typeof handle === 'string') await this.#watch(run.team_name, handle, run.id);
    }
  }

  /** A dispatch that threw (its write failed): the run ends failed, never stays `dispatching`. */
  async #dispatchFailed(run: RunRow, error: unknown): Promise<void> {
    const reason = `the run's dispatch could not be recorded: ${(error as Error).message}`;
    this.deps.log.error('scheduler: a run failed mid-dispatch', { run: run.id, error: (error as Error).message });
    const change = { status: 'done' as const, outcome: 'failed' as const, reason, finished_at: this.deps.clock.now() };
    try {
      const changed = await this.deps.db
        .updateTable('schedule_runs')
        .set(change)
        .where('id', '=', run.id)
        .where('status', '=', 'dispatching')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 1) this.#finished({ ...run, ...change });
    } catch (again) {
      // The database is away: the run is finished as interrupted by the sweep or the next start.
      this.deps.log.error('scheduler: could not record a failed run', { run: run.id, error: (again as Error).message });
    }
  }

  /**
   * PostgreSQL: a claim sent by a process killed mid-statement can still commit after the next
   * process recovered (the server finishes a statement whose client is gone), leaving a run in
   * `dispatching` that nobody dispatches. Every few seconds, such a run (claimed before this
   * process recovered, not one of its own) ends failed (interrupted), like those found at start.
   */
  async #sweepOrphans(): Promise<void> {
    const at = Date.now();
    if (at - this.#sweptAt < ORPHAN_SWEEP_MS) return;
    this.#sweptAt = at;
    const orphans = await this.deps.db
      .selectFrom('schedule_runs')
      .selectAll()
      .where('status', '=', 'dispatching')
      .where('started_at', '<', this.#recoveredAt)
      .execute();
    for (const run of orphans) if (!this.#dispatching.has(run.id)) await this.#interrupt(run);
  }

  async #interrupt(run: RunRow): Promise<void> {
    const change = {
      status: 'done' as const,
      outcome: 'failed' as const,
      reason: INTERRUPTED,
      finished_at: this.deps.clock.now(),
    };
    const changed = await this.deps.db
      .updateTable('schedule_runs')
      .set(change)
      .where('id', '=', run.id)
      .where('status', '=', 'dispatching')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 1) this.#finished({ ...run, ...change });
  }

  /** Write a run's dispatches: its outcome from them, done once none is active. */
  async #write(id: string, dispatches: Dispatch[], previous: RunRow): Promise<void> {
    const { outcome, reason } = runOutcome(dispatches);
    const done = !dispatches.some((dispatch) => dispatch.active);
    const now = this.deps.clock.now();
    const evidence = JSON.stringify({ ...this.#evidenceOf(previous), dispatches });
    const change = {
      status: done ? ('done' as const) : ('active' as const),
      outcome,
      reason: reason ?? null,
      evidence,
      finished_at: done ? now : null,
    };
    await this.deps.db.updateTable('schedule_runs').set(change).where('id', '=', id).execute();
    this.#finished({ ...previous, ...change });
  }

  #evidenceOf(row: RunRow): Record<string, unknown> {
    const { dispatches: _dispatches, ...rest } = (row.evidence ? JSON.parse(row.evidence) : {}) as Record<
      string,
      unknown
    >;
    return rest;
  }

  /** Change a run's dispatches, one change at a time per run. */
  #change(id: string, change: (dispatches: Dispatch[], row: RunRow) => boolean): Promise<void> {
    const previous = this.#chains.get(id) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const row = await this.deps.db.selectFrom('schedule_runs').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row || row.status !== 'active') return;
        const dispatches = ((row.evidence ? JSON.parse(row.evidence) : {}) as { dispatches?: Dispatch[] }).dispatches;
        if (!dispatches || !change(dispatches, row)) return;
        await this.#write(id, dispatches, row);
      })
      .catch((error: unknown) =>
        this.deps.log.error('scheduler: could not update a run', { run: id, error: (error as Error).message }),
      )
      .finally(() => {
        if (this.#chains.get(id) === next) this.#chains.delete(id);
      });
    this.#chains.set(id, next);
    return this.#track(next);
  }

  /** Overlap `replace`: the older run stops counting as active. Its worker's turn is not interrupted. */
  async #release(id: string, by: string): Promise<void> {
    await this.#change(id, (dispatches) => {
      for (const dispatch of dispatches) {
        if (!dispatch.active) continue;
        dispatch.active = false;
        if (dispatch.outcome === 'queued') {
          dispatch.outcome = 'skipped';
          dispatch.reason = `replaced by run ${by} before its queued work ran (the job itself was not cancelled)`;
        } else
          dispatch.reason = `replaced by run ${by}: no longer counted as active; the worker's turn was not interrupted`;
      }
      return true;
    });
  }

  async #watch(team: string, handle: string, runId: string): Promise<void> {
    const key = `${team}/${handle}`;
    if (!this.#watches.has(key)) this.#watches.set(key, new Set());
    this.#watches.get(key)!.add(runId);
    // The turn may have ended before the watch was set: ask the worker's state now.
    const state = (await this.deps.workers()?.manager.store.get(team, handle))?.state;
    if (state === undefined || state !== 'working') await this.#onWorker(team, handle, state ?? 'stopped');
  }

  async #onWorker(team: string, handle: string, state: string): Promise<void> {
    const key = `${team}/${handle}`;
    const runs = this.#watches.get(key);
    if (!runs) return;
    for (const runId of [...runs]) {
      await this.#change(runId, (dispatches) => {
        let changed = false;
        for (const dispatch of dispatches) {
          if (!dispatch.active || dispatch.evidence?.handle !== handle) continue;
          const awaiting = dispatch.evidence.awaitingTurn === true;
          if (awaiting && state === 'working') {
            dispatch.outcome = 'delivered';
            delete dispatch.reason;
            dispatch.evidence = {
              ...dispatch.evidence,
              awaitingTurn: false,
              turnStartedAt: new Date().toISOString(),
            };
            changed = true;
          } else if (awaiting && (state === 'stopped' || state === 'failed')) {
            dispatch.outcome = 'failed';
            dispatch.reason = `worker ${handle} ended before its first turn started`;
            dispatch.active = false;
            changed = true;
          } else if (!awaiting && TURN_OVER.has(state)) {
            dispatch.active = false;
            dispatch.evidence = { ...dispatch.evidence, turnEndedAt: new Date().toISOString(), endState: state };
            changed = true;
          }
        }
        return changed;
      });
      const row = await this.deps.db
        .selectFrom('schedule_runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!row || row.status === 'done') runs.delete(runId);
    }
    if (runs.size === 0) this.#watches.delete(key);
  }

  async #onJob(job: JobLike): Promise<void> {
    if (job.origin?.kind !== 'run') return;
    const final = JOB_OUTCOMES[String(job.status ?? job.state ?? '')];
    if (!final) return;
    const reason = job.reason ?? job.lastError ?? job.error ?? undefined;
    await this.#change(job.origin.id, (dispatches) => {
      let changed = false;
      for (const dispatch of dispatches) {
        if (!dispatch.active || String(dispatch.evidence?.jobId) !== String(job.id)) continue;
        dispatch.outcome = final;
        dispatch.active = false;
        if (reason) dispatch.reason = `job ${job.id}: ${reason}`;
        else delete dispatch.reason;
        const evidence = job.evidence && typeof job.evidence === 'object' ? job.evidence : {};
        dispatch.evidence = { ...dispatch.evidence, ...evidence, jobStatus: job.status ?? job.state };
        changed = true;
      }
      return changed;
    });
  }

  async #onCost(team: string, handle: string, tokens: number, costUsd: number | null): Promise<void> {
    const runs = this.#watches.get(`${team}/${handle}`);
    if (!runs || runs.size === 0) return;
    for (const runId of runs)
      await this.deps.db
        .updateTable('schedule_runs')
        .set({
          tokens: sql`tokens + ${tokens}`,
          ...(costUsd !== null ? { cost_usd: sql`coalesce(cost_usd, 0) + ${costUsd}` } : {}),
        })
        .where('id', '=', runId)
        .execute();
  }

  #listen(): void {
    const { on } = this.deps;
    this.#removers.push(
      on(['worker_state'], (event) => void this.#onWorker(event.team, event.data.handle, event.data.state)),
      on(['worker_dismissed'], (event) => void this.#onWorker(event.team, event.data.handle, 'stopped')),
      on(['cost_recorded'], (event) => {
        const tokens = event.data.models.reduce(
          (sum, model) => sum + model.inputTokens + model.outputTokens + model.cacheReadTokens + model.cacheWriteTokens,
          0,
        );
        void this.#track(this.#onCost(event.team, event.data.handle, tokens, event.data.costUsd));
      }),
    );
    const queue = this.deps.queue();
    if (queue?.onSettled) this.#removers.push(queue.onSettled((job) => void this.#track(this.#onJob(job))));
  }

  /**
   * After a restart: runs cut off mid-dispatch are finished as failed (interrupted), never dispatched
   * again; runs waiting on a worker's turn watch it again (or end, if the turn ended meanwhile).
   */
  async #recover(): Promise<void> {
    const db = this.deps.db;
    this.#recoveredAt = this.deps.clock.now();
    this.#sweptAt = Date.now();
    const cut = await db.selectFrom('schedule_runs').selectAll().where('status', '=', 'dispatching').execute();
    for (const run of cut) await this.#interrupt(run);
    const active = await db.selectFrom('schedule_runs').selectAll().where('status', '=', 'active').execute();
    for (const run of active) {
      const dispatches = ((run.evidence ? JSON.parse(run.evidence) : {}) as { dispatches?: Dispatch[] }).dispatches;
      for (const dispatch of dispatches ?? []) {
        const handle = dispatch.evidence?.handle;
        if (dispatch.active && typeof handle === 'string') await this.#watch(run.team_name, handle, run.id);
      }
    }
  }

  /** Stop or start a team's schedules (kept across restarts). Starting again does not catch up the stopped time. */
  async setTeamRunning(team: string, running: boolean): Promise<boolean> {
    const was = !this.#stopped.has(team);
    if (was === running) return false;
    const db = this.deps.db;
    if (!running) {
      await db
        .insertInto('scheduler_state')
        .values({ key: stoppedKey(team), value: '1' })
        .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: '1' }))
        .execute();
      this.#stopped.add(team);
      return true;
    }
    const now = this.deps.clock.now();
    const schedules = await db.selectFrom('schedules').selectAll().where('team_name', '=', team).execute();
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('scheduler_state').where('key', '=', stoppedKey(team)).execute();
      for (const schedule of schedules) {
        const spec = CronSpec.parse(schedule.cron, schedule.timezone);
        await trx
          .updateTable('schedules')
          .set({ covered_until: now, next_slot: spec.nextAfter(now) ?? null })
          .where('id', '=', schedule.id)
          .execute();
      }
    });
    this.#stopped.delete(team);
    return true;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}
