import type { WorkflowStepsTable } from '../definitions/tables.js';
import type { StepOutcome } from '../steps/kind.js';
import {
  type Effects,
  failExecution,
  lockExecution,
  logEvent,
  release,
  stepEventData,
  type Trx,
} from './transitions.js';

export interface SettleOptions {
  now: number;
  /** The plugin's backoff when the step names none, and its cap. */
  backoffMs: number;
  maxBackoffMs: number;
  pollMs: number;
  /** Who settled it by hand (manual complete): no retry then, evidence names them. */
  manualBy?: string;
}

/** Delay before retry n (1-based): backoff doubling per retry, capped. */
export function backoffFor(step: WorkflowStepsTable, retry: number, options: SettleOptions): number {
  const base = step.backoff_ms === null ? options.backoffMs : Number(step.backoff_ms);
  return Math.min(options.maxBackoffMs, base * 2 ** Math.max(0, retry - 1));
}

/**
 * Record a step's outcome in one transaction, if `step` (as read when claimed, with `token`) still holds
 * its claim: succeeded (only with evidence), failed (retried with backoff while retries remain, then its
 * onFailure: fail the execution, skip, or continue), or waiting (re-checked at recheckAt). Returns false
 * when the claim was lost (cancelled, paused, completed by hand, re-attached elsewhere): nothing written.
 */
export async function settleStep(
  trx: Trx,
  step: WorkflowStepsTable,
  token: string | null,
  outcome: StepOutcome,
  options: SettleOptions,
  effects: Effects,
): Promise<boolean> {
  const { now } = options;
  await lockExecution(trx, step.execution_id, now);
  const execution = await trx
    .selectFrom('workflow_executions')
    .selectAll()
    .where('id', '=', step.execution_id)
    .executeTakeFirstOrThrow();
  const claimed = (query: ReturnType<typeof update>) =>
    token === null ? query.where('status', 'not in', ['succeeded', 'skipped']) : query.where('claim_token', '=', token);
  const update = () => trx.updateTable('workflow_steps').where('id', '=', step.id);
  const team = execution.team_name;
  const actor = options.manualBy ?? null;
  if (outcome.status === 'succeeded' && !outcome.evidence)
    outcome = { status: 'failed', error: 'the step reported success without evidence' };

  if (outcome.status === 'waiting') {
    const done = await claimed(update())
      .set({
        status: 'waiting',
        claim_token: null,
        claim_expires_at: null,
        run_after: outcome.recheckAt ?? now + options.pollMs,
        updated_at: now,
      })
      .executeTakeFirst();
    return Number(done.numUpdatedRows) === 1;
  }

  if (outcome.status === 'succeeded') {
    const done = await claimed(update())
      .set({
        status: 'succeeded',
        output: JSON.stringify(outcome.output ?? {}),
        evidence: outcome.evidence,
        error: null,
        claim_token: null,
        claim_expires_at: null,
        run_after: null,
        deadline_at: null,
        completed_by: options.manualBy ?? null,
        completed_at: now,
        updated_at: now,
      })
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return false;
    const settled = { ...step, status: 'succeeded' as const };
    await logEvent(
      trx,
      { team, executionId: execution.id, stepId: step.id, type: 'step_completed', actor },
      {
        stepKey: step.step_key,
        evidence: outcome.evidence,
        attempt: Number(step.attempt),
      },
      now,
    );
    effects.emissions.push({
      type: 'step:completed',
      data: stepEventData(execution, settled, { evidence: outcome.evidence }),
    });
    await skipBranch(trx, execution, step, outcome.output?.skipSteps, now, effects);
    await release(trx, execution.id, now, effects);
    return true;
  }

  // Failed: retry while retries remain (not for a manual failure), else onFailure decides.
  const retries = Number(step.retry_count);
  if (!options.manualBy && retries < Number(step.max_retries) && execution.status !== 'cancelled') {
    const delay = backoffFor(step, retries + 1, options);
    const done = await claimed(update())
      .set({
        status: 'ready',
        retry_count: retries + 1,
        attempt: Number(step.attempt) + 1,
        error: outcome.error,
        evidence: outcome.evidence ?? null,
        output: outcome.output ? JSON.stringify(outcome.output) : null,
        // A retry starts afresh: what the failed attempt saved (a dead worker's handle) is not re-attached.
        state: null,
        claim_token: null,
        claim_expires_at: null,
        deadline_at: null,
        run_after: now + delay,
        updated_at: now,
      })
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return false;
    await logEvent(
      trx,
      { team, executionId: execution.id, stepId: step.id, type: 'step_retried' },
      {
        stepKey: step.step_key,
        error: outcome.error,
        retry: retries + 1,
        delayMs: delay,
      },
      now,
    );
    effects.emissions.push({
      type: 'step:retried',
      data: stepEventData(
        execution,
        { ...step, status: 'ready', attempt: Number(step.attempt) + 1 },
        { error: outcome.error },
      ),
    });
    effects.wake = true;
    return true;
  }
  const skip = step.on_failure === 'skip';
  const done = await claimed(update())
    .set({
      status: skip ? 'skipped' : 'failed',
      error: outcome.error,
      evidence: outcome.evidence ?? (options.manualBy ? `manual failure by ${options.manualBy}` : null),
      output: outcome.output ? JSON.stringify(outcome.output) : null,
      claim_token: null,
      claim_expires_at: null,
      run_after: null,
      deadline_at: null,
      completed_by: options.manualBy ?? null,
      completed_at: now,
      updated_at: now,
    })
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return false;
  const settled = { ...step, status: skip ? ('skipped' as const) : ('failed' as const) };
  await logEvent(
    trx,
    { team, executionId: execution.id, stepId: step.id, type: skip ? 'step_skipped' : 'step_failed', actor },
    {
      stepKey: step.step_key,
      error: outcome.error,
      attempt: Number(step.attempt),
    },
    now,
  );
  effects.emissions.push({
    type: skip ? 'step:skipped' : 'step:failed',
    data: stepEventData(execution, settled, { error: outcome.error }),
  });
  if (step.on_failure === 'fail' || step.on_failure === 'retry') {
    if (execution.status === 'running' || execution.status === 'paused')
      await failExecution(trx, execution, `step ${step.step_key} failed: ${outcome.error}`, now, effects);
    return true;
  }
  await release(trx, execution.id, now, effects);
  return true;
}

/** A step whose guard is false: skipped (its dependents are released), in one transaction. */
export async function skipStep(
  trx: Trx,
  step: WorkflowStepsTable,
  token: string,
  reason: string,
  now: number,
  effects: Effects,
): Promise<boolean> {
  await lockExecution(trx, step.execution_id, now);
  const done = await trx
    .updateTable('workflow_steps')
    .set({
      status: 'skipped',
      evidence: reason,
      claim_token: null,
      claim_expires_at: null,
      deadline_at: null,
      completed_at: now,
      updated_at: now,
    })
    .where('id', '=', step.id)
    .where('claim_token', '=', token)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return false;
  const execution = await trx
    .selectFrom('workflow_executions')
    .select(['id', 'workflow_id'])
    .where('id', '=', step.execution_id)
    .executeTakeFirstOrThrow();
  await logEvent(
    trx,
    { team: step.team_name, executionId: step.execution_id, stepId: step.id, type: 'step_skipped' },
    {
      stepKey: step.step_key,
      reason,
    },
    now,
  );
  effects.emissions.push({
    type: 'step:skipped',
    data: stepEventData(execution, { ...step, status: 'skipped' }, { reason }),
  });
  await release(trx, step.execution_id, now, effects);
  return true;
}

/**
 * A gate's branch not taken (its output's `skipSteps`): those of its steps still pending or ready are
 * skipped in the gate's transaction, so their dependents are released as the seed's gates did.
 */
async function skipBranch(
  trx: Trx,
  execution: { id: string; workflow_id: string; team_name: string },
  gate: WorkflowStepsTable,
  keys: unknown,
  now: number,
  effects: Effects,
): Promise<void> {
  if (gate.step_type !== 'gate' || !Array.isArray(keys) || keys.length === 0) return;
  const wanted = keys.filter((key): key is string => typeof key === 'string');
  if (wanted.length === 0) return;
  const reason = `branch not taken at gate ${gate.step_key}`;
  const skipped = await trx
    .selectFrom('workflow_steps')
    .selectAll()
    .where('execution_id', '=', execution.id)
    .where('step_key', 'in', wanted)
    .where('status', 'in', ['pending', 'ready'])
    .execute();
  for (const step of skipped) {
    const done = await trx
      .updateTable('workflow_steps')
      .set({ status: 'skipped', evidence: reason, run_after: null, completed_at: now, updated_at: now })
      .where('id', '=', step.id)
      .where('status', 'in', ['pending', 'ready'])
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) continue;
    await logEvent(
      trx,
      { team: execution.team_name, executionId: execution.id, stepId: step.id, type: 'step_skipped' },
      { stepKey: step.step_key, reason },
      now,
    );
    effects.emissions.push({
      type: 'step:skipped',
      data: stepEventData(execution, { ...step, status: 'skipped' }, { reason }),
    });
  }
}
