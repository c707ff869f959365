import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Identity } from '../../core/index.js';
import type { PolicyRule, RuleDecision } from './engine/types.js';
import { policyErrors } from './errors.js';
import type { PolicyRulesTable, PolicyTables } from './tables.js';

/** A rule as the API serves it. */
export interface PolicyView extends PolicyRule {
  teamName: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** The fields a create sets and a PATCH may change. */
export interface RuleFields {
  name: string;
  decision: RuleDecision;
  tool: string;
  pattern: string;
  reason: string;
  priority: number;
  enabled: boolean;
  twoPerson: boolean;
}

export const DEFAULT_PRIORITY = 100;

export function policyView(row: PolicyRulesTable): PolicyView {
  return {
    id: row.id,
    teamName: row.team_name,
    name: row.name,
    decision: row.decision,
    tool: row.tool,
    pattern: row.pattern,
    reason: row.reason,
    priority: Number(row.priority),
    enabled: Number(row.enabled) === 1,
    twoPerson: Number(row.two_person) === 1,
    createdBy: row.created_by_handle,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

/** Whether an insert or update failed on the (team, name) unique constraint, on either engine. */
function isNameClash(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(message ?? '');
}

/**
 * A team's rules. Every change bumps the team's version, so the compiled policy that checks
 * tool calls is rebuilt on the next check instead of on every one.
 */
export class RuleStore {
  private readonly versions = new Map<string, number>();

  constructor(private readonly db: Kysely<PolicyTables>) {}

  /** Changes with every write to the team's rules (in this node; see the plugin README for several). */
  version(teamName: string): number {
    return this.versions.get(teamName) ?? 0;
  }

  private changed(teamName: string): void {
    this.versions.set(teamName, this.version(teamName) + 1);
  }

  async create(caller: Identity, fields: RuleFields): Promise<PolicyView> {
    const now = Date.now();
    const row: PolicyRulesTable = {
      id: randomUUID(),
      team_name: caller.teamName,
      name: fields.name,
      decision: fields.decision,
      tool: fields.tool,
      pattern: fields.pattern,
      reason: fields.reason,
      priority: fields.priority,
      enabled: fields.enabled ? 1 : 0,
      two_person: fields.twoPerson ? 1 : 0,
      created_by_uid: caller.uid,
      created_by_handle: caller.handle,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('policy_rules').values(row).execute();
    } catch (error) {
      if (isNameClash(error)) throw policyErrors.POLICY_NAME_TAKEN({ name: fields.name });
      throw error;
    }
    this.changed(caller.teamName);
    return policyView(row);
  }

  async get(teamName: string, id: string): Promise<PolicyRulesTable | undefined> {
    return this.db
      .selectFrom('policy_rules')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async require(teamName: string, id: string): Promise<PolicyRulesTable> {
    const row = await this.get(teamName, id);
    if (!row) throw policyErrors.POLICY_NOT_FOUND();
    return row;
  }

  /** Highest priority first, then by name: the order rules are reported in. */
  async list(teamName: string, filter: { enabled?: boolean; decision?: RuleDecision } = {}): Promise<PolicyView[]> {
    let query = this.db.selectFrom('policy_rules').selectAll().where('team_name', '=', teamName);
    if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled ? 1 : 0);
    if (filter.decision) query = query.where('decision', '=', filter.decision);
    const rows = await query.orderBy('priority', 'desc').orderBy('name').orderBy('id').execute();
    return rows.map(policyView);
  }

  /** Who created each of the team's rules (two-person rules may exclude them from approving). */
  async creatorsOf(teamName: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('policy_rules')
      .select(['id', 'created_by_uid'])
      .where('team_name', '=', teamName)
      .execute();
    return new Map(rows.map((row) => [row.id, row.created_by_uid]));
  }

  async update(teamName: string, id: string, fields: Partial<RuleFields>): Promise<PolicyView> {
    const current = await this.require(teamName, id);
    const changes: Partial<PolicyRulesTable> = { updated_at: Math.max(Date.now(), Number(current.updated_at) + 1) };
    if (fields.name !== undefined) changes.name = fields.name;
    if (fields.decision !== undefined) changes.decision = fields.decision;
    if (fields.tool !== undefined) changes.tool = fields.tool;
    if (fields.pattern !== undefined) changes.pattern = fields.pattern;
    if (fields.reason !== undefined) changes.reason = fields.reason;
    if (fields.priority !== undefined) changes.priority = fields.priority;
    if (fields.enabled !== undefined) changes.enabled = fields.enabled ? 1 : 0;
    if (fields.twoPerson !== undefined) changes.two_person = fields.twoPerson ? 1 : 0;
    try {
      await this.db.updateTable('policy_rules').set(changes).where('id', '=', id).execute();
    } catch (error) {
      if (isNameClash(error)) throw policyErrors.POLICY_NAME_TAKEN({ name: fields.name ?? current.name });
      throw error;
    }
    this.changed(teamName);
    return policyView({ ...current, ...changes });
  }

  async delete(teamName: string, id: string): Promise<PolicyView> {
    const current = await this.require(teamName, id);
    await this.db.deleteFrom('policy_rules').where('id', '=', id).execute();
    this.changed(teamName);
    return policyView(current);
  }

  async count(teamName: string | undefined): Promise<number> {
    let query = this.db.selectFrom('policy_rules').select((eb) => eb.fn.countAll<number | string>().as('n'));
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const row = await query.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Whether the team switched the built-in rule set on. */
  async builtinEnabled(teamName: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('policy_settings')
      .select('builtin_enabled')
      .where('team_name', '=', teamName)
      .executeTakeFirst();
    return Number(row?.builtin_enabled ?? 0) === 1;
  }

  async setBuiltin(caller: Identity, enabled: boolean): Promise<void> {
    const values = {
      team_name: caller.teamName,
      builtin_enabled: enabled ? 1 : 0,
      updated_by_uid: caller.uid,
      updated_at: Date.now(),
    };
    await this.db
      .insertInto('policy_settings')
      .values(values)
      .onConflict((oc) =>
        oc.column('team_name').doUpdateSet({
          builtin_enabled: values.builtin_enabled,
          updated_by_uid: values.updated_by_uid,
          updated_at: values.updated_at,
        }),
      )
      .execute();
    this.changed(caller.teamName);
  }
}
