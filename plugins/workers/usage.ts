import type { LogEvent } from '../../core/index.js';

/** Tokens by kind: input, output, cache read (`cache_read_input_tokens`), cache write (`cache_creation_…`). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One model's figures as the agent reports them in `modelUsage`: cumulative for the session. */
export interface ModelFigures extends TokenCounts {
  /** `costUSD`; null when the agent reports none (subscription use, another CLI). */
  costUsd: number | null;
}

/** What a result says about spending, as reported: read by the sessions plugin's accounting. */
export interface UsageReport {
  /** `total_cost_usd`: cumulative for the session (a resumed session carries it on); null when absent. */
  totalCostUsd: number | null;
  /** `modelUsage`, by model: cumulative for the session; empty when the agent reports none. */
  models: Record<string, ModelFigures>;
  /** `usage`: the tokens of this result's turn alone (Claude Code's main loop); null when absent. */
  turn: TokenCounts | null;
  /**
   * How full the context was at the turn's last request: input + cache read + cache write + output
   * of the last main-loop assistant message before the result. Null when none was seen.
   */
  contextTokens: number | null;
}

/** Models kept from one result: more is not an agent's honest report (external workers push their own lines). */
const MAX_MODELS = 20;
const MAX_MODEL_NAME = 200;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A count as reported: a finite, non-negative number (rounded), else 0. Agents' lines are untrusted. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** A cost as reported: a finite, non-negative number, else null (unknown, never a made-up 0). */
export function costOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Messages-API usage (`input_tokens`, `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`). */
export function apiTokens(usage: unknown): TokenCounts | null {
  if (!isObject(usage)) return null;
  return {
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
  };
}

/** `modelUsage` (`inputTokens`, `outputTokens`, `cacheReadInputTokens`, `cacheCreationInputTokens`, `costUSD`). */
export function modelFigures(modelUsage: unknown): Record<string, ModelFigures> {
  const models: Record<string, ModelFigures> = {};
  if (!isObject(modelUsage)) return models;
  for (const [model, figures] of Object.entries(modelUsage).slice(0, MAX_MODELS)) {
    if (!isObject(figures) || model === '' || model.length > MAX_MODEL_NAME) continue;
    models[model] = {
      input: count(figures.inputTokens),
      output: count(figures.outputTokens),
      cacheRead: count(figures.cacheReadInputTokens),
      cacheWrite: count(figures.cacheCreationInputTokens),
      costUsd: costOf(figures.costUSD),
    };
  }
  return models;
}

/** The context an assistant line's request had: its usage, all kinds together; null if it has none. */
export function contextTokensOf(assistantLine: string | undefined): number | null {
  if (assistantLine === undefined) return null;
  try {
    const line = JSON.parse(assistantLine) as unknown;
    const tokens = isObject(line) && isObject(line.message) ? apiTokens(line.message.usage) : null;
    return tokens ? tokens.input + tokens.cacheRead + tokens.cacheWrite + tokens.output : null;
  } catch {
    return null;
  }
}

/** The usage report of one result event, with the last main-loop assistant line before it. */
export function usageReport(
  event: Extract<LogEvent, { kind: 'result' }>,
  assistantLine: string | undefined,
): UsageReport {
  return {
    totalCostUsd: costOf(event.totalCostUsd),
    models: modelFigures(event.modelUsage),
    turn: apiTokens(event.usage),
    contextTokens: contextTokensOf(assistantLine),
  };
}
