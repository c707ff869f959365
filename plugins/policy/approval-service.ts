import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FleetEventMap, Identity, Logger } from '../../core/index.js';
import {
  checkItemRequest,
  type ItemHandler,
  ItemHandlers,
  type ItemRequest,
  NEVER,
  TOOL_CALL_KIND,
} from './approval-items.js';
import type { AuditLog, AuditRecord } from './audit-log.js';
import { policyErrors } from './errors.js';
import type { PolicyOptions } from './options.js';
import type { ApprovalStatus, AuditOutcome, PolicyApprovalsTable, PolicyTables } from './tables.js';

/** How much of a tool input an approval keeps to show a lead (the hash covers all of it). */
const MAX_STORED_INPUT = 64_000;
/** The longest one wait request is held: under the hook's own per-request deadline. */
export const MAX_WAIT_MS = 25_000;

export interface Approval {
  id: string;
  /** `tool_call` for a tool call the hook holds; another plugin's kind for an item (`budget`...). */
  kind: string;
  /** What an item is about (its JSON); null for tool calls. */
  subject: unknown;
  /** An item's key (one pending item per team, kind and key); null for tool calls. */
  key: string | null;
  status: ApprovalStatus;
  /** The agent whose tool call waits (for an item: on whose behalf it was opened). */
  agent: string;
  /** The tool (null for items). */
  tool: string | null;
  summary: string;
  /** The tool input, or its first characters when it was too large to keep whole (null for items). */
  input: unknown;
  inputHash: string | null;
  rule: { id: string; name: string } | null;
  reason: string | null;
  twoPerson: boolean;
  createdAt: string;
  /** Null for items: they wait for a lead, or for the plugin that opened them to withdraw them. */
  expiresAt: string | null;
  ageSeconds: number;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
  /** Whether the approved call has run (an approval is good for one call). */
  used: boolean;
}

/** What a waiting hook is told. `decision` is there once the ask is settled. */
export interface WaitAnswer {
  status: ApprovalStatus | 'used';
  decision?: 'allow' | 'deny';
  reason?: string;
}

export interface AskRequest {
  requester: Identity;
  tool: string;
  input: Record<string, unknown>;
  inputHash: string;
  summary: string;
  rule: { id: string; name: string; twoPerson: boolean; createdByUid: string | null } | undefined;
  reason: string | undefined;
}

type Emit = <K extends keyof FleetEventMap>(type: K, team: string, data: FleetEventMap[K]) => unknown;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function storedInput(input: Record<string, unknown>): string {
  const json = JSON.stringify(input);
  return json.length <= MAX_STORED_INPUT
    ? json
    : JSON.stringify({ truncated: true, preview: json.slice(0, MAX_STORED_INPUT) });
}

/** The audit line of an outcome on an approval: the asking agent's call, who settled it, and why. */
function auditOf(row: PolicyApprovalsTable, outcome: AuditOutcome, actor: string, note: string | null): AuditRecord {
  return {
    outcome,
    agent_uid: row.requester_uid,
    agent_handle: row.requester_handle,
    actor_handle: actor,
    tool: row.tool,
    summary: row.summary,
    input_hash: row.input_hash,
    rule_id: row.rule_id,
    rule_name: row.rule_name,
    reason: row.reason,
    approval_id: row.id,
    note,
  };
}

const isItem = (row: PolicyApprovalsTable) => row.kind !== TOOL_CALL_KIND;

export function approvalView(row: PolicyApprovalsTable, now = Date.now()): Approval {
  const item = isItem(row);
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject === null ? null : (JSON.parse(row.subject) as unknown),
    key: row.item_key,
    status: row.status,
    agent: row.requester_handle,
    tool: item ? null : row.tool,
    summary: row.summary,
    input: item ? null : (JSON.parse(row.input) as unknown),
    inputHash: item ? null : row.input_hash,
    rule: row.rule_id && row.rule_name ? { id: row.rule_id, name: row.rule_name } : null,
    reason: row.reason,
    twoPerson: Number(row.two_person) === 1,
    createdAt: iso(row.created_at)!,
    expiresAt: item ? null : iso(row.expires_at)!,
    ageSeconds: Math.max(0, Math.round((now - Number(row.created_at)) / 1000)),
    decidedAt: iso(row.decided_at),
    decidedBy: row.decided_by_handle,
    note: row.note,
    used: row.consumed_at !== null,
  };
}

/**
 * The approvals inbox. An `ask` becomes a pending approval bound to one agent and the hash of one
 * exact tool input; a lead approves or denies it; the agent's hook, waiting on it, is woken at
 * once. An approval lets one call through; an unanswered one expires (deny by default).
 * Items (openItem) are other plugins' questions to the leads: decided the same way, never expiring,
 * each decision handed to the handlers of the item's kind (onItemDecided).
 */
export class ApprovalService {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly itemHandlers: ItemHandlers;

  constructor(
    private readonly db: Kysely<PolicyTables>,
    private readonly audit: AuditLog,
    private readonly emit: Emit,
    private readonly options: () => PolicyOptions,
    private readonly log: Logger,
  ) {
    this.itemHandlers = new ItemHandlers(log);
  }

  private get timeoutMs(): number {
    return this.options().approvals.timeoutSeconds * 1000;
  }

  async get(teamName: string, id: string): Promise<PolicyApprovalsTable | undefined> {
    return this.db
      .selectFrom('policy_approvals')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async require(teamName: string, id: string): Promise<PolicyApprovalsTable> {
    const row = await this.get(teamName, id);
    if (!row) throw policyErrors.POLICY_APPROVAL_NOT_FOUND();
    return row;
  }

  /** The inbox: pending first by default, oldest first (the one waiting longest leads). */
  async list(
    teamName: string,
    query: { status?: ApprovalStatus; kind?: string; limit: number; offset: number },
  ): Promise<Approval[]> {
    let select = this.db.selectFrom('policy_approvals').selectAll().where('team_name', '=', teamName);
    if (query.status) select = select.where('status', '=', query.status);
    if (query.kind) select = select.where('kind', '=', query.kind);
    const ordered =
      query.status === 'pending' ? select.orderBy('created_at', 'asc') : select.orderBy('created_at', 'desc');
    const rows = await ordered.orderBy('id').limit(query.limit).offset(query.offset).execute();
    const now = Date.now();
    return rows.map((row) => approvalView(row, now));
  }

  async countPending(teamName: string | undefined): Promise<number> {
    let query = this.db
      .selectFrom('policy_approvals')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'pending');
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    return Number((await query.executeTakeFirst())?.n ?? 0);
  }

  /**
   * An approved, unused approval of this agent for exactly this input, used now (so a retry of an
   * approved call runs once, even when the hook that waited for it had given up).
   */
  async useApproved(requester: Identity, inputHash: string): Promise<PolicyApprovalsTable | undefined> {
    const candidates = await this.db
      .selectFrom('policy_approvals')
      .selectAll()
      .where('requester_uid', '=', requester.uid)
      .where('input_hash', '=', inputHash)
      .where('team_name', '=', requester.teamName)
      .where('kind', '=', TOOL_CALL_KIND)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'approved'),
          ...(this.options().approvals.onExpiry === 'allow' ? [eb('status', '=', 'expired')] : []),
        ]),
      )
      .where('consumed_at', 'is', null)
      .orderBy('created_at', 'asc')
      .execute();
    const freshAfter = Date.now() - this.timeoutMs;
    for (const row of candidates) {
      // An approval not used within one approval timeout of its decision is stale: ask again.
      if (Number(row.decided_at ?? row.expires_at) < freshAfter) continue;
      if (await this.markUsed(row.id)) return row;
    }
    return undefined;
  }

  /** Used at most once: the conditional update is the lock (two hooks racing get one winner). */
  private async markUsed(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('policy_approvals')
      .set({ consumed_at: Date.now() })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The agent's still-pending ask for the same input (a retried call joins it, not a second ask). */
  async pendingFor(requester: Identity, inputHash: string): Promise<PolicyApprovalsTable | undefined> {
    return this.db
      .selectFrom('policy_approvals')
      .selectAll()
      .where('requester_uid', '=', requester.uid)
      .where('input_hash', '=', inputHash)
      .where('team_name', '=', requester.teamName)
      .where('kind', '=', TOOL_CALL_KIND)
      .where('status', '=', 'pending')
      .where('expires_at', '>', Date.now())
      .executeTakeFirst();
  }

  async request(ask: AskRequest): Promise<PolicyApprovalsTable> {
    const now = Date.now();
    const row: PolicyApprovalsTable = {
      id: randomUUID(),
      team_name: ask.requester.teamName,
      requester_uid: ask.requester.uid,
      requester_handle: ask.requester.handle,
      tool: ask.tool,
      summary: ask.summary,
      input: storedInput(ask.input),
      input_hash: ask.inputHash,
      rule_id: ask.rule?.id ?? null,
      rule_name: ask.rule?.name ?? null,
      reason: ask.reason ?? null,
      two_person: ask.rule?.twoPerson ? 1 : 0,
      rule_created_by_uid: ask.rule?.createdByUid ?? null,
      status: 'pending',
      created_at: now,
      expires_at: now + this.timeoutMs,
      decided_at: null,
      decided_by_uid: null,
      decided_by_handle: null,
      note: null,
      consumed_at: null,
      kind: TOOL_CALL_KIND,
      subject: null,
      item_key: null,
    };
    await this.db.insertInto('policy_approvals').values(row).execute();
    await this.audit.record(row.team_name, auditOf(row, 'asked', 'rule', null));
    this.emit('approval_requested', row.team_name, { approval: approvalView(row, now) });
    this.armExpiry(row.id, row.expires_at - now);
    return row;
  }

  async decide(
    caller: Identity,
    id: string,
    decision: 'approve' | 'deny',
    note: string | undefined,
  ): Promise<Approval> {
    const row = await this.require(caller.teamName, id);
    if (row.status !== 'pending') throw policyErrors.POLICY_APPROVAL_NOT_PENDING({ status: row.status });
    if (decision === 'approve' && Number(row.two_person) === 1) {
      const rule = row.rule_name ?? 'this rule';
      if (caller.uid === row.requester_uid) throw policyErrors.POLICY_TWO_PERSON({ rule, who: 'the requester' });
      if (this.options().approvals.excludeRuleCreator && caller.uid === row.rule_created_by_uid)
        throw policyErrors.POLICY_TWO_PERSON({ rule, who: "the rule's creator" });
    }
    const status: ApprovalStatus = decision === 'approve' ? 'approved' : 'denied';
    const now = Date.now();
    if (Number(row.expires_at) <= now) {
      // Its time is up though the timer has not fired (late, or lost): too late to decide.
      await this.expire(row);
      throw policyErrors.POLICY_APPROVAL_NOT_PENDING({ status: 'expired' });
    }
    const result = await this.db
      .updateTable('policy_approvals')
      .set({
        status,
        decided_at: now,
        decided_by_uid: caller.uid,
        decided_by_handle: caller.handle,
        note: note ?? null,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const latest = await this.require(caller.teamName, id);
      throw policyErrors.POLICY_APPROVAL_NOT_PENDING({ status: latest.status });
    }
    const decided: PolicyApprovalsTable = {
      ...row,
      status,
      decided_at: now,
      decided_by_uid: caller.uid,
      decided_by_handle: caller.handle,
      note: note ?? null,
    };
    await this.settled(decided, status === 'approved' ? 'approved' : 'denied', caller.handle);
    return approvalView(decided, now);
  }

  /**
   * Record, tell the team, wake the waiting hook. An item is no tool call: the audit trail and the
   * violations are not its place (its row keeps who decided and when); its kind's handlers are told.
   */
  private async settled(row: PolicyApprovalsTable, outcome: 'approved' | 'denied' | 'expired', actor: string) {
    this.disarm(row.id);
    const view = approvalView(row);
    if (isItem(row)) {
      this.emit('approval_decided', row.team_name, { approval: view });
      this.wake(row.id);
      if (outcome !== 'expired')
        await this.itemHandlers.call(view, outcome, { uid: row.decided_by_uid ?? '', handle: actor });
      return;
    }
    const entry = await this.audit.record(row.team_name, auditOf(row, outcome, actor, row.note));
    this.emit('approval_decided', row.team_name, { approval: view });
    if (outcome !== 'approved') this.emit('policy_violation', row.team_name, { violation: entry });
    this.wake(row.id);
  }

  /**
   * Open an item for the team's leads to decide (see ItemRequest). While one of the same team, kind
   * and key is pending, that one is returned and nothing is written (the unique index settles a race).
   */
  async openItem(request: ItemRequest): Promise<Approval> {
    const { subject } = checkItemRequest(request);
    if (request.key !== undefined) {
      const open = await this.pendingItem(request.teamName, request.kind, request.key);
      if (open) return approvalView(open);
    }
    const now = Date.now();
    const row: PolicyApprovalsTable = {
      id: randomUUID(),
      team_name: request.teamName,
      requester_uid: request.requester.uid,
      requester_handle: request.requester.handle,
      tool: '',
      summary: request.summary,
      input: 'null',
      input_hash: '',
      rule_id: null,
      rule_name: null,
      reason: request.reason ?? null,
      two_person: 0,
      rule_created_by_uid: null,
      status: 'pending',
      created_at: now,
      expires_at: NEVER,
      decided_at: null,
      decided_by_uid: null,
      decided_by_handle: null,
      note: null,
      consumed_at: null,
      kind: request.kind,
      subject,
      item_key: request.key ?? null,
    };
    try {
      await this.db.insertInto('policy_approvals').values(row).execute();
    } catch (error) {
      // Another call opened it between our look and our insert: theirs is the one.
      const open = request.key === undefined ? undefined : await this.pendingItem(row.team_name, row.kind, request.key);
      if (open) return approvalView(open);
      throw error;
    }
    const view = approvalView(row, now);
    this.emit('approval_requested', row.team_name, { approval: view });
    return view;
  }

  /**
   * Close a pending item nobody needs to decide any more (status `withdrawn`, by `fleet`, with the
   * note); returns it, or undefined when none of this team, kind and key was pending. A waiter is
   * woken; the kind's handlers are not called (nobody decided).
   */
  async closeItem(teamName: string, kind: string, key: string, note?: string | null): Promise<Approval | undefined> {
    const row = await this.pendingItem(teamName, kind, key);
    if (!row) return undefined;
    const now = Date.now();
    const result = await this.db
      .updateTable('policy_approvals')
      .set({ status: 'withdrawn', decided_at: now, decided_by_handle: 'fleet', note: note ?? null })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    const closed: PolicyApprovalsTable = {
      ...row,
      status: 'withdrawn',
      decided_at: now,
      decided_by_handle: 'fleet',
      note: note ?? null,
    };
    const view = approvalView(closed, now);
    this.emit('approval_decided', row.team_name, { approval: view });
    this.wake(row.id);
    return view;
  }

  /** Hear the decisions on items of a kind: `handler(item, 'approved'|'denied', by)`. Returns its remover. */
  onItemDecided(kind: string, handler: ItemHandler): () => void {
    return this.itemHandlers.add(kind, handler);
  }

  private pendingItem(teamName: string, kind: string, key: string): Promise<PolicyApprovalsTable | undefined> {
    return this.db
      .selectFrom('policy_approvals')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('kind', '=', kind)
      .where('item_key', '=', key)
      .where('status', '=', 'pending')
      .executeTakeFirst();
  }

  /**
   * Hold a waiting hook until the ask is settled or `maxMs` passes, then answer from the
   * database (so a decision made while nobody waited, or on another node, is never missed).
   */
  async wait(caller: Identity, id: string, maxMs = MAX_WAIT_MS): Promise<WaitAnswer> {
    let row = await this.require(caller.teamName, id);
    if (row.requester_uid !== caller.uid) throw policyErrors.POLICY_NOT_REQUESTER();
    if (row.status === 'pending') {
      const remaining = Math.min(maxMs, Math.max(0, Number(row.expires_at) - Date.now()) + 50);
      await this.sleepUntilWoken(id, remaining);
      row = await this.require(caller.teamName, id);
      if (row.status === 'pending' && Number(row.expires_at) <= Date.now()) row = (await this.expire(row)) ?? row;
    }
    return this.answer(row);
  }

  private async answer(row: PolicyApprovalsTable): Promise<WaitAnswer> {
    const lead = row.decided_by_handle ?? 'a lead';
    const note = row.note ? `: ${row.note}` : '';
    // An item lets no tool call through: its approval is told, not used up.
    if (isItem(row) && row.status === 'approved')
      return { status: 'approved', decision: 'allow', reason: `Approved by ${lead}${note}` };
    switch (row.status) {
      case 'pending':
        return { status: 'pending' };
      case 'denied':
        return { status: 'denied', decision: 'deny', reason: `Denied by ${lead}${note}` };
      case 'expired':
        if (this.options().approvals.onExpiry === 'allow') return this.use(row, 'Allowed: nobody answered in time');
        return { status: 'expired', decision: 'deny', reason: 'Nobody approved this call in time, so it is denied' };
      case 'approved':
        return this.use(row, `Approved by ${lead}${note}`);
      case 'withdrawn':
        return { status: 'withdrawn', decision: 'deny', reason: `Withdrawn${note}` };
    }
  }

  private async use(row: PolicyApprovalsTable, reason: string): Promise<WaitAnswer> {
    if (!(await this.markUsed(row.id)))
      return { status: 'used', decision: 'deny', reason: 'This approval was already used: each one lets one call run' };
    await this.recordRun(row);
    return { status: row.status, decision: 'allow', reason };
  }

  /** The trail shows when an approved call was let through, and on which approval. */
  async recordRun(row: PolicyApprovalsTable): Promise<void> {
    await this.audit.record(
      row.team_name,
      auditOf(row, 'allowed', row.decided_by_handle ?? 'fleet', 'ran on this approval'),
    );
  }

  /** Expire a pending ask whose time is up; returns it settled, or undefined if someone decided first. */
  private async expire(row: PolicyApprovalsTable): Promise<PolicyApprovalsTable | undefined> {
    const now = Date.now();
    const result = await this.db
      .updateTable('policy_approvals')
      .set({ status: 'expired', decided_at: now, decided_by_handle: 'fleet' })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    const expired: PolicyApprovalsTable = { ...row, status: 'expired', decided_at: now, decided_by_handle: 'fleet' };
    const allowed = this.options().approvals.onExpiry === 'allow';
    await this.settled(expired, allowed ? 'approved' : 'expired', 'fleet');
    return expired;
  }

  private sleepUntilWoken(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private wake(id: string): void {
    for (const done of [...(this.waiters.get(id) ?? [])]) done();
  }

  private armExpiry(id: string, inMs: number): void {
    this.disarm(id);
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        void this.expireById(id);
      },
      Math.max(0, inMs),
    );
    timer.unref();
    this.timers.set(id, timer);
  }

  private disarm(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private async expireById(id: string): Promise<void> {
    try {
      const row = await this.db.selectFrom('policy_approvals').selectAll().where('id', '=', id).executeTakeFirst();
      if (row && row.status === 'pending') await this.expire(row);
    } catch (error) {
      this.log.warn('approval expiry failed', { id, error: (error as Error).message });
    }
  }

  /** At start: expire what ran out while the fleet was down, arm timers for the rest. */
  async start(): Promise<void> {
    // Items never expire: no timer for them.
    const pending = await this.db
      .selectFrom('policy_approvals')
      .selectAll()
      .where('status', '=', 'pending')
      .where('kind', '=', TOOL_CALL_KIND)
      .execute();
    const now = Date.now();
    for (const row of pending) {
      if (Number(row.expires_at) <= now) await this.expire(row);
      else this.armExpiry(row.id, Number(row.expires_at) - now);
    }
  }

  /** Stop timers and release waiting hooks (they re-ask, or fail closed). */
  stop(): void {
    for (const id of [...this.timers.keys()]) this.disarm(id);
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }
}
