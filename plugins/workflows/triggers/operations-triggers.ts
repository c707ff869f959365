import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import { triggerId, workflowId } from '../fields.js';
import type { WorkflowsApi } from '../index.js';

const op = operationsFor<WorkflowsApi>();

export const createTrigger = op({
  name: 'createTrigger',
  summary:
    'Start a workflow on an event (a fleet event type and a filter on its data), a schedule (cron or intervalMs), ' +
    'an inbound webhook delivery (path: the webhook name) or a blackboard message; once per event',
  access: 'lead',
  input: v.object({
    id: workflowId,
    triggerType: f.oneOf(['event', 'schedule', 'webhook', 'blackboard']),
    config: f.jsonObject({ maxChars: 10_000 }),
    isEnabled: v.optional(f.flag),
  }),
  http: { method: 'POST', path: '/workflows/:id/triggers', status: 201 },
  run: ({ input, caller, api }) =>
    api.triggers.create(caller.teamName, input.id, caller.handle, {
      triggerType: input.triggerType,
      config: input.config,
      ...(input.isEnabled !== undefined ? { isEnabled: input.isEnabled } : {}),
    }),
});

export const listTriggers = op({
  name: 'listTriggers',
  summary: 'The triggers of a workflow, with how often and when they last fired',
  access: 'agent',
  input: v.object({ id: workflowId }),
  http: { method: 'GET', path: '/workflows/:id/triggers' },
  run: ({ input, caller, api }) => api.triggers.list(caller.teamName, input.id),
});

export const updateTrigger = op({
  name: 'updateTrigger',
  summary: 'Turn a trigger off or on again (a schedule turned on starts at its next slot)',
  access: 'lead',
  input: v.object({ id: triggerId, isEnabled: f.flag }),
  http: { method: 'PATCH', path: '/triggers/:id' },
  run: ({ input, caller, api }) => api.triggers.setEnabled(caller.teamName, input.id, input.isEnabled),
});

export const deleteTrigger = op({
  name: 'deleteTrigger',
  summary: 'Delete a trigger',
  access: 'lead',
  input: v.object({ id: triggerId }),
  http: { method: 'DELETE', path: '/triggers/:id' },
  run: ({ input, caller, api }) => api.triggers.delete(caller.teamName, input.id),
});

export const triggerOperations = [createTrigger, listTriggers, updateTrigger, deleteTrigger];
