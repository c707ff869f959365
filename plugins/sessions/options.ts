import * as v from 'valibot';

const perMillion = v.pipe(
  v.number('must be a number (US dollars per million tokens)'),
  v.finite('must be a finite number'),
  v.minValue(0, 'must not be negative'),
);

/** A model's price, in US dollars per million tokens of each kind (cache read and write default to input's). */
const price = v.object({
  input: perMillion,
  output: perMillion,
  cacheRead: v.optional(perMillion),
  cacheWrite: v.optional(perMillion),
});

const contextTokens = v.pipe(
  v.number('must be a number of context tokens'),
  v.integer('must be a whole number'),
  v.minValue(1000, 'must be at least 1000'),
);

/** plugins.sessions in fleet.config.ts. */
export const sessionsOptionsSchema = v.object({
  /**
   * Trim and continue a worker by itself once the context its agent reports reaches this many
   * tokens (a spawn's `autoTrim` overrides it per worker); false: only when asked.
   */
  autoTrim: v.optional(v.union([v.literal(false), contextTokens], 'must be false or a number of tokens'), false),
  /** How long a trim waits for the worker's own checkpoint before building one from the transcript. */
  trimDeadlineSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(600)), 60),
  /**
   * Prices by model name (an exact name, or a prefix ending in `*`), used when an agent reports no
   * cost: its tokens are priced here. A model without a price keeps an unknown cost.
   */
  prices: v.optional(v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(200)), price), {}),
  /** Transcript text waits at most this long (ms) before it is indexed for search, in one batch. */
  indexDelayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(60_000)), 500),
});

export type SessionsOptions = v.InferOutput<typeof sessionsOptionsSchema>;
export type PriceTable = SessionsOptions['prices'];
