import * as v from 'valibot';
import { f, isLead, operationsFor } from '../../../core/index.js';
import { executionId, executionStatus, inputs, limit, stepId, swarmId, workflowId } from '../fields.js';
import type { WorkflowsApi } from '../index.js';
import { executionErrors } from './errors.js';

const op = operationsFor<WorkflowsApi>();

export const startWorkflow = op({
  name: 'startWorkflow',
  summary: 'Start an execution of a workflow with its inputs (checked against the declared ones) and a swarm',
  access: 'lead',
  input: v.object({ id: workflowId, inputs: v.optional(inputs), swarmId: v.optional(swarmId) }),
  http: { method: 'POST', path: '/workflows/:id/start', status: 201 },
  tools: [{ name: 'workflow_start', rename: { workflow_id: 'id', swarm_id: 'swarmId' } }],
  run: ({ input, caller, api }) =>
    api.executions.start(caller, input.id, {
      ...(input.inputs ? { inputs: input.inputs } : {}),
      ...(input.swarmId ? { swarmId: input.swarmId } : {}),
      startedBy: 'route',
    }),
});

export const listExecutions = op({
  name: 'listExecutions',
  summary: 'Executions of your team, newest first, by workflow, status or swarm',
  access: 'agent',
  input: v.object({
    workflowId: v.optional(workflowId),
    status: v.optional(executionStatus),
    swarmId: v.optional(swarmId),
    limit: v.optional(limit),
  }),
  http: { method: 'GET', path: '/executions' },
  tools: [{ name: 'execution_list', rename: { workflow_id: 'workflowId', swarm_id: 'swarmId' } }],
  run: ({ input, caller, api }) => api.executions.list(caller.teamName, input),
});

export const getExecution = op({
  name: 'getExecution',
  summary: 'One execution with its steps’ statuses',
  access: 'agent',
  input: v.object({ id: executionId }),
  http: { method: 'GET', path: '/executions/:id' },
  tools: [{ name: 'execution_get', rename: { execution_id: 'id' } }],
  run: ({ input, caller, api }) => api.executions.get(caller.teamName, input.id),
});

export const executionSteps = op({
  name: 'executionSteps',
  summary: 'The steps of an execution: status, attempt, output, error, evidence, who completed them',
  access: 'agent',
  input: v.object({ id: executionId }),
  http: { method: 'GET', path: '/executions/:id/steps' },
  tools: [{ name: 'execution_steps', rename: { execution_id: 'id' } }],
  run: ({ input, caller, api }) => api.executions.steps(caller.teamName, input.id),
});

export const executionEvents = op({
  name: 'executionEvents',
  summary: 'What happened to an execution and its steps, newest first',
  access: 'agent',
  input: v.object({ id: executionId, limit: v.optional(f.int(1, 1000)) }),
  http: { method: 'GET', path: '/executions/:id/events' },
  tools: [{ name: 'execution_events', rename: { execution_id: 'id' } }],
  run: ({ input, caller, api }) => api.executions.events(caller.teamName, input.id, input.limit ?? 100),
});

const control = (verb: 'pause' | 'resume' | 'cancel', summary: string) =>
  op({
    name: `${verb}Execution`,
    summary,
    access: 'lead',
    input: v.object({ id: executionId }),
    http: { method: 'POST', path: `/executions/:id/${verb}` },
    tools: [{ name: `execution_${verb}`, rename: { execution_id: 'id' } }],
    run: ({ input, caller, api }) => api.executions[verb](caller.teamName, input.id, caller.handle),
  });

export const pauseExecution = control('pause', 'Pause an execution: no step starts; running steps resume later');
export const resumeExecution = control('resume', 'Resume a paused execution');
export const cancelExecution = control(
  'cancel',
  'Cancel an execution: its open steps are cancelled and what they started is stopped',
);

export const retryStep = op({
  name: 'retryStep',
  summary: 'Run a failed or cancelled step again (also after its execution failed: the execution runs again)',
  access: 'lead',
  input: v.object({ id: stepId }),
  http: { method: 'POST', path: '/steps/:id/retry' },
  tools: [{ name: 'step_retry', rename: { step_id: 'id' } }],
  run: ({ input, caller, api }) => api.executions.retryStep(caller.teamName, input.id, caller.handle),
});

export const completeStep = op({
  name: 'completeStep',
  summary:
    'Settle a step by hand (a lead, or the agent it was handed to): succeeded with an output, or failed with ' +
    'an error; the evidence records who',
  access: 'agent',
  input: v.object({
    id: stepId,
    output: v.optional(inputs),
    error: v.optional(f.text({ min: 1, max: 1000 })),
  }),
  http: { method: 'POST', path: '/steps/:id/complete' },
  tools: [{ name: 'step_complete', rename: { step_id: 'id' } }],
  async run({ input, caller, api }) {
    if (!isLead(caller)) {
      const step = await api.executions.step(caller.teamName, input.id);
      if (step.assignedTo !== caller.handle)
        throw executionErrors.WORKFLOWS_NOT_ASSIGNED({}, { assignedTo: step.assignedTo });
    }
    return api.executions.completeStep(caller.teamName, input.id, caller.handle, {
      ...(input.output ? { output: input.output } : {}),
      ...(input.error !== undefined ? { error: input.error } : {}),
    });
  },
});

export const executionOperations = [
  startWorkflow,
  listExecutions,
  getExecution,
  executionSteps,
  executionEvents,
  pauseExecution,
  resumeExecution,
  cancelExecution,
  retryStep,
  completeStep,
];
