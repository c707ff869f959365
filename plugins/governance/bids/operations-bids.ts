import * as v from 'valibot';
import { f, type Identity, operationsFor } from '../../../core/index.js';
import type { GovernanceApi } from '../index.js';
import { bidErrors as errors } from './errors.js';
import { credits, swarmId, taskId } from '../fields.js';
import { AUCTION_ALIASES, AUCTION_TYPES, type AuctionType, DEFAULT_WEIGHTS } from './scoring.js';
import { BID_STATUSES } from './tables.js';

const op = operationsFor<GovernanceApi>();
const unit = f.decimal(0, 1);
const bidId = f.uuid('bid');

/** The swarm a bid goes to: the one named (the team's, 404 otherwise), else the caller's own. */
async function biddersSwarm(api: GovernanceApi, caller: Identity, named: string | undefined): Promise<string> {
  const swarms = api.swarm().swarms;
  if (named !== undefined) await swarms.require(caller.teamName, named, 'swarmId');
  const own = await swarms.swarmOf(caller.teamName, caller.handle);
  const target = named ?? own;
  if (target === undefined || own !== target)
    throw errors.GOVERNANCE_BID_NOT_MEMBER(
      { handle: caller.handle, swarmId: target ?? '(none)' },
      { field: 'swarmId' },
    );
  return target;
}

export const submitBid = op({
  name: 'submitBid',
  summary:
    'Bid on a task of your team as a member of its swarm (swarmId: yours when left out): amount in credits ' +
    '(at most your balance: 409 naming bidAmount), estimated duration (ms), confidence, rationale. A pending bid ' +
    'of yours on the task is changed in place',
  access: 'agent',
  input: v.object({
    taskId,
    swarmId: v.optional(swarmId),
    bidderHandle: v.optional(f.handle),
    bidAmount: credits,
    estimatedDuration: v.optional(f.int(0, 86_400_000)),
    confidence: v.optional(unit, 0.5),
    rationale: v.optional(f.text({ max: 2000 })),
  }),
  http: { method: 'POST', path: '/bids', status: 201 },
  tools: [
    {
      name: 'bid_submit',
      omit: ['bidderHandle'],
      rename: {
        swarm_id: 'swarmId',
        task_id: 'taskId',
        bid_amount: 'bidAmount',
        estimated_duration: 'estimatedDuration',
      },
    },
  ],
  async run({ input, caller, api }) {
    if (input.bidderHandle !== undefined && input.bidderHandle !== caller.handle)
      throw errors.GOVERNANCE_BID_SELF_ONLY(
        { field: 'bidderHandle', handle: caller.handle },
        { field: 'bidderHandle' },
      );
    const swarm = await biddersSwarm(api, caller, input.swarmId);
    return api.bids.submit(caller, { ...input, swarmId: swarm });
  },
});

export const listTaskBids = op({
  name: 'listTaskBids',
  summary: 'The bids on a task of your team: highest amount first, then confidence, then the oldest',
  access: 'agent',
  input: v.object({
    taskId,
    status: v.optional(f.oneOf(BID_STATUSES)),
    bidderHandle: v.optional(f.handle),
    minBid: v.optional(f.decimal(0, 10_000)),
    maxBid: v.optional(f.decimal(0, 10_000)),
    limit: v.optional(f.int(1, 100), 50),
  }),
  http: { method: 'GET', path: '/bids/task/:taskId' },
  tools: [{ name: 'bid_list', rename: { task_id: 'taskId' }, omit: ['bidderHandle', 'minBid', 'maxBid', 'limit'] }],
  async run({ input, caller, api }) {
    await api.bids.task(caller.teamName, input.taskId);
    const bids = await api.bids.list(caller.teamName, input.taskId, input);
    return { bids, count: bids.length };
  },
});

const weight = v.optional(unit);

export const evaluateBids = op({
  name: 'evaluateBids',
  summary:
    'Score a task’s pending bids, best first: (wr·reputation/max + wc·confidence + wb·bid/max + ' +
    'wd·fastest/duration) / (wr+wc+wb+wd), defaults 0.3, 0.1, 0.4, 0.2; recommendation accept ≥ 0.7, consider ≥ 0.4',
  access: 'lead',
  input: v.object({
    taskId,
    reputationWeight: weight,
    confidenceWeight: weight,
    bidWeight: weight,
    durationWeight: weight,
    preferLowerBids: v.optional(f.flag),
  }),
  http: { method: 'POST', path: '/bids/task/:taskId/evaluate' },
  run({ input, caller, api }) {
    const weights = {
      reputationWeight: input.reputationWeight ?? DEFAULT_WEIGHTS.reputationWeight,
      confidenceWeight: input.confidenceWeight ?? DEFAULT_WEIGHTS.confidenceWeight,
      bidWeight: input.bidWeight ?? DEFAULT_WEIGHTS.bidWeight,
      durationWeight: input.durationWeight ?? DEFAULT_WEIGHTS.durationWeight,
      preferLowerBids: input.preferLowerBids ?? DEFAULT_WEIGHTS.preferLowerBids,
    };
    if (weights.reputationWeight + weights.confidenceWeight + weights.bidWeight + weights.durationWeight <= 0)
      throw errors.GOVERNANCE_BID_BAD_WEIGHTS({}, { field: 'bidWeight' });
    return api.bids.evaluate(caller.teamName, input.taskId, weights);
  },
});

const auctionKinds = [...AUCTION_TYPES, ...Object.keys(AUCTION_ALIASES)] as readonly string[] as readonly [
  AuctionType,
  ...string[],
];

export const runAuction = op({
  name: 'runAuction',
  summary:
    'Run an auction over a task’s pending bids: the winner gets the task (atomically: 409 with nothing charged ' +
    'when it is taken) and pays in credits. first-price: the best score pays its bid; second-price: the best ' +
    'score pays min(its bid, the next-best score’s bid); vickrey: the highest bid wins and pays the second-highest',
  access: 'lead',
  input: v.object({
    taskId,
    auctionType: v.optional(f.oneOf(auctionKinds, `must be one of ${auctionKinds.join(', ')}`), 'first-price'),
  }),
  http: { method: 'POST', path: '/bids/task/:taskId/auction' },
  tools: [{ name: 'auction_run', rename: { task_id: 'taskId', auction_type: 'auctionType' } }],
  run({ input, caller, api }) {
    const kind = AUCTION_ALIASES[input.auctionType] ?? (input.auctionType as AuctionType);
    return api.bids.auction(caller, input.taskId, kind);
  },
});

export const bidStats = op({
  name: 'bidStats',
  summary: 'Counts and averages of a swarm’s bids',
  access: 'agent',
  input: v.object({ swarmId }),
  http: { method: 'GET', path: '/bids/:swarmId/stats' },
  async run({ input, caller, api }) {
    await api.swarm().swarms.require(caller.teamName, input.swarmId, 'swarmId');
    return api.bids.stats(caller.teamName, input.swarmId);
  },
});

export const getBid = op({
  name: 'getBid',
  summary: 'One bid of your team',
  access: 'agent',
  input: v.object({ id: bidId }),
  http: { method: 'GET', path: '/bids/:id' },
  run: ({ input, caller, api }) => api.bids.require(caller.teamName, input.id),
});

export const acceptBid = op({
  name: 'acceptBid',
  summary:
    'Accept a pending bid: its bidder gets the task (atomically: 409 with nothing charged when it is taken), ' +
    'the other pending bids are rejected, and with settleCredits (default) the bidder pays its bid',
  access: 'lead',
  input: v.object({ id: bidId, settleCredits: v.optional(f.flag, true) }),
  http: { method: 'POST', path: '/bids/:id/accept' },
  tools: [{ name: 'bid_accept', rename: { bid_id: 'id', settle_credits: 'settleCredits' } }],
  run: ({ input, caller, api }) => api.bids.accept(caller, input.id, input.settleCredits),
});

export const withdrawBid = op({
  name: 'withdrawBid',
  summary: 'Withdraw your own pending bid (you are the token’s agent; ?handle, if given, must be you)',
  access: 'agent',
  input: v.object({ id: bidId, handle: v.optional(f.handle) }),
  http: { method: 'DELETE', path: '/bids/:id' },
  tools: [{ name: 'bid_withdraw', omit: ['handle'], rename: { bid_id: 'id' } }],
  async run({ input, caller, api }) {
    if (input.handle !== undefined && input.handle !== caller.handle) {
      await api.bids.require(caller.teamName, input.id);
      throw errors.GOVERNANCE_BID_NOT_YOURS({}, { field: 'handle' });
    }
    return api.bids.withdraw(caller, input.id);
  },
});

export const bidOperations = [
  submitBid,
  listTaskBids,
  evaluateBids,
  runAuction,
  bidStats,
  getBid,
  acceptBid,
  withdrawBid,
];
