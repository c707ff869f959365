import { operatorFor } from './operator.js';
import { operatorHelp, parseWorkerCommand } from './operator-command.js';

const HELP = operatorHelp(
  'fleet dismiss <handle> [--team <team>]',
  'Stop a worker: its agent and everything it started, its tmux window, and its tokens.',
);

export async function run(args: string[]): Promise<number> {
  const parsed = parseWorkerCommand(args, HELP);
  if (!parsed) return 0;
  const operator = await operatorFor(parsed.values);
  const worker = await operator.call<{ state?: string }>('POST', `/orchestrate/dismiss/${parsed.handle}`);
  process.stdout.write(`dismissed ${parsed.handle} (team ${operator.team}): ${worker.state}\n`);
  return 0;
}
