import * as v from 'valibot';

const whole = (min: number, max: number) =>
  v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(min), v.maxValue(max));

/** plugins.knowledge in fleet.config.ts. */
export const knowledgeOptionsSchema = v.object({
  /** Longest text of one chunk, in characters (a section longer than this is cut, with overlap). */
  chunkChars: v.optional(whole(200, 20_000), 1200),
  /** Characters a cut chunk repeats of the one before it, so a fact on the cut is whole in one of them. */
  overlapChars: v.optional(whole(0, 2000), 150),
  /**
   * Recency in the ranking: a chunk's score is its text score × (1 + recencyWeight × h / (h + age)),
   * h being recencyHalfLifeDays: new text counts up to (1 + recencyWeight) times, half that bonus at h days.
   */
  recencyWeight: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(10)), 0.5),
  recencyHalfLifeDays: v.optional(v.pipe(v.number(), v.minValue(0.01), v.maxValue(3650)), 30),
  /** Most characters the briefing puts in a worker's first prompt (memory and documents for its task). */
  briefingChars: v.optional(whole(0, 20_000), 1500),
  /** Tell a worker the top matches for a task when it claims it or is assigned it (sent as input). */
  briefOnClaim: v.optional(v.boolean(), true),
});

export type KnowledgeOptions = v.InferOutput<typeof knowledgeOptionsSchema>;
