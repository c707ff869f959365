import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../core/index.js';
import type { WorkflowExecutionsTable, WorkflowStepsTable } from '../definitions/tables.js';
import type { WorkflowsApi } from '../index.js';
import type { Clock, WorkflowsOptions } from '../options.js';
import { passes } from '../steps/expression.js';
import type { KeptEvent, StepKind, StepOutcome, StepRun } from '../steps/kind.js';
import { KeptEvents } from './kept-events.js';
import { settleStep, skipStep } from './settle.js';
import { resolveStepConfig, untrustedValues } from './template.js';
import {
  contextOf,
  type Db,
  type Effects,
  failExecution,
  logEvent,
  noEffects,
  stepEventData,
  type Trx,
} from './transitions.js';

/** Fleet events that may let a waiting step move on: its team's waiting steps are re-checked at once. */
export const WAKING_EVENTS = [
  'task_resolved',
  'task_updated',
  'task_completed',
  'task_assigned',
  'worker_result',
  'worker_exit',
  'worker_failed',
  'worker_dismissed',
  'worker_error',
  'worker_state',
  'checkpoint_accepted',
  'checkpoint_rejected',
  'approval_decided',
  'workflow:completed',
  'workflow:failed',
  'workflow:cancelled',
  'blackboard_message',
  'webhook_received',
  'webhook_processed',
];

/** Which waiting step kinds an event (by type prefix) may let move on. */
const WAKES: Record<string, readonly string[]> = {
  task_: ['task'],
  worker_: ['spawn', 'send', 'command', 'gate'],
  checkpoint_: ['checkpoint'],
  approval_: ['approval'],
  'workflow:': ['workflow'],
};

export interface EngineDeps {
  db: Db;
  clock: Clock;
  options: () => WorkflowsOptions;
  kinds: () => Readonly<Record<string, StepKind>>;
  api: () => WorkflowsApi;
  emit: (type: string, team: string, data: Record<string, unknown>) => void;
  on: (
    types: readonly string[],
    listener: (event: { type: string; team: string; data: unknown }) => void,
  ) => () => void;
  log: Logger;
}

interface LocalRun {
  token: string;
  controller: AbortController;
  executionId: string;
  done: Promise<void>;
}

/**
 * The durable engine. Every state lives in the database and every transition is one transaction; a step
 * is claimed (`ready → running`, a claim token with a lease) before its kind runs, so two passes or two
 * nodes never run one step twice. A node renews its claims while they run; a claim whose lease expired
 * (its node died: kill -9) is taken over by any node, which calls the kind's run with the saved state
 * (re-attach). Passes run every pollMs and whenever something may have moved (a start, a settled step,
 * a fleet event such as task_resolved).
 */
/** What a step kind is told of its execution and step, for a run and a cancel alike. */
function stepRunOf(
  step: WorkflowStepsTable,
  execution: Pick<WorkflowExecutionsTable, 'id' | 'workflow_id' | 'swarm_id' | 'created_by'>,
  config: Record<string, unknown>,
): Pick<StepRun, 'team' | 'execution' | 'step'> {
  return {
    team: step.team_name,
    execution: {
      id: execution.id,
      workflowId: execution.workflow_id,
      swarmId: execution.swarm_id,
      createdBy: execution.created_by,
    },
    step: { id: step.id, key: step.step_key, type: step.step_type, config, attempt: Number(step.attempt) },
  };
}

export class Engine {
  readonly events = new KeptEvents();
  private readonly local = new Map<string, LocalRun>();
  private timer: { cancel(): void } | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private running = false;
  private passing: Promise<void> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;
  private watched = new Set<string>(WAKING_EVENTS);
  private readonly listeners = new Set<(event: KeptEvent) => void>();

  constructor(private readonly deps: EngineDeps) {}

  get looping(): boolean {
    return this.running;
  }

  /** Steps this process is running now. */
  get activeSteps(): number {
    return this.local.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.subscribe();
    const lease = this.deps.options().leaseMs;
    this.renewal = setInterval(() => void this.renew().catch((e) => this.warn('renewal', e)), Math.max(50, lease / 3));
    this.renewal.unref?.();
    this.wake();
  }

  /** Stop passes; abort local runs and hand their claims back (a restart or another node re-attaches them). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    if (this.renewal) clearInterval(this.renewal);
    this.unsubscribe?.();
    const runs = [...this.local.entries()];
    for (const [, run] of runs) run.controller.abort(new Error('the server is stopping'));
    await Promise.allSettled(runs.map(([, run]) => run.done));
    await this.passing?.catch(() => undefined);
    const tokens = runs.map(([, run]) => run.token);
    if (tokens.length > 0)
      await this.deps.db
        .updateTable('workflow_steps')
        .set({ claim_expires_at: 0 })
        .where('claim_token', 'in', tokens)
        .where('status', '=', 'running')
        .execute()
        .catch((e) => this.warn('release on stop', e));
  }

  /** Look again now (something became ready). */
  wake(): void {
    if (!this.running) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.timer = this.deps.clock.setTimeout(() => this.loop(), 0);
  }

  /** Also keep (and wake on) these event types: triggers' and waiting steps' types. */
  watch(types: Iterable<string>): void {
    let added = false;
    for (const type of types)
      if (!this.watched.has(type)) {
        this.watched.add(type);
        added = true;
      }
    if (added && this.running) this.subscribe();
  }

  /** Listen to every watched event (the triggers do). */
  onEvent(listener: (event: KeptEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The `wait` kind's seam: the first kept event of the team matching type and filter since `since`. */
  waitForEvent(
    team: string,
    type: string,
    filter: Record<string, unknown>,
    since: number,
  ): Promise<KeptEvent | undefined> {
    this.watch([type]);
    return Promise.resolve(this.events.find(team, type, filter, since));
  }

  private subscribe(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.deps.on([...this.watched], (event) => {
      const kept: KeptEvent = {
        type: event.type,
        team: event.team,
        data: (event.data ?? {}) as Record<string, unknown>,
        ts: this.deps.clock.now(),
      };
      this.events.keep(kept);
      for (const listener of this.listeners) listener(kept);
      // Our own step events do not wake waiting steps (they would loop); others re-check the team's.
      if (!event.type.startsWith('step:'))
        void this.recheckTeam(event.team, event.type).catch((e) => this.warn('recheck', e));
    });
  }

  /**
   * Re-check now the team's waiting steps an event may concern: by kind (a task event wakes task steps,
   * a worker event spawn/send/command steps, a workflow's end the nested-workflow steps...), and wait
   * steps that wait for an event. A duration wait is not woken by anything (it rechecks at its time).
   */
  private async recheckTeam(team: string, type: string): Promise<void> {
    const kinds = Object.entries(WAKES).find(([prefix]) => type.startsWith(prefix))?.[1] ?? [];
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('workflow_steps')
      .set({ run_after: now })
      .where('team_name', '=', team)
      .where('status', '=', 'waiting')
      .where('run_after', '>', now)
      .where((eb) =>
        eb.or([
          ...(kinds.length > 0 ? [eb('step_type', 'in', kinds)] : []),
          eb.and([eb('step_type', '=', 'wait'), eb('config', 'like', '%"event"%')]),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) this.wake();
  }

  private loop(): void {
    if (!this.running || this.passing) return;
    this.passing = this.pass()
      .catch((e) => this.warn('pass', e))
      .finally(() => {
        this.passing = undefined;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.timer = this.deps.clock.setTimeout(() => this.loop(), 0);
        } else this.timer = this.deps.clock.setTimeout(() => this.loop(), this.deps.options().pollMs);
      });
  }

  /** One pass: time out, take over expired claims, claim ready and due waiting steps. */
  async pass(): Promise<void> {
    const { db } = this.deps;
    const options = this.deps.options();
    const now = this.deps.clock.now();
    // Timeouts: a running or waiting step past its deadline fails (then retries or onFailure).
    const late = await db
      .selectFrom('workflow_steps')
      .selectAll()
      .where('status', 'in', ['running', 'waiting'])
      .where('deadline_at', '<=', now)
      .limit(options.batchSize)
      .execute();
    for (const step of late) {
      const timeout = Number(step.timeout_ms ?? options.defaultStepTimeoutMs);
      await this.settle(
        step,
        step.claim_token,
        { status: 'failed', error: `timed out after ${timeout} ms` },
        {
          stop: true,
        },
      );
    }
    // Executions past their definition's timeoutMs fail (open steps cancelled, what they started stopped).
    const expired = await db
      .selectFrom('workflow_executions')
      .selectAll()
      .where('status', 'in', ['running', 'paused'])
      .where('deadline_at', '<=', now)
      .limit(options.batchSize)
      .execute();
    for (const execution of expired)
      await this.transition(execution.team_name, (trx, effects) =>
        failExecution(
          trx,
          execution,
          `timed out after ${Number(execution.deadline_at) - Number(execution.started_at)} ms`,
          now,
          effects,
        ),
      );
    const free = () => options.concurrency - this.local.size;
    // Expired claims: the node running them died. Take them over and re-attach with the saved state.
    if (free() > 0) {
      const orphans = await db
        .selectFrom('workflow_steps')
        .innerJoin('workflow_executions', 'workflow_executions.id', 'workflow_steps.execution_id')
        .selectAll('workflow_steps')
        .where('workflow_steps.status', '=', 'running')
        .where('workflow_steps.claim_expires_at', '<', now)
        .where('workflow_executions.status', '=', 'running')
        .limit(Math.min(free(), options.batchSize))
        .execute();
      const mine = orphans.filter((step) => !this.local.has(step.id));
      for (const claimed of await this.claim(mine, 'running', now, true)) this.launch(claimed, 'run', true);
    }
    for (const status of ['ready', 'waiting'] as const) {
      if (free() <= 0) break;
      const due = await db
        .selectFrom('workflow_steps')
        .innerJoin('workflow_executions', 'workflow_executions.id', 'workflow_steps.execution_id')
        .selectAll('workflow_steps')
        .where('workflow_steps.status', '=', status)
        .where('workflow_executions.status', '=', 'running')
        .where((eb) => eb.or([eb('workflow_steps.run_after', 'is', null), eb('workflow_steps.run_after', '<=', now)]))
        .orderBy('workflow_steps.run_after')
        .limit(Math.min(free(), options.batchSize))
        .execute();
      const mine = due.filter((step) => !this.local.has(step.id));
      for (const claimed of await this.claim(mine, status, now, false))
        this.launch(claimed, status === 'waiting' ? 'check' : 'run', false);
    }
  }

  /**
   * The conditional claims of one pass, in one transaction (one commit for the batch): each step's UPDATE
   * only matches while it is still in `from` (and, for a takeover, still under the expired claim), so only
   * the first pass or node wins a step.
   */
  private async claim(
    steps: readonly WorkflowStepsTable[],
    from: 'ready' | 'waiting' | 'running',
    now: number,
    takeover: boolean,
  ): Promise<WorkflowStepsTable[]> {
    if (steps.length === 0) return [];
    const options = this.deps.options();
    const effects = new Map<string, Effects>();
    const claimed = await this.deps.db.transaction().execute(async (trx) => {
      const won: WorkflowStepsTable[] = [];
      const workflowOf = new Map(
        (
          await trx
            .selectFrom('workflow_executions')
            .select(['id', 'workflow_id'])
            .where('id', 'in', [...new Set(steps.map((step) => step.execution_id))])
            .execute()
        ).map((row) => [row.id, row.workflow_id]),
      );
      for (const step of steps) {
        const token = randomUUID();
        const timeout = step.timeout_ms === null ? options.defaultStepTimeoutMs : Number(step.timeout_ms);
        const deadline = step.deadline_at ?? (timeout > 0 ? now + timeout : null);
        let update = trx
          .updateTable('workflow_steps')
          .set({
            status: 'running',
            claim_token: token,
            claim_expires_at: now + options.leaseMs,
            started_at: step.started_at ?? now,
            deadline_at: deadline,
            updated_at: now,
          })
          .where('id', '=', step.id)
          .where('status', '=', from);
        update = takeover ? update.where('claim_token', '=', step.claim_token!) : update;
        const done = await update.executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) continue;
        const row = { ...step, status: 'running' as const, claim_token: token, deadline_at: deadline };
        won.push(row);
        if (from !== 'ready' && !takeover) continue;
        const reattached = takeover || step.state !== null;
        await logEvent(
          trx,
          { team: step.team_name, executionId: step.execution_id, stepId: step.id, type: 'step_started' },
          { stepKey: step.step_key, attempt: Number(step.attempt), ...(reattached ? { reattached: true } : {}) },
          now,
        );
        let team = effects.get(step.team_name);
        if (!team) effects.set(step.team_name, (team = noEffects()));
        team.emissions.push({
          type: 'step:started',
          data: stepEventData(
            { id: step.execution_id, workflow_id: workflowOf.get(step.execution_id) ?? '' },
            row,
            reattached ? { reattached: true } : {},
          ),
        });
      }
      return won;
    });
    for (const [team, effect] of effects) this.publish(team, effect);
    return claimed;
  }

  private launch(step: WorkflowStepsTable, mode: 'run' | 'check', reattach: boolean): void {
    const controller = new AbortController();
    const run: LocalRun = {
      token: step.claim_token!,
      controller,
      executionId: step.execution_id,
      done: Promise.resolve(),
    };
    this.local.set(step.id, run);
    run.done = this.execute(step, mode, reattach, controller)
      .catch((e) => this.warn(`step ${step.step_key}`, e))
      .finally(() => {
        if (this.local.get(step.id) === run) this.local.delete(step.id);
      });
  }

  private async execute(
    step: WorkflowStepsTable,
    mode: 'run' | 'check',
    reattach: boolean,
    controller: AbortController,
  ): Promise<void> {
    const { db } = this.deps;
    const execution = await db
      .selectFrom('workflow_executions')
      .selectAll()
      .where('id', '=', step.execution_id)
      .executeTakeFirstOrThrow();
    const siblings = await db
      .selectFrom('workflow_steps')
      .select(['step_key', 'status', 'output'])
      .where('execution_id', '=', step.execution_id)
      .execute();
    const context = { ...contextOf(execution, siblings), currentStep: { key: step.step_key, type: step.step_type } };
    if (step.guard && mode === 'run' && step.state === null && !reattach) {
      const guard = JSON.parse(step.guard) as { condition: string };
      let pass: boolean;
      try {
        pass = passes(guard.condition, context);
      } catch (error) {
        await this.settle(step, step.claim_token, { status: 'failed', error: `guard: ${(error as Error).message}` });
        return;
      }
      if (!pass) {
        await this.transition(step.team_name, (trx, effects) =>
          skipStep(trx, step, step.claim_token!, `guard false: ${guard.condition}`, this.deps.clock.now(), effects),
        );
        return;
      }
    }
    const kind = this.deps.kinds()[step.step_type];
    let outcome: StepOutcome;
    if (!kind) outcome = { status: 'failed', error: `the step kind '${step.step_type}' is not available` };
    else {
      let state = step.state === null ? undefined : (JSON.parse(step.state) as Record<string, unknown>);
      const config = resolveStepConfig(
        JSON.parse(step.config) as Record<string, unknown>,
        context,
        kind.prose,
        untrustedValues(execution.started_by),
      );
      const run: StepRun = {
        ...stepRunOf(step, execution, config),
        context,
        get state() {
          return state;
        },
        saveState: async (next) => {
          const saved = await db
            .updateTable('workflow_steps')
            .set({ state: JSON.stringify(next), updated_at: this.deps.clock.now() })
            .where('id', '=', step.id)
            .where('claim_token', '=', step.claim_token!)
            .executeTakeFirst();
          if (Number(saved.numUpdatedRows) !== 1)
            throw new Error('the step’s claim was lost (cancelled, paused or taken over)');
          state = next;
          step.state = JSON.stringify(next);
        },
        api: this.deps.api(),
        signal: controller.signal,
        log: this.deps.log,
      };
      try {
        outcome = await (mode === 'check' && kind.check ? kind.check(run) : kind.run(run));
      } catch (error) {
        outcome = { status: 'failed', error: (error as Error).message || String(error) };
      }
      outcome = await this.checkBudget(step, run.state, outcome);
    }
    // Stopped meanwhile (cancel, pause, timeout, manual complete, server stop): that path wrote the state.
    if (controller.signal.aborted) return;
    await this.settle(step, step.claim_token, outcome);
  }

  /** A step with a budget whose worker (from its saved state) spent more than allowed fails. */
  private async checkBudget(
    step: WorkflowStepsTable,
    state: Record<string, unknown> | undefined,
    outcome: StepOutcome,
  ): Promise<StepOutcome> {
    if (!step.budget || outcome.status === 'failed') return outcome;
    const budget = JSON.parse(step.budget) as { maxCostUsd?: number; maxTokens?: number };
    const handle = typeof state?.handle === 'string' ? state.handle : undefined;
    const sessions = this.deps.api().sessions();
    if (!handle || !sessions) return outcome;
    // The worker's usage event went out with its result (the spine is synchronous), but the sessions plugin
    // records it a few ms later: wait for what it holds (bounded), or the last turn's spend would be missed.
    const bound = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([sessions.settled(), bound]);
    const spent = await sessions.spent({ teamName: step.team_name, handle, since: Number(step.started_at ?? 0) });
    const usd = spent.costNanos / 1e9;
    if (budget.maxCostUsd !== undefined && usd > budget.maxCostUsd)
      return { status: 'failed', error: `budget exceeded: $${usd.toFixed(4)} > $${budget.maxCostUsd}` };
    if (budget.maxTokens !== undefined && spent.tokens > budget.maxTokens)
      return { status: 'failed', error: `budget exceeded: ${spent.tokens} tokens > ${budget.maxTokens}` };
    return outcome;
  }

  /** Settle a step's outcome in one transaction (if its claim still holds), then publish and stop what it stopped. */
  async settle(
    step: WorkflowStepsTable,
    token: string | null,
    outcome: StepOutcome,
    extra: { stop?: boolean; manualBy?: string } = {},
  ): Promise<boolean> {
    const options = this.deps.options();
    return this.transition(step.team_name, async (trx, effects) => {
      const done = await settleStep(
        trx,
        step,
        token,
        outcome,
        {
          now: this.deps.clock.now(),
          backoffMs: options.backoffMs,
          maxBackoffMs: options.maxBackoffMs,
          pollMs: options.pollMs,
          ...(extra.manualBy ? { manualBy: extra.manualBy } : {}),
        },
        effects,
      );
      if (done && extra.stop) effects.stopped.push({ step, cancel: !extra.manualBy });
      return done;
    });
  }

  /** One transaction; after the commit: WS events, local runs stopped (kind.cancel, best effort), a wake-up. */
  async transition<T>(team: string, work: (trx: Trx, effects: Effects) => Promise<T>): Promise<T> {
    const effects = noEffects();
    const result = await this.deps.db.transaction().execute((trx) => work(trx, effects));
    this.publish(team, effects);
    return result;
  }

  private publish(team: string, effects: Effects): void {
    for (const emission of effects.emissions) this.deps.emit(emission.type, team, emission.data);
    for (const { step, cancel } of effects.stopped) {
      const local = this.local.get(step.id);
      if (local) {
        local.controller.abort(new Error('the step was stopped'));
        this.local.delete(step.id);
      }
      if (cancel) void this.cancelKind(step);
    }
    if (effects.wake) this.wake();
  }

  /** Abort this process's runs of an execution's steps (pause: they go back to ready, state kept). */
  abortLocal(stepIds: readonly string[]): void {
    for (const id of stepIds) {
      const local = this.local.get(id);
      if (!local) continue;
      local.controller.abort(new Error('the execution was paused'));
      this.local.delete(id);
    }
  }

  private async cancelKind(step: WorkflowStepsTable): Promise<void> {
    const kind = this.deps.kinds()[step.step_type];
    if (!kind?.cancel) return;
    try {
      const row = await this.deps.db
        .selectFrom('workflow_steps')
        .selectAll()
        .where('id', '=', step.id)
        .executeTakeFirst();
      const execution = await this.deps.db
        .selectFrom('workflow_executions')
        .selectAll()
        .where('id', '=', step.execution_id)
        .executeTakeFirstOrThrow();
      const state = row?.state ? (JSON.parse(row.state) as Record<string, unknown>) : undefined;
      await kind.cancel({
        ...stepRunOf(step, execution, JSON.parse(step.config) as Record<string, unknown>),
        context: {},
        state,
        saveState: () => Promise.resolve(),
        api: this.deps.api(),
        signal: AbortSignal.abort(),
        log: this.deps.log,
      });
    } catch (error) {
      this.warn(`cancel of step ${step.step_key}`, error);
    }
  }

  /** Renew this node's claims; a claim that is no longer ours (cancelled, taken over) stops its local run. */
  private async renew(): Promise<void> {
    if (this.local.size === 0) return;
    const now = this.deps.clock.now();
    const tokens = [...this.local.values()].map((run) => run.token);
    await this.deps.db
      .updateTable('workflow_steps')
      .set({ claim_expires_at: now + this.deps.options().leaseMs })
      .where('claim_token', 'in', tokens)
      .where('status', '=', 'running')
      .execute();
    const held = await this.deps.db
      .selectFrom('workflow_steps')
      .select(['id', 'claim_token'])
      .where('claim_token', 'in', tokens)
      .where('status', '=', 'running')
      .execute();
    const mine = new Set(held.map((row) => row.claim_token));
    for (const [id, run] of this.local)
      if (!mine.has(run.token) && tokens.includes(run.token)) {
        run.controller.abort(new Error('the step’s claim was lost'));
        this.local.delete(id);
      }
  }

  private warn(what: string, error: unknown): void {
    this.deps.log.warn(`workflows engine: ${what} failed`, { error: (error as Error)?.message ?? String(error) });
  }
}
