import { randomUUID } from 'node:crypto';
import type { Identity } from '../../../core/index.js';
import { resolveInputs } from '../definitions/definition.js';
import type { WorkflowStepsTable } from '../definitions/tables.js';
import type { WorkflowStore } from '../definitions/workflow-store.js';
import type { Clock } from '../options.js';
import type { Engine } from './engine.js';
import { executionErrors } from './errors.js';
import { OPEN, failExecution, logEvent, release, settles, stepEventData, type Db } from './transitions.js';
import {
  type ExecutionEventView,
  type ExecutionView,
  eventView,
  executionView,
  type StepView,
  stepView,
} from './views.js';

export interface StartInput {
  inputs?: Record<string, unknown>;
  swarmId?: string;
  /** 'route' | 'tool' | 'trigger:<id>' | 'schedule:<id>' | 'template:<id>' | 'step:<id>' */
  startedBy: string;
}

export interface ExecutionQuery {
  workflowId?: string;
  status?: string;
  swarmId?: string;
  limit?: number;
}

interface Deps {
  db: Db;
  clock: Clock;
  workflows: WorkflowStore;
  engine: Engine;
}

type Caller = Identity | { team: string; handle: string };
const teamOf = (caller: Caller) => ('teamName' in caller ? caller.teamName : caller.team);

/** Executions: start, read, pause, resume, cancel; steps retried or completed by hand. One transaction per change. */
export class ExecutionService {
  constructor(private readonly deps: Deps) {}

  /**
   * Start a workflow: the execution and every step row in one transaction (steps without dependencies
   * ready), inputs checked against the declared ones (400 naming `inputs.<name>`), then the engine wakes.
   */
  async start(caller: Caller, workflowId: string, input: StartInput): Promise<ExecutionView> {
    const team = teamOf(caller);
    const workflow = await this.deps.workflows.require(team, workflowId);
    const inputs = resolveInputs(
      workflow.definition.inputs,
      input.inputs ?? {},
      (name) => executionErrors.WORKFLOWS_MISSING_INPUT({ field: `inputs.${name}`, name }, { field: `inputs.${name}` }),
      (name, message) =>
        executionErrors.WORKFLOWS_BAD_INPUT({ field: `inputs.${name}`, message }, { field: `inputs.${name}` }),
    );
    const now = this.deps.clock.now();
    const id = randomUUID();
    const execution = {
      id,
      team_name: team,
      workflow_id: workflow.id,
      workflow_version: workflow.version,
      swarm_id: input.swarmId ?? null,
      status: 'running' as const,
      context: JSON.stringify({ inputs }),
      outputs: null,
      error: null,
      created_by: caller.handle,
      started_by: input.startedBy,
      started_at: now,
      completed_at: null,
      deadline_at: workflow.definition.timeoutMs > 0 ? now + workflow.definition.timeoutMs : null,
      created_at: now,
      updated_at: now,
    };
    const steps: WorkflowStepsTable[] = workflow.definition.steps.map((step, position) => ({
      id: randomUUID(),
      team_name: team,
      execution_id: id,
      position,
      step_key: step.key,
      name: step.name,
      step_type: step.type,
      status: step.dependsOn.length === 0 ? 'ready' : 'pending',
      config: JSON.stringify(step.config),
      depends_on: JSON.stringify(step.dependsOn),
      blocked_by_count: step.dependsOn.length,
      guard: step.guard ? JSON.stringify(step.guard) : null,
      on_failure: step.onFailure,
      max_retries: step.maxRetries,
      backoff_ms: step.backoffMs ?? null,
      timeout_ms: step.timeoutMs ?? null,
      budget: step.budget ? JSON.stringify(step.budget) : null,
      attempt: step.dependsOn.length === 0 ? 1 : 0,
      retry_count: 0,
      state: null,
      output: null,
      error: null,
      evidence: null,
      claim_token: null,
      claim_expires_at: null,
      run_after: null,
      deadline_at: null,
      completed_by: null,
      started_at: null,
      completed_at: null,
      updated_at: now,
    }));
    await this.deps.engine.transition(team, async (trx, effects) => {
      await trx.insertInto('workflow_executions').values(execution).execute();
      // Multi-row inserts in chunks (PostgreSQL's parameter limit).
      for (let i = 0; i < steps.length; i += 20)
        await trx
          .insertInto('workflow_steps')
          .values(steps.slice(i, i + 20))
          .execute();
      await logEvent(
        trx,
        { team, executionId: id, type: 'started', actor: caller.handle },
        {
          startedBy: input.startedBy,
          workflowVersion: workflow.version,
        },
        now,
      );
      effects.emissions.push({
        type: 'workflow:started',
        data: { executionId: id, workflowId: workflow.id, status: 'running', by: caller.handle },
      });
      effects.wake = true;
    });
    return executionView(execution);
  }

  async list(team: string, query: ExecutionQuery): Promise<ExecutionView[]> {
    let select = this.deps.db.selectFrom('workflow_executions').selectAll().where('team_name', '=', team);
    if (query.workflowId) select = select.where('workflow_id', '=', query.workflowId);
    if (query.status) select = select.where('status', '=', query.status as never);
    if (query.swarmId) select = select.where('swarm_id', '=', query.swarmId);
    const rows = await select
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(query.limit ?? 100)
      .execute();
    return rows.map((row) => executionView(row));
  }

  private async row(team: string, id: string) {
    const row = await this.deps.db
      .selectFrom('workflow_executions')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw executionErrors.WORKFLOWS_EXECUTION_NOT_FOUND();
    return row;
  }

  private stepRows(id: string) {
    return this.deps.db
      .selectFrom('workflow_steps')
      .selectAll()
      .where('execution_id', '=', id)
      .orderBy('position')
      .execute();
  }

  /** An execution with its steps' statuses (the seed's tool promised them; its route gave none). */
  async get(team: string, id: string): Promise<ExecutionView> {
    const row = await this.row(team, id);
    return executionView(row, await this.stepRows(id));
  }

  async steps(team: string, id: string): Promise<StepView[]> {
    await this.row(team, id);
    return (await this.stepRows(id)).map(stepView);
  }

  async events(team: string, id: string, limit = 100): Promise<ExecutionEventView[]> {
    await this.row(team, id);
    const rows = await this.deps.db
      .selectFrom('workflow_events')
      .selectAll()
      .where('execution_id', '=', id)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(eventView);
  }

  async step(team: string, stepId: string): Promise<StepView> {
    return stepView(await this.stepRow(team, stepId));
  }

  private async stepRow(team: string, stepId: string): Promise<WorkflowStepsTable> {
    const row = await this.deps.db
      .selectFrom('workflow_steps')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', stepId)
      .executeTakeFirst();
    if (!row) throw executionErrors.WORKFLOWS_STEP_NOT_FOUND();
    return row;
  }

  /** No new step starts; running ones are stopped and go back to ready with their saved state (resume re-attaches). */
  async pause(team: string, id: string, by: string): Promise<{ success: true; id: string }> {
    const row = await this.row(team, id);
    const now = this.deps.clock.now();
    const stopped = await this.deps.engine.transition(team, async (trx, effects) => {
      const done = await trx
        .updateTable('workflow_executions')
        .set({ status: 'paused', updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) throw executionErrors.WORKFLOWS_CANNOT_PAUSE({ status: row.status });
      const running = await trx
        .selectFrom('workflow_steps')
        .select('id')
        .where('execution_id', '=', id)
        .where('status', '=', 'running')
        .execute();
      await trx
        .updateTable('workflow_steps')
        .set({ status: 'ready', claim_token: null, claim_expires_at: null, run_after: null, updated_at: now })
        .where('execution_id', '=', id)
        .where('status', '=', 'running')
        .execute();
      await logEvent(trx, { team, executionId: id, type: 'paused', actor: by }, null, now);
      effects.emissions.push({
        type: 'workflow:paused',
        data: { executionId: id, workflowId: row.workflow_id, status: 'paused', by },
      });
      return running.map((step) => step.id);
    });
    this.deps.engine.abortLocal(stopped);
    return { success: true, id };
  }

  async resume(team: string, id: string, by: string): Promise<{ success: true; id: string }> {
    const row = await this.row(team, id);
    const now = this.deps.clock.now();
    await this.deps.engine.transition(team, async (trx, effects) => {
      const done = await trx
        .updateTable('workflow_executions')
        .set({ status: 'running', updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'paused')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) throw executionErrors.WORKFLOWS_CANNOT_RESUME({ status: row.status });
      await logEvent(trx, { team, executionId: id, type: 'resumed', actor: by }, null, now);
      effects.emissions.push({
        type: 'workflow:resumed',
        data: { executionId: id, workflowId: row.workflow_id, status: 'running', by },
      });
      // A step may have settled by hand while paused: release what it unblocked, complete if nothing is left.
      await release(trx, id, now, effects);
      effects.wake = true;
    });
    return { success: true, id };
  }

  /** Cancelled: open steps cancelled, running ones stopped, their kind's cancel called (a spawned worker dismissed). */
  async cancel(team: string, id: string, by: string): Promise<{ success: true; id: string }> {
    const row = await this.row(team, id);
    await this.deps.engine.transition(team, async (trx, effects) => {
      const done = await failExecution(trx, row, 'cancelled', this.deps.clock.now(), effects, 'cancelled', by);
      if (!done) throw executionErrors.WORKFLOWS_CANNOT_CANCEL({ status: row.status });
    });
    return { success: true, id };
  }

  /**
   * Run a failed (or cancelled) step again, also after its execution failed: the execution runs again,
   * the steps its failure cancelled wait for their dependencies anew.
   */
  async retryStep(team: string, stepId: string, by: string): Promise<{ success: true; id: string }> {
    const step = await this.stepRow(team, stepId);
    const execution = await this.row(team, step.execution_id);
    const now = this.deps.clock.now();
    await this.deps.engine.transition(team, async (trx, effects) => {
      const done = await trx
        .updateTable('workflow_steps')
        .set({
          status: 'ready',
          attempt: Number(step.attempt) + 1,
          retry_count: Number(step.retry_count) + 1,
          state: null,
          error: null,
          evidence: null,
          output: null,
          claim_token: null,
          claim_expires_at: null,
          run_after: null,
          deadline_at: null,
          completed_at: null,
          completed_by: null,
          updated_at: now,
        })
        .where('id', '=', stepId)
        .where('status', 'in', ['failed', 'cancelled'])
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) throw executionErrors.WORKFLOWS_CANNOT_RETRY({ status: step.status });
      if (execution.status === 'failed' || execution.status === 'cancelled') {
        await trx
          .updateTable('workflow_executions')
          .set({ status: 'running', error: null, completed_at: null, updated_at: now })
          .where('id', '=', execution.id)
          .where('status', '=', execution.status)
          .execute();
        // Steps the failure cancelled wait again for their dependencies (recounted by release below).
        const steps = await trx
          .selectFrom('workflow_steps')
          .selectAll()
          .where('execution_id', '=', execution.id)
          .execute();
        const byKey = new Map(steps.map((s) => [s.step_key, s]));
        for (const other of steps) {
          if (other.status !== 'cancelled' || other.id === stepId) continue;
          const blocked = (JSON.parse(other.depends_on) as string[]).filter((k) => !settles(byKey.get(k)!)).length;
          await trx
            .updateTable('workflow_steps')
            .set({
              status: blocked === 0 ? 'ready' : 'pending',
              blocked_by_count: blocked,
              attempt: blocked === 0 ? Number(other.attempt) + 1 : Number(other.attempt),
              state: null,
              completed_at: null,
              updated_at: now,
            })
            .where('id', '=', other.id)
            .execute();
        }
      }
      await logEvent(
        trx,
        { team, executionId: execution.id, stepId, type: 'step_retried', actor: by },
        {
          stepKey: step.step_key,
          manual: true,
        },
        now,
      );
      effects.emissions.push({
        type: 'step:retried',
        data: stepEventData(execution, { ...step, status: 'ready' }, { by }),
      });
      effects.wake = true;
    });
    return { success: true, id: stepId };
  }

  /**
   * Settle a step by hand (a lead, or the agent it was handed to): succeeded with the output, or failed
   * with `error` (its onFailure applies, no retry). The evidence names who did it.
   */
  async completeStep(
    team: string,
    stepId: string,
    by: string,
    input: { output?: Record<string, unknown>; error?: string },
  ): Promise<{ success: true; id: string }> {
    const step = await this.stepRow(team, stepId);
    const execution = await this.row(team, step.execution_id);
    if (!OPEN.includes(step.status) && step.status !== 'failed')
      throw executionErrors.WORKFLOWS_CANNOT_COMPLETE({ status: step.status });
    if (execution.status !== 'running' && execution.status !== 'paused')
      throw executionErrors.WORKFLOWS_EXECUTION_SETTLED({ status: execution.status });
    const outcome =
      input.error !== undefined
        ? ({ status: 'failed', error: input.error, evidence: `manual failure by ${by}` } as const)
        : ({ status: 'succeeded', output: input.output ?? {}, evidence: `manual completion by ${by}` } as const);
    const done = await this.deps.engine.settle(step, null, outcome, { manualBy: by, stop: step.status === 'running' });
    if (!done) throw executionErrors.WORKFLOWS_CANNOT_COMPLETE({ status: 'settled meanwhile' });
    return { success: true, id: stepId };
  }
}
