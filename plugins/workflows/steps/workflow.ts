import * as v from 'valibot';
import { isApiError } from '../../../core/index.js';
import { flag, typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, StepFailure, succeeded, waiting } from './outcome.js';
import { apiOf } from './plugins.js';

/** Executions nested in one another at most this deep (a workflow that starts itself would never end). */
export const MAX_NESTING = 5;

/**
 * `workflow`: start another workflow of the team (a nested execution, started by `step:<this step's id>`, in
 * this execution's swarm) and wait for it: completed succeeds with its outputs, failed or cancelled fails. A
 * workflow already running in the chain of executions that started this one is refused (a cycle), and so is a
 * chain deeper than MAX_NESTING. Cancelling this step cancels the nested execution.
 */
export const workflowConfig = v.strictObject({
  type: typeOf('workflow'),
  workflowId: v.pipe(
    v.string('must be a string'),
    v.check((value) => /^[0-9a-f-]{36}$/i.test(value) || /\{\{.+\}\}/.test(value), 'must be a workflow id (a UUID)'),
  ),
  inputs: v.optional(v.record(v.string(), v.unknown(), 'must be an object of input: value')),
  /** Wait for the nested execution to end (default true); false: succeeded once it started. */
  waitForCompletion: flag,
});

/** The workflow ids of this execution and of the executions that started it, innermost first. */
async function chain(step: StepRun): Promise<string[]> {
  const { executions } = step.api;
  const ids = [step.execution.workflowId];
  let current = await executions.get(step.team, step.execution.id);
  while (current.startedBy.startsWith('step:') && ids.length <= MAX_NESTING) {
    const parentStep = await executions.step(step.team, current.startedBy.slice('step:'.length)).catch(() => undefined);
    if (!parentStep) break;
    current = await executions.get(step.team, parentStep.executionId);
    ids.push(current.workflowId);
  }
  return ids;
}

async function start(step: StepRun, config: v.InferOutput<typeof workflowConfig>): Promise<string> {
  const { executions } = step.api;
  const startedBy = `step:${step.step.id}`;
  const saved = savedState(step);
  if (typeof saved?.startedAfter === 'number') {
    // A restart between the start and the save of its id: the nested execution this attempt started, if any.
    const after = saved.startedAfter;
    const found = (await executions.list(step.team, { workflowId: config.workflowId, limit: 100 })).find(
      (e) => e.startedBy === startedBy && Date.parse(e.createdAt) >= after,
    );
    if (found) return found.id;
  }
  const ancestors = await chain(step);
  if (ancestors.includes(config.workflowId))
    throw new StepFailure(
      `config.workflowId: workflow ${config.workflowId} is already running in this chain (a cycle)`,
    );
  if (ancestors.length > MAX_NESTING) throw new StepFailure(`workflows nest at most ${MAX_NESTING} deep`);
  await saveMore(step, { startedAfter: apiOf(step).clock.now() - 1 });
  try {
    const execution = await executions.start({ team: step.team, handle: step.execution.createdBy }, config.workflowId, {
      ...(config.inputs !== undefined ? { inputs: config.inputs } : {}),
      ...(step.execution.swarmId !== null ? { swarmId: step.execution.swarmId } : {}),
      startedBy,
    });
    return execution.id;
  } catch (error) {
    if (isApiError(error)) throw new StepFailure(`could not start workflow ${config.workflowId}: ${error.message}`);
    throw error;
  }
}

async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(workflowConfig, step);
  let childId = savedState(step)?.executionId as string | undefined;
  if (childId === undefined) {
    childId = await start(step, config);
    await saveMore(step, { executionId: childId });
  }
  const child = await step.api.executions.get(step.team, childId);
  const output = { executionId: child.id, workflowId: child.workflowId, status: child.status, outputs: child.outputs };
  if (child.status === 'completed') return succeeded(output, `nested execution ${child.id} completed`);
  if (child.status === 'failed' || child.status === 'cancelled')
    return failed(`nested execution ${child.id} ${child.status}${child.error ? `: ${child.error}` : ''}`, {
      output,
      evidence: `nested execution ${child.id} ${child.status}`,
    });
  if (config.waitForCompletion === false)
    return succeeded(output, `nested execution ${child.id} started (status ${child.status}); not waited for`);
  return waiting();
}

export const workflowKind: StepKind = {
  type: 'workflow',
  config: workflowConfig,
  run: (step) => guarded(step, () => run(step)),
  async cancel(step) {
    const childId = savedState(step)?.executionId;
    if (typeof childId !== 'string') return;
    const child = await step.api.executions.get(step.team, childId);
    if (child.status === 'running' || child.status === 'paused')
      await step.api.executions.cancel(step.team, childId, `step:${step.step.id}`);
  },
};
