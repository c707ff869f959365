import * as v from 'valibot';
import {
  commandEntries,
  type CommandConfig,
  cancelCommand,
  describeRun,
  runCommand,
  WHERE_MESSAGE,
  whereCheck,
} from './commands.js';
import { typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, succeeded } from './outcome.js';

/** `command`: run a program (argv) in a worker's worktree or a directory; exit code 0 is success. */
export const commandConfig = v.pipe(
  v.strictObject({ type: typeOf('command'), ...commandEntries }),
  v.forward(
    v.check((c) => whereCheck(c), WHERE_MESSAGE),
    ['cwd'],
  ),
);

async function run(step: StepRun): Promise<StepOutcome> {
  const config: CommandConfig = configOf(commandConfig, step);
  const result = await runCommand(step, config);
  if (result === 'interrupted') return failed('the command was cut off by a server restart (onRestart: fail)');
  const { output, evidence } = describeRun(config, result);
  if (result.exitCode === 0 && !result.timedOut && result.error === null) return succeeded(output, evidence);
  return failed(evidence, { output, evidence });
}

export const commandKind: StepKind = {
  type: 'command',
  config: commandConfig,
  run: (step) => guarded(step, () => run(step)),
  cancel: cancelCommand,
};
