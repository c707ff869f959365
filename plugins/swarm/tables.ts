import type { Generated } from 'kysely';
import { defineTables } from '../../core/index.js';
import { type PheromoneTables, pheromoneTables } from './pheromones/index.js';

/** Times are ms since the epoch. Every row carries its team: a swarm belongs to one team. */
export interface SwarmsTable {
  id: string;
  team_name: string;
  name: string;
  description: string | null;
  max_agents: number;
  created_by: string;
  created_at: number;
}

export interface BlackboardTable {
  id: string;
  team_name: string;
  swarm_id: string;
  sender_handle: string;
  message_type: string;
  target_handle: string | null;
  priority: string;
  /** critical 0, high 1, normal 2, low 3: the read order. */
  priority_rank: number;
  /** JSON object. */
  payload: string;
  created_at: number;
  archived_at: number | null;
}

/** Who read which message: unread is per reader. */
export interface BlackboardReadsTable {
  message_id: string;
  reader_handle: string;
  read_at: number;
}

export interface BeliefsTable {
  id: Generated<number>;
  team_name: string;
  swarm_id: string;
  agent_handle: string;
  belief_type: string;
  subject: string;
  belief_value: string;
  confidence: number;
  source_handle: string | null;
  source_type: string;
  /** null: valid until replaced. */
  valid_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface MetaBeliefsTable {
  id: Generated<number>;
  team_name: string;
  swarm_id: string;
  agent_handle: string;
  about_handle: string;
  meta_type: string;
  belief_value: string;
  confidence: number;
  evidence_count: number;
  created_at: number;
  updated_at: number;
}

export interface CreditAccountsTable {
  team_name: string;
  swarm_id: string;
  agent_handle: string;
  balance: number;
  reputation: number;
  total_earned: number;
  total_spent: number;
  task_count: number;
  success_count: number;
  created_at: number;
  updated_at: number;
}

export interface CreditTransactionsTable {
  id: Generated<number>;
  team_name: string;
  swarm_id: string;
  agent_handle: string;
  transaction_type: string;
  amount: number;
  balance_after: number;
  reputation_after: number;
  reference_type: string | null;
  reference_id: string | null;
  reason: string | null;
  /** The event (or request) this row came from: unique per team, so a replayed event pays once. */
  event_key: string | null;
  created_by: string;
  created_at: number;
}

export interface SwarmCoreTables {
  swarms: SwarmsTable;
  blackboard: BlackboardTable;
  blackboard_reads: BlackboardReadsTable;
  beliefs: BeliefsTable;
  meta_beliefs: MetaBeliefsTable;
  credit_accounts: CreditAccountsTable;
  credit_transactions: CreditTransactionsTable;
}

export const swarmCoreTableDescriptions = {
  swarms: 'Swarms of every team: name, description, maxAgents',
  blackboard: 'Messages on a swarm’s blackboard: type, priority, sender, target, payload, archived',
  blackboard_reads: 'Who read which blackboard message (unread is per reader)',
  beliefs: 'Beliefs of agents per swarm and subject: type, value, confidence, source, validity',
  meta_beliefs: 'Beliefs of agents about other agents (capability, reliability, ...), with evidence counts',
  credit_accounts: 'Credit balances and reputation per swarm and agent, with task counts',
  credit_transactions: 'The credits ledger: every change, with the event or request it came from',
} as const;

/** The plugin's tables (pheromone trails' included), one Kysely database. */
export type SwarmTables = SwarmCoreTables & PheromoneTables;

export const swarmTables = defineTables<SwarmTables>({
  ...swarmCoreTableDescriptions,
  ...(pheromoneTables.descriptions as Record<keyof PheromoneTables, string>),
});
