import * as v from 'valibot';
import { dataFence, f, operationsFor } from '../../core/index.js';
import { tasksErrors } from './errors.js';
import { batchId, workItemId, workItemStatus, reason } from './fields.js';
import type { TasksApi } from './index.js';

const op = operationsFor<TasksApi>();

export const createWorkItem = op({
  name: 'createWorkItem',
  summary: 'Create a work item with a readable id (wi-xxxxx)',
  access: 'agent',
  input: v.object({
    title: f.text({ min: 1, max: 200 }),
    description: v.optional(v.nullable(f.text({ max: 10_000 }))),
    assignedTo: v.optional(f.handle),
    batchId: v.optional(batchId),
  }),
  http: { method: 'POST', path: '/workitems' },
  tools: [{ name: 'workitem_create' }],
  run: ({ input, caller, api }) => api.workItems.create(caller.teamName, caller.handle, input),
});

export const listWorkItems = op({
  name: 'listWorkItems',
  summary: 'Work items of your team, oldest first; by status, assignee or batch',
  access: 'agent',
  input: v.object({ status: v.optional(workItemStatus), assignee: v.optional(f.handle), batch: v.optional(batchId) }),
  http: { method: 'GET', path: '/workitems' },
  run: ({ input, caller, api }) =>
    api.workItems.list(caller.teamName, { status: input.status, assignee: input.assignee, batchId: input.batch }),
});

const WORK_ITEM_FILTERS = ['all', 'mine', 'pending', 'in_progress', 'completed', 'blocked', 'cancelled'] as const;

export const workItemList = op({
  name: 'workItemList',
  summary: 'List work items: all (default), mine, or by status; optionally of one batch.',
  access: 'agent',
  input: v.object({
    filter: v.optional(f.oneOf(WORK_ITEM_FILTERS, 'must be all, mine or a status')),
    batch_id: v.optional(batchId),
  }),
  tools: [{ name: 'workitem_list' }],
  run: ({ input, caller, api }) =>
    api.workItems.list(caller.teamName, {
      assignee: input.filter === 'mine' ? caller.handle : undefined,
      status: input.filter && input.filter !== 'all' && input.filter !== 'mine' ? input.filter : undefined,
      batchId: input.batch_id,
    }),
});

export const getWorkItem = op({
  name: 'getWorkItem',
  summary: 'A work item with its status history',
  access: 'agent',
  input: v.object({ id: workItemId }),
  http: { method: 'GET', path: '/workitems/:id' },
  async run({ input, caller, api }) {
    const item = await api.workItems.get(caller.teamName, input.id);
    if (!item) throw tasksErrors.TASKS_WORK_ITEM_NOT_FOUND();
    return item;
  },
});

export const updateWorkItem = op({
  name: 'updateWorkItem',
  summary: 'Change a work item’s status, with an optional reason (kept in its history)',
  access: 'agent',
  input: v.object({ id: workItemId, status: workItemStatus, reason }),
  http: { method: 'PATCH', path: '/workitems/:id' },
  tools: [{ name: 'workitem_update', rename: { workitem_id: 'id' } }],
  run: ({ input, caller, api }) =>
    api.workItems.setStatus(caller.teamName, input.id, input.status, caller.handle, input.reason),
});

export const createBatch = op({
  name: 'createBatch',
  summary: 'Bundle work items into a batch',
  access: 'agent',
  input: v.object({
    name: f.text({ min: 1, max: 100 }),
    workItemIds: v.optional(f.list(workItemId, { max: 500, of: 'work item ids' })),
  }),
  http: { method: 'POST', path: '/batches' },
  tools: [{ name: 'batch_create', rename: { workitem_ids: 'workItemIds' } }],
  run: ({ input, caller, api }) =>
    api.workItems.createBatch(caller.teamName, caller.handle, input.name, input.workItemIds ?? []),
});

export const listBatches = op({
  name: 'listBatches',
  summary: 'Batches of your team',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/batches' },
  run: ({ caller, api }) => api.workItems.listBatches(caller.teamName),
});

export const getBatch = op({
  name: 'getBatch',
  summary: 'A batch with its work items',
  access: 'agent',
  input: v.object({ id: batchId }),
  http: { method: 'GET', path: '/batches/:id' },
  async run({ input, caller, api }) {
    const batch = await api.workItems.getBatch(caller.teamName, input.id);
    if (!batch) throw tasksErrors.TASKS_BATCH_NOT_FOUND();
    return batch;
  },
});

export const dispatchBatch = op({
  name: 'dispatchBatch',
  summary:
    'Dispatch a batch to a running worker: its items are assigned and sent to the worker (409 while workers are off)',
  access: 'lead',
  input: v.object({ id: batchId, workerHandle: f.handle }),
  http: { method: 'POST', path: '/batches/:id/dispatch' },
  tools: [{ name: 'batch_dispatch', rename: { batch_id: 'id', worker: 'workerHandle' } }],
  async run({ input, caller, api }) {
    const existing = await api.workItems.getBatch(caller.teamName, input.id);
    if (!existing) throw tasksErrors.TASKS_BATCH_NOT_FOUND();
    const workers = api.workers();
    if (!workers) throw tasksErrors.TASKS_WORKERS_OFF();
    if (!(await workers.isLive(caller.teamName, input.workerHandle)))
      throw tasksErrors.TASKS_WORKER_NOT_RUNNING({ handle: input.workerHandle });
    const batch = await api.workItems.markDispatched(caller.teamName, input.id, input.workerHandle, caller.handle);
    const lines = batch.workItems.map(
      (item) => `- ${item.id}: ${item.title}${item.description ? `\n  ${item.description}` : ''}`,
    );
    // The batch's name and its items were written by agents: they reach the worker fenced as data.
    const listing = `Batch: ${batch.name}\nWork items assigned to you:\n${lines.join('\n')}`;
    await workers.sendToWorker(
      caller.teamName,
      input.workerHandle,
      `[BATCH] ${batch.id} dispatched to you. Update each work item with workitem_update as you go.\n` +
        dataFence({ kind: `batch ${batch.id}`, from: caller.handle, role: 'team lead' }, listing),
    );
    return { ...batch, dispatchedCount: batch.workItems.length };
  },
});

export const workItemOperations = [
  createWorkItem,
  listWorkItems,
  workItemList,
  getWorkItem,
  updateWorkItem,
  createBatch,
  listBatches,
  getBatch,
  dispatchBatch,
];
