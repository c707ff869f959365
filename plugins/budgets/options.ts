import * as v from 'valibot';
import { f } from '../../core/index.js';
import { limit, period, scope, throttleAt, unit } from './fields.js';

/** A budget in the config: fleet-wide, or of a team (`teamName`, or a team scope's id). */
const configBudget = v.object({
  /** Its id is `config-<id>` (default: a hash of team, scope, unit and period). */
  id: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,80}$/, 'may contain letters, digits, _ and -'))),
  teamName: v.optional(f.handle),
  scope,
  unit,
  limit,
  period,
  throttleAt: v.optional(throttleAt),
});

/** plugins.budgets in fleet.config.ts. */
export const budgetsOptionsSchema = v.object({
  /** Budgets set in the config (the only place fleet budgets are set); read-only through the API. */
  budgets: v.optional(v.array(configBudget), []),
  /** What approving a budget's approval item adds to its limit for the window, as a share of the limit. */
  extensionRatio: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(10)), 0.25),
  /** How often budgets are checked against their windows and paused workers (ms): the resume latency bound. */
  checkMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(60_000)), 1000),
});

export type BudgetsOptions = v.InferOutput<typeof budgetsOptionsSchema>;
export type ConfigBudget = v.InferOutput<typeof configBudget>;
