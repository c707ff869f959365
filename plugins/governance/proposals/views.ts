import type { ProposalVotesTable, ProposalsTable } from '../tables.js';
import type { ProposalAction } from './actions.js';
import type { ConsensusResult, QuorumType, VotingMethod } from './tally.js';

export type { ConsensusResult } from './tally.js';

export const PROPOSAL_TYPES = ['decision', 'election', 'approval', 'ranking', 'allocation'] as const;
export const PROPOSAL_STATUSES = ['open', 'passed', 'failed', 'cancelled'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** A stored result: the tally and who closed it (a lead's handle, `deadline` or `threshold`), and when (ISO). */
export type StoredResult = ConsensusResult & { closedBy: string; closedAt: string };

/** What an action did when its proposal passed. */
export interface ActionOutcome {
  ok: boolean;
  /** ISO time. */
  at: string;
  /** The task's new owner, the priority set, the execution started. */
  detail?: Record<string, unknown>;
  code?: string;
  error?: string;
}

/** The seed's proposal, with the fields it lacked (threshold, action, how it closed). Times are ISO 8601. */
export interface ProposalView {
  id: string;
  swarmId: string;
  proposerHandle: string;
  proposalType: string;
  title: string;
  description: string | null;
  options: string[];
  votingMethod: VotingMethod;
  quorumType: QuorumType;
  quorumValue: number;
  threshold: number | null;
  weightByReputation: boolean;
  status: ProposalStatus;
  deadline: string | null;
  result: StoredResult | null;
  action: ProposalAction | null;
  actionOutcome: ActionOutcome | null;
  createdAt: string;
  closedAt: string | null;
  closedBy: string | null;
}

export interface VoteView {
  id: string;
  proposalId: string;
  voterHandle: string;
  voteValue: string;
  voteWeight: number;
  rationale: string | null;
  createdAt: string;
  updatedAt: string;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

export function proposalView(row: ProposalsTable): ProposalView {
  return {
    id: row.id,
    swarmId: row.swarm_id,
    proposerHandle: row.proposer_handle,
    proposalType: row.proposal_type,
    title: row.title,
    description: row.description,
    options: JSON.parse(row.options) as string[],
    votingMethod: row.voting_method as VotingMethod,
    quorumType: row.quorum_type as QuorumType,
    quorumValue: Number(row.quorum_value),
    threshold: row.threshold === null ? null : Number(row.threshold),
    weightByReputation: Number(row.weight_by_reputation) === 1,
    status: row.status as ProposalStatus,
    deadline: iso(row.deadline),
    result: json<StoredResult>(row.result),
    action: json<ProposalAction>(row.action),
    actionOutcome: json<ActionOutcome>(row.action_outcome),
    createdAt: iso(row.created_at)!,
    closedAt: iso(row.closed_at),
    closedBy: row.closed_by,
  };
}

export function voteView(row: ProposalVotesTable): VoteView {
  return {
    id: row.id,
    proposalId: row.proposal_id,
    voterHandle: row.voter_handle,
    voteValue: row.vote_value,
    voteWeight: Number(row.vote_weight),
    rationale: row.rationale,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
