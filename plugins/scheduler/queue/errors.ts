import { defineErrors } from '../../../core/index.js';

/** The queue's codes (merged into the plugin's table in index.ts). */
export const queueErrors = defineErrors({
  SCHEDULER_QUEUE_NOT_FOUND: [404, 'Task not found'],
  SCHEDULER_QUEUE_RUNNING: [409, 'Task {id} is running: it cannot be cancelled now'],
  SCHEDULER_QUEUE_FINISHED: [409, 'Task {id} already ended ({status})'],
  SCHEDULER_QUEUE_NOT_DEAD: [409, 'Task {id} is {status}: only a dead-lettered task can be replayed'],
  SCHEDULER_QUEUE_NO_HANDLER: [400, 'kind: no handler for jobs of kind {kind}'],
});
