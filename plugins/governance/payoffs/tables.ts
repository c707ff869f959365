import { defineTables } from '../../../core/index.js';

export const PAYOFF_TYPES = ['completion', 'quality', 'speed', 'cooperation', 'penalty'] as const;
export type PayoffType = (typeof PAYOFF_TYPES)[number];

/** Times are ms since the epoch. Every row carries its team; one row per task and payoff type. */
export interface PayoffsTable {
  /** A UUID. */
  id: string;
  team_name: string;
  task_id: string;
  /** The swarm whose credits pay it; null: the owner's swarm at completion. */
  swarm_id: string | null;
  payoff_type: PayoffType;
  base_value: number;
  multiplier: number;
  /** After it the value decays by decay_rate per overdue hour; null: no deadline. */
  deadline: number | null;
  decay_rate: number;
  /** JSON string[]: task ids (stored, as the seed did; they change nothing). */
  dependencies: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** Set once, when the task's verified completion paid it. */
  paid_at: number | null;
  /** The signed ledger amount (a penalty's is negative). */
  paid_amount: number | null;
  paid_to: string | null;
  paid_swarm: string | null;
}

export interface PayoffTables {
  payoffs: PayoffsTable;
}

export const payoffTables = defineTables<PayoffTables>({
  payoffs: 'Payoffs defined for tasks (base, multiplier, deadline decay), and when and to whom each was paid',
});
