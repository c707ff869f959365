import { defineEvents } from '../../core/index.js';
import type { BudgetView } from './budget.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    budget_created: { budget: BudgetView };
    budget_updated: { budget: BudgetView };
    budget_deleted: { id: string };
    /** Once per budget and window (fleet budgets: on every team that has workers). */
    budget_exceeded: { budget: BudgetView; paused: string[] };
    /** Back under its limit (raised, extended, deleted, a new window): the workers it paused are resumed. */
    budget_cleared: { id: string; reason: string; resumed: string[] };
  }
}

export const budgetsEvents = defineEvents({
  budget_created: { topic: 'budgets', summary: 'A budget was set through the API' },
  budget_updated: { topic: 'budgets', summary: 'A budget’s limit, period or throttle changed' },
  budget_deleted: { topic: 'budgets', summary: 'A budget was deleted' },
  budget_exceeded: {
    topic: 'budgets',
    summary: 'A budget went over its limit: the workers it covers were paused (once per budget and window)',
  },
  budget_cleared: { topic: 'budgets', summary: 'A budget is no longer over: the workers it paused were resumed' },
});
