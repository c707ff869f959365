import type { Period } from './windows.js';
import type { ScopeKind, Unit } from './tables.js';

export interface BudgetScope {
  kind: ScopeKind;
  /** worker: its handle; task: the task's id; team: the team; fleet: none. */
  id?: string;
}

/** A budget as the plugin holds it, from the API (a row) or from the config. */
export interface Budget {
  id: string;
  /** null: a fleet budget (every team). */
  teamName: string | null;
  scope: BudgetScope;
  unit: Unit;
  limit: number;
  period: Period;
  throttleAt: number | null;
  createdBy: string;
  source: 'api' | 'config';
  createdAt: number;
  updatedAt: number;
}

/** A budget with where it stands in its window, as GET /budgets answers. */
export interface BudgetView extends Budget {
  /** ms since the epoch (UTC): the window's start, and its end (null: total, never). */
  windowStart: number;
  windowEnd: number | null;
  /** What approved extensions added to the limit in this window. */
  extension: number;
  spent: number;
  remaining: number;
  over: boolean;
  throttled: boolean;
  /** usd only: results whose cost is unknown (no reported cost, no price), left out of spent. */
  unpricedResults?: number;
  /** The workers (of the caller's team) this budget has paused. */
  paused: string[];
}

/** How a scope reads in messages: `team alpha`, `worker alpha/w1`, `task <id>`, `fleet`. */
export function describeScope(budget: Pick<Budget, 'scope' | 'teamName'>): string {
  const { scope, teamName } = budget;
  if (scope.kind === 'fleet') return 'fleet';
  if (scope.kind === 'team') return `team ${teamName}`;
  return `${scope.kind} ${teamName}/${scope.id}`;
}

/** An amount in its unit, for messages: dollars to the cent (or finer when small), whole tokens and turns. */
export function formatAmount(unit: Unit, amount: number): string {
  if (unit !== 'usd') return String(Math.round(amount));
  return amount >= 1 ? amount.toFixed(2) : String(Math.round(amount * 1e6) / 1e6);
}
