import { defineErrors } from '../../core/index.js';

export const tasksErrors = defineErrors({
  TASKS_TASK_NOT_FOUND: [404, 'Task not found'],
  TASKS_AGENT_NOT_FOUND: [404, 'Agent {handle} not found'],
  TASKS_SENDER_NOT_FOUND: [404, 'Sender not found'],
  TASKS_NOT_EDITOR: [403, 'Only the task owner, its creator or a team lead may change it'],
  TASKS_NOTHING_TO_CHANGE: [400, 'status: is required (or blockedBy or priority)'],
  TASKS_INVALID_PRIORITY: [400, 'priority: must be one of critical, high, normal, low (got {priority})'],
  TASKS_UNKNOWN_BLOCKER: [404, 'blockedBy: task {id} not found'],
  TASKS_BLOCKED: [400, 'Cannot resolve task: blocked by unresolved tasks'],
  TASKS_DEPENDENCY_CYCLE: [400, 'blockedBy: dependency cycle {path}'],
  TASKS_ALREADY_CLAIMED: [409, 'Task already claimed by {owner}'],
  TASKS_NOT_OPEN: [409, 'Task is {status}, not open'],
  TASKS_CLAIM_BLOCKED: [409, 'Task is blocked by unresolved tasks'],
  TASKS_NOTHING_TO_CLAIM: [409, 'No open, unowned, unblocked task to claim'],
  TASKS_WORK_ITEM_NOT_FOUND: [404, 'Work item not found'],
  TASKS_BATCH_NOT_FOUND: [404, 'Batch not found'],
  TASKS_UNKNOWN_BATCH: [404, 'batchId: batch {id} not found'],
  TASKS_UNKNOWN_WORK_ITEM: [404, 'workItemIds: work item {id} not found'],
  TASKS_BATCH_NOT_OPEN: [409, 'Batch is {status}, not open'],
  TASKS_WORKERS_OFF: [409, 'Workers are off: turn on the workers plugin in fleet.config.ts to dispatch batches'],
  TASKS_WORKER_NOT_RUNNING: [409, 'Worker {handle} is not running'],
  TASKS_ADMISSION_FAILED: [
    503,
    'Could not check whether this {action} may go ahead now; nothing was changed, try again',
  ],
});
