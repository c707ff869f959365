import type { SpentSums } from '../sessions/index.js';
import type { Budget } from './budget.js';
import { windowOf } from './windows.js';

/** What a budget's window has recorded so far, in every unit (the budget reads its own). */
export interface Recorded {
  nanos: number;
  tokens: number;
  turns: number;
  /** Result-model rows whose cost is unknown. */
  unpriced: number;
}

/** The current turn of one worker: its model requests so far, until its result is recorded. */
export interface InFlight {
  teamName: string;
  handle: string;
  taskId: string | null;
  tokens: number;
  nanos: number;
  unpriced: number;
  requests: number;
}

/** One budget and where it stands: its window, extensions, what was recorded in the window. */
export interface Entry {
  budget: Budget;
  start: number;
  end: number | null;
  extension: number;
  recorded: Recorded;
  /** Over and handled (workers paused, event emitted, item opened) in this window. */
  breached: boolean;
  /** While its window is read from the database: amounts heard meanwhile wait here. */
  loading: Recorded | undefined;
}

export const zero = (): Recorded => ({ nanos: 0, tokens: 0, turns: 0, unpriced: 0 });

export function recordedOf(sums: SpentSums): Recorded {
  return { nanos: sums.costNanos, tokens: sums.tokens, turns: sums.results, unpriced: sums.unpricedRows };
}

export function addInto(into: Recorded, add: Recorded): void {
  into.nanos += add.nanos;
  into.tokens += add.tokens;
  into.turns += add.turns;
  into.unpriced += add.unpriced;
}

/** Whether a budget covers a worker (of a team, holding a task or none). */
export function covers(budget: Budget, teamName: string, handle: string, taskId: string | null): boolean {
  const { scope } = budget;
  if (scope.kind === 'fleet') return true;
  if (budget.teamName !== teamName) return false;
  if (scope.kind === 'team') return true;
  if (scope.kind === 'worker') return scope.id === handle;
  return taskId !== null && scope.id === taskId;
}

/** A new entry for a budget at `now`: its window, nothing recorded yet. */
export function entryOf(budget: Budget, now: number): Entry {
  const { start, end } = windowOf(budget.period, now);
  return { budget, start, end, extension: 0, recorded: zero(), breached: false, loading: undefined };
}

/** The limit in force: the budget's, plus what approvals added in this window. */
export const limitOf = (entry: Entry) => entry.budget.limit + entry.extension;

/**
 * What a budget has spent in its unit: recorded, plus the in-flight requests of the workers it
 * covers (tokens and priced dollars; a turn counts when its result is recorded). `unpriced`: rows
 * and requests whose cost is unknown (usd only).
 */
export function spentOf(entry: Entry, inFlight: Iterable<InFlight>): { spent: number; unpriced: number } {
  const { budget, recorded } = entry;
  let tokens = recorded.tokens;
  let nanos = recorded.nanos;
  let unpriced = recorded.unpriced;
  for (const turn of inFlight) {
    if (!covers(budget, turn.teamName, turn.handle, turn.taskId)) continue;
    tokens += turn.tokens;
    nanos += turn.nanos;
    unpriced += turn.unpriced;
  }
  if (budget.unit === 'tokens') return { spent: tokens, unpriced: 0 };
  if (budget.unit === 'turns') return { spent: recorded.turns, unpriced: 0 };
  return { spent: nanos / 1e9, unpriced };
}

/** Over: the limit is reached; throttled: its throttle share is. */
export function standing(entry: Entry, spent: number): { over: boolean; throttled: boolean; remaining: number } {
  const limit = limitOf(entry);
  const throttle = entry.budget.throttleAt;
  return {
    over: spent >= limit,
    throttled: throttle !== null && spent >= throttle * limit,
    remaining: Math.max(0, limit - spent),
  };
}
