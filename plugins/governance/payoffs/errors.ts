import { defineErrors } from '../../../core/index.js';

/** The payoff codes (GOVERNANCE_PAYOFF_*). */
export const payoffErrors = defineErrors({
  GOVERNANCE_PAYOFF_TASK_NOT_FOUND: [404, 'taskId: task {taskId} not found'],
  GOVERNANCE_PAYOFF_PAID: [409, 'The {payoffType} payoff of task {taskId} was paid: it cannot change'],
});
