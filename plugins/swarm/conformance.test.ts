import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

/** A swarm of team alpha (made by its lead). */
const swarmOf = async ({ alpha, call }: FixtureContext) =>
  (await call(alpha.lead, 'POST', '/swarms', { name: 'SECRET-SWARM' })).id as string;

/** A swarm of alpha with one trail on SECRET-FILE. */
const trail = async (c: FixtureContext) => {
  const id = await swarmOf(c);
  await c.call(c.alpha.lead, 'POST', '/pheromones', {
    swarmId: id,
    resourceType: 'file',
    resourceId: 'SECRET-FILE',
    trailType: 'modify',
  });
  return id;
};

t.test('swarm: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, swarm: true } });
  const post = async (context: FixtureContext, id: string) =>
    context.call(context.alpha.lead, 'POST', '/blackboard', { swarmId: id, messageType: 'status', payload: { s: 1 } });
  const funded = async (context: FixtureContext, id: string) =>
    context.call(context.alpha.lead, 'POST', '/credits/transaction', {
      swarmId: id,
      agentHandle: 'alpha-w1',
      transactionType: 'bonus',
      amount: 5,
      reason: 'setup',
    });
  await runConformance(t, {
    fleet,
    plugin: 'swarm',
    fixtures: {
      createSwarm: async () => ({ input: { name: 'alpha swarm', maxAgents: 3 }, otherTeam: 'own' }),
      listSwarms: async (c) => (await swarmOf(c), { input: {}, otherTeam: 'own', secrets: ['SECRET-SWARM'] }),
      getSwarm: async (c) => ({ input: { id: await swarmOf(c) }, secrets: ['SECRET-SWARM'] }),
      swarmList: async (c) => ({ input: { swarmId: await swarmOf(c) }, secrets: ['SECRET-SWARM'] }),
      killSwarm: async (c) => ({ input: { id: await swarmOf(c), graceful: true } }),
      swarmBroadcast: async (c) => ({ input: { swarmId: await swarmOf(c), directive: 'go' } }),
      postMessage: async (c) => ({
        input: { swarmId: await swarmOf(c), messageType: 'status', payload: { a: 1 } },
        as: 'worker',
      }),
      readMessages: async (c) => {
        const id = await swarmOf(c);
        await post(c, id);
        return { input: { swarmId: id }, as: 'worker', skipAgreement: 'no tool serves this route' };
      },
      blackboardRead: async (c) => ({ input: { swarmId: await swarmOf(c) }, as: 'worker' }),
      markRead: async (c) => {
        const message = await post(c, await swarmOf(c));
        return { input: { messageIds: [message.id] }, as: 'worker', otherTeam: 'own' };
      },
      archiveMessages: async (c) => {
        const message = await post(c, await swarmOf(c));
        return { input: { messageIds: [message.id] }, otherTeam: 'own' };
      },
      archiveOld: async (c) => ({ input: { swarmId: await swarmOf(c), maxAgeMs: 1000 } }),
      blackboardArchive: async (c) => ({ input: { swarmId: await swarmOf(c) } }),
      createBelief: async (c) => ({
        input: { swarmId: await swarmOf(c), subject: 'db', beliefValue: 'pg', beliefType: 'knowledge' },
        as: 'worker',
      }),
      beliefSet: async (c) => ({
        input: { swarmId: await swarmOf(c), subject: 'db', beliefValue: 'pg' },
        as: 'worker',
      }),
      createMetaBelief: async (c) => ({
        input: { swarmId: await swarmOf(c), aboutHandle: 'alpha-w2', metaType: 'capability', beliefValue: 'good' },
        as: 'worker',
      }),
      beliefMeta: async (c) => ({
        input: { swarmId: await swarmOf(c), aboutHandle: 'alpha-w2', metaType: 'capability', beliefValue: 'good' },
        as: 'worker',
      }),
      beliefStats: async (c) => ({ input: { swarmId: await swarmOf(c) } }),
      beliefStatsTool: async (c) => ({ input: { swarmId: await swarmOf(c) } }),
      beliefConsensus: async (c) => ({ input: { swarmId: await swarmOf(c), subject: 'db' } }),
      beliefConsensusTool: async (c) => ({ input: { swarmId: await swarmOf(c), subject: 'db' } }),
      agentBeliefs: async (c) => ({ input: { swarmId: await swarmOf(c), handle: 'alpha-w1' } }),
      beliefGet: async (c) => ({ input: { swarmId: await swarmOf(c), agentHandle: 'alpha-w1' } }),
      transferCredits: async (c) => ({
        input: { swarmId: await swarmOf(c), toHandle: 'alpha-w2', amount: 1 },
        as: 'worker',
      }),
      creditsTransfer: async (c) => ({
        input: { swarmId: await swarmOf(c), toHandle: 'alpha-w2', amount: 1 },
        as: 'worker',
      }),
      recordTransaction: async (c) => ({
        input: { swarmId: await swarmOf(c), agentHandle: 'alpha-w1', transactionType: 'earn', amount: 3, reason: 'r' },
      }),
      adjustReputation: async (c) => ({
        input: { swarmId: await swarmOf(c), agentHandle: 'alpha-w1', success: true, reason: 'r' },
      }),
      creditStats: async (c) => ({ input: { swarmId: await swarmOf(c) } }),
      creditLeaderboard: async (c) => ({ input: { swarmId: await swarmOf(c) } }),
      creditsLeaderboard: async (c) => ({ input: { swarmId: await swarmOf(c) } }),
      creditHistory: async (c) => {
        const id = await swarmOf(c);
        await funded(c, id);
        return { input: { swarmId: id, handle: 'alpha-w1' } };
      },
      creditsHistory: async (c) => {
        const id = await swarmOf(c);
        await funded(c, id);
        return { input: { swarmId: id }, as: 'worker' };
      },
      creditAccount: async (c) => {
        const id = await swarmOf(c);
        await funded(c, id);
        return { input: { swarmId: id, handle: 'alpha-w1' } };
      },
      creditsBalance: async (c) => {
        const id = await swarmOf(c);
        await funded(c, id);
        return { input: { swarmId: id }, as: 'worker' };
      },
      // The pheromone operations: trails in a swarm of alpha (another team's reads see its own, empty).
      depositPheromone: async (c) => ({
        input: { swarmId: await swarmOf(c), resourceType: 'file', resourceId: 'src/a.ts', trailType: 'touch' },
        as: 'worker',
      }),
      queryPheromones: async (c) => ({
        input: { swarmId: await trail(c) },
        otherTeam: 'own',
        skipAgreement: 'intensities decay at read time between the two reads',
      }),
      resourcePheromones: async (c) => ({
        input: { swarmId: await trail(c), resourceId: 'SECRET-FILE' },
        otherTeam: 'own',
      }),
      pheromoneActivity: async (c) => ({ input: { swarmId: await trail(c) }, otherTeam: 'own' }),
      hotResources: async (c) => ({
        input: { swarmId: await trail(c) },
        otherTeam: 'own',
        skipAgreement: 'intensities decay at read time between the two reads',
      }),
      decayPheromones: async (c) => ({ input: { swarmId: await trail(c) }, otherTeam: 'own' }),
      pheromoneStats: async (c) => ({ input: { swarmId: await trail(c) }, otherTeam: 'own' }),
    },
  });
});
