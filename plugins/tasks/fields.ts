import * as v from 'valibot';
import { f } from '../../core/index.js';
import { TASK_PRIORITIES, TASK_STATUSES } from './task-service.js';
import { WORK_ITEM_STATUSES } from './work-item-service.js';

/** The tasks plugin's field schemas, shared by its operations (and so by their routes and tools). */
export const taskId = f.uuid('task');
export const taskStatus = f.oneOf(TASK_STATUSES);
export const taskPriority = f.oneOf(TASK_PRIORITIES);
export const subject = f.text({ min: 3, max: 200 });
export const description = v.optional(v.nullable(f.text({ max: 10_000 })));
export const blockedBy = f.list(taskId, { max: 100, of: 'task ids', unit: 'tasks' });
export const workItemId = v.pipe(
  v.string('must be a string'),
  v.regex(/^wi-[a-z0-9]{5}$/, 'must be a work item id like wi-x7k2m'),
);
export const batchId = f.uuid('batch');
export const workItemStatus = f.oneOf(WORK_ITEM_STATUSES);
export const reason = v.optional(f.text({ max: 1000 }));
