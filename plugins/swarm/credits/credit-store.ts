import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { isSqlite } from '../../../core/index.js';
import { swarmCoreErrors as errors } from '../errors.js';
import type { CreditAccountsTable, CreditTransactionsTable, SwarmCoreTables } from '../tables.js';

export const TRANSACTION_TYPES = ['earn', 'spend', 'bonus', 'penalty', 'transfer', 'adjustment'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export interface CreditAccount {
  swarmId: string;
  agentHandle: string;
  balance: number;
  reputationScore: number;
  totalEarned: number;
  totalSpent: number;
  taskCount: number;
  successCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CreditTransaction {
  id: number;
  swarmId: string;
  agentHandle: string;
  transactionType: string;
  amount: number;
  balanceAfter: number;
  reputationAfter: number;
  referenceType: string | null;
  referenceId: string | null;
  reason: string | null;
  /** The event (or request) it came from: one row per event. */
  eventKey: string | null;
  createdBy: string;
  createdAt: string;
}

/** One change to an account: credits (signed by its type), and optionally a reputation step. */
export interface CreditChange {
  type: Exclude<TransactionType, 'transfer'>;
  /** earn, bonus, spend, penalty: > 0 (spend and penalty take it away); adjustment: signed, not 0. */
  amount: number;
  reference?: { type: string; id: string };
  reason?: string;
  /** Who made it: a lead's handle, or `fleet` for a verified outcome. */
  by?: string;
  /** Unique per team: a change with a key already in the ledger is not applied again. */
  eventKey?: string;
  /** A reputation step: r ← r(1−w) + outcome·w (outcome 1 on success, 0 on failure), counted as a task. */
  reputation?: { success: boolean; weight: number; countTask?: boolean };
  /**
   * A penalty or spend larger than the balance: refused (409) by default; `partial` takes what is
   * there and says so in the row's reason (outcomes do: a violation is recorded even at 0).
   */
  shortfall?: 'refuse' | 'partial';
}

export interface Applied {
  /** False when the event key was already in the ledger (nothing changed). */
  applied: boolean;
  transaction: CreditTransaction;
  account: CreditAccount;
}

type Db = Kysely<SwarmCoreTables>;
type Trx = Transaction<SwarmCoreTables>;
const iso = (ms: number) => new Date(Number(ms)).toISOString();
/** Cents are what the ledger keeps exact: amounts are rounded to them. */
const money = (value: number) => Math.round(value * 100) / 100;

export function accountView(row: CreditAccountsTable): CreditAccount {
  return {
    swarmId: row.swarm_id,
    agentHandle: row.agent_handle,
    balance: money(Number(row.balance)),
    reputationScore: Number(row.reputation),
    totalEarned: money(Number(row.total_earned)),
    totalSpent: money(Number(row.total_spent)),
    taskCount: Number(row.task_count),
    successCount: Number(row.success_count),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function transactionView(row: Selectable<CreditTransactionsTable>): CreditTransaction {
  return {
    id: Number(row.id),
    swarmId: row.swarm_id,
    agentHandle: row.agent_handle,
    transactionType: row.transaction_type,
    amount: money(Number(row.amount)),
    balanceAfter: money(Number(row.balance_after)),
    reputationAfter: Number(row.reputation_after),
    referenceType: row.reference_type,
    referenceId: row.reference_id,
    reason: row.reason,
    eventKey: row.event_key,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

/**
 * The credits ledger. Every change is one transaction: the account row is updated with a
 * conditional UPDATE (balance never below zero, checked by the database, not by a read before)
 * and its ledger row inserted; a transfer locks both accounts in handle order (PostgreSQL) so two
 * opposite transfers cannot deadlock.
 */
export class CreditStore {
  constructor(
    private readonly db: Db,
    private readonly initialBalance: () => number,
  ) {}

  async account(teamName: string, swarmId: string, handle: string): Promise<CreditAccount | undefined> {
    const row = await this.#row(this.db, teamName, swarmId, handle);
    return row ? accountView(row) : undefined;
  }

  #row(db: Db | Trx, teamName: string, swarmId: string, handle: string) {
    return db
      .selectFrom('credit_accounts')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('agent_handle', '=', handle)
      .executeTakeFirst();
  }

  /** Open the account with the starting balance if it has none (a write opens it, never a read). */
  async #open(trx: Trx, teamName: string, swarmId: string, handle: string, now: number): Promise<void> {
    await trx
      .insertInto('credit_accounts')
      .values({
        team_name: teamName,
        swarm_id: swarmId,
        agent_handle: handle,
        balance: this.initialBalance(),
        reputation: 0.5,
        total_earned: 0,
        total_spent: 0,
        task_count: 0,
        success_count: 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['team_name', 'swarm_id', 'agent_handle']).doNothing())
      .execute();
  }

  async #lock(trx: Trx, teamName: string, swarmId: string, handles: string[]): Promise<void> {
    if (isSqlite(this.db)) return; // one connection: transactions already run one at a time
    await trx
      .selectFrom('credit_accounts')
      .select('agent_handle')
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('agent_handle', 'in', handles)
      .orderBy('agent_handle')
      .forUpdate()
      .execute();
  }

  async #existing(db: Db | Trx, teamName: string, eventKey: string) {
    return db
      .selectFrom('credit_transactions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('event_key', '=', eventKey)
      .executeTakeFirst();
  }

  /** Apply one change (see CreditChange); idempotent per eventKey. */
  async apply(teamName: string, swarmId: string, handle: string, change: CreditChange): Promise<Applied> {
    try {
      return await this.db.transaction().execute((trx) => this.#apply(trx, teamName, swarmId, handle, change));
    } catch (error) {
      // Two deliveries of one event at once: the second one's insert hit the unique key.
      if (change.eventKey && isUniqueViolation(error)) {
        const row = await this.#existing(this.db, teamName, change.eventKey);
        const account = await this.#row(this.db, teamName, swarmId, handle);
        if (row && account) return { applied: false, transaction: transactionView(row), account: accountView(account) };
      }
      throw error;
    }
  }

  async #apply(trx: Trx, teamName: string, swarmId: string, handle: string, change: CreditChange): Promise<Applied> {
    const now = Date.now();
    if (change.eventKey) {
      const existing = await this.#existing(trx, teamName, change.eventKey);
      if (existing) {
        const account = await this.#row(trx, teamName, swarmId, handle);
        if (account) return { applied: false, transaction: transactionView(existing), account: accountView(account) };
      }
    }
    await this.#open(trx, teamName, swarmId, handle, now);
    await this.#lock(trx, teamName, swarmId, [handle]);
    const amount = money(change.amount);
    const takes = change.type === 'spend' || change.type === 'penalty';
    let delta = takes ? -amount : amount;
    let reason = change.reason ?? null;
    const before = (await this.#row(trx, teamName, swarmId, handle))!;
    if (Number(before.balance) + delta < 0) {
      if (change.shortfall !== 'partial')
        throw errors.SWARM_INSUFFICIENT_BALANCE({}, { balance: money(Number(before.balance)), requested: amount });
      delta = -money(Number(before.balance));
      reason = `${reason ?? change.type}: ${amount} requested, ${-delta} taken (the balance)`;
    }
    const w = change.reputation?.weight ?? 0;
    const outcome = change.reputation?.success ? 1 : 0;
    const counted = change.reputation && change.reputation.countTask !== false;
    const updated = await trx
      .updateTable('credit_accounts')
      .set((eb) => ({
        balance: eb('balance', '+', delta),
        total_earned:
          delta > 0 && change.type !== 'adjustment' ? eb('total_earned', '+', delta) : eb.ref('total_earned'),
        total_spent: delta < 0 && change.type !== 'adjustment' ? eb('total_spent', '+', -delta) : eb.ref('total_spent'),
        reputation: change.reputation ? sql<number>`reputation * ${1 - w} + ${outcome * w}` : eb.ref('reputation'),
        task_count: counted ? eb('task_count', '+', 1) : eb.ref('task_count'),
        success_count: counted && outcome === 1 ? eb('success_count', '+', 1) : eb.ref('success_count'),
        updated_at: now,
      }))
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('agent_handle', '=', handle)
      // The condition is the guarantee: a concurrent change cannot take it under zero.
      .where(sql<boolean>`balance + ${delta} >= 0`)
      .returningAll()
      .executeTakeFirst();
    if (!updated)
      throw errors.SWARM_INSUFFICIENT_BALANCE({}, { balance: money(Number(before.balance)), requested: amount });
    const row = await trx
      .insertInto('credit_transactions')
      .values({
        team_name: teamName,
        swarm_id: swarmId,
        agent_handle: handle,
        transaction_type: change.type,
        amount: delta,
        balance_after: Number(updated.balance),
        reputation_after: Number(updated.reputation),
        reference_type: change.reference?.type ?? null,
        reference_id: change.reference?.id ?? null,
        reason,
        event_key: change.eventKey ?? null,
        created_by: change.by ?? 'fleet',
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { applied: true, transaction: transactionView(row), account: accountView(updated) };
  }

  /**
   * Move `amount` from one account to another in one transaction: the sender's balance is taken
   * with a conditional update (409 with balance and requested when short), two ledger rows written.
   */
  async transfer(
    teamName: string,
    swarmId: string,
    from: string,
    to: string,
    amount: number,
    reason: string | undefined,
  ): Promise<{ from: CreditAccount; to: CreditAccount; transactions: CreditTransaction[] }> {
    const value = money(amount);
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await this.#open(trx, teamName, swarmId, from, now);
      await this.#open(trx, teamName, swarmId, to, now);
      await this.#lock(trx, teamName, swarmId, [from, to]);
      const taken = await trx
        .updateTable('credit_accounts')
        .set((eb) => ({
          balance: eb('balance', '-', value),
          total_spent: eb('total_spent', '+', value),
          updated_at: now,
        }))
        .where('team_name', '=', teamName)
        .where('swarm_id', '=', swarmId)
        .where('agent_handle', '=', from)
        .where('balance', '>=', value)
        .returningAll()
        .executeTakeFirst();
      if (!taken) {
        const row = await this.#row(trx, teamName, swarmId, from);
        throw errors.SWARM_INSUFFICIENT_BALANCE({}, { balance: money(Number(row?.balance ?? 0)), requested: value });
      }
      const given = await trx
        .updateTable('credit_accounts')
        .set((eb) => ({
          balance: eb('balance', '+', value),
          total_earned: eb('total_earned', '+', value),
          updated_at: now,
        }))
        .where('team_name', '=', teamName)
        .where('swarm_id', '=', swarmId)
        .where('agent_handle', '=', to)
        .returningAll()
        .executeTakeFirstOrThrow();
      const rows = await trx
        .insertInto('credit_transactions')
        .values([
          {
            team_name: teamName,
            swarm_id: swarmId,
            agent_handle: from,
            transaction_type: 'transfer',
            amount: -value,
            balance_after: Number(taken.balance),
            reputation_after: Number(taken.reputation),
            reference_type: 'transfer',
            reference_id: to,
            reason: reason ?? `Transfer to ${to}`,
            event_key: null,
            created_by: from,
            created_at: now,
          },
          {
            team_name: teamName,
            swarm_id: swarmId,
            agent_handle: to,
            transaction_type: 'transfer',
            amount: value,
            balance_after: Number(given.balance),
            reputation_after: Number(given.reputation),
            reference_type: 'transfer',
            reference_id: from,
            reason: reason ?? `Transfer from ${from}`,
            event_key: null,
            created_by: from,
            created_at: now,
          },
        ])
        .returningAll()
        .execute();
      return { from: accountView(taken), to: accountView(given), transactions: rows.map(transactionView) };
    });
  }

  async history(
    teamName: string,
    swarmId: string,
    handle: string,
    query: { transactionType?: string; sinceMs?: number; limit: number },
  ): Promise<CreditTransaction[]> {
    let q = this.db
      .selectFrom('credit_transactions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('agent_handle', '=', handle);
    if (query.transactionType) q = q.where('transaction_type', '=', query.transactionType);
    if (query.sinceMs !== undefined) q = q.where('created_at', '>=', query.sinceMs);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(transactionView);
  }

  /** An agent's ledger rows that name a reference (what an outcome about a task paid before), oldest first. */
  async byReference(teamName: string, handle: string, type: string, id: string): Promise<CreditTransaction[]> {
    const rows = await this.db
      .selectFrom('credit_transactions')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('agent_handle', '=', handle)
      .where('reference_type', '=', type)
      .where('reference_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map(transactionView);
  }

  /** The top accounts of a swarm by balance, reputation, total earned or task count; ties by handle. */
  async top(
    teamName: string,
    swarmId: string,
    orderBy: 'balance' | 'reputation' | 'earned' | 'tasks',
    limit: number,
  ): Promise<CreditAccount[]> {
    const column = (
      { balance: 'balance', reputation: 'reputation', earned: 'total_earned', tasks: 'task_count' } as const
    )[orderBy];
    const rows = await this.db
      .selectFrom('credit_accounts')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .orderBy(column, 'desc')
      .orderBy('agent_handle')
      .limit(limit)
      .execute();
    return rows.map(accountView);
  }

  /** Counts and sums over a swarm's accounts, in one aggregate query. */
  async totals(teamName: string, swarmId: string) {
    const row = await this.db
      .selectFrom('credit_accounts')
      .select((eb) => [
        eb.fn.countAll<number>().as('agents'),
        eb.fn.coalesce(eb.fn.sum<number>('balance'), eb.lit(0)).as('balance'),
        eb.fn.coalesce(eb.fn.sum<number>('total_earned'), eb.lit(0)).as('earned'),
        eb.fn.coalesce(eb.fn.sum<number>('total_spent'), eb.lit(0)).as('spent'),
        eb.fn.coalesce(eb.fn.avg<number>('reputation'), eb.lit(0)).as('reputation'),
        eb.fn.coalesce(eb.fn.sum<number>('task_count'), eb.lit(0)).as('tasks'),
        eb.fn.coalesce(eb.fn.sum<number>('success_count'), eb.lit(0)).as('successes'),
      ])
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .executeTakeFirstOrThrow();
    return {
      totalAgents: Number(row.agents),
      totalBalance: money(Number(row.balance)),
      totalEarned: money(Number(row.earned)),
      totalSpent: money(Number(row.spent)),
      avgReputation: Number(row.reputation),
      totalTasks: Number(row.tasks),
      totalSuccesses: Number(row.successes),
    };
  }

  /** Whether an agent has a ledger row of this reference type since a time (a budget that paused it). */
  async hasReferenceSince(teamName: string, handle: string, type: string, sinceMs: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('credit_transactions')
      .select('id')
      .where('team_name', '=', teamName)
      .where('agent_handle', '=', handle)
      .where('reference_type', '=', type)
      .where('created_at', '>=', sinceMs)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
