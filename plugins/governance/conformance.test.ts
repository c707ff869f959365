/**
 * Every governance operation (proposals, bids, payoffs) conforms: 401 without a token, another team
 * refused and told nothing, required fields named by the route and the tools alike, the owner's valid
 * call succeeding. Voters and bidders must be swarm members, so alpha's workers are real ones (the
 * fake agent in a private tmux) spawned into one swarm.
 */
import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { fakeAgentWorkers, startFleet } from '../../test/kit/index.js';

t.test('governance: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: fakeAgentWorkers({ max: 10 }),
      swarm: true,
      governance: true,
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });

  // One swarm of alpha with alpha-w1 and alpha-w2 spawned into it, before the suite registers them (a
  // worker's handle must be its own: the workers plugin refuses to spawn an agent registered already).
  const lead = (await fleet.register('lead-alpha', 'alpha', 'team-lead')).token;
  const made = await fleet.request('POST', '/swarms', { token: lead, body: { name: 'SECRET-SWARM', maxAgents: 5 } });
  const swarmId = made.body.id as string;
  for (const handle of ['alpha-w1', 'alpha-w2']) {
    const body = { handle, swarmId, workingDir: fleet.dataDir };
    const spawned = await fleet.request('POST', '/orchestrate/spawn', { token: lead, body });
    t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  }
  const swarm = async (_c: FixtureContext) => swarmId;
  const proposal = async (c: FixtureContext, extra: Record<string, unknown> = {}) =>
    (
      await c.call(c.alpha.lead, 'POST', '/consensus/proposals', {
        swarmId: await swarm(c),
        title: 'SECRET-TITLE',
        options: ['A', 'B'],
        ...extra,
      })
    ).id as string;
  const task = async (c: FixtureContext) =>
    (await c.call(c.alpha.lead, 'POST', '/tasks', { subject: 'SECRET-TASK' })).id as string;
  const bid = async (c: FixtureContext, taskId?: string) =>
    (
      await c.call(c.alpha.workers[0]!, 'POST', '/bids', {
        taskId: taskId ?? (await task(c)),
        swarmId: await swarm(c),
        bidAmount: 5,
        rationale: 'SECRET-RATIONALE',
      })
    ).id as string;

  await runConformance(t, {
    fleet,
    plugin: 'governance',
    fixtures: {
      createProposal: async (c) => ({ input: { swarmId: await swarm(c), title: 'mine', options: ['A', 'B'] } }),
      proposalCreate: async (c) => ({
        input: { swarmId: await swarm(c), title: 'by tool', options: ['A', 'B'] },
        as: 'worker',
      }),
      listProposals: async (c) => (
        await proposal(c),
        { input: { swarmId: await swarm(c) }, secrets: ['SECRET-TITLE'] }
      ),
      proposalList: async (c) => (await proposal(c), { input: { swarmId: await swarm(c) }, secrets: ['SECRET-TITLE'] }),
      getProposal: async (c) => ({ input: { id: await proposal(c) }, secrets: ['SECRET-TITLE'] }),
      voteProposal: async (c) => ({
        input: { id: await proposal(c, { quorumType: 'absolute', quorumValue: 2 }), voteValue: 'A' },
        as: 'worker',
      }),
      closeProposal: async (c) => ({ input: { id: await proposal(c) } }),
      cancelProposal: async (c) => ({ input: { id: await proposal(c) } }),
      proposalStats: async (c) => ({ input: { swarmId: await swarm(c) } }),
      proposalStatsTool: async (c) => ({ input: { swarmId: await swarm(c) } }),
      submitBid: async (c) => ({
        input: { taskId: await task(c), swarmId: await swarm(c), bidAmount: 3 },
        as: 'worker',
      }),
      listTaskBids: async (c) => {
        const taskId = await task(c);
        await bid(c, taskId);
        return { input: { taskId }, secrets: ['SECRET-RATIONALE'] };
      },
      evaluateBids: async (c) => {
        const taskId = await task(c);
        await bid(c, taskId);
        return { input: { taskId } };
      },
      runAuction: async (c) => {
        const taskId = await task(c);
        await bid(c, taskId);
        return { input: { taskId } };
      },
      bidStats: async (c) => ({ input: { swarmId: await swarm(c) } }),
      getBid: async (c) => ({ input: { id: await bid(c) }, secrets: ['SECRET-RATIONALE'] }),
      acceptBid: async (c) => ({ input: { id: await bid(c) } }),
      withdrawBid: async (c) => ({ input: { id: await bid(c) }, as: 'worker' }),
      definePayoff: async (c) => ({ input: { taskId: await task(c), payoffType: 'completion', baseValue: 10 } }),
      listPayoffs: async (c) => {
        const taskId = await task(c);
        await c.call(c.alpha.lead, 'POST', '/payoffs', { taskId, payoffType: 'completion', baseValue: 10 });
        return { input: { taskId } };
      },
      calculatePayoff: async (c) => {
        const taskId = await task(c);
        await c.call(c.alpha.lead, 'POST', '/payoffs', { taskId, payoffType: 'speed', baseValue: 4 });
        return { input: { taskId } };
      },
    },
  });
});
