import type { GovernanceApi } from '../index.js';

/**
 * Conformance fixtures for the bid operations, for the plugin's conformance.test.ts (the test kit's
 * runConformance; typed structurally here, since only *.test.ts files may import test/kit). Only a
 * live member of a swarm bids through the route, and the conformance teams' workers are registered,
 * not spawned: a fixture that needs a bid places it through the service (the operation's membership
 * check is bids.test.ts's business, with spawned workers).
 */
interface Agent {
  handle: string;
  uid: string;
  token: string;
  teamName: string;
}

export interface FixtureContextLike {
  fleet: { kernel: { api<T>(name: string): T | undefined } };
  alpha: { lead: Agent; workers: Agent[] };
  call(agent: Agent, method: string, path: string, body?: unknown): Promise<{ id?: unknown }>;
}

type FixtureLike = Promise<Record<string, unknown> & { input: Record<string, unknown> }>;

/** An alpha swarm and an unowned alpha task SECRET-TASK. */
export async function swarmAndTask(c: FixtureContextLike): Promise<{ swarmId: string; taskId: string }> {
  const swarmId = (await c.call(c.alpha.lead, 'POST', '/swarms', { name: 'SECRET-SWARM' })).id as string;
  const taskId = (await c.call(c.alpha.lead, 'POST', '/tasks', { subject: 'SECRET-TASK' })).id as string;
  return { swarmId, taskId };
}

/** A pending bid of alpha-w1 (placed through the service) on a fresh alpha task. */
async function pendingBid(c: FixtureContextLike) {
  const { swarmId, taskId } = await swarmAndTask(c);
  const bidder = c.alpha.workers[0]!;
  const api = c.fleet.kernel.api<GovernanceApi>('governance')!;
  const bid = await api.bids.submit(
    { uid: bidder.uid, handle: bidder.handle, teamName: bidder.teamName, agentType: 'worker', role: 'worker' },
    { taskId, swarmId, bidAmount: 1, confidence: 0.5, rationale: 'SECRET-RATIONALE' },
  );
  return { swarmId, taskId, bid };
}

const secrets = ['SECRET-TASK', 'SECRET-RATIONALE'];

export const bidConformanceFixtures: Record<string, (c: FixtureContextLike) => FixtureLike> = {
  submitBid: async (c) => {
    const { swarmId, taskId } = await swarmAndTask(c);
    return {
      input: { taskId, swarmId, bidAmount: 1 },
      as: 'worker',
      skipValidCall: 'only a live member of the swarm bids: bids.test.ts spawns members',
    };
  },
  listTaskBids: async (c) => ({ input: { taskId: (await pendingBid(c)).taskId }, secrets }),
  evaluateBids: async (c) => ({ input: { taskId: (await pendingBid(c)).taskId }, secrets }),
  runAuction: async (c) => ({ input: { taskId: (await pendingBid(c)).taskId, auctionType: 'vickrey' } }),
  bidStats: async (c) => ({ input: { swarmId: (await pendingBid(c)).swarmId } }),
  getBid: async (c) => ({ input: { id: (await pendingBid(c)).bid.id }, secrets }),
  acceptBid: async (c) => ({ input: { id: (await pendingBid(c)).bid.id } }),
  withdrawBid: async (c) => ({ input: { id: (await pendingBid(c)).bid.id }, as: 'worker' }),
};
