import { defineTables } from '../../core/index.js';

export type ScopeKind = 'task' | 'worker' | 'team' | 'fleet';
export type Unit = 'usd' | 'tokens' | 'turns';

/** A budget set through the API (config budgets live in the config). Times are ms since the epoch. */
export interface BudgetsTable {
  id: string;
  /** The team it belongs to (API budgets always have one). */
  team_name: string;
  scope_kind: ScopeKind;
  /** worker: a handle; task: a task id; team: the team's name. */
  scope_id: string;
  unit: Unit;
  limit_value: number;
  period: 'day' | 'week' | 'total';
  throttle_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/**
 * What happened to a budget (API or config) in one window: extensions approved, when it went over
 * (budget_exceeded is emitted once per window), the approval item's key.
 */
export interface BudgetWindowsTable {
  budget_id: string;
  window_start: number;
  extension: number;
  exceeded_at: number | null;
}

/** The workers a budget paused (and may resume): kept across restarts. */
export interface BudgetPausesTable {
  budget_id: string;
  team_name: string;
  handle: string;
  paused_at: number;
}

export interface BudgetsTables {
  budgets: BudgetsTable;
  budget_windows: BudgetWindowsTable;
  budget_pauses: BudgetPausesTable;
}

export const budgetsTables = defineTables<BudgetsTables>({
  budgets: 'Budgets set through the API: team, scope, unit, limit, period, throttle',
  budget_windows: 'Per budget and window: approved extensions and when it went over',
  budget_pauses: 'Workers a budget paused, to resume when it is no longer over',
});
