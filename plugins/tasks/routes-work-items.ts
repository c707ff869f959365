import * as v from 'valibot';
import { handleSchema, notFound } from '../../core/index.js';
import type { PluginRouter } from '../../core/http/plugin-router.js';
import type { TaskOperations } from './operations.js';
import { WORK_ITEM_STATUSES } from './work-item-service.js';

export const workItemIdSchema = v.pipe(v.string('must be a string'), v.regex(/^wi-[a-z0-9]{5}$/, 'must be a work item id like wi-x7k2m'));
export const batchIdSchema = v.pipe(v.string('must be a string'), v.uuid('must be a batch id (a UUID)'));
export const workItemStatusSchema = v.picklist(WORK_ITEM_STATUSES, `must be one of ${WORK_ITEM_STATUSES.join(', ')}`);
const titleSchema = v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(200, 'must be at most 200 characters'));
const descriptionSchema = v.optional(v.nullable(v.pipe(v.string('must be a string'), v.maxLength(10_000, 'must be at most 10000 characters'))));

export function registerWorkItemRoutes(router: PluginRouter, ops: TaskOperations): void {
  const { workItems } = ops;

  router.post(
    '/workitems',
    { summary: 'Create a work item (readable id wi-xxxxx)', body: v.object({ title: titleSchema, description: descriptionSchema, assignedTo: v.optional(handleSchema), batchId: v.optional(batchIdSchema) }) },
    ({ body, identity }) => workItems.create(identity.teamName, identity.handle, body),
  );

  router.get(
    '/workitems',
    { summary: 'Work items of your team', query: v.object({ status: v.optional(workItemStatusSchema), assignee: v.optional(handleSchema), batch: v.optional(batchIdSchema) }) },
    ({ query, identity }) => workItems.list(identity.teamName, { status: query.status, assignee: query.assignee, batchId: query.batch }),
  );

  router.get('/workitems/:id', { summary: 'A work item with its status history', params: v.object({ id: workItemIdSchema }) }, async ({ params, identity }) => {
    const item = await workItems.get(identity.teamName, params.id);
    if (!item) throw notFound('Work item not found');
    return item;
  });

  router.patch(
    '/workitems/:id',
    { summary: 'Change a work item’s status (recorded in its history)', params: v.object({ id: workItemIdSchema }), body: v.object({ status: workItemStatusSchema, reason: v.optional(v.pipe(v.string(), v.maxLength(1000, 'must be at most 1000 characters'))) }) },
    ({ params, body, identity }) => workItems.setStatus(identity.teamName, params.id, body.status, identity.handle, body.reason),
  );

  router.post(
    '/batches',
    { summary: 'Bundle work items into a batch', body: v.object({ name: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(100, 'must be at most 100 characters')), workItemIds: v.optional(v.pipe(v.array(workItemIdSchema, 'must be a list of work item ids'), v.maxLength(500, 'must list at most 500'))) }) },
    ({ body, identity }) => workItems.createBatch(identity.teamName, identity.handle, body.name, body.workItemIds ?? []),
  );

  router.get('/batches', { summary: 'Batches of your team' }, ({ identity }) => workItems.listBatches(identity.teamName));

  router.get('/batches/:id', { summary: 'A batch with its work items', params: v.object({ id: batchIdSchema }) }, async ({ params, identity }) => {
    const batch = await workItems.getBatch(identity.teamName, params.id);
    if (!batch) throw notFound('Batch not found');
    return batch;
  });

  router.post(
    '/batches/:id/dispatch',
    { summary: 'Dispatch a batch to a running worker (team leads; 409 while workers are off)', auth: 'lead', params: v.object({ id: batchIdSchema }), body: v.object({ workerHandle: handleSchema }) },
    ({ params, body, identity }) => ops.dispatchBatch(identity, params.id, body.workerHandle),
  );
}
