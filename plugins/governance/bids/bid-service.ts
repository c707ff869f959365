import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  type AnyTransaction,
  type Identity,
  isApiError,
  type Logger,
  type PluginContext,
} from '../../../core/index.js';
import type { AuthApi } from '../../auth/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { TasksApi, TeamTask } from '../../tasks/index.js';
import { bidErrors as errors } from './errors.js';
import {
  type AuctionType,
  type Evaluation,
  evaluateBids,
  runAuction,
  type ScoredBid,
  type Weights,
} from './scoring.js';
import type { BidStatus, BidsTable, BidTables } from './tables.js';

/** The seed's bid, camelCase, with what it was charged when it won. */
export interface BidView {
  id: string;
  taskId: string;
  swarmId: string;
  bidderHandle: string;
  bidAmount: number;
  estimatedDuration: number | null;
  confidence: number;
  rationale: string | null;
  status: BidStatus;
  createdAt: string;
  processedAt: string | null;
  price: number | null;
  awardedBy: string | null;
}

export interface BidInput {
  taskId: string;
  swarmId: string;
  bidAmount: number;
  estimatedDuration?: number;
  confidence: number;
  rationale?: string;
}

export interface BidQuery {
  status?: BidStatus;
  bidderHandle?: string;
  minBid?: number;
  maxBid?: number;
  limit: number;
}

/** A credit settlement: the ledger row of the winner's spend. */
export type Settlement = Awaited<ReturnType<SwarmApi['credits']['apply']>> | null;

export interface BidServiceDeps {
  db: Kysely<BidTables>;
  /** ctx.join: the bids' writes of an award commit in the tasks plugin's assignment transaction. */
  join: (trx: AnyTransaction) => Transaction<BidTables>;
  clock: { now(): number };
  emit: PluginContext['events']['emit'];
  log: Logger;
  swarm(): SwarmApi;
  tasks(): TasksApi | undefined;
  auth(): AuthApi;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(row: Selectable<BidsTable>): BidView {
  return {
    id: row.id,
    taskId: row.task_id,
    swarmId: row.swarm_id,
    bidderHandle: row.bidder_handle,
    bidAmount: Number(row.bid_amount),
    estimatedDuration: row.estimated_duration === null ? null : Number(row.estimated_duration),
    confidence: Number(row.confidence),
    rationale: row.rationale,
    status: row.status,
    createdAt: iso(row.created_at)!,
    processedAt: iso(row.processed_at),
    price: row.price === null ? null : Number(row.price),
    awardedBy: row.awarded_by,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

/**
 * Bids on tasks and the awards that settle them. An award (a lead's accept or an auction) gives the
 * task to the winner through the tasks plugin's conditional assignment, and marks the bids in the same
 * transaction: of two awards on one task, one assigns and the other gets 409 with nothing charged.
 * The price is then charged in credits (a spend keyed `bid:<id>`, so it is charged once).
 */
export class BidService {
  constructor(private readonly deps: BidServiceDeps) {}

  #tasks(): TasksApi {
    const tasks = this.deps.tasks();
    if (!tasks) throw errors.GOVERNANCE_BID_TASKS_OFF();
    return tasks;
  }

  /** The task, of the caller's team (404 naming taskId). */
  async task(teamName: string, taskId: string): Promise<TeamTask> {
    const task = await this.#tasks().tasks.get(teamName, taskId);
    if (!task) throw errors.GOVERNANCE_BID_TASK_NOT_FOUND({ taskId }, { field: 'taskId' });
    return task;
  }

  #open(task: TeamTask): void {
    const state = task.status === 'resolved' ? 'resolved' : task.ownerHandle ? `owned by ${task.ownerHandle}` : '';
    if (state) throw errors.GOVERNANCE_BID_TASK_TAKEN({ taskId: task.id, state }, { taskId: task.id });
  }

  /** A bidder's credits in a swarm: its balance, or the starting balance its account would open with. */
  async balance(teamName: string, swarmId: string, handle: string): Promise<number> {
    const account = await this.deps.swarm().credits.account(teamName, swarmId, handle);
    return account?.balance ?? this.deps.swarm().startingBalance();
  }

  /**
   * A member's bid (the operation checked membership): the task must be the team's, unowned and not
   * resolved; the amount within the bidder's credits (409 naming bidAmount). A pending bid of the
   * same bidder on the task is changed in place (same id, createdAt reset), as the seed did.
   */
  async submit(caller: Identity, input: BidInput): Promise<BidView> {
    const teamName = caller.teamName;
    this.#open(await this.task(teamName, input.taskId));
    const balance = await this.balance(teamName, input.swarmId, caller.handle);
    if (input.bidAmount > balance)
      throw errors.GOVERNANCE_BID_INSUFFICIENT_BALANCE(
        { amount: input.bidAmount, balance },
        { field: 'bidAmount', balance, requested: input.bidAmount },
      );
    const write = () =>
      this.deps.db.transaction().execute(async (trx) => {
        const now = this.deps.clock.now();
        const values = {
          swarm_id: input.swarmId,
          bid_amount: input.bidAmount,
          estimated_duration: input.estimatedDuration ?? null,
          confidence: input.confidence,
          rationale: input.rationale ?? null,
          created_at: now,
        };
        const updated = await trx
          .updateTable('bids')
          .set(values)
          .where('team_name', '=', teamName)
          .where('task_id', '=', input.taskId)
          .where('bidder_handle', '=', caller.handle)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        if (updated) return updated;
        return trx
          .insertInto('bids')
          .values({
            id: randomUUID(),
            team_name: teamName,
            task_id: input.taskId,
            bidder_handle: caller.handle,
            status: 'pending',
            processed_at: null,
            price: null,
            awarded_by: null,
            ...values,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
    let row: Selectable<BidsTable>;
    try {
      row = await write();
    } catch (error) {
      // Two first bids of one bidder at once: the second insert met the first; it becomes the update.
      if (!isUniqueViolation(error)) throw error;
      row = await write();
    }
    const bid = view(row);
    this.deps.emit('bidding:bid', teamName, {
      swarmId: bid.swarmId,
      bid: {
        id: bid.id,
        taskId: bid.taskId,
        bidder: bid.bidderHandle,
        amount: bid.bidAmount,
        estimatedDuration: bid.estimatedDuration,
      },
    });
    return bid;
  }

  async get(teamName: string, id: string): Promise<BidView | undefined> {
    const row = await this.deps.db
      .selectFrom('bids')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? view(row) : undefined;
  }

  async require(teamName: string, id: string): Promise<BidView> {
    const bid = await this.get(teamName, id);
    if (!bid) throw errors.GOVERNANCE_BID_NOT_FOUND({}, { bidId: id });
    return bid;
  }

  /** A task's bids: amount desc, confidence desc, oldest first (the seed's order). */
  async list(teamName: string, taskId: string, query: BidQuery): Promise<BidView[]> {
    let q = this.deps.db.selectFrom('bids').selectAll().where('team_name', '=', teamName).where('task_id', '=', taskId);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.bidderHandle) q = q.where('bidder_handle', '=', query.bidderHandle);
    if (query.minBid !== undefined) q = q.where('bid_amount', '>=', query.minBid);
    if (query.maxBid !== undefined) q = q.where('bid_amount', '<=', query.maxBid);
    const rows = await q
      .orderBy('bid_amount', 'desc')
      .orderBy('confidence', 'desc')
      .orderBy('created_at')
      .orderBy('id')
      .limit(query.limit)
      .execute();
    return rows.map(view);
  }

  /** Withdraw the caller's own pending bid (ownership from the token). */
  async withdraw(caller: Identity, id: string): Promise<{ success: true; message: string; bid: BidView }> {
    const bid = await this.require(caller.teamName, id);
    if (bid.bidderHandle !== caller.handle) throw errors.GOVERNANCE_BID_NOT_YOURS({}, { bidId: id });
    const row = await this.deps.db
      .updateTable('bids')
      .set({ status: 'withdrawn', processed_at: this.deps.clock.now() })
      .where('team_name', '=', caller.teamName)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const now = await this.require(caller.teamName, id);
      throw errors.GOVERNANCE_BID_NOT_PENDING({ id, status: now.status }, { bidId: id });
    }
    return { success: true, message: 'Bid withdrawn', bid: view(row) };
  }

  /** The pending bids of a task with each bidder's reputation in its bid's swarm. */
  async #scorable(teamName: string, taskId: string): Promise<ScoredBid[]> {
    const pending = await this.list(teamName, taskId, { status: 'pending', limit: 1000 });
    const credits = this.deps.swarm().credits;
    return Promise.all(
      pending.map(async (bid) => ({
        id: bid.id,
        bidderHandle: bid.bidderHandle,
        bidAmount: bid.bidAmount,
        estimatedDuration: bid.estimatedDuration,
        confidence: bid.confidence,
        createdAt: Date.parse(bid.createdAt),
        reputation: await credits.reputation(teamName, bid.swarmId, bid.bidderHandle),
      })),
    );
  }

  async evaluate(
    teamName: string,
    taskId: string,
    weights: Weights,
  ): Promise<{ evaluations: Evaluation[]; count: number }> {
    await this.task(teamName, taskId);
    const evaluations = evaluateBids(await this.#scorable(teamName, taskId), weights);
    return { evaluations, count: evaluations.length };
  }

  /** A lead accepts a pending bid: the bidder gets the task, and pays its bid when `settle`. */
  async accept(lead: Identity, id: string, settle: boolean) {
    const bid = await this.require(lead.teamName, id);
    if (bid.status !== 'pending') throw errors.GOVERNANCE_BID_NOT_PENDING({ id, status: bid.status }, { bidId: id });
    const { bid: won, task, settlement } = await this.#award(lead, bid, settle ? bid.bidAmount : null, 'accept');
    return { bid: won, task, creditSettlement: settlement };
  }

  /** A lead runs an auction over the task's pending bids (see runAuction): the winner gets the task and pays. */
  async auction(lead: Identity, taskId: string, kind: AuctionType) {
    this.#open(await this.task(lead.teamName, taskId));
    const bids = await this.#scorable(lead.teamName, taskId);
    if (bids.length === 0) throw errors.GOVERNANCE_BID_NO_BIDS({}, { taskId });
    const outcome = runAuction(kind, bids);
    const bid = await this.require(lead.teamName, outcome.winner.id);
    const { bid: won, task, settlement } = await this.#award(lead, bid, outcome.price, kind);
    this.deps.emit('bidding:auction_complete', lead.teamName, {
      swarmId: won.swarmId,
      taskId,
      winner: won.bidderHandle,
      bidId: won.id,
      price: outcome.price,
      auctionType: kind,
    });
    return {
      taskId,
      auctionType: kind,
      winner: { bidId: won.id, bidder: won.bidderHandle, originalBid: won.bidAmount, finalPrice: outcome.price },
      totalBids: bids.length,
      evaluation: outcome.evaluation,
      settlement: settlement?.account ?? null,
      acceptedBid: won,
      task,
    };
  }

  /**
   * Give the task to the bid's bidder and charge `price` (null: no charge). Before anything is
   * written: the task open and unowned, the winner's credits enough (409, nothing charged). Then, in
   * the tasks plugin's assignment transaction: the task's conditional assignment, this bid accepted and
   * the task's other pending bids rejected; a concurrent award lost there (409, nothing charged).
   * Then the spend, keyed `bid:<id>`; if the winner's balance fell short in between, the award is
   * undone (the task released, the bids pending again) and the answer is 409.
   */
  async #award(lead: Identity, bid: BidView, price: number | null, how: string) {
    const teamName = lead.teamName;
    const tasks = this.#tasks();
    this.#open(await this.task(teamName, bid.taskId));
    const credits = this.deps.swarm().credits;
    if (price !== null && price > 0) {
      const balance = await this.balance(teamName, bid.swarmId, bid.bidderHandle);
      if (balance < price)
        throw errors.GOVERNANCE_BID_WINNER_SHORT(
          { handle: bid.bidderHandle, balance, price },
          { bidId: bid.id, balance, requested: price },
        );
    }
    const auth = this.deps.auth();
    const owner = await auth.agents.findByHandle(teamName, bid.bidderHandle);
    const by = (await auth.agents.get(lead.uid)) ?? (await auth.agents.findByHandle(teamName, lead.handle));
    if (!owner || !by) throw errors.GOVERNANCE_BID_NOT_PENDING({ id: bid.id, status: 'without its bidder' });
    const at = this.deps.clock.now();
    let accepted: Selectable<BidsTable> | undefined;
    let task: TeamTask;
    try {
      task = await tasks.tasks.assign(teamName, { id: bid.taskId, owner, by }, async (outer) => {
        const trx = this.deps.join(outer);
        accepted = await trx
          .updateTable('bids')
          .set({ status: 'accepted', processed_at: at, price, awarded_by: how })
          .where('team_name', '=', teamName)
          .where('id', '=', bid.id)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        if (!accepted) throw errors.GOVERNANCE_BID_NOT_PENDING({ id: bid.id, status: 'no longer pending' });
        await trx
          .updateTable('bids')
          .set({ status: 'rejected', processed_at: at })
          .where('team_name', '=', teamName)
          .where('task_id', '=', bid.taskId)
          .where('status', '=', 'pending')
          .execute();
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.GOVERNANCE_BID_TASK_TAKEN({ taskId: bid.taskId, state: 'awarded' }, { taskId: bid.taskId });
      if (isApiError(error) && error.status === 409 && error.code.startsWith('TASKS_')) {
        const now = await this.task(teamName, bid.taskId);
        const state = now.status === 'resolved' ? 'resolved' : `owned by ${now.ownerHandle ?? 'another agent'}`;
        throw errors.GOVERNANCE_BID_TASK_TAKEN({ taskId: bid.taskId, state }, { taskId: bid.taskId });
      }
      throw error;
    }
    let settlement: Settlement = null;
    if (price !== null && price > 0) {
      try {
        settlement = await credits.apply(teamName, bid.swarmId, bid.bidderHandle, {
          type: 'spend',
          amount: price,
          reference: { type: 'bid', id: bid.id },
          reason: how === 'accept' ? `Winning bid on task ${bid.taskId}` : `Won ${how} auction for task ${bid.taskId}`,
          by: lead.handle,
          eventKey: `bid:${bid.id}`,
        });
      } catch (error) {
        await this.#undo(teamName, bid, at);
        if (isApiError(error) && error.code === 'SWARM_INSUFFICIENT_BALANCE') {
          const balance = await this.balance(teamName, bid.swarmId, bid.bidderHandle);
          throw errors.GOVERNANCE_BID_WINNER_SHORT(
            { handle: bid.bidderHandle, balance, price },
            { bidId: bid.id, balance, requested: price },
          );
        }
        throw error;
      }
    }
    const won = view(accepted!);
    this.deps.emit('bidding:accepted', teamName, {
      swarmId: won.swarmId,
      bid: { id: won.id, taskId: won.taskId, winner: won.bidderHandle, price },
    });
    return { bid: won, task: task!, settlement };
  }

  /** An award whose charge failed: the task released and the bids it settled pending again. */
  async #undo(teamName: string, bid: BidView, at: number): Promise<void> {
    await this.#tasks().tasks.release(teamName, bid.taskId, bid.bidderHandle);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('bids')
        .set({ status: 'pending', processed_at: null, price: null, awarded_by: null })
        .where('team_name', '=', teamName)
        .where('task_id', '=', bid.taskId)
        .where('processed_at', '=', at)
        .where('status', 'in', ['accepted', 'rejected'])
        .execute();
    });
    this.deps.log.warn('governance: an award was undone, its charge failed', { taskId: bid.taskId, bidId: bid.id });
  }

  /** Counts and averages over a swarm's bids, by the database. */
  async stats(teamName: string, swarmId: string) {
    const row = await this.deps.db
      .selectFrom('bids')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'pending').then(1).else(0).end()).as('pending'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'accepted').then(1).else(0).end()).as('accepted'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'rejected').then(1).else(0).end()).as('rejected'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'withdrawn').then(1).else(0).end()).as('withdrawn'),
        eb.fn.avg<number>('bid_amount').as('amount'),
        eb.fn.avg<number>('confidence').as('confidence'),
        eb.fn.count<number>('bidder_handle').distinct().as('bidders'),
        eb.fn.count<number>('task_id').distinct().as('tasks'),
      ])
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .executeTakeFirstOrThrow();
    const round = (value: unknown) => Math.round(Number(value ?? 0) * 100) / 100;
    return {
      totalBids: Number(row.total),
      pendingBids: Number(row.pending ?? 0),
      acceptedBids: Number(row.accepted ?? 0),
      rejectedBids: Number(row.rejected ?? 0),
      withdrawnBids: Number(row.withdrawn ?? 0),
      avgBidAmount: round(row.amount),
      avgConfidence: round(row.confidence),
      uniqueBidders: Number(row.bidders),
      uniqueTasks: Number(row.tasks),
    };
  }
}
