import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { Kysely } from 'kysely';
import {
  dataFence,
  type EventType,
  type FleetEventMap,
  type Identity,
  isApiError,
  type Logger,
} from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { missionErrors } from './errors.js';
import type { MissionBudget, MissionGate, MissionSpawn } from './fields.js';
import { describeFailure, type GateResult, runGates } from './gate-runner.js';
import type {
  MissionStatus,
  MissionTables,
  WorkflowMissionIterationsTable as IterationRow,
  WorkflowMissionsTable as MissionRow,
} from './tables.js';
import { iterationView, missionView, type MissionView } from './views.js';

type Emit = <K extends EventType>(type: K, team: string, data: FleetEventMap[K]) => unknown;

/** Worker states after which a worker takes no more input. */
const ENDED = ['stopping', 'stopped', 'failed'];

export interface NewMission {
  goal: string;
  worker?: string;
  spawn?: MissionSpawn;
  gates: MissionGate[];
  maxIterations: number;
  budget?: MissionBudget;
  cwd?: string;
}

export interface MissionDeps {
  db: Kysely<MissionTables> | Kysely<unknown>;
  log: Logger;
  emit: Emit;
  clock?: { now(): number };
  workers: () => WorkersApi | undefined;
  /** SIGTERM → SIGKILL grace of a gate's process group on cancel or stop. */
  graceMs?: number;
}

/**
 * Missions: a goal, a worker and gates. The worker works; when its turn ends (its result event, or
 * found idle after a restart) the fleet runs every gate and records the iteration; all pass →
 * succeeded; else the failures go to the worker, fenced as data, and the next iteration starts, up to
 * maxIterations or the budget. Every transition is one conditional write, so a restart resumes where
 * the database says (a turn not yet delivered is delivered, gates that were running run again).
 */
export class MissionService {
  readonly #db: Kysely<MissionTables>;
  readonly #now: () => number;
  /** Gate runs under way in this process, by mission id. */
  readonly #checking = new Map<string, AbortController>();
  /** Prompts being delivered by this process, by mission id (the sweep leaves them alone). */
  readonly #delivering = new Set<string>();
  readonly #endedWhileDelivering = new Map<string, string | null>();
  #stopped = false;

  constructor(private readonly deps: MissionDeps) {
    this.#db = deps.db as Kysely<MissionTables>;
    this.#now = () => (deps.clock ?? Date).now();
  }

  // ---- reads -------------------------------------------------------------------------------------

  async row(team: string, id: string): Promise<MissionRow> {
    const row = await this.#db
      .selectFrom('workflow_missions')
      .selectAll()
      .where('id', '=', id)
      .where('team_name', '=', team)
      .executeTakeFirst();
    if (!row) throw missionErrors.WORKFLOWS_MISSION_NOT_FOUND();
    return row;
  }

  async get(team: string, id: string): Promise<MissionView> {
    return missionView(await this.row(team, id));
  }

  async list(team: string, status?: MissionStatus, limit = 50): Promise<{ count: number; missions: MissionView[] }> {
    let query = this.#db.selectFrom('workflow_missions').selectAll().where('team_name', '=', team);
    if (status) query = query.where('status', '=', status);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    return { count: rows.length, missions: rows.map(missionView) };
  }

  /** The mission named, or (none named) the one the caller works on as its worker: the newest, running first. */
  async resolveId(caller: Identity, id: string | undefined): Promise<string> {
    if (id !== undefined) return id;
    const rows = await this.#db
      .selectFrom('workflow_missions')
      .select(['id', 'status'])
      .where('team_name', '=', caller.teamName)
      .where('worker_handle', '=', caller.handle)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
    const own = rows.find((row) => row.status === 'running') ?? rows[0];
    if (!own) throw missionErrors.WORKFLOWS_MISSION_ID_REQUIRED({}, { field: 'mission_id' });
    return own.id;
  }

  async iterationRows(team: string, id: string): Promise<IterationRow[]> {
    await this.row(team, id);
    return this.#db
      .selectFrom('workflow_mission_iterations')
      .selectAll()
      .where('mission_id', '=', id)
      .where('team_name', '=', team)
      .orderBy('n')
      .execute();
  }

  async iterations(team: string, id: string) {
    const rows = await this.iterationRows(team, id);
    return { missionId: id, count: rows.length, iterations: rows.map(iterationView) };
  }

  async iteration(team: string, id: string, n: number) {
    const row = (await this.iterationRows(team, id)).find((iteration) => iteration.n === n);
    if (!row) throw missionErrors.WORKFLOWS_MISSION_ITERATION_NOT_FOUND({ n, id });
    return iterationView(row);
  }

  /** Where the mission is: its state, and each gate's result in the last checked iteration. */
  async status(team: string, id: string) {
    const mission = await this.row(team, id);
    const rows = await this.iterationRows(team, id);
    const checked = [...rows].reverse().find((row) => row.gate_results !== null);
    const results = checked ? (JSON.parse(checked.gate_results!) as GateResult[]) : [];
    return {
      missionId: id,
      status: mission.status,
      phase: mission.phase,
      iteration: Number(mission.iteration),
      maxIterations: Number(mission.max_iterations),
      reason: mission.reason,
      workerHandle: mission.worker_handle,
      costUsd: mission.cost_usd === null ? null : Number(mission.cost_usd),
      lastChecked: checked
        ? {
            iteration: Number(checked.n),
            passed: results.every((result) => result.passed),
            gates: results.map(({ name, passed, exitCode, timedOut }) => ({ name, passed, exitCode, timedOut })),
          }
        : null,
    };
  }

  /** The gates, each with its latest result. */
  async gates(team: string, id: string) {
    const mission = await this.row(team, id);
    const results = await this.gateResults(team, id);
    const gates = JSON.parse(mission.gates) as MissionGate[];
    return {
      missionId: id,
      gateCount: gates.length,
      gates: gates.map((gate) => ({
        ...gate,
        lastResult: [...results.results].reverse().find((result) => result.name === gate.name) ?? null,
      })),
    };
  }

  /** Every recorded gate result, oldest iteration first (one gate's, when named). */
  async gateResults(team: string, id: string, gateName?: string) {
    const rows = await this.iterationRows(team, id);
    const mission = await this.row(team, id);
    const results = rows.flatMap((row) =>
      row.gate_results === null
        ? []
        : (JSON.parse(row.gate_results) as GateResult[])
            .filter((result) => gateName === undefined || result.name === gateName)
            .map((result) => ({ iteration: Number(row.n), ...result })),
    );
    return { missionId: id, gateCount: (JSON.parse(mission.gates) as MissionGate[]).length, results };
  }

  // ---- writes ------------------------------------------------------------------------------------

  /** Start a mission (leads): a running worker of the team, or one spawned for it. */
  async create(caller: Identity, input: NewMission): Promise<MissionView> {
    const workers = this.deps.workers();
    if (!workers) throw missionErrors.WORKFLOWS_MISSION_WORKERS_OFF();
    if (input.worker !== undefined && input.spawn !== undefined)
      throw missionErrors.WORKFLOWS_MISSION_WORKER_OR_SPAWN({ field: 'spawn' }, { field: 'spawn' });
    const names = new Set<string>();
    input.gates.forEach((gate, index) => {
      if (names.has(gate.name))
        throw missionErrors.WORKFLOWS_MISSION_DUPLICATE_GATE(
          { index, name: gate.name },
          { field: `gates.${index}.name` },
        );
      names.add(gate.name);
    });
    const team = caller.teamName;
    const id = `mission-${randomBytes(6).toString('hex')}`;
    let handle: string;
    let costAtStart = 0;
    if (input.worker !== undefined) {
      handle = input.worker;
      const row = await workers.manager.store.get(team, handle);
      if (!row || ENDED.includes(row.state))
        throw missionErrors.WORKFLOWS_MISSION_WORKER_NOT_RUNNING({ handle }, { field: 'worker' });
      const busy = await this.#runningFor(team, handle);
      if (busy) throw missionErrors.WORKFLOWS_MISSION_WORKER_BUSY({ handle, id: busy }, { field: 'worker' });
      costAtStart = row.cost_usd === null ? 0 : Number(row.cost_usd);
    } else {
      checkSpawn(workers, input.spawn ?? {});
      handle = input.spawn?.handle ?? `mission-${id.slice(8, 16)}`;
      const busy = await this.#runningFor(team, handle);
      if (busy) throw missionErrors.WORKFLOWS_MISSION_WORKER_BUSY({ handle, id: busy }, { field: 'spawn.handle' });
    }
    const now = this.#now();
    const mission: MissionRow = {
      id,
      team_name: team,
      goal: input.goal,
      worker_handle: handle,
      spawned: input.worker === undefined ? 1 : 0,
      spawn: input.worker === undefined ? JSON.stringify(input.spawn ?? {}) : null,
      cwd: input.cwd ?? null,
      gates: JSON.stringify(input.gates),
      max_iterations: input.maxIterations,
      budget: input.budget ? JSON.stringify(input.budget) : null,
      status: 'running',
      phase: 'working',
      iteration: 1,
      reason: null,
      cost_at_start: costAtStart,
      cost_usd: 0,
      created_by: caller.handle,
      created_at: now,
      updated_at: now,
      ended_at: null,
    };
    const prompt = firstPrompt(mission, input.gates, caller, input.spawn?.prompt);
    // Delivered here, not by a sweep that finds the row before the spawn is under way.
    this.#delivering.add(id);
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx.insertInto('workflow_missions').values(mission).execute();
        await trx
          .insertInto('workflow_mission_iterations')
          .values(newIteration(mission, 1, prompt, now))
          .execute();
      });
      this.deps.emit('mission:created', team, { id, worker: handle, by: caller.handle });
      try {
        await this.#deliverNow(mission, 1, prompt, caller);
      } catch (error) {
        // A spawn refused outright (a handle of another agent, a strict guard): said now, with its code.
        await this.#end(mission, 'failed', `the worker could not be given the goal: ${(error as Error).message}`);
        throw error;
      }
    } finally {
      this.#delivering.delete(id);
    }
    await this.#afterDelivery(mission, 1);
    return this.get(team, id);
  }

  /** Cancel a running mission (leads): its gates stop, a worker it spawned is dismissed. */
  async cancel(caller: Identity, id: string): Promise<MissionView> {
    const mission = await this.row(caller.teamName, id);
    if (mission.status !== 'running') throw missionErrors.WORKFLOWS_MISSION_ENDED({ id, status: mission.status });
    const ended = await this.#end(mission, 'cancelled', `cancelled by ${caller.handle}`);
    if (ended) this.deps.emit('mission:cancelled', caller.teamName, { id, by: caller.handle });
    return this.get(caller.teamName, id);
  }

  // ---- the loop ----------------------------------------------------------------------------------

  /** A worker's turn ended (its result event): the mission it works on, if in its turn, is checked. */
  async onTurnEnded(team: string, handle: string, resultText: string | null): Promise<void> {
    const id = await this.#runningFor(team, handle);
    if (!id) return;
    const mission = await this.row(team, id);
    if (mission.phase !== 'working') return;
    const current = await this.#iterationRow(id, Number(mission.iteration));
    // The result of a turn begun before this iteration's prompt reached the worker is not this iteration's.
    if (!current) return;
    if (current.delivered_at === null) {
      // A fast agent may end the turn before the delivery is marked: checked once it is.
      if (this.#delivering.has(id)) this.#endedWhileDelivering.set(id, resultText);
      return;
    }
    await this.#check(mission, resultText);
  }

  /** The worker can take no more input: a running mission of it fails, saying so. */
  async onWorkerEnded(team: string, handle: string, how: string): Promise<void> {
    const id = await this.#runningFor(team, handle);
    if (!id) return;
    const mission = await this.row(team, id);
    if (mission.phase === 'checking') return; // the gates decide; a next iteration finds the worker gone
    await this.#end(mission, 'failed', `worker ${handle} ${how}`);
  }

  /**
   * Look at every running mission (at start, then every poll): deliver a prompt not yet delivered,
   * re-run gates that were running when the server stopped, check a turn whose result event was
   * missed (the worker is idle since after the prompt), end missions out of time or out of worker.
   */
  async sweep(): Promise<void> {
    const running = await this.#db
      .selectFrom('workflow_missions')
      .selectAll()
      .where('status', '=', 'running')
      .orderBy('created_at')
      .limit(500)
      .execute();
    for (const mission of running) {
      if (this.#stopped) return;
      try {
        await this.#sweepOne(mission);
      } catch (error) {
        this.deps.log.warn(`mission ${mission.id}: sweep failed`, { error: (error as Error).message });
      }
    }
  }

  /** Stop: gate runs under way are ended (they run again after a restart). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const controller of this.#checking.values()) controller.abort();
    const deadline = Date.now() + 10_000;
    while (this.#checking.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  async #sweepOne(mission: MissionRow): Promise<void> {
    if (this.#checking.has(mission.id) || this.#delivering.has(mission.id)) return;
    const budget = parseBudget(mission);
    if (budget.maxMinutes !== undefined && this.#now() - Number(mission.created_at) >= budget.maxMinutes * 60_000) {
      await this.#end(mission, 'failed', `budget: ${budget.maxMinutes} minutes passed before the gates passed`);
      return;
    }
    if (mission.phase === 'checking') {
      await this.#runChecks(mission);
      return;
    }
    const n = Number(mission.iteration);
    const current = await this.#iterationRow(mission.id, n);
    if (!current) return;
    if (current.delivered_at === null) {
      try {
        await this.#deliver(mission, n, current.prompt ?? mission.goal, undefined);
      } catch (error) {
        await this.#end(mission, 'failed', `the worker could not be given its prompt: ${(error as Error).message}`);
      }
      return;
    }
    const workers = this.deps.workers();
    if (!workers) return;
    const worker = await workers.manager.store.get(mission.team_name, mission.worker_handle);
    // A spawn still in the workers' queue has no row of its own yet (or an older worker's).
    if (!worker || (mission.spawned === 1 && Number(worker.created_at) < Number(mission.created_at))) return;
    if (ENDED.includes(worker.state)) {
      await this.#end(mission, 'failed', `worker ${mission.worker_handle} is ${worker.state}`);
      return;
    }
    // A turn ended since the prompt went (the count of turns rose), its result event missed (a restart).
    const turns = worker.num_turns === null ? null : Number(worker.num_turns);
    if (worker.state === 'idle' && turns !== null && turns > Number(current.turns_before ?? 0))
      await this.#check(mission, worker.result_text);
  }

  /** working → checking for this iteration (once: a conditional write), then run the gates. */
  async #check(mission: MissionRow, resultText: string | null): Promise<void> {
    const n = Number(mission.iteration);
    const now = this.#now();
    const claimed = await this.#db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('workflow_missions')
        .set({ phase: 'checking', updated_at: now })
        .where('id', '=', mission.id)
        .where('status', '=', 'running')
        .where('phase', '=', 'working')
        .where('iteration', '=', n)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('workflow_mission_iterations')
        .set({ status: 'checking', result_text: tail(resultText, 4000), turn_ended_at: now })
        .where('mission_id', '=', mission.id)
        .where('n', '=', n)
        .execute();
      return true;
    });
    if (!claimed) return;
    void this.#runChecks({ ...mission, phase: 'checking' }).catch((error) =>
      this.deps.log.error(`mission ${mission.id}: checking its gates failed`, { error: (error as Error).message }),
    );
  }

  async #runChecks(mission: MissionRow): Promise<void> {
    if (this.#checking.has(mission.id) || this.#stopped) return;
    const controller = new AbortController();
    this.#checking.set(mission.id, controller);
    try {
      const n = Number(mission.iteration);
      const gates = JSON.parse(mission.gates) as MissionGate[];
      const cwd = await this.#gateCwd(mission);
      const results = await runGates(gates, cwd, {
        signal: controller.signal,
        ...(this.deps.graceMs !== undefined ? { graceMs: this.deps.graceMs } : {}),
      });
      // Stopped or cancelled mid-way: nothing is recorded (after a restart the gates run again).
      if (controller.signal.aborted || results.length < gates.length) return;
      await this.#recordIteration(mission, n, results);
    } finally {
      this.#checking.delete(mission.id);
    }
  }

  /** Where gates without a cwd of their own run: the mission's cwd, else the worker's worktree or cwd. */
  async #gateCwd(mission: MissionRow): Promise<string> {
    if (mission.cwd) return mission.cwd;
    const worker = await this.deps.workers()?.manager.store.get(mission.team_name, mission.worker_handle);
    return worker?.worktree_path ?? worker?.cwd ?? process.cwd();
  }

  async #recordIteration(mission: MissionRow, n: number, results: GateResult[]): Promise<void> {
    const now = this.#now();
    const passed = results.every((result) => result.passed);
    const failed = results.filter((result) => !result.passed);
    const cost = await this.#spent(mission);
    const max = Number(mission.max_iterations);
    const budget = parseBudget(mission);
    let ending: { status: 'succeeded' | 'failed'; reason: string } | undefined;
    if (passed) ending = { status: 'succeeded', reason: `every gate passed on iteration ${n}` };
    else if (n >= max)
      ending = {
        status: 'failed',
        reason: `maxIterations: gates still failing after ${n} of ${max}: ${failed.map((r) => r.name).join(', ')}`,
      };
    else if (budget.maxCostUsd !== undefined && cost !== null && cost >= budget.maxCostUsd)
      ending = { status: 'failed', reason: `budget: spent $${cost.toFixed(4)} of $${budget.maxCostUsd}` };
    else if (budget.maxMinutes !== undefined && now - Number(mission.created_at) >= budget.maxMinutes * 60_000)
      ending = { status: 'failed', reason: `budget: ${budget.maxMinutes} minutes passed before the gates passed` };
    const feedback = ending ? undefined : feedbackPrompt(mission, n + 1, results);
    const recorded = await this.#db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('workflow_missions')
        .set({
          phase: ending ? 'ended' : 'working',
          status: ending?.status ?? 'running',
          reason: ending?.reason ?? null,
          iteration: ending ? n : n + 1,
          cost_usd: cost,
          updated_at: now,
          ended_at: ending ? now : null,
        })
        .where('id', '=', mission.id)
        .where('status', '=', 'running')
        .where('phase', '=', 'checking')
        .where('iteration', '=', n)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('workflow_mission_iterations')
        .set({ status: passed ? 'passed' : 'failed', gate_results: JSON.stringify(results), ended_at: now })
        .where('mission_id', '=', mission.id)
        .where('n', '=', n)
        .execute();
      if (feedback !== undefined)
        await trx
          .insertInto('workflow_mission_iterations')
          .values(newIteration(mission, n + 1, feedback, now))
          .execute();
      return true;
    });
    if (!recorded) return;
    const team = mission.team_name;
    this.deps.emit('mission:iteration', team, { id: mission.id, n, passed, failedGates: failed.map((r) => r.name) });
    if (ending?.status === 'succeeded') this.deps.emit('mission:succeeded', team, { id: mission.id, iterations: n });
    if (ending?.status === 'failed')
      this.deps.emit('mission:failed', team, { id: mission.id, iterations: n, reason: ending.reason });
    if (ending) {
      await this.#dismissSpawned(mission);
      return;
    }
    try {
      await this.#deliver({ ...mission, iteration: n + 1 }, n + 1, feedback!, undefined);
    } catch (error) {
      await this.#end(mission, 'failed', `the worker could not be given the failures: ${(error as Error).message}`);
    }
  }

  /**
   * Give the worker this iteration's prompt: the first spawns the worker (or queues its spawn) with it,
   * later ones are sent to it. Marked delivered only after (a restart in between delivers again).
   */
  async #deliver(mission: MissionRow, n: number, prompt: string, caller: Identity | undefined): Promise<void> {
    if (this.#delivering.has(mission.id)) return;
    this.#delivering.add(mission.id);
    try {
      await this.#deliverNow(mission, n, prompt, caller);
    } finally {
      this.#delivering.delete(mission.id);
    }
    await this.#afterDelivery(mission, n);
  }

  /** The turn ended while its prompt was being delivered: check it now. */
  async #afterDelivery(mission: MissionRow, n: number): Promise<void> {
    if (!this.#endedWhileDelivering.has(mission.id)) return;
    const resultText = this.#endedWhileDelivering.get(mission.id) ?? null;
    this.#endedWhileDelivering.delete(mission.id);
    await this.#check({ ...mission, iteration: n, phase: 'working' }, resultText);
  }

  async #deliverNow(mission: MissionRow, n: number, prompt: string, caller: Identity | undefined): Promise<void> {
    const workers = this.deps.workers();
    if (!workers) throw missionErrors.WORKFLOWS_MISSION_WORKERS_OFF();
    const team = mission.team_name;
    const sentAt = this.#now();
    const before = await workers.manager.store.get(team, mission.worker_handle);
    const fresh = !before || Number(before.created_at) < Number(mission.created_at);
    const turnsBefore = n === 1 && mission.spawned === 1 ? 0 : Number(before?.num_turns ?? 0);
    if (n === 1 && mission.spawned === 1) {
      const spawn = JSON.parse(mission.spawn ?? '{}') as MissionSpawn;
      const options = workers.options;
      const request = {
        handle: mission.worker_handle,
        teamName: team,
        adapter: spawn.adapter ?? options.defaultAdapter,
        prompt,
        cwd: spawn.workingDir ?? options.workingDir ?? process.cwd(),
        ...(spawn.model !== undefined ? { model: spawn.model } : {}),
        ...(spawn.worktree !== undefined ? { worktree: spawn.worktree } : {}),
      };
      const by: Identity = caller ?? {
        uid: '',
        handle: mission.created_by,
        teamName: team,
        agentType: 'team-lead',
        role: 'coordinator',
      };
      const already = caller === undefined && !fresh;
      try {
        if (!already) await workers.manager.spawn(request, by, options.max);
      } catch (error) {
        // Delivered before a restart, not marked: the worker (or its queued spawn) is already there.
        const code = isApiError(error) ? error.code : '';
        if (caller !== undefined || (code !== 'WORKERS_EXISTS' && code !== 'WORKERS_ALREADY_QUEUED')) throw error;
      }
    } else {
      await workers.manager.send(team, mission.worker_handle, prompt);
    }
    await this.#db
      .updateTable('workflow_mission_iterations')
      .set({ delivered_at: sentAt, turns_before: turnsBefore })
      .where('mission_id', '=', mission.id)
      .where('n', '=', n)
      .where('delivered_at', 'is', null)
      .execute();
  }

  /** End a running mission (once); its running gates stop, a worker it spawned is dismissed. */
  async #end(mission: MissionRow, status: 'failed' | 'cancelled', reason: string): Promise<boolean> {
    const now = this.#now();
    const cost = await this.#spent(mission).catch(() => null);
    const ended = await this.#db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('workflow_missions')
        .set({ status, phase: 'ended', reason, updated_at: now, ended_at: now, cost_usd: cost })
        .where('id', '=', mission.id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('workflow_mission_iterations')
        .set({ status: 'cancelled', ended_at: now })
        .where('mission_id', '=', mission.id)
        .where('status', 'in', ['working', 'checking'])
        .execute();
      return true;
    });
    if (!ended) return false;
    this.#checking.get(mission.id)?.abort();
    if (status === 'failed')
      this.deps.emit('mission:failed', mission.team_name, {
        id: mission.id,
        iterations: Number(mission.iteration),
        reason,
      });
    await this.#dismissSpawned(mission);
    return true;
  }

  async #dismissSpawned(mission: MissionRow): Promise<void> {
    if (mission.spawned !== 1) return;
    const workers = this.deps.workers();
    if (!workers) return;
    try {
      if (await workers.isLive(mission.team_name, mission.worker_handle))
        await workers.manager.dismiss(mission.team_name, mission.worker_handle);
    } catch (error) {
      this.deps.log.warn(`mission ${mission.id}: could not dismiss ${mission.worker_handle}`, {
        error: (error as Error).message,
      });
    }
  }

  /** What the worker spent since the mission began (null: unknown). */
  async #spent(mission: MissionRow): Promise<number | null> {
    const worker = await this.deps.workers()?.manager.store.get(mission.team_name, mission.worker_handle);
    if (!worker || worker.cost_usd === null) return mission.cost_usd === null ? null : Number(mission.cost_usd);
    return Math.max(0, Number(worker.cost_usd) - Number(mission.cost_at_start ?? 0));
  }

  async #runningFor(team: string, handle: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('workflow_missions')
      .select('id')
      .where('team_name', '=', team)
      .where('worker_handle', '=', handle)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return row?.id;
  }

  #iterationRow(id: string, n: number): Promise<IterationRow | undefined> {
    return this.#db
      .selectFrom('workflow_mission_iterations')
      .selectAll()
      .where('mission_id', '=', id)
      .where('n', '=', n)
      .executeTakeFirst();
  }
}

/** A spawn the workers plugin would refuse outright is a 400 before anything is written. */
function checkSpawn(workers: WorkersApi, spawn: MissionSpawn): void {
  const adapter = spawn.adapter ?? workers.options.defaultAdapter;
  if (adapter !== 'claude' && !Object.hasOwn(workers.options.commands, adapter))
    throw missionErrors.WORKFLOWS_MISSION_UNKNOWN_ADAPTER({ adapter }, { field: 'spawn.adapter' });
  const dir = spawn.workingDir;
  if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory()))
    throw missionErrors.WORKFLOWS_MISSION_NOT_A_DIR(
      { field: 'spawn.workingDir', path: dir },
      { field: 'spawn.workingDir' },
    );
}

function newIteration(mission: MissionRow, n: number, prompt: string, now: number): IterationRow {
  return {
    mission_id: mission.id,
    n,
    team_name: mission.team_name,
    status: 'working',
    prompt,
    delivered_at: null,
    turns_before: null,
    result_text: null,
    gate_results: null,
    cost_usd: null,
    started_at: now,
    turn_ended_at: null,
    ended_at: null,
  };
}

function parseBudget(mission: MissionRow): MissionBudget {
  return mission.budget ? (JSON.parse(mission.budget) as MissionBudget) : {};
}

function tail(text: string | null, max: number): string | null {
  return text === null || text.length <= max ? text : text.slice(-max);
}

const gateLine = (gate: MissionGate) => `- ${gate.name}: ${gate.argv.join(' ')}`;

/** The first prompt: what the fleet does (its own words), then the lead's goal fenced as the lead's. */
function firstPrompt(mission: MissionRow, gates: MissionGate[], caller: Identity, extra: string | undefined): string {
  const goal = extra ? `${mission.goal}\n\n${extra}` : mission.goal;
  return [
    `[fleet] You work on mission ${mission.id} (iteration 1 of at most ${mission.max_iterations}). ` +
      'When your turn ends the fleet runs its gates; if any fails you get its output and the next iteration ' +
      'begins. The tools mission_status, mission_gates, mission_iterations and gate_results report it. Gates:',
    ...gates.map(gateLine),
    dataFence({ kind: 'mission goal', from: caller.handle, role: 'team lead' }, goal),
  ].join('\n');
}

/** The failures of the last iteration, fenced as data (gate output is whatever the tests printed). */
function feedbackPrompt(mission: MissionRow, next: number, results: GateResult[]): string {
  const failed = results.filter((result) => !result.passed);
  const passed = results.filter((result) => result.passed).map((result) => result.name);
  return [
    `[fleet] Mission ${mission.id}, iteration ${next} of at most ${mission.max_iterations}: ` +
      `${failed.length} of ${results.length} gates failed` +
      (passed.length ? ` (passed: ${passed.join(', ')})` : '') +
      '. Fix what they report; when your turn ends every gate runs again.',
    dataFence({ kind: 'gate output', from: 'fleet-gates' }, failed.map(describeFailure).join('\n\n')),
  ].join('\n');
}
