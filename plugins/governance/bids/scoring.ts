/**
 * Bid scoring and auction pricing: pure functions of the pending bids (with each bidder's reputation
 * in the bid's swarm), so the same numbers come out of evaluate, accept and every auction kind.
 */

export interface ScoredBid {
  id: string;
  bidderHandle: string;
  bidAmount: number;
  /** ms, or null when the bidder gave no estimate. */
  estimatedDuration: number | null;
  confidence: number;
  /** ms since the epoch: earlier wins a tie. */
  createdAt: number;
  /** 0–1, in the bid's swarm (0.5 without an account). */
  reputation: number;
}

export interface Weights {
  reputationWeight: number;
  confidenceWeight: number;
  bidWeight: number;
  durationWeight: number;
  /** Score a lower bid higher (a reverse auction); default false: the higher offer scores higher. */
  preferLowerBids: boolean;
}

/** The seed's 0.3/0.2/0.5, with the seed documentation's duration taking 0.2 (0.1 from confidence, 0.1 from amount). */
export const DEFAULT_WEIGHTS: Weights = {
  reputationWeight: 0.3,
  confidenceWeight: 0.1,
  bidWeight: 0.4,
  durationWeight: 0.2,
  preferLowerBids: false,
};

export type Recommendation = 'accept' | 'consider' | 'reject';

export interface Evaluation {
  bidId: string;
  bidderHandle: string;
  score: number;
  factors: {
    bidAmount: number;
    normalizedBid: number;
    estimatedDuration: number | null;
    normalizedDuration: number;
    confidence: number;
    reputation: number;
    normalizedReputation: number;
  };
  recommendation: Recommendation;
}

const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * score = (wr·repNorm + wc·confidence + wb·bidNorm + wd·durNorm) / (wr + wc + wb + wd), where
 * - repNorm = reputation / max reputation (0 when the max is 0);
 * - bidNorm = bid / max bid (0 when the max is 0), or with preferLowerBids min bid / bid (1 for a bid of 0);
 * - durNorm = shortest estimate / this estimate: 1 for the fastest, 0 without an estimate (unknown is
 *   no promise). A 0 estimate counts as 1 ms.
 * Best first: score, then the better amount, then the earlier bid, then the id.
 */
export function evaluateBids(bids: readonly ScoredBid[], weights: Weights = DEFAULT_WEIGHTS): Evaluation[] {
  const total = weights.reputationWeight + weights.confidenceWeight + weights.bidWeight + weights.durationWeight;
  const maxRep = Math.max(0, ...bids.map((b) => b.reputation));
  const maxBid = Math.max(0, ...bids.map((b) => b.bidAmount));
  const minBid = Math.min(...bids.map((b) => b.bidAmount));
  const durations = bids.flatMap((b) => (b.estimatedDuration === null ? [] : [Math.max(1, b.estimatedDuration)]));
  const fastest = durations.length > 0 ? Math.min(...durations) : 0;
  const scored = bids.map((bid) => {
    const normalizedReputation = maxRep > 0 ? bid.reputation / maxRep : 0;
    const normalizedBid = weights.preferLowerBids
      ? bid.bidAmount === 0
        ? 1
        : minBid / bid.bidAmount
      : maxBid > 0
        ? bid.bidAmount / maxBid
        : 0;
    const normalizedDuration = bid.estimatedDuration === null ? 0 : fastest / Math.max(1, bid.estimatedDuration);
    const score =
      (weights.reputationWeight * normalizedReputation +
        weights.confidenceWeight * bid.confidence +
        weights.bidWeight * normalizedBid +
        weights.durationWeight * normalizedDuration) /
      total;
    const evaluation: Evaluation = {
      bidId: bid.id,
      bidderHandle: bid.bidderHandle,
      score: round(score),
      factors: {
        bidAmount: bid.bidAmount,
        normalizedBid: round(normalizedBid),
        estimatedDuration: bid.estimatedDuration,
        normalizedDuration: round(normalizedDuration),
        confidence: bid.confidence,
        reputation: bid.reputation,
        normalizedReputation: round(normalizedReputation),
      },
      recommendation: score >= 0.7 ? 'accept' : score >= 0.4 ? 'consider' : 'reject',
    };
    return { bid, score, evaluation };
  });
  const better = weights.preferLowerBids ? 1 : -1;
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      better * (a.bid.bidAmount - b.bid.bidAmount) ||
      a.bid.createdAt - b.bid.createdAt ||
      a.bid.id.localeCompare(b.bid.id),
  );
  return scored.map((s) => s.evaluation);
}

export const AUCTION_TYPES = ['first-price', 'second-price', 'vickrey'] as const;
export type AuctionType = (typeof AUCTION_TYPES)[number];
/** The seed's OpenAPI spellings, accepted as the same kinds. */
export const AUCTION_ALIASES: Readonly<Record<string, AuctionType>> = {
  first_price: 'first-price',
  second_price: 'second-price',
};

export interface AuctionOutcome {
  winner: ScoredBid;
  price: number;
  evaluation: Evaluation[];
}

const cents = (value: number) => Math.round(value * 100) / 100;

/**
 * Who wins and what it pays (never more than it bid):
 * - first-price: the best score (evaluateBids, default weights) pays its own bid;
 * - second-price: the best score pays min(its bid, the bid of the second-best score); alone, its own;
 * - vickrey: sealed bids on amount alone: the highest bid wins (ties: the earlier, then the id) and
 *   pays the second-highest bid; alone, its own.
 */
export function runAuction(kind: AuctionType, bids: readonly ScoredBid[]): AuctionOutcome {
  if (bids.length === 0) throw new Error('runAuction: no bids');
  const evaluation = evaluateBids(bids);
  const byId = new Map(bids.map((b) => [b.id, b]));
  if (kind === 'vickrey') {
    const ranked = [...bids].sort(
      (a, b) => b.bidAmount - a.bidAmount || a.createdAt - b.createdAt || a.id.localeCompare(b.id),
    );
    const winner = ranked[0]!;
    return { winner, price: cents(ranked[1]?.bidAmount ?? winner.bidAmount), evaluation };
  }
  const winner = byId.get(evaluation[0]!.bidId)!;
  if (kind === 'first-price' || evaluation.length < 2) return { winner, price: cents(winner.bidAmount), evaluation };
  const next = byId.get(evaluation[1]!.bidId)!;
  return { winner, price: cents(Math.min(winner.bidAmount, next.bidAmount)), evaluation };
}
