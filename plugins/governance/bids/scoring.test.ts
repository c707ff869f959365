/**
 * Bid scoring and the three auction kinds on known bids: who wins and what it pays (never more than
 * it bid), ties, a lone bid, the duration factor and preferLowerBids.
 */
import t from 'tap';
import { evaluateBids, runAuction, type ScoredBid } from './scoring.js';

const bid = (id: string, amount: number, duration: number | null, confidence: number, at = 0): ScoredBid => ({
  id,
  bidderHandle: id,
  bidAmount: amount,
  estimatedDuration: duration,
  confidence,
  createdAt: at,
  reputation: 0.5,
});

// w1: a fair offer, fast and sure; w2: low but as fast; w3: the highest offer, no estimate, unsure.
const bids = [bid('w1', 40, 600_000, 0.9, 1), bid('w2', 20, 600_000, 0.9, 2), bid('w3', 50, null, 0.1, 3)];

t.test('scores: amount, duration, reputation and confidence with the default weights', async (t) => {
  const evaluations = evaluateBids(bids);
  t.same(
    evaluations.map((e) => [e.bidId, e.score, e.recommendation]),
    [
      ['w1', 0.91, 'accept'], // 0.3·1 + 0.1·0.9 + 0.4·0.8 + 0.2·1
      ['w2', 0.75, 'accept'], // 0.3 + 0.09 + 0.4·0.4 + 0.2
      ['w3', 0.71, 'accept'], // 0.3 + 0.01 + 0.4·1 + 0 (no estimate)
    ],
  );
  t.match(evaluations[0]!.factors, { normalizedBid: 0.8, normalizedDuration: 1, normalizedReputation: 1 });
  t.equal(evaluations[2]!.factors.normalizedDuration, 0, 'no estimate: no duration credit');
  const slow = evaluateBids([bid('a', 10, 1_000, 0.5), bid('b', 10, 4_000, 0.5)]);
  t.same(
    slow.map((e) => e.factors.normalizedDuration),
    [1, 0.25],
    'the fastest estimate over each estimate',
  );
  const lower = evaluateBids(bids, {
    reputationWeight: 0,
    confidenceWeight: 0,
    bidWeight: 1,
    durationWeight: 0,
    preferLowerBids: true,
  });
  t.same(
    lower.map((e) => [e.bidId, e.score]),
    [
      ['w2', 1],
      ['w1', 0.5],
      ['w3', 0.4],
    ],
  );
  t.equal(evaluateBids([bid('x', 30, null, 0.1), bid('y', 10, null, 0.1)])[1]!.recommendation, 'consider');
});

t.test('auctions: the winner and the price of each kind', async (t) => {
  const first = runAuction('first-price', bids);
  t.same([first.winner.id, first.price], ['w1', 40], 'first-price: the best score pays its bid');
  const second = runAuction('second-price', bids);
  t.same([second.winner.id, second.price], ['w1', 20], 'second-price: min(its 40, the next score’s 20)');
  const capped = runAuction('second-price', [bid('a', 30, 1000, 1), bid('b', 50, 100_000, 0)]);
  t.same([capped.winner.id, capped.price], ['a', 30], 'never more than it bid (the seed charged 50)');
  const vickrey = runAuction('vickrey', bids);
  t.same([vickrey.winner.id, vickrey.price], ['w3', 40], 'vickrey: the highest bid pays the second-highest');
  for (const kind of ['first-price', 'second-price', 'vickrey'] as const) {
    const alone = runAuction(kind, [bid('solo', 12.5, null, 0.5)]);
    t.same([alone.winner.id, alone.price], ['solo', 12.5], `${kind}: a lone bid pays its own`);
  }
  const tie = runAuction('vickrey', [bid('late', 30, null, 0.5, 9), bid('early', 30, null, 0.5, 1)]);
  t.same([tie.winner.id, tie.price], ['early', 30], 'equal bids: the earlier wins, and pays the equal bid');
  t.throws(() => runAuction('first-price', []));
});
