/**
 * The tally's rules with known votes and weights (a pure function: no fleet needed): weights count,
 * participation is voters over eligible members, a percentage quorum is checked, a tie never passes,
 * supermajority is exactly 2/3, and "decided" (the early close) holds only when no remaining vote can
 * change the outcome.
 */
import t from 'tap';
import { decided, tally, type TallyRules } from './tally.js';

const rules = (over: Partial<TallyRules> = {}): TallyRules => ({
  options: ['A', 'B'],
  votingMethod: 'majority',
  quorumType: 'none',
  quorumValue: 0,
  threshold: null,
  ...over,
});
const votes = (...list: [string, number][]) => list.map(([voteValue, voteWeight]) => ({ voteValue, voteWeight }));

t.test('weights decide: two light votes lose to one heavy one', async (t) => {
  const result = tally(rules({ votingMethod: 'weighted' }), votes(['A', 0.8], ['B', 0.2], ['B', 0.5]), 3);
  t.equal(result.winner, 'A');
  t.same(result.tally, { A: 0.8, B: 0.7 });
  t.equal(result.totalVotes, 3);
  t.ok(Math.abs(result.weightedVotes - 1.5) < 1e-9);
  const unit = tally(rules(), votes(['A', 1], ['B', 1], ['B', 1]), 3);
  t.equal(unit.winner, 'B', 'with unit weights the two votes win');
});

t.test('a tie never passes, two options or more', async (t) => {
  const two = tally(rules(), votes(['A', 1], ['B', 1]), 2);
  t.equal(two.winner, null);
  t.equal(two.tie, true);
  t.equal(two.passed, false);
  const three = tally(rules({ options: ['A', 'B', 'C'], votingMethod: 'plurality' }), votes(['A', 1], ['B', 1]), 2);
  t.equal(three.passed, false, 'plurality: a shared top is no winner');
  const plural = tally(
    rules({ options: ['A', 'B', 'C'], votingMethod: 'plurality' }),
    votes(['A', 2], ['B', 1], ['C', 1]),
    4,
  );
  t.equal(plural.winner, 'A', 'plurality: the unique top passes without a majority');
  t.equal(
    tally(rules({ options: ['A', 'B', 'C'] }), votes(['A', 2], ['B', 1], ['C', 1]), 4).passed,
    false,
    'majority: half is not more than half',
  );
  t.equal(tally(rules(), [], 3).passed, false, 'no votes: nothing passes');
});

t.test('supermajority is exactly 2/3; unanimous is all of the weight; a threshold overrides', async (t) => {
  const sm = rules({ votingMethod: 'supermajority' });
  t.equal(tally(sm, votes(['A', 1], ['A', 1], ['B', 1]), 3).passed, true, '2 of 3 passes');
  t.equal(tally(sm, votes(['A', 0.1], ['A', 0.1], ['B', 0.1]), 3).passed, true, '2 of 3 with float weights');
  t.equal(tally(sm, votes(['A', 1], ['A', 1], ['A', 1], ['B', 1], ['B', 1]), 5).passed, false, '3 of 5 fails');
  const un = rules({ votingMethod: 'unanimous' });
  t.equal(tally(un, votes(['A', 1], ['A', 1]), 2).passed, true);
  t.equal(tally(un, votes(['A', 1], ['A', 1], ['B', 0.01]), 3).passed, false);
  const th = rules({ options: ['A', 'B', 'C'], threshold: 0.75 });
  t.equal(tally(th, votes(['A', 3], ['B', 1]), 4).passed, true, '3 of 4 meets 0.75');
  t.equal(tally(th, votes(['A', 2], ['B', 1]), 3).passed, false, '2 of 3 does not');
  t.same(tally(th, votes(['A', 2], ['B', 1]), 3).required, { share: 0.75, strict: false });
});

t.test('quorum: percentage of eligible members, absolute voters, none', async (t) => {
  const pct = rules({ quorumType: 'percentage', quorumValue: 0.5 });
  const one = tally(pct, votes(['A', 1]), 3);
  t.equal(one.participationRate, 1 / 3);
  t.equal(one.quorumMet, false, '1 of 3 is under half');
  t.equal(one.winner, null);
  t.equal(one.leading, 'A', 'the leading option is still told');
  const two = tally(pct, votes(['A', 1], ['A', 1]), 4);
  t.equal(two.quorumMet, true, '2 of 4 is half');
  t.equal(two.winner, 'A');
  const abs = rules({ quorumType: 'absolute', quorumValue: 3 });
  t.equal(tally(abs, votes(['A', 1], ['A', 1]), 10).quorumMet, false);
  t.equal(tally(abs, votes(['A', 1], ['A', 1], ['B', 1]), 10).quorumMet, true);
  t.equal(tally(rules(), votes(['A', 1]), 50).passed, true, 'none: one vote of fifty is enough');
  t.equal(tally(pct, votes(['A', 1], ['A', 1]), 1).participationRate, 1, 'voters beyond the members count');
});

t.test('ranked: Borda over valid ballots, share of the points a ballot can give', async (t) => {
  const ranked = rules({ options: ['A', 'B', 'C'], votingMethod: 'ranked' });
  const ballots = votes(['["A","B","C"]', 1], ['["B","A","C"]', 1], ['["A","C"]', 1], ['not json', 1]);
  const result = tally(ranked, ballots, 4);
  t.same(result.tally, { A: 5, B: 3, C: 1 });
  t.equal(result.winner, 'A', 'A has 5 of the 6 points the three valid ballots could give');
});

t.test('decided: only when the remaining weight cannot change the outcome', async (t) => {
  const r = rules();
  t.equal(decided(r, votes(['A', 1]), 3, [1, 1]), false, '1 vs a possible 2');
  t.equal(decided(r, votes(['A', 1], ['A', 1]), 3, [1]), true, '2 vs a possible 1');
  t.equal(decided(r, votes(['A', 1], ['B', 1]), 3, [1]), false, 'a tie now is not a pass');
  const w = rules({ votingMethod: 'weighted' });
  t.equal(decided(w, votes(['A', 0.8]), 3, [0.2, 0.5]), true, '0.8 vs a possible 0.7');
  t.equal(decided(w, votes(['A', 0.6]), 3, [0.2, 0.5]), false, '0.6 vs a possible 0.7');
  const sm = rules({ votingMethod: 'supermajority' });
  t.equal(decided(sm, votes(['A', 1], ['A', 1]), 3, [1]), true, '2 of a possible 3 stays 2/3');
  t.equal(decided(sm, votes(['A', 1], ['A', 1]), 4, [1, 1]), false, '2 of a possible 4 is not');
  const un = rules({ votingMethod: 'unanimous' });
  t.equal(decided(un, votes(['A', 1]), 2, [1]), false);
  t.equal(decided(un, votes(['A', 1], ['A', 1]), 2, []), true);
  const pct = rules({ quorumType: 'percentage', quorumValue: 0.9 });
  t.equal(decided(pct, votes(['A', 1], ['A', 1]), 3, [1]), false, 'quorum not met yet');
});
