import * as v from 'valibot';
import type { StepKind } from '../steps/kind.js';

/**
 * A step kind for the engine's own tests: it does what its config says (succeed, fail a number of times,
 * wait until released, never return), counting its runs and cancels by step key, so the tests see what
 * the engine called. The engine, the database and the routes under test are the real ones.
 */
export interface Probe {
  kind: StepKind;
  runs: Map<string, number>;
  cancels: Map<string, number>;
  /** Keys released from waiting (succeed on the next check). */
  released: Set<string>;
}

export function probeKind(): Probe {
  const runs = new Map<string, number>();
  const cancels = new Map<string, number>();
  const released = new Set<string>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const kind: StepKind = {
    type: 'probe',
    config: v.strictObject({
      mode: v.optional(v.picklist(['succeed', 'fail', 'wait', 'hang', 'noEvidence']), 'succeed'),
      failTimes: v.optional(v.number()),
      value: v.optional(v.unknown()),
      label: v.optional(v.string()),
    }),
    async run(step) {
      count(runs, `${step.execution.id}:${step.step.key}`);
      const config = step.step.config as { mode: string; failTimes?: number; value?: unknown; label?: string };
      const echo = { value: config.value ?? null, label: config.label ?? null, attempt: step.step.attempt };
      if (config.mode === 'fail' && (config.failTimes === undefined || step.step.attempt <= config.failTimes))
        return { status: 'failed', error: `probe failed at attempt ${step.step.attempt}` };
      if (config.mode === 'wait') {
        if (released.has(step.step.key)) return { status: 'succeeded', output: echo, evidence: 'released' };
        await step.saveState({ waitingSince: Date.now() });
        return { status: 'waiting' };
      }
      if (config.mode === 'hang')
        await new Promise((resolve) => step.signal.addEventListener('abort', resolve, { once: true }));
      if (config.mode === 'noEvidence') return { status: 'succeeded', output: echo, evidence: '' };
      return { status: 'succeeded', output: echo, evidence: `probe ran attempt ${step.step.attempt}` };
    },
    cancel(step) {
      count(cancels, `${step.execution.id}:${step.step.key}`);
      return Promise.resolve();
    },
  };
  return { kind, runs, cancels, released };
}
