import type { Kysely, Transaction } from 'kysely';
import { resolvePath } from '../steps/expression.js';
import type { DefinitionsTables, StepStatus, WorkflowStepsTable } from '../definitions/tables.js';

export type Db = Kysely<DefinitionsTables>;
export type Trx = Transaction<DefinitionsTables>;

/** Statuses of a step that is not finished. */
export const OPEN: readonly StepStatus[] = ['pending', 'ready', 'running', 'waiting'];
/** A WS event to publish once the transaction that caused it committed. */
export interface Emission {
  type: string;
  data: Record<string, unknown>;
}

/** What one transition did: events to publish after the commit, steps whose runs must stop. */
export interface Effects {
  emissions: Emission[];
  /** Steps whose local run must be aborted, and whether the kind's cancel() should be called. */
  stopped: { step: WorkflowStepsTable; cancel: boolean }[];
  /** Something became ready: the engine should look again now. */
  wake: boolean;
}

export const noEffects = (): Effects => ({ emissions: [], stopped: [], wake: false });

export async function logEvent(
  trx: Trx,
  row: { team: string; executionId: string; stepId?: string | null; type: string; actor?: string | null },
  details: Record<string, unknown> | null,
  now: number,
): Promise<void> {
  await trx
    .insertInto('workflow_events')
    .values({
      team_name: row.team,
      execution_id: row.executionId,
      step_id: row.stepId ?? null,
      event_type: row.type,
      actor: row.actor ?? null,
      details: details ? JSON.stringify(details) : null,
      created_at: now,
    })
    .execute();
}

/**
 * Serialize the transitions of one execution: an UPDATE of its row takes PostgreSQL's row lock until
 * the commit, so two steps settling at once (both dependencies of a third) cannot each miss the other's
 * settlement and leave their dependent pending forever. SQLite runs one write transaction at a time.
 */
export async function lockExecution(trx: Trx, executionId: string, now: number): Promise<void> {
  await trx.updateTable('workflow_executions').set({ updated_at: now }).where('id', '=', executionId).execute();
}

/** A dependency is settled for its dependents when it succeeded, was skipped, or failed with onFailure continue. */
export function settles(step: Pick<WorkflowStepsTable, 'status' | 'on_failure'>): boolean {
  return (
    step.status === 'succeeded' ||
    step.status === 'skipped' ||
    (step.status === 'failed' && step.on_failure === 'continue')
  );
}

export function stepEventData(
  execution: { id: string; workflow_id: string },
  step: WorkflowStepsTable,
  extra: Record<string, unknown> = {},
) {
  return {
    executionId: execution.id,
    workflowId: execution.workflow_id,
    stepId: step.id,
    stepKey: step.step_key,
    stepType: step.step_type,
    status: step.status,
    attempt: Number(step.attempt),
    ...extra,
  };
}

/**
 * After a step settled: its pending dependents whose every dependency is settled become ready, then the
 * execution completes when no step is open. Runs inside the transition's transaction.
 */
export async function release(trx: Trx, executionId: string, now: number, effects: Effects): Promise<void> {
  const steps = await trx.selectFrom('workflow_steps').selectAll().where('execution_id', '=', executionId).execute();
  const byKey = new Map(steps.map((step) => [step.step_key, step]));
  for (const step of steps) {
    if (step.status !== 'pending') continue;
    const deps = JSON.parse(step.depends_on) as string[];
    const blocked = deps.filter((key) => !settles(byKey.get(key)!)).length;
    if (blocked === Number(step.blocked_by_count) && blocked > 0) continue;
    await trx
      .updateTable('workflow_steps')
      .set({
        blocked_by_count: blocked,
        ...(blocked === 0 ? { status: 'ready', attempt: Number(step.attempt) + 1, run_after: null } : {}),
        updated_at: now,
      })
      .where('id', '=', step.id)
      .where('status', '=', 'pending')
      .execute();
    if (blocked === 0) {
      step.status = 'ready';
      effects.wake = true;
    }
  }
  await completeIfDone(trx, executionId, now, effects, steps);
}

/** Completed when every step is settled (succeeded, skipped, failed-and-continue); outputs resolved then. */
async function completeIfDone(
  trx: Trx,
  executionId: string,
  now: number,
  effects: Effects,
  steps: WorkflowStepsTable[],
): Promise<void> {
  if (steps.some((step) => OPEN.includes(step.status))) return;
  const execution = await trx
    .selectFrom('workflow_executions')
    .selectAll()
    .where('id', '=', executionId)
    .executeTakeFirst();
  if (!execution || execution.status !== 'running') return;
  const blocking = steps.filter((step) => !settles(step));
  const status = blocking.length === 0 ? 'completed' : 'failed';
  const error =
    blocking.length === 0
      ? null
      : `steps not settled: ${blocking.map((s) => `${s.step_key} (${s.status})`).join(', ')}`;
  const context = contextOf(execution, steps);
  const workflow = await trx
    .selectFrom('workflows')
    .select('definition')
    .where('id', '=', execution.workflow_id)
    .executeTakeFirst();
  const declared = workflow
    ? ((JSON.parse(workflow.definition) as { outputs?: Record<string, string> }).outputs ?? {})
    : {};
  const outputs = Object.fromEntries(
    Object.entries(declared).map(([name, path]) => [name, resolvePath(context, path.split('.')) ?? null]),
  );
  const done = await trx
    .updateTable('workflow_executions')
    .set({ status, error, outputs: JSON.stringify(outputs), completed_at: now, updated_at: now })
    .where('id', '=', executionId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return;
  await logEvent(trx, { team: execution.team_name, executionId, type: status }, { outputs, error }, now);
  effects.emissions.push({
    type: status === 'completed' ? 'workflow:completed' : 'workflow:failed',
    data: { executionId, workflowId: execution.workflow_id, status, ...(error ? { error } : {}) },
  });
}

/** The template and guard context: { inputs, steps: { key: { status, output } }, execution }. */
export function contextOf(
  execution: { id: string; workflow_id: string; swarm_id: string | null; created_by: string; context: string },
  steps: readonly Pick<WorkflowStepsTable, 'step_key' | 'status' | 'output'>[],
): Record<string, unknown> {
  const { inputs } = JSON.parse(execution.context) as { inputs: Record<string, unknown> };
  return {
    inputs,
    steps: Object.fromEntries(
      steps.map((step) => [
        step.step_key,
        { status: step.status, output: step.output === null ? null : (JSON.parse(step.output) as unknown) },
      ]),
    ),
    execution: {
      id: execution.id,
      workflowId: execution.workflow_id,
      swarmId: execution.swarm_id,
      createdBy: execution.created_by,
    },
  };
}

/**
 * An execution fails: every open step is cancelled (running ones are stopped, their kind's cancel called
 * after the commit). The caller changed the failing step already.
 */
export async function failExecution(
  trx: Trx,
  execution: { id: string; team_name: string; workflow_id: string },
  error: string,
  now: number,
  effects: Effects,
  status: 'failed' | 'cancelled' = 'failed',
  actor: string | null = null,
): Promise<boolean> {
  const done = await trx
    .updateTable('workflow_executions')
    .set({ status, error: status === 'failed' ? error : null, completed_at: now, updated_at: now })
    .where('id', '=', execution.id)
    .where('status', 'in', ['running', 'paused'])
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return false;
  const open = await trx
    .selectFrom('workflow_steps')
    .selectAll()
    .where('execution_id', '=', execution.id)
    .where('status', 'in', OPEN)
    .execute();
  if (open.length > 0)
    await trx
      .updateTable('workflow_steps')
      .set({ status: 'cancelled', claim_token: null, claim_expires_at: null, completed_at: now, updated_at: now })
      .where('execution_id', '=', execution.id)
      .where('status', 'in', OPEN)
      .execute();
  for (const step of open)
    if (step.status === 'running' || step.status === 'waiting') effects.stopped.push({ step, cancel: true });
  await logEvent(trx, { team: execution.team_name, executionId: execution.id, type: status, actor }, { error }, now);
  effects.emissions.push({
    type: status === 'failed' ? 'workflow:failed' : 'workflow:cancelled',
    data: {
      executionId: execution.id,
      workflowId: execution.workflow_id,
      status,
      ...(status === 'failed' ? { error } : {}),
      ...(actor ? { by: actor } : {}),
    },
  });
  return true;
}
