/**
 * What one result spent, from cumulative figures: differences per model, whole figures after a
 * restart that counts from zero, no cost invented (unknown stays null, a reported $0 for tokens is
 * unknown), the price table for unknown costs, exact sums in nano-dollars.
 */
import t from 'tap';
import type { ModelFigures } from '../workers/index.js';
import { priceOf, priced, reportedOf, spendOf, toNanos } from './spend.js';

const figures = (
  input: number,
  output: number,
  costUsd: number | null,
  cacheRead = 0,
  cacheWrite = 0,
): ModelFigures => ({
  input,
  output,
  cacheRead,
  cacheWrite,
  costUsd,
});

t.test('differences of cumulative figures, by model', async (t) => {
  const first = {
    totalCostUsd: 0.0013,
    models: { a: figures(100, 10, 0.0012, 5, 1), b: figures(7, 3, 0.0001) },
    turn: null,
  };
  const one = spendOf(null, first, 'x', {});
  t.same(one, [
    {
      model: 'a',
      tokens: { input: 100, output: 10, cacheRead: 5, cacheWrite: 1 },
      costNanos: 1_200_000,
      costSource: 'reported',
    },
    {
      model: 'b',
      tokens: { input: 7, output: 3, cacheRead: 0, cacheWrite: 0 },
      costNanos: 100_000,
      costSource: 'reported',
    },
  ]);
  const second = {
    totalCostUsd: 0.0025,
    models: { a: figures(250, 30, 0.0024, 5, 1), b: figures(7, 3, 0.0001) },
    turn: null,
  };
  const two = spendOf(reportedOf(first, null), second, 'x', {});
  t.same(
    two,
    [
      {
        model: 'a',
        tokens: { input: 150, output: 20, cacheRead: 0, cacheWrite: 0 },
        costNanos: 1_200_000,
        costSource: 'reported',
      },
    ],
    'a model that spent nothing this time is left out',
  );
});

t.test('a figure that went down: the agent counts from zero again (a new process)', async (t) => {
  const before = reportedOf({ totalCostUsd: 0.5, models: { a: figures(1000, 100, 0.5) } }, null);
  const after = spendOf(before, { totalCostUsd: 0.1, models: { a: figures(200, 20, 0.1) }, turn: null }, 'x', {});
  t.same(after, [
    {
      model: 'a',
      tokens: { input: 200, output: 20, cacheRead: 0, cacheWrite: 0 },
      costNanos: 100_000_000,
      costSource: 'reported',
    },
  ]);
});

t.test('no modelUsage: the turn’s usage goes to the session’s model, the total’s difference is its cost', async (t) => {
  const previous = { totalCostUsd: 0.2, models: {} };
  const spends = spendOf(
    previous,
    { totalCostUsd: 0.25, models: {}, turn: { input: 40, output: 4, cacheRead: 0, cacheWrite: 0 } },
    'm',
    {},
  );
  t.same(spends, [
    {
      model: 'm',
      tokens: { input: 40, output: 4, cacheRead: 0, cacheWrite: 0 },
      costNanos: 50_000_000,
      costSource: 'reported',
    },
  ]);
  const nothing = spendOf(null, { totalCostUsd: null, models: {}, turn: null }, 'm', {});
  t.same(
    nothing,
    [{ model: 'm', tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costNanos: null, costSource: null }],
    'a result with nothing reported still counts as one, its cost unknown',
  );
});

t.test('unknown cost: null, never 0; a reported $0 for tokens is unknown; prices fill in', async (t) => {
  const noCost = { totalCostUsd: null, models: { 'claude-x': figures(1000, 100, null) }, turn: null };
  t.same(spendOf(null, noCost, 'x', {})[0]!.costNanos, null);
  const zero = { totalCostUsd: 0, models: { 'claude-x': figures(1000, 100, 0) }, turn: null };
  t.same(spendOf(null, zero, 'x', {})[0]!.costSource, null, 'subscription: $0 for 1100 tokens is unknown');
  const prices = { 'claude-*': { input: 3, output: 15 }, 'claude-x': { input: 1, output: 2, cacheRead: 0.1 } };
  t.same(spendOf(null, noCost, 'x', prices)[0], {
    model: 'claude-x',
    tokens: { input: 1000, output: 100, cacheRead: 0, cacheWrite: 0 },
    costNanos: 1_200_000, // (1000 × 1 + 100 × 2) / 1e6 dollars
    costSource: 'priced',
  });
  t.equal(priceOf(prices, 'claude-y')?.input, 3, 'a prefix ending in * matches');
  t.equal(priceOf(prices, 'gpt'), undefined);
  t.equal(
    priceOf({ 'c*': { input: 1, output: 1 }, 'claude-*': { input: 2, output: 2 } }, 'claude-z')?.input,
    2,
    'the longest prefix wins',
  );
  t.equal(priceOf({ toString: { input: 1, output: 1 } }, 'constructor'), undefined, 'own keys only');
  t.equal(
    priced({ input: 3, output: 15 }, { input: 0, output: 0, cacheRead: 1_000_000, cacheWrite: 0 }),
    3_000_000_000,
    'cache read at the input price when none is given',
  );
  const total = { totalCostUsd: 0.3, models: { a: figures(10, 1, null), b: figures(500, 50, null) }, turn: null };
  t.same(
    spendOf(null, total, 'x', {}).map((s) => [s.model, s.costNanos]),
    [
      ['a', null],
      ['b', 300_000_000],
    ],
    'tokens by model but only a total cost: the total goes to the model that spent most',
  );
});

t.test('sums in nano-dollars are exact: the differences add up to the last figure', async (t) => {
  // Sums of floating-point costs as Claude Code reports them (0.1 + 0.2 and the like).
  const costs = [0.0228, 0.0228 + 0.022892, 0.1, 0.1 + 0.2, 0.1 + 0.2 + 0.000001];
  let previous = null;
  let sum = 0;
  for (const [i, cost] of costs.entries()) {
    const report = { totalCostUsd: cost, models: { m: figures(100 * (i + 1), 10 * (i + 1), cost) } };
    const [spend] = spendOf(previous, { ...report, turn: null }, 'm', {});
    sum += spend!.costNanos!;
    previous = reportedOf(report, previous);
  }
  t.equal(sum, toNanos(0.1 + 0.2 + 0.000001));
});

t.test('a result that leaves out a cost does not make the next one count from zero', async (t) => {
  let previous = reportedOf({ totalCostUsd: 0.5, models: { a: figures(100, 10, 0.5) } }, null);
  previous = reportedOf({ totalCostUsd: null, models: { a: figures(200, 20, null) } }, previous);
  t.same(previous.models.a, figures(200, 20, 0.5), 'tokens move on, the last known cost stays');
  const [spend] = spendOf(previous, { totalCostUsd: 0.7, models: { a: figures(300, 30, 0.7) }, turn: null }, 'x', {});
  t.equal(spend!.costNanos, 200_000_000, 'the cost spent since the last known one');
});
