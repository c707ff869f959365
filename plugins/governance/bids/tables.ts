import { defineTables } from '../../../core/index.js';

export const BID_STATUSES = ['pending', 'accepted', 'rejected', 'withdrawn'] as const;
export type BidStatus = (typeof BID_STATUSES)[number];

/** Times are ms since the epoch. Every row carries its team. */
export interface BidsTable {
  /** A UUID. */
  id: string;
  team_name: string;
  task_id: string;
  swarm_id: string;
  bidder_handle: string;
  bid_amount: number;
  /** ms the bidder expects the task to take, or null. */
  estimated_duration: number | null;
  confidence: number;
  rationale: string | null;
  status: BidStatus;
  created_at: number;
  processed_at: number | null;
  /** What the winner was charged (accepted bids only; null when the lead did not settle credits). */
  price: number | null;
  /** How it won: `accept` (a lead's pick) or the auction kind. */
  awarded_by: string | null;
}

export interface BidTables {
  bids: BidsTable;
}

export const bidTables = defineTables<BidTables>({
  bids: 'Bids on tasks by swarm members: one pending bid per bidder and task, at most one accepted per task',
});
