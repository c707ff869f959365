import { spawn } from 'node:child_process';
import { loadConfig } from '../config/load-config.js';
import { CliError } from './errors.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet attach [--config <file>]

Attach your terminal to the fleet's tmux session (socket and session from fleet.config.ts):
one window per worker. Detach with Ctrl-b d; the workers keep running.
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { config: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const config = await loadConfig({ path: parsed.values.config });
  const child = spawn('tmux', ['-L', config.tmux.socket, 'attach-session', '-t', `=${config.tmux.session}`], { stdio: 'inherit' });
  return new Promise<number>((resolveExit, reject) => {
    child.once('error', (error) => reject((error as NodeJS.ErrnoException).code === 'ENOENT' ? new CliError('tmux is not installed: install it (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)') : error));
    child.once('exit', (code) => resolveExit(code ?? 1));
  });
}
