import { resolve } from 'node:path';
import { PaneHost } from '../workers/pane-host.js';
import { usageError } from './errors.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet pane --dir <worker dir>

The process the fleet runs in each worker's tmux pane: it starts the agent described by
<worker dir>/spawn.json, logs everything it writes, shows a readable transcript, and takes input
from the fleet and from lines typed here. You do not normally run it yourself.

Options:
  --dir <dir>   The worker's directory in the fleet's data dir
  -h, --help    Show this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { dir: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  if (!parsed.values.dir) throw usageError('--dir is required; see --help');
  const host = new PaneHost(resolve(parsed.values.dir));
  const stop = () => void host.stopAgent(3000);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  const exit = await host.run();
  return exit.code ?? 1;
}
