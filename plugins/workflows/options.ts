import * as v from 'valibot';

/**
 * Time as the workflows plugin reads it (timeouts, backoff, schedule triggers, waits). Tests drive
 * it through options.testClock, like the scheduler's: a clock anchored to a fixed real instant keeps
 * counting across a restart of the server.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
  sleep(ms: number): Promise<void>;
}

function realTimer(fn: () => void, realMs: number): { cancel(): void } {
  const timer = setTimeout(fn, Math.max(0, realMs));
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => realTimer(fn, ms),
  sleep: (ms) => new Promise((resolve) => realTimer(resolve, ms)),
};

/** `startAt` at the real instant `anchor`, then `rate` clock ms per real ms (tests only). */
export function acceleratedClock(startAt: number, anchor: number, rate: number): Clock {
  return {
    now: () => Math.floor(startAt + (Date.now() - anchor) * rate),
    setTimeout: (fn, ms) => realTimer(fn, ms / rate),
    sleep: (ms) => new Promise((resolve) => realTimer(resolve, ms / rate)),
  };
}

const ms = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** plugins.workflows in fleet.config.ts. */
export const workflowsOptionsSchema = v.object({
  /** How often the engine looks for ready, waiting and timed-out steps without being woken (real ms). */
  pollMs: v.optional(ms(5, 60_000), 1000),
  /** Steps one engine pass claims at most (the rest wait for the next pass). */
  batchSize: v.optional(ms(1, 1000), 50),
  /** Steps running at once in this process. */
  concurrency: v.optional(ms(1, 10_000), 200),
  /**
   * A running step's claim lasts this long without a renewal: a node renews its claims every
   * leaseMs/3; a step whose claim expired (its node died) is re-attached by any node.
   */
  leaseMs: v.optional(ms(200, 3_600_000), 30_000),
  /** A step with no timeoutMs of its own fails after this long (0: never). */
  defaultStepTimeoutMs: v.optional(ms(0, 7 * 86_400_000), 0),
  /** Backoff of a retried step when its retry names none (doubling per attempt, capped at maxBackoffMs). */
  backoffMs: v.optional(ms(0, 3_600_000), 1000),
  maxBackoffMs: v.optional(ms(0, 86_400_000), 300_000),
  /** Seed the seed's example workflows (feature-branch, parallel-test, checkpoint-gate) per team, once. */
  seedExamples: v.optional(v.boolean(), true),
  /** How often schedule and blackboard triggers are evaluated (real ms). */
  triggerPollMs: v.optional(ms(5, 3_600_000), 5000),
  /** FOR TESTS ONLY: simulated time (`rate` clock ms per real ms from `startAt` at real `anchor`). */
  testClock: v.optional(
    v.object({
      startAt: v.number(),
      anchor: v.optional(v.number()),
      rate: v.optional(v.pipe(v.number(), v.minValue(0.001))),
    }),
  ),
});

export type WorkflowsOptions = v.InferOutput<typeof workflowsOptionsSchema>;

export function clockOf(test: WorkflowsOptions['testClock']): Clock {
  if (!test) return systemClock;
  return acceleratedClock(test.startAt, test.anchor ?? Date.now(), test.rate ?? 1);
}
