import { defineTables } from '../../core/index.js';
import { type BidTables, bidTables } from './bids/index.js';
import { type PayoffTables, payoffTables } from './payoffs/index.js';

/** Times are ms since the epoch; JSON columns are text. Every row carries its team. */
export interface ProposalsTable {
  id: string;
  team_name: string;
  swarm_id: string;
  proposer_handle: string;
  proposal_type: string;
  title: string;
  description: string | null;
  /** JSON string[]. */
  options: string;
  voting_method: string;
  quorum_type: string;
  quorum_value: number;
  /** The share of the counted weight the winner needs, when it overrides the method's. */
  threshold: number | null;
  /** 0 or 1. */
  weight_by_reputation: number;
  /** open, passed, failed, cancelled. */
  status: string;
  deadline: number | null;
  /** JSON ConsensusResult, written once by the close that won. */
  result: string | null;
  /** The result's participation rate, for the swarm's average (stats) without reading results. */
  participation: number | null;
  /** JSON ProposalAction, run once when the proposal passes. */
  action: string | null;
  /** JSON: what the action did (or why it could not). */
  action_outcome: string | null;
  created_at: number;
  /** Moved by each vote: a close and a vote on one proposal take the row in turn. */
  last_vote_at: number | null;
  closed_at: number | null;
  /** A lead's handle, `deadline` or `threshold`. */
  closed_by: string | null;
}

export interface ProposalVotesTable {
  id: string;
  team_name: string;
  proposal_id: string;
  voter_handle: string;
  vote_value: string;
  vote_weight: number;
  rationale: string | null;
  created_at: number;
  updated_at: number;
}

export interface ProposalTables {
  proposals: ProposalsTable;
  proposal_votes: ProposalVotesTable;
}

export const proposalTables = defineTables<ProposalTables>({
  proposals: 'Proposals of a swarm: options, voting method, quorum, deadline, the stored result and action outcome',
  proposal_votes: 'One vote per agent and proposal (changeable until close), with its weight',
});

/** Every table of the plugin: proposals and votes, bids, payoffs. */
export type GovernanceTables = ProposalTables & BidTables & PayoffTables;

export const governanceTables = defineTables<GovernanceTables>({
  ...(proposalTables.descriptions as { [K in keyof ProposalTables]: string }),
  ...(bidTables.descriptions as { [K in keyof BidTables]: string }),
  ...(payoffTables.descriptions as { [K in keyof PayoffTables]: string }),
});
