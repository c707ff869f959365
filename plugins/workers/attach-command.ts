import { spawn } from 'node:child_process';
import type { PluginCommand } from '../../core/index.js';
import type { WorkersOptions } from './options.js';

/** `fleet attach`: a person's terminal on the fleet's tmux session (socket and session from the workers options). */
export const attachCommand: PluginCommand<WorkersOptions> = {
  summary: "Attach to the fleet's tmux session (one window per worker)",
  usage: `Usage: fleet attach [--config <file>]

Attach your terminal to the fleet's tmux session (plugins.workers.tmux in fleet.config.ts):
one window per worker. Detach with Ctrl-b d; the workers keep running.`,
  async run(argv, { options }) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${attachCommand.usage}\n`);
      return 0;
    }
    const { socket, session } = options.tmux;
    const child = spawn('tmux', ['-L', socket, 'attach-session', '-t', `=${session}`], { stdio: 'inherit' });
    return new Promise<number>((resolveExit, reject) => {
      child.once('error', (error) =>
        reject(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error(
                'tmux is not installed: install it (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)',
              )
            : error,
        ),
      );
      child.once('exit', (code) => resolveExit(code ?? 1));
    });
  },
};
