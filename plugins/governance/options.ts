import * as v from 'valibot';

/** plugins.governance in fleet.config.ts. */
export const governanceOptionsSchema = v.object({
  /** The longest a proposal may stay open (ms); a deadline further out is refused (400 naming it). */
  maxDeadlineMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000)), 366 * 24 * 3_600_000),
  /**
   * FOR TESTS ONLY: a clock that moves only when the test advances it (api.clock is then a
   * FakeClock), starting at `startAt` (ms since the epoch). Never set in a real fleet.
   */
  testClock: v.optional(v.object({ startAt: v.pipe(v.number(), v.integer(), v.minValue(0)) })),
});

export type GovernanceOptions = v.InferOutput<typeof governanceOptionsSchema>;
