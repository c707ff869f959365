import { defineErrors, mergeErrors } from '../../core/index.js';
import { enforceErrors } from './enforce/index.js';

/** The lease codes (LEASES_*). L2's enforcement codes are merged in by index.ts. */
export const leaseErrors = defineErrors({
  LEASES_NOT_A_REPO: [400, 'repo: {repo} is not a directory inside a git repository'],
  LEASES_BAD_PATH: [400, '{field}: {reason}'],
  LEASES_TTL_TOO_LONG: [400, 'ttlSeconds: must be at most {max}'],
  LEASES_NOT_FOUND: [404, 'Lease not found'],
  LEASES_TASK_NOT_FOUND: [404, 'taskId: task {taskId} not found'],
  LEASES_NOT_YOURS: [403, 'Only its holder or a lead may {action} lease {id}'],
  LEASES_TASK_LEAD_ONLY: [403, "taskId: only a lead declares a task's leases"],
  LEASES_TASKS_OFF: [409, 'taskId: task leases need the tasks plugin, which is off'],
  LEASES_TASK_RESOLVED: [409, 'taskId: task {taskId} is resolved'],
  LEASES_CONFLICT: [409, 'Lease conflict: {detail}'],
});

/** Every code of the plugin: the leases' and enforcement's, merged (a code declared twice is refused). */
export const allLeaseErrors = mergeErrors(leaseErrors, enforceErrors);
