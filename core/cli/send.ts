import { usageError } from './errors.js';
import { operatorFor } from './operator.js';
import { operatorHelp, parseWorkerCommand } from './operator-command.js';

const HELP = operatorHelp(
  'fleet send <handle> <message...> [--team <team>]',
  `Send a message to a running worker: it reaches its agent as input, as if its lead typed it
(the words after the handle are the message; quote it to keep your shell's hands off it).`,
);

export async function run(args: string[]): Promise<number> {
  const parsed = parseWorkerCommand(args, HELP, {}, { words: true });
  if (!parsed) return 0;
  const message = parsed.words.join(' ');
  if (message.trim() === '') throw usageError('<message> is required: fleet send <handle> <message...>');
  const operator = await operatorFor(parsed.values);
  await operator.call('POST', `/orchestrate/send/${parsed.handle}`, { message });
  process.stdout.write(`sent to ${parsed.handle} (team ${operator.team})\n`);
  return 0;
}
