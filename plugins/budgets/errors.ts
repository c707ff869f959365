import { defineErrors } from '../../core/index.js';

/**
 * The kernel requires a plugin's codes to start with its name (BUDGETS_): the BUDGET_EXCEEDED
 * and BUDGET_THROTTLED are BUDGETS_EXCEEDED and BUDGETS_THROTTLED.
 */
export const budgetsErrors = defineErrors({
  BUDGETS_NOT_FOUND: [404, 'Budget {id} not found'],
  BUDGETS_FLEET_SCOPE: [403, 'scope.kind: a fleet budget is set in the config (plugins.budgets.budgets), not here'],
  BUDGETS_READ_ONLY: [409, 'Budget {id} comes from the config: change it in fleet.config.ts'],
  BUDGETS_TASK_NOT_FOUND: [404, 'scope.id: no task {id} in your team'],
  BUDGETS_EXCEEDED: [409, 'Budget {id} ({scope}) is over: spent {spent} of {limit} {unit} this {period}'],
  BUDGETS_THROTTLED: [
    409,
    'Budget {id} ({scope}) reached its throttle ({percent}%): spent {spent} of {limit} {unit}; new work waits',
  ],
});
