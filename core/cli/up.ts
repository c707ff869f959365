import { loadConfig } from '../config/load-config.js';
import { lockDataDir } from '../data-dir-lock.js';
import { Kernel } from '../kernel/kernel.js';
import { createLogger, type Logger } from '../log.js';
import { installProcessGuard } from '../process-guard.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet up [--config <file>]

Start the fleet in the foreground: load fleet.config.ts (or --config, or $FLEET_CONFIG), migrate and
start the enabled plugins, and serve HTTP and WebSocket on the configured host and port.
Edits to the config file apply while it runs. Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
One fleet per data dir: a second \`fleet up\` on it exits 1 naming the process that has it.

Options:
  --config <file>   Config file (default ./fleet.config.ts)
  -h, --help        Show this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { config: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  // A stray socket error (a pane host gone mid-write) is logged and the fleet keeps serving every
  // other team; any other uncaught error still ends the process with code 1. Armed before boot:
  // re-adoption talks to pane hosts while the kernel starts.
  let log: Logger = createLogger();
  installProcessGuard({ log: () => log });
  const config = await loadConfig({ path: parsed.values.config });
  log = createLogger({ level: config.log.level, scope: 'kernel' });
  // One server per data dir (its database, keys and worker logs, whatever the storage): two would
  // both restart a crashed worker. Taken before anything in the data dir is touched; released
  // when the process exits, and taken over from a server that died without releasing it.
  const lock = await lockDataDir(config.dataDir, { log });
  // Ctrl-C or SIGTERM while the kernel boots (the port may already answer) must not kill the process
  // mid-start: it is remembered and the fleet stops cleanly as soon as it is up.
  let early: string | undefined;
  const remember = (signal: string) => () => void (early ??= signal);
  const earlyHandlers = { SIGINT: remember('SIGINT'), SIGTERM: remember('SIGTERM') };
  process.on('SIGINT', earlyHandlers.SIGINT);
  process.on('SIGTERM', earlyHandlers.SIGTERM);
  let kernel: Kernel;
  try {
    kernel = await Kernel.boot({ path: parsed.values.config, config, watch: true, log });
  } catch (error) {
    lock.release();
    throw error;
  } finally {
    process.off('SIGINT', earlyHandlers.SIGINT);
    process.off('SIGTERM', earlyHandlers.SIGTERM);
  }
  process.stdout.write(
    `fleet up: listening on ${kernel.url} ` +
      `(admin key in ${kernel.config.auth.adminKey ? 'FLEET_ADMIN_KEY' : kernel.config.dataDir + '/admin.key'})\n`,
  );
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        kernel.log.warn(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      kernel.log.info(`${signal}: stopping`);
      kernel.stop().then(
        () => {
          lock.release();
          resolveExit(0);
        },
        (error) => {
          kernel.log.error('stop failed', { error });
          lock.release();
          resolveExit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    if (early) shutdown(early);
  });
}
