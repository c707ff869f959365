import type { FleetEvent, FleetEventMap } from '../../../core/index.js';
import type { Applied, CreditAccount, CreditChange, CreditStore, CreditTransaction } from './credit-store.js';

export const LEADERBOARD_ORDERS = ['balance', 'reputation', 'earned', 'tasks'] as const;
export type LeaderboardOrder = (typeof LEADERBOARD_ORDERS)[number];

type Emit = <K extends 'credits:transfer' | 'credits:transaction'>(
  type: K,
  team: string,
  data: FleetEventMap[K],
) => FleetEvent<FleetEventMap[K]>;

/** A reputation when there is no account yet: neutral. */
export const NEUTRAL_REPUTATION = 0.5;

/**
 * Credits and reputation per swarm and agent: the api other plugins use (issue 18's governance
 * pays and charges through `apply`, reads `reputation`), and what the routes serve.
 */
export class CreditsService {
  constructor(
    readonly store: CreditStore,
    private readonly emit: Emit,
  ) {}

  /** The account, or undefined: reading never opens one. */
  account(teamName: string, swarmId: string, handle: string): Promise<CreditAccount | undefined> {
    return this.store.account(teamName, swarmId, handle);
  }

  /** An agent's reputation in a swarm (0–1); 0.5 while it has no account. */
  async reputation(teamName: string, swarmId: string, handle: string): Promise<number> {
    return (await this.store.account(teamName, swarmId, handle))?.reputationScore ?? NEUTRAL_REPUTATION;
  }

  /**
   * Apply one change (credits and/or a reputation step) as one ledger row; opens the account with
   * the starting balance if needed. Idempotent per `eventKey`. Emits credits:transaction when applied.
   */
  async apply(teamName: string, swarmId: string, handle: string, change: CreditChange): Promise<Applied> {
    const result = await this.store.apply(teamName, swarmId, handle, change);
    if (result.applied)
      this.emit('credits:transaction', teamName, {
        swarmId,
        transaction: result.transaction,
        reputation: result.account.reputationScore,
      });
    return result;
  }

  async transfer(
    teamName: string,
    swarmId: string,
    from: string,
    to: string,
    amount: number,
    reason?: string,
  ): Promise<{ success: true; from: CreditAccount; to: CreditAccount; transactions: CreditTransaction[] }> {
    const result = await this.store.transfer(teamName, swarmId, from, to, amount, reason);
    this.emit('credits:transfer', teamName, { swarmId, from, to, amount: result.transactions[1]!.amount });
    return { success: true, ...result };
  }

  history(
    teamName: string,
    swarmId: string,
    handle: string,
    query: { transactionType?: string; sinceMs?: number; limit: number },
  ) {
    return this.store.history(teamName, swarmId, handle, query);
  }

  /** The top `limit` accounts of a swarm by one measure (ties by handle), from the database. */
  async leaderboard(teamName: string, swarmId: string, orderBy: LeaderboardOrder, limit: number) {
    const rows = (await this.store.top(teamName, swarmId, orderBy, limit)).map((a) => ({
      agentHandle: a.agentHandle,
      balance: a.balance,
      reputationScore: a.reputationScore,
      totalEarned: a.totalEarned,
      taskCount: a.taskCount,
      successCount: a.successCount,
      successRate: a.taskCount === 0 ? 0 : a.successCount / a.taskCount,
    }));
    return { leaderboard: rows, count: rows.length };
  }

  /** Sums over a swarm's accounts, computed by the database (no table load). */
  async stats(teamName: string, swarmId: string) {
    const totals = await this.store.totals(teamName, swarmId);
    return {
      ...totals,
      avgReputation: totals.totalAgents === 0 ? NEUTRAL_REPUTATION : totals.avgReputation,
    };
  }
}
