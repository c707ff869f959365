import { spawn } from 'node:child_process';
import { usageError } from './errors.js';
import { TARGET_HELP } from './fleet-target.js';
import { OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './operator.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet open [--team <team>] [--no-browser] [--url <url>]

Open the fleet's web dashboard: print a one-time sign-in link (good once, for two minutes) and open it
in the browser. The link's code is in its fragment (#code=…), which browsers never send to a
server; the page trades it for a token kept in that tab only (sessionStorage, no cookie).

${OPERATOR_NOTE}

Options:
  --team <team>       The team (default $CLAUDE_CODE_TEAM_NAME or dev-team)
  --no-browser        Only print the link (also when $CI is set or there is no display)
  --ttl <seconds>     How long the link stays good: 1–120 (default 120)
${TARGET_HELP}
  -h, --help          Show this help
`;

/** Whether a browser can be opened here: not in CI, and on Linux only with a display. */
function canOpenBrowser(env: NodeJS.ProcessEnv): boolean {
  if (env.CI) return false;
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The platform's opener, as an argument vector (no shell): the URL is one argument. */
function openerFor(url: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/** Start the browser and let it go: the command's job ends once the link is printed. */
function openBrowser(url: string): void {
  const [command, args] = openerFor(url);
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (error) => process.stderr.write(`fleet open: could not start ${command}: ${error.message}\n`));
  child.unref();
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    { ...OPERATOR_OPTIONS, 'no-browser': { type: 'boolean' }, ttl: { type: 'string' } },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  let ttlSeconds: number | undefined;
  if (values.ttl !== undefined) {
    ttlSeconds = Number(values.ttl);
    if (!/^\d+$/.test(values.ttl) || ttlSeconds < 1 || ttlSeconds > 120)
      throw usageError(`--ttl must be 1–120 seconds (got ${JSON.stringify(values.ttl)})`);
  }
  const operator = await operatorFor(values);
  const { code } = await operator.call<{ code: string; url: string }>(
    'POST',
    '/dashboard/sign-in-codes',
    ttlSeconds === undefined ? {} : { ttlSeconds },
  );
  // The link points where this command reached the fleet: that address works from this machine.
  const url = `${new URL(operator.url).origin}/#code=${code}`;
  process.stdout.write(`${url}\n`);
  if (!values['no-browser'] && canOpenBrowser(process.env)) openBrowser(url);
  else process.stderr.write('Open the link above in a browser (it works once, and only for a short while).\n');
  return 0;
}
