import { checkName, OPERATOR_HELP, OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './operator.js';
import { usageError } from './errors.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet send <handle> <message...> [--team <team>]

Send a message to a running worker: it reaches its agent as input, as if its lead typed it
(the words after the handle are the message; quote it to keep your shell's hands off it).

${OPERATOR_NOTE}

Options:
${OPERATOR_HELP}
  -h, --help          Show this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, OPERATOR_OPTIONS, HELP, true);
  if (!parsed) return 0;
  const [name, ...words] = parsed.positionals;
  const handle = checkName('<handle>', name);
  const message = words.join(' ');
  if (message.trim() === '') throw usageError('<message> is required: fleet send <handle> <message...>');
  const operator = await operatorFor(parsed.values);
  await operator.call('POST', `/orchestrate/send/${handle}`, { message });
  process.stdout.write(`sent to ${handle} (team ${operator.team})\n`);
  return 0;
}
