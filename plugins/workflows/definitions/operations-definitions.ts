import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import { definition, description, limit, workflowId, workflowName } from '../fields.js';
import type { WorkflowsApi } from '../index.js';

const op = operationsFor<WorkflowsApi>();

export const createWorkflow = op({
  name: 'createWorkflow',
  summary:
    'Define a workflow: a DAG of steps (key, type, dependsOn, config, guard, onFailure, retry, timeoutMs, budget), ' +
    'inputs with types, required and defaults, outputs; a bad definition is a 400 naming the step and field',
  access: 'lead',
  input: v.object({
    name: workflowName,
    description: v.optional(description),
    isTemplate: v.optional(f.flag),
    definition,
  }),
  http: { method: 'POST', path: '/workflows', status: 201 },
  tools: [{ name: 'workflow_create', rename: { is_template: 'isTemplate' } }],
  run: ({ input, caller, api }) => api.definitions.create(caller.teamName, caller.handle, input),
});

export const listWorkflows = op({
  name: 'listWorkflows',
  summary: 'Workflows of your team, newest change first (the seed’s examples are seeded once per team)',
  access: 'agent',
  input: v.object({ isTemplate: v.optional(f.flag), limit: v.optional(limit) }),
  http: { method: 'GET', path: '/workflows' },
  tools: [{ name: 'workflow_list', rename: { is_template: 'isTemplate' } }],
  run: ({ input, caller, api }) => api.definitions.list(caller.teamName, input),
});

export const getWorkflow = op({
  name: 'getWorkflow',
  summary: 'One workflow with its definition',
  access: 'agent',
  input: v.object({ id: workflowId }),
  http: { method: 'GET', path: '/workflows/:id' },
  tools: [{ name: 'workflow_get', rename: { workflow_id: 'id' } }],
  run: ({ input, caller, api }) => api.definitions.require(caller.teamName, input.id),
});

export const updateWorkflow = op({
  name: 'updateWorkflow',
  summary: 'Change a workflow’s definition or description (version +1; running executions keep their version)',
  access: 'lead',
  input: v.object({ id: workflowId, definition: v.optional(definition), description: v.optional(description) }),
  http: { method: 'PATCH', path: '/workflows/:id' },
  run: ({ input, caller, api }) =>
    api.definitions.update(caller.teamName, input.id, caller.handle, {
      ...(input.definition !== undefined ? { definition: input.definition } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    }),
});

export const deleteWorkflow = op({
  name: 'deleteWorkflow',
  summary: 'Delete a workflow with its finished executions and triggers (409 naming running or paused ones)',
  access: 'lead',
  input: v.object({ id: workflowId }),
  http: { method: 'DELETE', path: '/workflows/:id' },
  run: ({ input, caller, api }) => api.definitions.delete(caller.teamName, input.id, caller.handle),
});

export const definitionOperations = [createWorkflow, listWorkflows, getWorkflow, updateWorkflow, deleteWorkflow];
