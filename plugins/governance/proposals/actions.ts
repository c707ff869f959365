import * as v from 'valibot';
import { f, type Identity, isApiError, type Logger } from '../../../core/index.js';
import type { AuthApi } from '../../auth/index.js';
import type { TasksApi } from '../../tasks/index.js';
import { proposalErrors as errors } from './errors.js';
import type { ActionOutcome } from './views.js';

/**
 * What a passing proposal does. `handle` / `priority` left out: the winning option is the value (an
 * election of the task's owner, a vote on its priority).
 */
export const ACTION_TYPES = ['assign_task', 'set_task_priority', 'start_workflow'] as const;

export type ProposalAction =
  | { type: 'assign_task'; taskId: string; handle?: string }
  | { type: 'set_task_priority'; taskId: string; priority?: string }
  | { type: 'start_workflow'; workflowId: string; inputs?: Record<string, unknown> };

const actionTypeMessage = `must be an object whose type is one of ${ACTION_TYPES.join(', ')}`;

/** The action: an object of a known type first (named as `action`), then that type's fields (`action.<field>`). */
export const actionSchema = v.pipe(
  v.unknown(),
  v.check(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      (ACTION_TYPES as readonly unknown[]).includes((value as { type?: unknown }).type),
    actionTypeMessage,
  ),
  v.variant(
    'type',
    [
      v.object({ type: v.literal('assign_task'), taskId: f.uuid('task'), handle: v.optional(f.handle) }),
      v.object({
        type: v.literal('set_task_priority'),
        taskId: f.uuid('task'),
        priority: v.optional(f.text({ min: 1, max: 50 })),
      }),
      v.object({
        type: v.literal('start_workflow'),
        workflowId: f.text({ min: 1, max: 100 }),
        inputs: v.optional(f.jsonObject({ maxChars: 16_000 })),
      }),
    ],
    actionTypeMessage,
  ),
);

/** What this file uses of the workflows plugin, as a structural type (it builds and runs without it). */
interface WorkflowsPort {
  definitions?: { get?(team: string, id: string): Promise<unknown> };
  executions: {
    start(
      caller: { team: string; handle: string },
      workflowId: string,
      input: { inputs?: Record<string, unknown>; swarmId?: string; startedBy: string },
    ): Promise<{ id: string; status?: string }>;
  };
}

/** A tasks plugin that knows priorities (the current one does not: such an action is refused at create). */
export interface ActionDeps {
  tasks(): TasksApi | undefined;
  workflows(): unknown;
  auth(): AuthApi;
  log: Logger;
}

function workflowsPort(deps: ActionDeps): WorkflowsPort | undefined {
  const api = deps.workflows() as Partial<WorkflowsPort> | undefined;
  return typeof api?.executions?.start === 'function' ? (api as WorkflowsPort) : undefined;
}

const fieldError = (field: string, message: string) =>
  errors.GOVERNANCE_PROPOSAL_INVALID({ field, message }, { field });

/** At create: the plugins the action needs are on and what it names exists; else 400/404 naming the field. */
export async function checkAction(
  deps: ActionDeps,
  caller: Identity,
  action: ProposalAction,
  options: readonly string[],
): Promise<void> {
  if (action.type === 'start_workflow') {
    const workflows = workflowsPort(deps);
    if (!workflows)
      throw errors.GOVERNANCE_ACTION_UNAVAILABLE({ type: action.type, plugin: 'workflows' }, { field: 'action.type' });
    const get = workflows.definitions?.get?.bind(workflows.definitions);
    if (get && !(await get(caller.teamName, action.workflowId)))
      throw errors.GOVERNANCE_ACTION_TARGET(
        { field: 'action.workflowId', message: 'no such workflow in your team' },
        { field: 'action.workflowId' },
      );
    return;
  }
  const tasks = deps.tasks();
  if (!tasks)
    throw errors.GOVERNANCE_ACTION_UNAVAILABLE({ type: action.type, plugin: 'tasks' }, { field: 'action.type' });
  if (action.type === 'set_task_priority') {
    // Without action.priority the winning option is the priority: every option must be one.
    const field = action.priority !== undefined ? 'action.priority' : 'options';
    const priorities = tasks.tasks.priorities;
    for (const value of action.priority !== undefined ? [action.priority] : options)
      if (!(priorities as readonly string[]).includes(value)) {
        const why = field === 'options' ? ' (without action.priority, options are priorities)' : '';
        throw fieldError(field, `${value} is not a task priority: one of ${priorities.join(', ')}${why}`);
      }
  }
  if (!(await tasks.tasks.get(caller.teamName, action.taskId)))
    throw errors.GOVERNANCE_ACTION_TARGET(
      { field: 'action.taskId', message: 'no such task in your team' },
      { field: 'action.taskId' },
    );
  if (action.type !== 'assign_task') return;
  const handles = action.handle !== undefined ? [action.handle] : options;
  for (const handle of handles) {
    if (await deps.auth().agents.findByHandle(caller.teamName, handle)) continue;
    const field = action.handle !== undefined ? 'action.handle' : 'options';
    const why = field === 'options' ? ' (without action.handle, options are handles)' : '';
    throw errors.GOVERNANCE_ACTION_TARGET({ field, message: `no agent ${handle} in your team${why}` }, { field });
  }
}

/** Run a passed proposal's action; never throws: what happened is the outcome recorded on the proposal. */
export async function runAction(
  deps: ActionDeps,
  proposal: { id: string; teamName: string; swarmId: string; proposerHandle: string; winner: string },
  action: ProposalAction,
  now: string,
): Promise<ActionOutcome> {
  try {
    if (action.type === 'start_workflow') {
      const workflows = workflowsPort(deps);
      if (!workflows) return { ok: false, at: now, code: 'GOVERNANCE_ACTION_UNAVAILABLE', error: 'workflows is off' };
      const execution = await workflows.executions.start(
        { team: proposal.teamName, handle: proposal.proposerHandle },
        action.workflowId,
        { inputs: action.inputs, swarmId: proposal.swarmId, startedBy: `proposal:${proposal.id}` },
      );
      return { ok: true, at: now, detail: { workflowId: action.workflowId, executionId: execution.id } };
    }
    const tasks = deps.tasks();
    if (!tasks) return { ok: false, at: now, code: 'GOVERNANCE_ACTION_UNAVAILABLE', error: 'tasks is off' };
    if (action.type === 'set_task_priority') {
      const priority = action.priority ?? proposal.winner;
      await tasks.tasks.setPriority(proposal.teamName, action.taskId, priority);
      return { ok: true, at: now, detail: { taskId: action.taskId, priority } };
    }
    const handle = action.handle ?? proposal.winner;
    const agent = await deps.auth().agents.findByHandle(proposal.teamName, handle);
    if (!agent) return { ok: false, at: now, code: 'GOVERNANCE_ACTION_TARGET', error: `no agent ${handle}` };
    const by = (await deps.auth().agents.findByHandle(proposal.teamName, proposal.proposerHandle)) ?? agent;
    // The tasks plugin's conditional assignment: a task owned or resolved by now is refused (409), never taken.
    const task = await tasks.tasks.assign(proposal.teamName, { id: action.taskId, owner: agent, by });
    return { ok: true, at: now, detail: { taskId: task.id, ownerHandle: task.ownerHandle, status: task.status } };
  } catch (error) {
    if (isApiError(error)) return { ok: false, at: now, code: error.code, error: error.message };
    deps.log.error('a passed proposal’s action failed', { proposalId: proposal.id, error });
    return { ok: false, at: now, code: 'GOVERNANCE_ACTION_FAILED', error: 'the action failed; see the fleet log' };
  }
}
