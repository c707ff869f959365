/**
 * The count of a proposal's votes: pure, so the close and the early-close check read the same rules.
 * Fixes of the seed's bugs (seed-semantics §1.6, §10 item 7): weights are the votes' own (reputation
 * when the proposal says so), participation is voters over eligible members, a percentage quorum is
 * really checked, a tie never passes, and supermajority is exactly 2/3.
 */

export const VOTING_METHODS = ['majority', 'supermajority', 'unanimous', 'ranked', 'weighted', 'plurality'] as const;
export type VotingMethod = (typeof VOTING_METHODS)[number];
export const QUORUM_TYPES = ['percentage', 'absolute', 'none'] as const;
export type QuorumType = (typeof QUORUM_TYPES)[number];

/** Float sums of weights: equal within this is equal (2/3 of 0.3 + 0.3 + 0.3 is 2/3). */
const EPSILON = 1e-9;

export interface TallyRules {
  options: readonly string[];
  votingMethod: VotingMethod;
  quorumType: QuorumType;
  quorumValue: number;
  /** The share of the counted weight the winner needs (overrides the method's), or null. */
  threshold: number | null;
}

export interface CountedVote {
  voteValue: string;
  voteWeight: number;
}

export interface ConsensusResult {
  /** The option that passed; null when the proposal failed. */
  winner: string | null;
  /** The top option (null on a tie or with no weight counted), passed or not. */
  leading: string | null;
  tie: boolean;
  /** Weight per option; for `ranked`, Borda points times weight. */
  tally: Record<string, number>;
  /** The leading option's share: of the weight (or, ranked, of the most points the ballots could give). */
  share: number;
  /** The share the method (or the threshold) asks for, and whether `>` or `≥`. */
  required: { share: number; strict: boolean };
  thresholdMet: boolean;
  quorumMet: boolean;
  passed: boolean;
  /** Voters over eligible members (the swarm's members and anyone who voted). */
  participationRate: number;
  eligibleVoters: number;
  totalVotes: number;
  weightedVotes: number;
}

/** A ranked vote's ballot: a JSON array of distinct options, best first; undefined if it is not one. */
export function ballotOf(voteValue: string, options: readonly string[]): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(voteValue);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  if (!parsed.every((entry) => typeof entry === 'string' && options.includes(entry))) return undefined;
  return new Set(parsed).size === parsed.length ? (parsed as string[]) : undefined;
}

/** What the method asks of the leading option's share. */
export function requiredShare(rules: TallyRules): { share: number; strict: boolean } {
  if (rules.threshold !== null) return { share: rules.threshold, strict: false };
  switch (rules.votingMethod) {
    case 'supermajority':
      return { share: 2 / 3, strict: false };
    case 'unanimous':
      return { share: 1, strict: false };
    case 'plurality':
      return { share: 0, strict: true };
    default:
      return { share: 0.5, strict: true };
  }
}

function meets(points: number, total: number, required: { share: number; strict: boolean }): boolean {
  if (total <= 0) return false;
  const needed = required.share * total;
  return required.strict ? points > needed + EPSILON * total : points >= needed - EPSILON * total;
}

function points(rules: TallyRules, votes: readonly CountedVote[]): { tally: Record<string, number>; total: number } {
  const tally: Record<string, number> = Object.fromEntries(rules.options.map((option) => [option, 0]));
  let total = 0;
  const top = rules.options.length - 1;
  for (const vote of votes) {
    if (rules.votingMethod === 'ranked') {
      const ballot = ballotOf(vote.voteValue, rules.options);
      if (!ballot) continue;
      // Borda: the first choice gets (options - 1) points, the next one less; unranked options none.
      ballot.forEach((option, rank) => (tally[option]! += (top - rank) * vote.voteWeight));
      total += top * vote.voteWeight;
    } else if (vote.voteValue in tally) {
      tally[vote.voteValue]! += vote.voteWeight;
      total += vote.voteWeight;
    }
  }
  return { tally, total };
}

function leader(tally: Record<string, number>): { leading: string | null; tie: boolean; top: number; next: number } {
  const sorted = Object.entries(tally).sort((a, b) => b[1] - a[1]);
  const top = sorted[0]?.[1] ?? 0;
  const next = sorted[1]?.[1] ?? 0;
  if (top <= EPSILON) return { leading: null, tie: false, top, next };
  const tie = top - next <= EPSILON;
  return { leading: tie ? null : sorted[0]![0], tie, top, next };
}

function quorum(rules: TallyRules, voters: number, eligible: number): boolean {
  if (rules.quorumType === 'none') return true;
  if (rules.quorumType === 'absolute') return voters >= rules.quorumValue;
  return eligible > 0 && voters / eligible >= rules.quorumValue - EPSILON;
}

/** Count the votes; `eligible` is the number of members who may vote (voters included). */
export function tally(rules: TallyRules, votes: readonly CountedVote[], eligible: number): ConsensusResult {
  const { tally: counts, total } = points(rules, votes);
  const { leading, tie, top } = leader(counts);
  const required = requiredShare(rules);
  const thresholdMet = leading !== null && meets(top, total, required);
  const voters = Math.max(eligible, votes.length);
  const quorumMet = quorum(rules, votes.length, voters);
  const passed = thresholdMet && quorumMet;
  return {
    winner: passed ? leading : null,
    leading,
    tie,
    tally: counts,
    share: total > 0 ? top / total : 0,
    required,
    thresholdMet,
    quorumMet,
    passed,
    participationRate: voters > 0 ? votes.length / voters : 0,
    eligibleVoters: voters,
    totalVotes: votes.length,
    weightedVotes: votes.reduce((sum, vote) => sum + vote.voteWeight, 0),
  };
}

/**
 * Whether the proposal has passed for good: it passes now, and however the eligible members who
 * have not voted yet (`remaining`: the weight each would carry) vote, the same option still passes.
 * The worst case is all of that weight on the strongest other option; more voters only raise
 * participation. Ranked and unanimous proposals are decided early only when no weight remains.
 */
export function decided(rules: TallyRules, votes: readonly CountedVote[], eligible: number, remaining: number[]) {
  const now = tally(rules, votes, eligible);
  if (!now.passed) return false;
  const rest = remaining.reduce((sum, weight) => sum + weight, 0);
  if (rest <= EPSILON) return true;
  if (rules.votingMethod === 'ranked' || rules.votingMethod === 'unanimous') return false;
  const { tally: counts, total } = points(rules, votes);
  const { top, next } = leader(counts);
  return top > next + rest + EPSILON && meets(top, total + rest, requiredShare(rules));
}
