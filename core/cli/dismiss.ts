import { checkName, OPERATOR_HELP, OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './operator.js';
import { usageError } from './errors.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet dismiss <handle> [--team <team>]

Stop a worker: its agent and everything it started, its tmux window, and its tokens.

${OPERATOR_NOTE}

Options:
${OPERATOR_HELP}
  -h, --help          Show this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, OPERATOR_OPTIONS, HELP, true);
  if (!parsed) return 0;
  if (parsed.positionals.length > 1)
    throw usageError(`one worker at a time (got ${parsed.positionals.join(', ')}); see --help`);
  const handle = checkName('<handle>', parsed.positionals[0]);
  const operator = await operatorFor(parsed.values);
  const worker = await operator.call<{ state?: string }>('POST', `/orchestrate/dismiss/${handle}`);
  process.stdout.write(`dismissed ${handle} (team ${operator.team}): ${worker.state}\n`);
  return 0;
}
