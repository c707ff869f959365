import type { AuthApi, TeamAgent } from '../../auth/index.js';
import type { CheckpointsApi } from '../../checkpoints/index.js';
import type { PolicyApi } from '../../policy/index.js';
import type { TasksApi } from '../../tasks/index.js';
import type { WorkersApi } from '../../workers/index.js';
import type { StepRun } from './kind.js';
import { StepFailure } from './outcome.js';

/**
 * What the step kinds use of WorkflowsApi (index.ts). Assigning step.api to it checks, once that type
 * exists, that the two agree; the kinds are type-checked against it meanwhile.
 */
export interface StepsApi {
  workers(): WorkersApi | undefined;
  tasks(): TasksApi | undefined;
  checkpoints(): CheckpointsApi | undefined;
  policy(): PolicyApi | undefined;
  auth(): AuthApi;
  clock: { now(): number };
  engine: object;
}

export const apiOf = (step: StepRun): StepsApi => step.api;

/** Another plugin, read at call time (it may be switched off and on while the fleet runs). */
function need<T>(api: T | undefined, name: string): T {
  if (api === undefined) throw new StepFailure(`the ${name} plugin is off`);
  return api;
}

export const workersOf = (step: StepRun): WorkersApi => need(apiOf(step).workers(), 'workers');
export const tasksOf = (step: StepRun): TasksApi => need(apiOf(step).tasks(), 'tasks');
export const checkpointsOf = (step: StepRun): CheckpointsApi => need(apiOf(step).checkpoints(), 'checkpoints');
export const policyOf = (step: StepRun): PolicyApi => need(apiOf(step).policy(), 'policy');
export const authOf = (step: StepRun): AuthApi => apiOf(step).auth();

/** An agent of the step's team by handle; `field` names the config field in the failure. */
export async function agentOf(step: StepRun, handle: string, field: string): Promise<TeamAgent> {
  const agent = await authOf(step).agents.findByHandle(step.team, handle);
  if (!agent) throw new StepFailure(`${field}: no agent '${handle}' in team ${step.team}`);
  return agent;
}

/** The execution's creator as an agent (the author of what a step writes on its behalf). */
export function creatorOf(step: StepRun): Promise<TeamAgent> {
  return agentOf(step, step.execution.createdBy, 'execution.createdBy');
}
