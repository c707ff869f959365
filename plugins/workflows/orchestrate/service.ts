import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Identity, Logger, PluginContext } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { driveMultiRepo } from './drive-multi-repo.js';
import { driveWaves } from './drive-waves.js';
import { orchestrateErrors as E } from './errors.js';
import type { MultiRepoInput, WavesInput } from './inputs.js';
import { type MultiRepoPlan, planMultiRepo, planWaves, type WavePlan } from './plan.js';
import type { RunContext } from './run-context.js';
import { OrchestrateStore, type RunRow, type UnitRow } from './store.js';
import type { OrchestrateKind, OrchestrateTables } from './tables.js';
import type { HeardResult } from './unit-runner.js';
import { multiRepoRunView, runSummary, waveRunView } from './views.js';

export interface OrchestrateDeps {
  db: Kysely<OrchestrateTables>;
  emit: PluginContext['events']['emit'];
  log: Logger;
  /** The fleet's data dir: multi-repo worktrees go under <dataDir>/orchestrate/<team>/<run>/<repo>. */
  dataDir: string;
  /** The workers plugin while it runs (read at call time). */
  workers(): WorkersApi | undefined;
  now?(): number;
  /** A node holds a run it drives this long without renewing (renewed every leaseMs/3). Default 15 s. */
  leaseMs?: number;
  /** How often runs nobody holds (a node died) are looked for. Default 2 s. */
  sweepMs?: number;
}

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

const LIST_LIMIT = 200;
const CANCEL_WAIT_MS = 15_000;

function newId(prefix: string, now: number): string {
  const tail = BigInt(`0x${randomBytes(5).toString('hex')}`)
    .toString(36)
    .padStart(6, '0')
    .slice(-6);
  return `${prefix}-${now}-${tail}`;
}

/**
 * Wave runs and multi-repo runs, kept in the database and driven in the background. A node holds
 * each run it drives by a lease; a run whose lease lapsed (the server stopped or died) is taken
 * over by the next sweep, here or on another node, and resumed from its rows: finished units stay
 * finished, running workers are re-attached, a command cut off by a kill is reported interrupted.
 */
export class OrchestrateService {
  readonly store: OrchestrateStore;
  readonly #deps: OrchestrateDeps;
  readonly #active = new Map<string, Active>();
  readonly #heard = new Map<string, HeardResult>();
  #sweeper: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(deps: OrchestrateDeps) {
    this.#deps = deps;
    this.store = new OrchestrateStore(deps.db);
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  get #leaseMs(): number {
    return this.#deps.leaseMs ?? 15_000;
  }

  /** Where workers and commands without a cwd run, and multi-repo's default baseDir. */
  #cwd(): string {
    return this.#deps.workers()?.options.workingDir ?? process.cwd();
  }

  /** A worker's result event (worker_result), heard by startOrchestrate's listener. */
  heardResult(team: string, handle: string, isError: boolean, result: string | null): void {
    this.#heard.set(`${team}\u0000${handle}`, { isError, result, at: this.#now() });
  }

  #needsWorkers(prompts: boolean): void {
    if (prompts && !this.#deps.workers()) throw E.WORKFLOWS_ORCHESTRATE_WORKERS_OFF();
  }

  async submitWaves(caller: Identity, input: WavesInput) {
    const plan = planWaves(input);
    this.#needsWorkers(plan.waves.some((wave) => wave.workers.some((w) => w.mode === 'prompt')));
    const now = this.#now();
    const id = newId('wave', now);
    let seq = 0;
    const units = plan.waves.flatMap((wave, index) =>
      wave.workers.map((worker) => this.#unit(seq++, wave.name, index, worker.handle, worker.mode)),
    );
    await this.#create(caller, id, 'waves', plan, units, now);
    return {
      executionId: id,
      status: 'running' as const,
      waves: plan.waves.length,
      message: `Wave execution started. Use GET /orchestrate/waves/${id} for status.`,
    };
  }

  async submitMultiRepo(caller: Identity, input: MultiRepoInput, prefix = 'multirepo') {
    const now = this.#now();
    const id = newId(prefix, now);
    const plan = planMultiRepo(input, { baseDir: this.#cwd(), runId: id });
    this.#needsWorkers(plan.repos.some((repo) => repo.mode === 'prompt'));
    const units = plan.repos.map((repo, i) => {
      const batch = Math.floor(i / plan.maxParallel);
      return this.#unit(i, `batch-${batch + 1}`, batch, repo.name, repo.mode);
    });
    await this.#create(caller, id, 'multirepo', plan, units, now);
    return {
      executionId: id,
      status: 'running' as const,
      repositories: plan.repos.length,
      task: plan.task,
      message: `Multi-repo execution started. Use GET /orchestrate/multi-repo/${id} for status.`,
    };
  }

  #unit(seq: number, group: string, index: number, name: string, mode: 'prompt' | 'argv'): Omit<UnitRow, 'run_id'> {
    return {
      seq,
      group_name: group,
      group_index: index,
      name,
      mode,
      status: 'pending',
      worker_handle: null,
      started_at: null,
      finished_at: null,
      evidence: null,
      output: null,
      error: null,
      extra: null,
    };
  }

  async #create(
    caller: Identity,
    id: string,
    kind: OrchestrateKind,
    plan: WavePlan | MultiRepoPlan,
    units: Omit<UnitRow, 'run_id'>[],
    now: number,
  ): Promise<void> {
    const run: RunRow = {
      id,
      team_name: caller.teamName,
      kind,
      status: 'running',
      created_by: caller.handle,
      request: JSON.stringify(plan),
      started_at: now,
      completed_at: null,
      error: null,
      lease_until: now + this.#leaseMs,
    };
    await this.store.create(run, units);
    this.#drive(run);
  }

  async list(caller: Identity, kind: OrchestrateKind) {
    return (await this.store.list(caller.teamName, kind, LIST_LIMIT)).map(runSummary);
  }

  async #require(caller: Identity, kind: OrchestrateKind, id: string): Promise<RunRow> {
    const run = await this.store.get(caller.teamName, kind, id);
    if (!run)
      throw kind === 'waves'
        ? E.WORKFLOWS_ORCHESTRATE_WAVES_NOT_FOUND()
        : E.WORKFLOWS_ORCHESTRATE_MULTIREPO_NOT_FOUND();
    return run;
  }

  async get(caller: Identity, kind: OrchestrateKind, id: string) {
    const run = await this.#require(caller, kind, id);
    const units = await this.store.units(run.id);
    return kind === 'waves' ? waveRunView(run, units) : multiRepoRunView(run, units);
  }

  /**
   * Cancel a running run: it is `cancelled` at once (and stays so), units not started never start,
   * and the answer comes once this node's running workers and commands are stopped (a run driven by
   * another node stops at that node's next lease renewal).
   */
  async cancel(caller: Identity, kind: OrchestrateKind, id: string) {
    const run = await this.#require(caller, kind, id);
    if (!(await this.store.cancel(run.id, caller.handle, this.#now()))) {
      const now = await this.#require(caller, kind, id);
      throw E.WORKFLOWS_ORCHESTRATE_NOT_CANCELLABLE({ status: now.status });
    }
    const active = this.#active.get(run.id);
    if (active) {
      active.controller.abort('cancel');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([active.done, new Promise((resolve) => (timer = setTimeout(resolve, CANCEL_WAIT_MS)))]);
      clearTimeout(timer);
    }
    if (kind === 'waves')
      this.#deps.emit('wave:execution:cancelled', run.team_name, { executionId: run.id, by: caller.handle });
    return { id: run.id, status: 'cancelled' as const };
  }

  #drive(run: RunRow): void {
    if (this.#active.has(run.id) || this.#stopping) return;
    const controller = new AbortController();
    const renewEvery = Math.max(50, Math.floor(this.#leaseMs / 3));
    const renewal = setInterval(() => {
      this.store.renew(run.id, this.#now() + this.#leaseMs).then(
        (held) => {
          if (!held) controller.abort('cancel');
        },
        (error: Error) =>
          this.#deps.log.warn('could not renew an orchestrate run', { id: run.id, error: error.message }),
      );
    }, renewEvery);
    const ctx: RunContext = {
      run,
      store: this.store,
      signal: controller.signal,
      emit: this.#deps.emit,
      log: this.#deps.log,
      dataDir: this.#deps.dataDir,
      now: () => this.#now(),
      workers: () => this.#deps.workers(),
      heard: (team, handle) => this.#heard.get(`${team}\u0000${handle}`),
      forget: (team, handle) => void this.#heard.delete(`${team}\u0000${handle}`),
    };
    const drive = run.kind === 'waves' ? driveWaves(ctx, this.#cwd()) : driveMultiRepo(ctx);
    const done = drive
      .catch(async (error: Error) => {
        this.#deps.log.error('an orchestrate run failed unexpectedly', { id: run.id, error: error.message });
        if (!controller.signal.aborted) await this.store.finish(run.id, 'failed', 'internal error', this.#now());
      })
      .finally(async () => {
        clearInterval(renewal);
        this.#active.delete(run.id);
        // Stopping: let the next start (here or on another node) take it over at once.
        if (controller.signal.reason === 'stop') await this.store.renew(run.id, 0).catch(() => undefined);
      });
    this.#active.set(run.id, { controller, done });
  }

  /** Take over running runs nobody holds (after a restart, or a node that died). */
  async sweep(): Promise<void> {
    for (const run of await this.store.orphans(this.#now())) {
      if (this.#active.has(run.id) || this.#stopping) continue;
      if (!(await this.store.take(run, this.#now() + this.#leaseMs))) continue;
      this.#deps.log.info('resuming an orchestrate run', { id: run.id, kind: run.kind });
      this.#drive({ ...run, lease_until: this.#now() + this.#leaseMs });
    }
  }

  async start(): Promise<void> {
    this.#stopping = false;
    await this.sweep();
    this.#sweeper = setInterval(() => {
      this.sweep().catch((error: Error) => this.#deps.log.warn('orchestrate sweep failed', { error: error.message }));
    }, this.#deps.sweepMs ?? 2000);
    this.#sweeper.unref();
  }

  /** Stop driving (the runs stay running in the database, to be resumed); commands are killed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweeper);
    const active = [...this.#active.values()];
    for (const run of active) run.controller.abort('stop');
    await Promise.all(active.map((run) => run.done));
  }
}
