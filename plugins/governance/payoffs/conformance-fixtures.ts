import { type FixtureContextLike, swarmAndTask } from '../bids/conformance-fixtures.js';

/** Conformance fixtures for the payoff operations (see bids/conformance-fixtures.ts). */
async function definedPayoff(c: FixtureContextLike) {
  const { taskId } = await swarmAndTask(c);
  const payoff = await c.call(c.alpha.lead, 'POST', '/payoffs', { taskId, payoffType: 'quality', baseValue: 77 });
  return { taskId, payoffId: payoff.id as string };
}

export const payoffConformanceFixtures: Record<
  string,
  (c: FixtureContextLike) => Promise<Record<string, unknown> & { input: Record<string, unknown> }>
> = {
  definePayoff: async (c) => ({
    input: { taskId: (await swarmAndTask(c)).taskId, payoffType: 'completion', baseValue: 5, multiplier: 2 },
  }),
  listPayoffs: async (c) => {
    const { taskId, payoffId } = await definedPayoff(c);
    return { input: { taskId }, secrets: [payoffId] };
  },
  calculatePayoff: async (c) => ({ input: { taskId: (await definedPayoff(c)).taskId } }),
};
