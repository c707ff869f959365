import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { ArgvProcess, dataFence, type ArgvResult, type Logger, type PluginContext } from '../../../core/index.js';
import type { TeamAgent } from '../../auth/index.js';
import type { TasksApi } from '../../tasks/index.js';
import type { Clock } from '../clock.js';
import { auditErrors as E } from './errors.js';
import type { AuditLine } from './events.js';
import type { AuditCheck, AuditOptions } from './options.js';
import type { AuditRunsTable, AuditStatus, AuditTables } from './tables.js';

type Db = Kysely<AuditTables>;
type RunRow = Selectable<AuditRunsTable>;

export interface AuditLoopDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  emit: PluginContext['events']['emit'];
  options: () => AuditOptions;
  /** The tasks plugin while it runs: failing checks open tasks there, and the loop waits for them. */
  tasks: () => TasksApi | undefined;
  /** Where checks without a cwd run (default: the server's working directory). */
  cwd?: string;
}

export interface StartOptions {
  quick?: boolean;
  dryRun?: boolean;
  maxIterations?: number;
  actor?: string;
}

interface Active {
  runId: string;
  team: string;
  actor: string | undefined;
  abort: AbortController;
  /** Set by stop (or the server stopping): how the run ends. */
  ending?: { status: AuditStatus; reason: string };
  current?: ArgvProcess;
  nextLine: number;
  pending: AuditLine[];
  flushing: Promise<void>;
  flushTimer?: NodeJS.Timeout;
  done?: Promise<void>;
}

interface Failing {
  check: AuditCheck;
  result: ArgvResult;
  resultId: number;
  tail: string[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** A creator for tasks nobody in particular started (a schedule's audit): the audit loop itself. */
function loopAgent(team: string): TeamAgent {
  return {
    uid: 'scheduler-audit',
    handle: 'audit',
    teamName: team,
    agentType: 'worker',
    role: 'worker',
    createdAt: new Date(0).toISOString(),
    lastSeen: null,
  };
}

/**
 * The audit loop: run the team's configured checks (argument vectors, each in its own process
 * group), keep their output numbered per run, open one task per failing check (reused while it is
 * open), wait for those tasks to be resolved, and run again, until every check passes (verified by
 * that run) or the iterations run out. `quick` is one round. Runs, results and lines are persisted;
 * a run left running by a server that died is marked interrupted at start.
 */
export class AuditLoop {
  readonly #d: AuditLoopDeps;
  readonly #active = new Map<string, Active>();

  constructor(deps: AuditLoopDeps) {
    this.#d = deps;
  }

  get #options() {
    return this.#d.options();
  }

  checksFor(team: string): AuditCheck[] {
    const options = this.#options;
    return options.teams?.[team] ?? options.checks ?? [];
  }

  async #running(team: string): Promise<RunRow | undefined> {
    return this.#d.db
      .selectFrom('audit_runs')
      .selectAll()
      .where('team_name', '=', team)
      .where('status', '=', 'running')
      .executeTakeFirst();
  }

  /** Start a loop, a quick round, or (dryRun) say what would run. Answers at once; the run goes on. */
  async start(team: string, options: StartOptions = {}) {
    const checks = this.checksFor(team);
    if (checks.length === 0) throw E.SCHEDULER_AUDIT_NO_CHECKS({ team });
    const mode = options.quick ? 'quick' : 'loop';
    const maxIterations = options.quick ? 1 : (options.maxIterations ?? this.#options.maxIterations ?? 20);
    const dryRun = options.dryRun === true;
    const runningId = this.#active.get(team)?.runId ?? (await this.#running(team))?.id;
    if (runningId) throw E.SCHEDULER_AUDIT_ALREADY_RUNNING({}, { runId: runningId });
    const id = randomUUID();
    const now = this.#d.clock.now();
    try {
      await this.#d.db
        .insertInto('audit_runs')
        .values({
          id,
          team_name: team,
          mode,
          dry_run: dryRun ? 1 : 0,
          status: dryRun ? 'planned' : 'running',
          max_iterations: maxIterations,
          iteration: 0,
          actor: options.actor ?? null,
          started_at: now,
          finished_at: dryRun ? now : null,
          reason: dryRun ? 'dry run: nothing was started' : null,
          exit_code: null,
          total_lines: 0,
        })
        .execute();
    } catch (error) {
      // The partial unique index: another node (or a racing call) started one first.
      if (await this.#running(team)) throw E.SCHEDULER_AUDIT_ALREADY_RUNNING();
      throw error;
    }
    const active: Active = {
      runId: id,
      team,
      actor: options.actor,
      abort: new AbortController(),
      nextLine: 0,
      pending: [],
      flushing: Promise.resolve(),
    };
    const plan = checks.map((check) => ({
      name: check.name,
      command: check.command,
      cwd: check.cwd ?? this.#d.cwd ?? process.cwd(),
      timeoutSeconds: check.timeoutSeconds ?? 600,
    }));
    const startedAt = iso(now);
    if (dryRun) {
      this.#line(active, 'audit', `dry run: ${mode}, up to ${maxIterations} iteration(s); would run:`);
      for (const step of plan)
        this.#line(active, 'audit', `  ${step.name}: ${JSON.stringify(step.command)} in ${step.cwd}`);
      await this.#flush(active);
      this.#d.emit('audit:complete', team, {
        runId: id,
        mode,
        status: 'planned',
        exitCode: null,
        iterations: 0,
        failing: [],
      });
      return { success: true, id, runId: id, pid: null, startedAt, dryRun, mode, maxIterations, checks: plan };
    }
    this.#active.set(team, active);
    active.done = this.#loop(active, checks, mode, maxIterations).finally(() => this.#active.delete(team));
    return { success: true, id, runId: id, pid: null, startedAt, dryRun, mode, maxIterations, checks: plan };
  }

  #line(active: Active, stream: AuditLine['stream'], text: string) {
    active.pending.push({ n: active.nextLine++, stream, text });
    if (active.pending.length >= 200) void this.#flush(active);
    else active.flushTimer ??= setTimeout(() => void this.#flush(active), 100);
  }

  /** Write pending lines (in order), drop those beyond the run's bound, tell the team. */
  #flush(active: Active): Promise<void> {
    if (active.flushTimer) clearTimeout(active.flushTimer);
    active.flushTimer = undefined;
    const lines = active.pending.splice(0);
    if (lines.length === 0) return active.flushing;
    const db = this.#d.db;
    const at = this.#d.clock.now();
    active.flushing = active.flushing.then(async () => {
      try {
        for (let i = 0; i < lines.length; i += 500)
          await db
            .insertInto('audit_lines')
            .values(lines.slice(i, i + 500).map((line) => ({ run_id: active.runId, ...line, at })))
            .execute();
        const total = lines.at(-1)!.n + 1;
        await db.updateTable('audit_runs').set({ total_lines: total }).where('id', '=', active.runId).execute();
        const keep = this.#options.maxLinesPerRun ?? 10_000;
        if (total > keep)
          await db
            .deleteFrom('audit_lines')
            .where('run_id', '=', active.runId)
            .where('n', '<', total - keep)
            .execute();
        this.#d.emit('audit:output', active.team, { runId: active.runId, lines });
      } catch (error) {
        this.#d.log.warn(`audit: lines of run ${active.runId} not written: ${(error as Error).message}`);
      }
    });
    return active.flushing;
  }

  async #runCheck(active: Active, check: AuditCheck, iteration: number) {
    const tailSize = this.#options.tailLines ?? 40;
    const tail: string[] = [];
    this.#line(active, 'audit', `▶ ${check.name}: ${JSON.stringify(check.command)}`);
    const started = this.#d.clock.now();
    const process_ = new ArgvProcess(check, {
      onLine: (stream, text) => {
        this.#line(active, stream, text);
        tail.push(stream === 'stderr' ? `[stderr] ${text}` : text);
        if (tail.length > tailSize) tail.shift();
      },
      graceMs: (this.#options.graceSeconds ?? 5) * 1000,
      defaultCwd: this.#d.cwd ?? process.cwd(),
    });
    active.current = process_;
    if (active.abort.signal.aborted) process_.kill();
    const result = await process_.done;
    active.current = undefined;
    const how = result.error
      ? `could not run: ${result.error}`
      : result.timedOut
        ? `timed out after ${check.timeoutSeconds ?? 600} s`
        : result.signal
          ? `killed by ${result.signal}`
          : `exit ${result.exitCode}`;
    this.#line(active, 'audit', `${result.passed ? '✔' : '✘'} ${check.name}: ${how} (${result.durationMs} ms)`);
    const { id: resultId } = await this.#d.db
      .insertInto('audit_results')
      .values({
        run_id: active.runId,
        iteration,
        check_name: check.name,
        command: JSON.stringify(check.command),
        exit_code: result.exitCode,
        signal: result.signal,
        passed: result.passed ? 1 : 0,
        timed_out: result.timedOut ? 1 : 0,
        duration_ms: result.durationMs,
        started_at: started,
        task_id: null,
        error: result.error,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { check, result, resultId, tail };
  }

  async #loop(active: Active, checks: AuditCheck[], mode: 'loop' | 'quick', max: number): Promise<void> {
    const { db } = this.#d;
    let status: AuditStatus = 'failed';
    let reason = '';
    let exitCode: number | null = null;
    let failingNames: string[] = [];
    let iteration = 0;
    try {
      while (iteration < max && !active.abort.signal.aborted) {
        iteration++;
        await db.updateTable('audit_runs').set({ iteration }).where('id', '=', active.runId).execute();
        this.#line(active, 'audit', `── iteration ${iteration}/${max}`);
        const failing: Failing[] = [];
        for (const check of checks) {
          if (active.abort.signal.aborted) break;
          const ran = await this.#runCheck(active, check, iteration);
          if (!ran.result.passed) failing.push(ran);
        }
        if (active.abort.signal.aborted) break;
        failingNames = failing.map((f) => f.check.name);
        exitCode = failing.length === 0 ? 0 : (failing.at(-1)!.result.exitCode ?? 1);
        if (failing.length === 0) {
          status = 'passed';
          reason =
            iteration > 1
              ? `verified: every check passes after ${iteration - 1} round(s) of fixes`
              : 'every check passes';
          break;
        }
        const taskIds = await this.#openTasks(active, failing);
        if (mode === 'quick') {
          reason = `${failing.length} check(s) failing: ${failingNames.join(', ')}`;
          break;
        }
        if (iteration >= max) {
          reason = `still failing after ${max} iteration(s): ${failingNames.join(', ')}`;
          break;
        }
        if (taskIds.length < failing.length) {
          reason = 'checks fail and no task could be opened for them (is the tasks plugin on?): nothing to wait for';
          break;
        }
        this.#line(active, 'audit', `waiting for task(s) ${taskIds.join(', ')} to be resolved`);
        const waited = await this.#waitResolved(active, taskIds);
        if (waited === 'timeout') {
          reason = `the tasks stayed open over ${this.#options.waitSeconds ?? 86_400} s`;
          break;
        }
      }
      if (active.abort.signal.aborted) {
        status = active.ending?.status ?? 'stopped';
        reason = active.ending?.reason ?? 'stopped';
      }
    } catch (error) {
      status = 'failed';
      reason = `error: ${(error as Error).message}`;
      this.#d.log.warn(`audit: run ${active.runId} failed`, { error: (error as Error).message });
    }
    this.#line(active, 'audit', `audit ${status}: ${reason}`);
    await this.#flush(active);
    await db
      .updateTable('audit_runs')
      .set({ status, reason, exit_code: exitCode, finished_at: this.#d.clock.now() })
      .where('id', '=', active.runId)
      .where('status', '=', 'running')
      .execute();
    this.#d.emit('audit:complete', active.team, {
      runId: active.runId,
      mode,
      status,
      exitCode,
      iterations: iteration,
      failing: status === 'passed' ? [] : failingNames,
    });
  }

  /** One open task per failing check: the one it opened before while that is not resolved, else a new one. */
  async #openTasks(active: Active, failing: Failing[]): Promise<string[]> {
    const tasks = this.#d.tasks();
    if (!tasks) {
      this.#line(active, 'audit', 'no tasks plugin: failing checks open no task');
      return [];
    }
    const { db } = this.#d;
    const ids: string[] = [];
    for (const { check, result, resultId, tail } of failing) {
      const known = await db
        .selectFrom('audit_check_tasks')
        .select('task_id')
        .where('team_name', '=', active.team)
        .where('check_name', '=', check.name)
        .executeTakeFirst();
      const open = known ? await tasks.tasks.get(active.team, known.task_id) : undefined;
      let taskId: string;
      if (open && open.status !== 'resolved') {
        taskId = open.id;
        this.#line(active, 'audit', `${check.name}: task ${taskId} is still open`);
      } else {
        const creator =
          (active.actor ? await tasks.auth().agents.findByHandle(active.team, active.actor) : undefined) ??
          loopAgent(active.team);
        const outcome = result.error
          ? `could not run: ${result.error}`
          : result.timedOut
            ? 'timed out'
            : `exit code ${result.exitCode ?? result.signal}`;
        const description = [
          `The audit check "${check.name}" fails (${outcome}). Make it pass; the audit loop runs it again once`,
          'this task is resolved.',
          '',
          `Command (argv): ${JSON.stringify(check.command)}`,
          `Working directory: ${check.cwd ?? this.#d.cwd ?? process.cwd()}`,
          `Audit run: ${active.runId}`,
          '',
          dataFence({ kind: `output of audit check ${check.name} (last lines)`, from: 'audit' }, tail.join('\n')),
        ].join('\n');
        const task = await tasks.tasks.create({
          teamName: active.team,
          creator,
          subject: `Audit check failing: ${check.name}`,
          description,
        });
        taskId = task.id;
        await db
          .insertInto('audit_check_tasks')
          .values({
            team_name: active.team,
            check_name: check.name,
            task_id: taskId,
            run_id: active.runId,
            created_at: this.#d.clock.now(),
          })
          .onConflict((oc) =>
            oc.columns(['team_name', 'check_name']).doUpdateSet({ task_id: taskId, run_id: active.runId }),
          )
          .execute();
        this.#line(active, 'audit', `${check.name}: opened task ${taskId}`);
      }
      await db.updateTable('audit_results').set({ task_id: taskId }).where('id', '=', resultId).execute();
      ids.push(taskId);
    }
    return ids;
  }

  /** Until every task is resolved (or gone), the run is stopped, or the wait runs out. */
  async #waitResolved(active: Active, taskIds: string[]): Promise<'resolved' | 'stopped' | 'timeout'> {
    const { clock } = this.#d;
    const deadline = clock.now() + (this.#options.waitSeconds ?? 86_400) * 1000;
    for (;;) {
      if (active.abort.signal.aborted) return 'stopped';
      const tasks = this.#d.tasks();
      if (!tasks) return 'timeout';
      const open = [];
      for (const id of taskIds) {
        const task = await tasks.tasks.get(active.team, id);
        if (task && task.status !== 'resolved') open.push(id);
      }
      if (open.length === 0) return 'resolved';
      // Stopped from another node: the row says so.
      const row = await this.#d.db
        .selectFrom('audit_runs')
        .select('status')
        .where('id', '=', active.runId)
        .executeTakeFirst();
      if (row?.status !== 'running') {
        active.ending = { status: (row?.status as AuditStatus) ?? 'stopped', reason: 'stopped elsewhere' };
        active.abort.abort();
        return 'stopped';
      }
      if (clock.now() >= deadline) return 'timeout';
      await this.#sleep(active, (this.#options.pollSeconds ?? 10) * 1000);
    }
  }

  #sleep(active: Active, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#d.clock.setTimeout(done, ms);
      function done() {
        timer.cancel();
        active.abort.signal.removeEventListener('abort', done);
        resolve();
      }
      active.abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stop the team's run: its check's process group gets SIGTERM, then SIGKILL after the grace period. */
  async stop(team: string, actor: string) {
    const active = this.#active.get(team);
    if (active) {
      const pid = active.current?.pid ?? null;
      active.ending ??= { status: 'stopped', reason: `stopped by ${actor}` };
      active.abort.abort();
      active.current?.kill();
      return { success: true, message: 'Audit loop stop requested', pid, runId: active.runId };
    }
    // Running on another node (it sees this at its next step), or left by a server that died.
    const row = await this.#running(team);
    if (!row) throw E.SCHEDULER_AUDIT_NOT_RUNNING();
    await this.#d.db
      .updateTable('audit_runs')
      .set({ status: 'stopped', reason: `stopped by ${actor}`, finished_at: this.#d.clock.now() })
      .where('id', '=', row.id)
      .where('status', '=', 'running')
      .execute();
    return { success: true, message: 'Audit loop stop requested', pid: null, runId: row.id };
  }

  /** Wait until the team's current run has ended (tests, shutdown). */
  async settled(team: string): Promise<void> {
    await this.#active.get(team)?.done;
  }

  /** At start: runs a dead server left running are marked interrupted. */
  async recover(): Promise<number> {
    const result = await this.#d.db
      .updateTable('audit_runs')
      .set({ status: 'interrupted', reason: 'the server stopped while it ran', finished_at: this.#d.clock.now() })
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** At stop: every run of this server ends (its processes killed), recorded as interrupted. */
  async shutdown(): Promise<void> {
    const runs = [...this.#active.values()];
    for (const active of runs) {
      active.ending ??= { status: 'interrupted', reason: 'the server stopped while it ran' };
      active.abort.abort();
      active.current?.kill();
    }
    await Promise.allSettled(runs.map((active) => active.done ?? Promise.resolve()));
  }

  async #latest(team: string, runId?: string): Promise<RunRow | undefined> {
    let select = this.#d.db.selectFrom('audit_runs').selectAll().where('team_name', '=', team);
    if (runId) select = select.where('id', '=', runId);
    const row = await select.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (runId && !row) throw E.SCHEDULER_AUDIT_RUN_NOT_FOUND();
    return row;
  }

  #view(row: RunRow) {
    return {
      id: row.id,
      mode: row.mode,
      dryRun: row.dry_run === 1,
      status: row.status,
      iteration: row.iteration,
      maxIterations: row.max_iterations,
      actor: row.actor,
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      reason: row.reason,
      exitCode: row.exit_code,
      outputLines: row.total_lines,
    };
  }

  /** The seed's status fields, for the team's current (or latest) run. */
  async status(team: string) {
    const checks = this.checksFor(team).map((check) => check.name);
    const row = (await this.#running(team)) ?? (await this.#latest(team));
    const active = this.#active.get(team);
    if (active) await this.#flush(active);
    const fresh = row && (await this.#latest(team, row.id));
    return {
      isRunning: fresh?.status === 'running',
      startedAt: fresh ? iso(fresh.started_at) : null,
      exitCode: fresh?.exit_code ?? null,
      pid: active?.current?.pid ?? null,
      outputLines: fresh?.total_lines ?? 0,
      configured: checks.length > 0,
      checks,
      run: fresh ? this.#view(fresh) : null,
    };
  }

  /** Lines of the team's latest run (or `runId`) from absolute line `since`. */
  async output(team: string, query: { since: number; limit: number; runId?: string }) {
    const row = await this.#latest(team, query.runId);
    if (!row) {
      const lines: string[] = [];
      return {
        lines,
        totalLines: 0,
        since: query.since,
        isRunning: false,
        runId: null,
        firstLine: null,
        nextSince: query.since,
      };
    }
    const active = this.#active.get(team);
    if (active?.runId === row.id) await this.#flush(active);
    const rows = await this.#d.db
      .selectFrom('audit_lines')
      .select(['n', 'stream', 'text'])
      .where('run_id', '=', row.id)
      .where('n', '>=', query.since)
      .orderBy('n')
      .limit(query.limit)
      .execute();
    const fresh = (await this.#latest(team, row.id))!;
    const first = await this.#d.db
      .selectFrom('audit_lines')
      .select((eb) => eb.fn.min('n').as('first'))
      .where('run_id', '=', row.id)
      .executeTakeFirst();
    return {
      lines: rows.map((line) => (line.stream === 'stderr' ? `[stderr] ${line.text}` : line.text)),
      totalLines: fresh.total_lines,
      since: query.since,
      isRunning: fresh.status === 'running',
      runId: row.id,
      /** The oldest line still kept: lines before it were dropped (maxLinesPerRun). */
      firstLine: first?.first === null || first?.first === undefined ? null : Number(first.first),
      nextSince: rows.length > 0 ? Number(rows.at(-1)!.n) + 1 : Math.max(query.since, 0),
    };
  }

  async runs(team: string, limit: number) {
    const rows = await this.#d.db
      .selectFrom('audit_runs')
      .selectAll()
      .where('team_name', '=', team)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => this.#view(row));
  }

  /** One run with every check's result per iteration (another team's is 404). */
  async run(team: string, id: string) {
    const row = await this.#latest(team, id);
    const results = await this.#d.db
      .selectFrom('audit_results')
      .selectAll()
      .where('run_id', '=', id)
      .orderBy('id')
      .execute();
    return {
      ...this.#view(row!),
      results: results.map((r) => ({
        iteration: r.iteration,
        check: r.check_name,
        command: JSON.parse(r.command) as string[],
        passed: r.passed === 1,
        exitCode: r.exit_code,
        signal: r.signal,
        timedOut: r.timed_out === 1,
        durationMs: r.duration_ms,
        startedAt: iso(r.started_at),
        taskId: r.task_id,
        error: r.error,
      })),
    };
  }
}
