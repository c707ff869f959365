import { defineTables } from '../../core/index.js';
import type { RuleDecision } from './engine/types.js';

/** Times are ms since the epoch. */
export interface PolicyRulesTable {
  id: string;
  team_name: string;
  name: string;
  decision: RuleDecision;
  tool: string;
  pattern: string;
  reason: string;
  priority: number;
  enabled: number;
  two_person: number;
  created_by_uid: string;
  created_by_handle: string;
  created_at: number;
  updated_at: number;
}

/** A team's switches: the built-in rule set. */
export interface PolicySettingsTable {
  team_name: string;
  builtin_enabled: number;
  updated_by_uid: string;
  updated_at: number;
}

/** `withdrawn`: an item closed by the plugin that opened it (nobody needs to decide it any more). */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'withdrawn';

/**
 * An `ask`: one tool call of one agent, bound to the hash of its exact input, used once (kind
 * `tool_call`). Or an item another plugin opened for a lead to decide (a budget breach, a usage
 * limit): its own kind, a subject, a key; no tool, input or expiry of its own.
 */
export interface PolicyApprovalsTable {
  id: string;
  team_name: string;
  requester_uid: string;
  requester_handle: string;
  tool: string;
  summary: string;
  /** JSON of the tool input (as much of it as fits; the hash covers all of it). */
  input: string;
  input_hash: string;
  rule_id: string | null;
  rule_name: string | null;
  reason: string | null;
  two_person: number;
  rule_created_by_uid: string | null;
  status: ApprovalStatus;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by_uid: string | null;
  decided_by_handle: string | null;
  note: string | null;
  /** When an approved call was let through (an approval is good for one call). */
  consumed_at: number | null;
  /** `tool_call` for the hook's asks; another plugin's kind for items (`budget`, `quota`...). */
  kind: string;
  /** JSON of what an item is about (null for tool calls). */
  subject: string | null;
  /** An item's key: one pending item per team, kind and key (null for tool calls). */
  item_key: string | null;
}

/** What the audit trail records: rule outcomes on tool calls and what people decided on asks. */
export type AuditOutcome = 'blocked' | 'asked' | 'allowed' | 'approved' | 'denied' | 'expired';

export interface PolicyAuditTable {
  id: string;
  team_name: string;
  at: number;
  outcome: AuditOutcome;
  /** The agent whose tool call it was. */
  agent_uid: string;
  agent_handle: string;
  /** Who decided: `rule` (or `gate`) for blocked/asked/allowed, a lead for approved/denied, `fleet` for expired. */
  actor_handle: string;
  tool: string;
  summary: string;
  input_hash: string;
  rule_id: string | null;
  rule_name: string | null;
  reason: string | null;
  approval_id: string | null;
  note: string | null;
}

export interface PolicyTables {
  policy_rules: PolicyRulesTable;
  policy_settings: PolicySettingsTable;
  policy_approvals: PolicyApprovalsTable;
  policy_audit: PolicyAuditTable;
}

export const policyTables = defineTables<PolicyTables>({
  policy_rules: "A team's rules: block, ask or allow tool calls that match",
  policy_settings: "A team's policy switches (the built-in rule set)",
  policy_approvals:
    'Asks waiting for, or decided by, a lead: each bound to one exact tool input, used once; ' +
    "and other plugins' items (kind, subject, key) for a lead to decide",
  policy_audit: 'Every rule outcome on a tool call and every decision on an ask',
});
