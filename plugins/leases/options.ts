import * as v from 'valibot';

/** plugins.leases in fleet.config.ts. */
export const leasesOptionsSchema = v.object({
  /** A lease's time to live when the body gives none (seconds). */
  defaultTtlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(86_400)), 300),
  /** The longest time to live a body may ask for (seconds); more is 400 naming ttlSeconds. */
  maxTtlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(30 * 86_400)), 86_400),
  /** How often live workers' leases are renewed and expired ones swept (seconds). */
  renewEverySeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600)), 30),
  /**
   * How long blockers() trusts its in-memory copy of a repo's active leases (ms). Changes this
   * process makes drop the copy at once; this bounds how stale another node's changes can look.
   */
  blockersCacheMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)), 1000),
  /**
   * FOR TESTS ONLY: a clock that moves only when the test advances it (api.clock is then a
   * FakeClock), starting at `startAt` (ms since the epoch). Never set in a real fleet.
   */
  testClock: v.optional(v.object({ startAt: v.pipe(v.number(), v.integer(), v.minValue(0)) })),
});

export type LeasesOptions = v.InferOutput<typeof leasesOptionsSchema>;
