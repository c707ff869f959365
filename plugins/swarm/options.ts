import * as v from 'valibot';

const amount = (fallback: number) => v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(10_000)), fallback);
const weight = (fallback: number) => v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1)), fallback);

/**
 * plugins.swarm in fleet.config.ts: what a new account starts with, and what verified outcomes
 * (events of the tasks, budgets and policy plugins) move. See README.md, "Credits from outcomes".
 */
export const swarmOptionsSchema = v.object({
  /** A new account's balance (the seed's 100). */
  initialBalance: amount(100),
  /** The owner of a task resolved: credits earned, and the reputation step toward 1. */
  taskResolved: v.optional(v.object({ credits: amount(10), weight: weight(0.1) }), {}),
  /** A task resolved by a worker no budget paused since the task was created (budgets plugin on). */
  budgetRespected: v.optional(v.object({ credits: amount(2) }), {}),
  /** A resolved task reopened: what its resolution paid is taken back, and a reputation step toward 0. */
  taskReopened: v.optional(v.object({ weight: weight(0.1) }), {}),
  /** A tool call the policy stopped (policy_violation): a penalty and a reputation step toward 0. */
  policyViolation: v.optional(v.object({ credits: amount(5), weight: weight(0.1) }), {}),
  /** A worker a budget paused (budget_exceeded): a penalty and a reputation step toward 0. */
  budgetExceeded: v.optional(v.object({ credits: amount(5), weight: weight(0.05) }), {}),
});

export type SwarmOptions = v.InferOutput<typeof swarmOptionsSchema>;
