import * as v from 'valibot';
import { f } from '../../../core/index.js';
import { typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun, WaitForEvent } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, succeeded, waiting } from './outcome.js';
import { apiOf } from './plugins.js';

const MAX_WAIT_MS = 30 * 86_400_000;

const until = v.pipe(
  v.union([v.string(), v.number()], 'must be a time: an ISO 8601 string or epoch milliseconds'),
  v.transform((value) => (typeof value === 'number' ? value : Date.parse(value))),
  v.check((ms) => Number.isFinite(ms) && ms > 0, 'must be a time: an ISO 8601 string or epoch milliseconds'),
);

/**
 * `wait`: for a duration (from the step's first start: a restart does not begin it again), until a time, or for
 * a fleet event of the team (`event.type`, e.g. task_resolved or worker_result, with `event.filter`: top-level
 * fields of its data that must be equal) published after the step started. An event published while the server
 * was down is not seen; give the step a timeoutMs.
 */
export const waitConfig = v.pipe(
  v.strictObject({
    type: typeOf('wait'),
    durationMs: v.optional(f.int(1, MAX_WAIT_MS)),
    until: v.optional(until),
    event: v.optional(
      v.strictObject({
        type: v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'must be an event type')),
        filter: v.optional(v.record(v.string(), v.unknown(), 'must be an object of field: value')),
      }),
    ),
  }),
  v.forward(
    v.check(
      (c) => [c.durationMs, c.until, c.event].filter((x) => x !== undefined).length === 1,
      'is required: durationMs, until or event, one of them',
    ),
    ['durationMs'],
  ),
);

async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(waitConfig, step);
  const clock = apiOf(step).clock;
  const startedAt = Number(savedState(step)?.startedAt ?? (await saveMore(step, { startedAt: clock.now() })).startedAt);
  const now = clock.now();
  if (config.event) {
    const engine = apiOf(step).engine as { waitForEvent?: WaitForEvent };
    if (typeof engine.waitForEvent !== 'function') return failed('the engine keeps no events: cannot wait for one');
    const event = await engine.waitForEvent(step.team, config.event.type, config.event.filter ?? {}, startedAt);
    if (!event) return waiting();
    return succeeded(
      { event: { type: event.type, data: event.data, at: new Date(event.ts).toISOString() } },
      `event ${event.type} at ${new Date(event.ts).toISOString()}`,
    );
  }
  const dueAt = config.durationMs !== undefined ? startedAt + config.durationMs : config.until!;
  if (now >= dueAt)
    return succeeded(
      { waitedMs: now - startedAt, dueAt: new Date(dueAt).toISOString() },
      `the clock reached ${new Date(dueAt).toISOString()}`,
    );
  return waiting(dueAt);
}

export const waitKind: StepKind = {
  type: 'wait',
  config: waitConfig,
  run: (step) => guarded(step, () => run(step)),
};
