import type { ModelFigures, TokenCounts, UsageReport } from '../workers/index.js';
import type { PriceTable } from './options.js';

/** What a session's agent last reported, cumulative: the next result is counted as the difference. */
export interface Reported {
  totalCostUsd: number | null;
  models: Record<string, ModelFigures>;
}

/** What one result spent on one model: tokens by kind and the cost in nano-dollars (null: unknown). */
export interface ModelSpend {
  model: string;
  tokens: TokenCounts;
  costNanos: number | null;
  costSource: 'reported' | 'priced' | null;
}

const KINDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
const ZERO: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** Dollars to whole nano-dollars: differences and sums of these are exact. */
export const toNanos = (usd: number) => Math.round(usd * 1e9);
export const fromNanos = (nanos: number | null) => (nanos === null ? null : Number(nanos) / 1e9);

const tokenSum = (tokens: TokenCounts) => KINDS.reduce((sum, kind) => sum + tokens[kind], 0);

/**
 * The cost spent since `before` of a cumulative figure: null when unknown now; the whole figure when
 * there was none before or it went down (the agent counts from zero again: a new process).
 */
function costDelta(now: number | null, before: number | null | undefined): number | null {
  if (now === null) return null;
  const nowNanos = toNanos(now);
  if (before === null || before === undefined) return nowNanos;
  const delta = nowNanos - toNanos(before);
  return delta < 0 ? nowNanos : delta;
}

/** The price of a model: its exact name, else the longest `prefix*` that matches. */
export function priceOf(prices: PriceTable, model: string): PriceTable[string] | undefined {
  if (Object.hasOwn(prices, model)) return prices[model];
  let best: { length: number; price: PriceTable[string] } | undefined;
  for (const [pattern, price] of Object.entries(prices)) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (model.startsWith(prefix) && (!best || prefix.length > best.length)) best = { length: prefix.length, price };
  }
  return best?.price;
}

/** Tokens priced in nano-dollars (prices are dollars per million tokens: 1e9 / 1e6 = 1000). */
export function priced(price: PriceTable[string], tokens: TokenCounts): number {
  const dollarsPerMillion =
    tokens.input * price.input +
    tokens.output * price.output +
    tokens.cacheRead * (price.cacheRead ?? price.input) +
    tokens.cacheWrite * (price.cacheWrite ?? price.input);
  return Math.round(dollarsPerMillion * 1000);
}

/**
 * What one result spent, by model, from what the session's agent reports cumulatively (modelUsage,
 * total_cost_usd) and what it reported last: the differences. Figures that went down mean the
 * agent counts from zero again (a new process of a per-process agent), so the new figure is all
 * spent since. Without modelUsage, the result's own usage (this turn's tokens) goes to the
 * session's model, with the difference of total_cost_usd. A cost is unknown (null) when the agent
 * reports none, or reports $0 for tokens spent (subscription use); the price table then prices it
 * when it knows the model. Models that spent nothing this time are left out, but a result always
 * has one row (so it is counted).
 */
export function spendOf(
  previous: Reported | null,
  report: Pick<UsageReport, 'totalCostUsd' | 'models' | 'turn'>,
  fallbackModel: string,
  prices: PriceTable,
): ModelSpend[] {
  const entries = Object.entries(report.models);
  let spends: { model: string; tokens: TokenCounts; costNanos: number | null }[];
  if (entries.length === 0) {
    spends = [
      {
        model: fallbackModel,
        tokens: report.turn ?? ZERO,
        costNanos: costDelta(report.totalCostUsd, previous?.totalCostUsd),
      },
    ];
  } else {
    spends = entries.map(([model, now]) => {
      const before = previous?.models[model];
      const restarted = before !== undefined && KINDS.some((kind) => now[kind] < before[kind]);
      const tokens = { ...ZERO };
      for (const kind of KINDS) tokens[kind] = before && !restarted ? now[kind] - before[kind] : now[kind];
      const costNanos = restarted ? costDelta(now.costUsd, null) : costDelta(now.costUsd, before?.costUsd);
      return { model, tokens, costNanos };
    });
    // Tokens by model but the cost only as a total: the total's difference goes to the model that spent most.
    if (spends.every((spend) => spend.costNanos === null) && report.totalCostUsd !== null) {
      const most = spends.reduce((a, b) => (tokenSum(b.tokens) > tokenSum(a.tokens) ? b : a));
      most.costNanos = costDelta(report.totalCostUsd, previous?.totalCostUsd);
    }
    const spent = spends.filter((spend) => tokenSum(spend.tokens) > 0 || (spend.costNanos ?? 0) > 0);
    spends = spent.length > 0 ? spent : spends.slice(0, 1);
  }
  return spends.map((spend) => {
    const subscription = spend.costNanos === 0 && tokenSum(spend.tokens) > 0;
    if (spend.costNanos !== null && !subscription) return { ...spend, costSource: 'reported' };
    const price = priceOf(prices, spend.model);
    if (price) return { ...spend, costNanos: priced(price, spend.tokens), costSource: 'priced' };
    return { ...spend, costNanos: null, costSource: null };
  });
}

/**
 * What to keep as "last reported" after a result. A figure the result leaves out keeps the last one
 * known (a result without a cost does not make the next cost count from zero).
 */
export function reportedOf(report: Pick<UsageReport, 'totalCostUsd' | 'models'>, previous: Reported | null): Reported {
  const models: Record<string, ModelFigures> = { ...previous?.models };
  for (const [model, figures] of Object.entries(report.models))
    models[model] = { ...figures, costUsd: figures.costUsd ?? previous?.models[model]?.costUsd ?? null };
  return { totalCostUsd: report.totalCostUsd ?? previous?.totalCostUsd ?? null, models };
}
