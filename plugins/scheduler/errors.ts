import { defineErrors } from '../../core/index.js';

/** The schedules' errors (the queue, templates, outbound, webhooks and audit declare theirs in their folders). */
export const scheduleErrors = defineErrors({
  SCHEDULER_SCHEDULE_NOT_FOUND: [404, 'Schedule not found'],
  SCHEDULER_NAME_TAKEN: [409, 'name: your team already has a schedule named {name}'],
  SCHEDULER_NO_ACTION: [400, 'tasks: give tasks (template names) or an action'],
  SCHEDULER_READ_ONLY: [409, 'Schedule {name} comes from the config: change it in fleet.config.ts'],
});
