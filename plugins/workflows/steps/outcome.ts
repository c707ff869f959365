import * as v from 'valibot';
import type { StepOutcome, StepRun } from './kind.js';

export const succeeded = (output: Record<string, unknown>, evidence: string): StepOutcome => ({
  status: 'succeeded',
  output,
  evidence,
});

export const failed = (error: string, extra: { output?: Record<string, unknown>; evidence?: string } = {}) =>
  ({ status: 'failed', error, ...extra }) as StepOutcome;

export const waiting = (recheckAt?: number): StepOutcome =>
  recheckAt === undefined ? { status: 'waiting' } : { status: 'waiting', recheckAt };

/** A config or plugin a kind cannot do without: thrown inside a kind, turned into a failed outcome. */
export class StepFailure extends Error {}

/**
 * The step's config as its schema reads it. The engine resolved `{{…}}` in its strings after the definition
 * was validated, so the resolved values are checked again here (a template that produced an empty handle);
 * an issue is a StepFailure naming the field.
 */
export function configOf<S extends v.GenericSchema>(schema: S, step: StepRun): v.InferOutput<S> {
  const result = v.safeParse(schema, step.step.config);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  throw new StepFailure(`config${path ? `.${path}` : ''}: ${issue.message}`);
}

/** Run a kind's body, turning a StepFailure (and any other throw) into a failed outcome with its message. */
export async function guarded(step: StepRun, body: () => Promise<StepOutcome>): Promise<StepOutcome> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StepFailure) return failed(error.message);
    const message = error instanceof Error ? error.message : String(error);
    step.log.warn(`workflow step ${step.step.key} (${step.step.type}) threw`, { error: message });
    return failed(message);
  }
}

/**
 * What this attempt of the step saved before, or undefined on its first run. State carries its attempt: a
 * retried step starts afresh even when the engine hands it the previous attempt's state.
 */
export function savedState(step: StepRun): Record<string, unknown> | undefined {
  const state = latest.get(step) ?? step.state;
  return state?.attempt === step.step.attempt ? state : undefined;
}

/** What a run saved last, by its StepRun (the engine's `state` may be a getter of the row it read). */
const latest = new WeakMap<StepRun, Record<string, unknown>>();

/** This attempt's state so far with the new fields, saved (saveState replaces the whole state). */
export async function saveMore(step: StepRun, more: Record<string, unknown>): Promise<Record<string, unknown>> {
  const next = { ...savedState(step), ...more, attempt: step.step.attempt };
  await step.saveState(next);
  latest.set(step, next);
  return next;
}
