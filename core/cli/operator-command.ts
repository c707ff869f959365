import type { ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';
import { checkName, OPERATOR_HELP, OPERATOR_NOTE, OPERATOR_OPTIONS } from './operator.js';
import { parseCommand } from './parse.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The help of a command that acts on a team's workers (spawn, send, dismiss, logs): its usage, what
 * it does, how it acts (as the team's lead `operator`), then its own options and the shared ones.
 */
export function operatorHelp(usage: string, about: string, options = ''): string {
  return `
Usage: ${usage}

${about}

${OPERATOR_NOTE}

Options:
${options}${OPERATOR_HELP}
  -h, --help          Show this help
`;
}

/**
 * The arguments of a command on one worker: its options and the operator's, the worker's handle
 * (checked) first, then, when the command takes them (`words`), the words after it. Undefined when
 * --help was asked for (and printed).
 */
export function parseWorkerCommand<O extends Options = Record<never, never>>(
  args: string[],
  help: string,
  options?: O,
  { words = false } = {},
) {
  const parsed = parseCommand(args, { ...OPERATOR_OPTIONS, ...(options as O) }, help, true);
  if (!parsed) return undefined;
  const [name, ...rest] = parsed.positionals;
  if (!words && rest.length > 0)
    throw usageError(`one worker at a time (got ${parsed.positionals.join(', ')}); see --help`);
  return { values: parsed.values, handle: checkName('<handle>', name), words: rest };
}
