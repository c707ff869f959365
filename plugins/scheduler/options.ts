import * as v from 'valibot';
import { actionSchema } from './schedules/action.js';
import { webhookOptionsSchema } from './webhooks/index.js';
import { auditOptionsSchema } from './audit/index.js';
import { catchUp, cronExpression, overlap, repository, scheduleName, tasks, timezone } from './fields.js';

/** A schedule in the config: a fleet-wide definition, created in `teamName` (read-only through the API). */
const configSchedule = v.object({
  teamName: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/, 'must be a team name')),
  name: scheduleName,
  cron: cronExpression,
  timezone: v.optional(timezone),
  tasks: v.optional(tasks),
  action: v.optional(actionSchema),
  repository: v.optional(repository),
  enabled: v.optional(v.boolean()),
  catchUp: v.optional(catchUp),
  overlap: v.optional(overlap),
});

/** plugins.scheduler in fleet.config.ts. */
export const schedulerOptionsSchema = v.object({
  /** Schedules defined in the config, created (or updated) at start by team and name. */
  schedules: v.optional(v.array(configSchedule), []),
  /** Time zone of schedules that name none. */
  timezone: v.optional(v.string(), 'UTC'),
  /** How often the engine looks for due slots (real ms). */
  tickMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(60_000)), 1000),
  /** A slot found due later than this (clock ms) was missed (downtime): its schedule's catch-up policy decides. */
  graceMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3_600_000)), 60_000),
  /** Missed slots written per schedule and pass: beyond, the rest are written in the next passes (never dropped). */
  catchUpScanLimit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)), 2000),
  /** Catch-up fires at start-up are spread this far apart (clock ms), not all at once. */
  staggerMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000)), 2000),
  /** How long a prompt or spawn waits to see the worker's turn start before the run says failed (real ms). */
  turnStartTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(3_600_000)), 120_000),
  /** The queue (queue/): concurrency, attempts, backoff, lease, poll; defaults in queue/job-queue.ts. */
  queue: v.optional(
    v.object({
      concurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
      maxAttempts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
      backoffBaseMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      backoffMaxMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      leaseMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100))),
      pollMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5))),
    }),
    {},
  ),
  /** Inbound webhooks (webhooks/): team, secrets, rules, limits. */
  webhooks: webhookOptionsSchema,
  /** Outbound webhooks and notifications (outbound/): signing secret, private networks, timeout. */
  outbound: v.optional(
    v.object({
      /** Else env FLEET_WEBHOOK_SECRET. */
      secret: v.optional(v.string()),
      allowPrivateNetworks: v.optional(v.boolean()),
      /** Hosts allowed even when private (a local receiver). */
      allowHosts: v.optional(v.array(v.string())),
      timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(120_000))),
    }),
    {},
  ),
  /** The audit loop (audit/): its checks. */
  audit: auditOptionsSchema,
  /**
   * FOR TESTS ONLY: simulated time. `startAt` (ms since the epoch) at the real instant `anchor`, then
   * one simulated minute every `msPerMinute` real ms; or, with `manual: true`, a clock that moves
   * only when the test advances it (api.clock is then a FakeClock). Never set in a real fleet.
   */
  testClock: v.optional(
    v.object({
      startAt: v.number(),
      anchor: v.optional(v.number()),
      msPerMinute: v.optional(v.pipe(v.number(), v.minValue(1))),
      manual: v.optional(v.boolean()),
    }),
  ),
});

export type SchedulerOptions = v.InferOutput<typeof schedulerOptionsSchema>;
export type ConfigSchedule = v.InferOutput<typeof configSchedule>;
