import * as v from 'valibot';
import { cancelCommand, commandEntries, type CommandConfig, describeRun, runCommand } from './commands.js';
import { passes, expressionField } from './expression.js';
import { typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, succeeded } from './outcome.js';

const stepKeys = v.pipe(
  v.union(
    [
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/)),
      v.pipe(v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/))), v.maxLength(20)),
    ],
    'must be a step key or a list of at most 20 step keys',
  ),
  v.transform((value) => (typeof value === 'string' ? [value] : value)),
);

/**
 * `gate`: a condition on the context (the expression language, expression.ts) or a command (argv, as the
 * `command` kind runs it) that must pass. Without branches, a gate that does not pass fails the step (its
 * onFailure decides the rest). With `onTrue` / `onFalse` (the seed's step keys) it branches instead: it
 * succeeds either way and its output's `skipSteps` names the other branch's steps, which the engine skips.
 */
export const gateConfig = v.pipe(
  v.strictObject({
    type: typeOf('gate'),
    condition: v.optional(expressionField),
    ...commandEntries,
    argv: v.optional(commandEntries.argv),
    onTrue: v.optional(stepKeys),
    onFalse: v.optional(stepKeys),
  }),
  v.forward(
    v.check(
      (c) => (c.condition === undefined) !== (c.argv === undefined),
      'is required: a condition (an expression) or argv (a command), one of them',
    ),
    ['condition'],
  ),
  v.forward(
    v.check(
      (c) => c.argv === undefined || (c.cwd === undefined) !== (c.worker === undefined),
      'is required with argv: cwd or worker, one of them',
    ),
    ['cwd'],
  ),
);

async function decide(
  step: StepRun,
): Promise<{ passed: boolean; output: Record<string, unknown>; evidence: string } | 'interrupted'> {
  const config = configOf(gateConfig, step);
  if (config.condition !== undefined) {
    const passed = passes(config.condition, step.context);
    return {
      passed,
      output: { conditionResult: passed, condition: config.condition },
      evidence: `condition ${config.condition} is ${passed}`,
    };
  }
  const command = { ...config, argv: config.argv! } as CommandConfig;
  const result = await runCommand(step, command);
  if (result === 'interrupted') return result;
  const { output, evidence } = describeRun(command, result);
  const passed = result.exitCode === 0 && !result.timedOut && result.error === null;
  return { passed, output: { ...output, conditionResult: passed }, evidence };
}

async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(gateConfig, step);
  const decision = await decide(step);
  if (decision === 'interrupted') return failed('the gate command was cut off by a server restart (onRestart: fail)');
  const { passed, output, evidence } = decision;
  if (config.onTrue !== undefined || config.onFalse !== undefined) {
    const skipSteps = (passed ? config.onFalse : config.onTrue) ?? [];
    return succeeded({ ...output, skipSteps }, `${evidence}: ${passed ? 'onTrue' : 'onFalse'} branch taken`);
  }
  if (passed) return succeeded(output, evidence);
  return failed(`gate did not pass: ${evidence}`, { output, evidence });
}

export const gateKind: StepKind = {
  type: 'gate',
  config: gateConfig,
  run: (step) => guarded(step, () => run(step)),
  cancel: cancelCommand,
};
