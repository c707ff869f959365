import { spawn } from 'node:child_process';
import { fleetTmuxSocket, type PluginCommand, TmuxDriver } from '../../core/index.js';
import type { WorkersOptions } from './options.js';

const NAME = /^[A-Za-z0-9_-]{1,50}$/;

const INSTALL_HINT =
  'tmux is not installed: install it (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)';

/** What `fleet attach` was asked: a worker (and its team) or the whole session. */
export function attachArguments(argv: readonly string[]): { handle?: string; team?: string } | { error: string } {
  let handle: string | undefined;
  let team: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '--team') {
      const value = argv[++i];
      if (value === undefined) return { error: `${arg} needs a value` };
      if (arg === '--team') team = value;
    } else if (arg.startsWith('--team=')) team = arg.slice('--team='.length);
    else if (arg.startsWith('--config=')) continue;
    else if (arg.startsWith('-')) return { error: `unknown option ${arg}` };
    else if (handle === undefined) handle = arg;
    else return { error: `one worker at a time (got ${handle} and ${arg})` };
  }
  if (handle !== undefined && !NAME.test(handle)) return { error: 'handle: may contain only letters, digits, _ and -' };
  if (team !== undefined && !NAME.test(team)) return { error: 'team: may contain only letters, digits, _ and -' };
  if (team !== undefined && handle === undefined)
    return { error: '--team names the team of a worker: give its handle' };
  return { handle, team };
}

/**
 * The window of a worker in the fleet's session, found by the options the fleet gives each worker's
 * window (`@fleet_team`, `@fleet_handle`), never by its name: two teams may each have a `w1`. Without
 * a team, a handle two teams have is refused, naming the teams (the person at the tmux server may
 * see every team's windows anyway).
 */
export async function findWorkerWindow(
  tmux: TmuxDriver,
  session: string,
  handle: string,
  team?: string,
): Promise<{ windowId: string; team: string } | { error: string; code: 1 | 2 }> {
  const windows = (await tmux.listWindows(session, ['@fleet_team', '@fleet_handle'])).filter(
    (window) =>
      window.options['@fleet_handle'] === handle && (team === undefined || window.options['@fleet_team'] === team),
  );
  const teams = [...new Set(windows.map((window) => window.options['@fleet_team']!))].sort();
  if (windows.length === 0)
    return { error: `no worker ${handle}${team ? ` of team ${team}` : ''} in tmux session ${session}`, code: 1 };
  if (teams.length > 1)
    return { error: `${handle} is a worker of teams ${teams.join(', ')}: say which with --team <team>`, code: 2 };
  return { windowId: windows[0]!.windowId, team: teams[0]! };
}

/** `fleet attach`: a person's terminal on the tmux session of the config's fleet (its socket and session). */
export const attachCommand: PluginCommand<WorkersOptions> = {
  summary: "Attach to the fleet's tmux session (one window per worker)",
  usage: `Usage: fleet attach [<handle> [--team <team>]] [--config <file>]

Attach your terminal to the fleet's tmux session (plugins.workers.tmux in fleet.config.ts):
one window per worker, named by its handle (the window list shows team/handle). With a handle,
that worker's window is shown; when two teams each have a worker of that handle, say which with
--team. Detach with Ctrl-b d; the workers keep running.`,
  async run(argv, { config, options }) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${attachCommand.usage}\n`);
      return 0;
    }
    const wanted = attachArguments(argv);
    if ('error' in wanted) {
      process.stderr.write(`fleet attach: ${wanted.error}\n${attachCommand.usage}\n`);
      return 2;
    }
    // The socket the fleet of this config uses: FLEET_TMUX_SOCKET, the configured one, else its data dir's.
    const socket = fleetTmuxSocket(config, options.tmux.socket);
    const { session } = options.tmux;
    const tmux = new TmuxDriver({ socket });
    // Asked first: attach-session with no server would start one, answer "no sessions" and leave
    // its socket behind. Without tmux installed, the driver's error is the same install hint.
    if (!(await tmux.hasSession(session))) {
      process.stderr.write(
        `fleet attach: no tmux session ${session} on socket ${socket} (the fleet of data dir ${config.dataDir}): ` +
          'is that fleet running?\n',
      );
      return 1;
    }
    if (wanted.handle !== undefined) {
      const found = await findWorkerWindow(tmux, session, wanted.handle, wanted.team);
      if ('error' in found) {
        process.stderr.write(`fleet attach: ${found.error}\n`);
        return found.code;
      }
      await tmux.selectWindow(found.windowId);
      process.stdout.write(`worker ${wanted.handle} of team ${found.team}\n`);
    }
    const child = spawn('tmux', ['-L', socket, 'attach-session', '-t', `=${session}`], { stdio: 'inherit' });
    return new Promise<number>((resolveExit, reject) => {
      child.once('error', (error) =>
        reject((error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(INSTALL_HINT) : error),
      );
      child.once('exit', (code) => resolveExit(code ?? 1));
    });
  },
};
