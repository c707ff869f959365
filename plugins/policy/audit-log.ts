import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditOutcome, PolicyAuditTable, PolicyTables } from './tables.js';

/** One line of the audit trail as the API serves it. */
export interface AuditEntry {
  id: string;
  at: string;
  outcome: AuditOutcome;
  /** The agent whose tool call it was. */
  agent: string;
  /** Who decided: `rule` for the rule's own outcome, `gate` for a gate's, a lead's handle, or `fleet` (expiry). */
  decidedBy: string;
  tool: string;
  summary: string;
  inputHash: string;
  /** The rule that decided; a gate's denial names it `gate:<name>`, with no id. */
  rule: { id: string | null; name: string } | null;
  reason: string | null;
  approvalId: string | null;
  note: string | null;
}

export type AuditRecord = Omit<PolicyAuditTable, 'id' | 'at' | 'team_name'>;

/** Outcomes that are violations: a call the policy stopped. */
export const VIOLATIONS: readonly AuditOutcome[] = ['blocked', 'denied', 'expired'];

function auditEntry(row: PolicyAuditTable): AuditEntry {
  return {
    id: row.id,
    at: new Date(Number(row.at)).toISOString(),
    outcome: row.outcome,
    agent: row.agent_handle,
    decidedBy: row.actor_handle,
    tool: row.tool,
    summary: row.summary,
    inputHash: row.input_hash,
    rule: row.rule_name ? { id: row.rule_id, name: row.rule_name } : null,
    reason: row.reason,
    approvalId: row.approval_id,
    note: row.note,
  };
}

export interface AuditQuery {
  outcomes?: readonly AuditOutcome[];
  agent?: string;
  ruleId?: string;
  /** ms since the epoch, inclusive. */
  since?: number;
  limit: number;
  offset: number;
}

export interface PolicyStats {
  total: number;
  byOutcome: Record<AuditOutcome, number>;
  byRule: { rule: { id: string; name: string }; outcomes: Partial<Record<AuditOutcome, number>>; total: number }[];
}

const OUTCOMES: readonly AuditOutcome[] = ['blocked', 'asked', 'allowed', 'approved', 'denied', 'expired'];

/** The audit trail: written once per outcome, never changed. */
export class AuditLog {
  constructor(private readonly db: Kysely<PolicyTables>) {}

  async record(teamName: string, record: AuditRecord): Promise<AuditEntry> {
    const row: PolicyAuditTable = { id: randomUUID(), team_name: teamName, at: Date.now(), ...record };
    await this.db.insertInto('policy_audit').values(row).execute();
    return auditEntry(row);
  }

  /** Newest first. */
  async list(teamName: string, query: AuditQuery): Promise<AuditEntry[]> {
    let select = this.db.selectFrom('policy_audit').selectAll().where('team_name', '=', teamName);
    if (query.outcomes && query.outcomes.length > 0) select = select.where('outcome', 'in', [...query.outcomes]);
    if (query.agent) select = select.where('agent_handle', '=', query.agent);
    if (query.ruleId) select = select.where('rule_id', '=', query.ruleId);
    if (query.since !== undefined) select = select.where('at', '>=', query.since);
    const rows = await select.orderBy('at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute();
    return rows.map(auditEntry);
  }

  /** Counts by outcome and by rule, from COUNT(*) queries (never a table load). */
  async stats(teamName: string, since?: number): Promise<PolicyStats> {
    let byOutcome = this.db
      .selectFrom('policy_audit')
      .select(['outcome', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('team_name', '=', teamName);
    if (since !== undefined) byOutcome = byOutcome.where('at', '>=', since);
    let byRule = this.db
      .selectFrom('policy_audit')
      .select(['rule_id', 'rule_name', 'outcome', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('team_name', '=', teamName)
      .where('rule_id', 'is not', null);
    if (since !== undefined) byRule = byRule.where('at', '>=', since);
    const [outcomeRows, ruleRows] = await Promise.all([
      byOutcome.groupBy('outcome').execute(),
      byRule.groupBy(['rule_id', 'rule_name', 'outcome']).execute(),
    ]);
    const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<AuditOutcome, number>;
    for (const row of outcomeRows) counts[row.outcome] = Number(row.n);
    const rules = new Map<string, PolicyStats['byRule'][number]>();
    for (const row of ruleRows) {
      const id = row.rule_id as string;
      const entry = rules.get(id) ?? { rule: { id, name: row.rule_name ?? id }, outcomes: {}, total: 0 };
      entry.outcomes[row.outcome] = Number(row.n);
      entry.total += Number(row.n);
      rules.set(id, entry);
    }
    return {
      total: Object.values(counts).reduce((sum, n) => sum + n, 0),
      byOutcome: counts,
      byRule: [...rules.values()].sort((a, b) => b.total - a.total || a.rule.name.localeCompare(b.rule.name)),
    };
  }
}
