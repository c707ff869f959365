import { adminHeaders } from './admin-credential.js';
import { fetchFleet, fleetUrl } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet status [--url <url>] [--data-dir <dir>] [--json]

Ask a running fleet for its health: version, uptime, plugins, native modules and counts.
The fleet is found at --url, $FLEET_URL, $CLAUDE_FLEET_URL, or http://127.0.0.1:3847.
Everything past status and version is the operator's: it is asked for with the admin key
($FLEET_ADMIN_KEY or <data dir>/admin.key) when this machine has it.

Options:
  --url <url>         The fleet's URL
  --data-dir <dir>    Where admin.key is (default $FLEET_DATA_DIR or ./.fleet)
  --json              Print the raw /health answer
  -h, --help          Show this help
`;

interface Health {
  status: string;
  version: string;
  /** The rest only for the admin key (or an agent token). */
  uptime?: number;
  plugins?: string[];
  native?: Record<string, string>;
  counts?: Record<string, number>;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    { url: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    HELP,
  );
  if (!parsed) return 0;
  const url = fleetUrl(parsed.values.url);
  const response = await fetchFleet(`${url}/health`, { headers: adminHeaders(parsed.values['data-dir']) });
  if (!response.ok) throw new Error(`${url}/health answered ${response.status}`);
  const health = (await response.json()) as Health;
  if (parsed.values.json) {
    process.stdout.write(JSON.stringify(health, null, 2) + '\n');
    return 0;
  }
  if (health.uptime === undefined) {
    process.stdout.write(
      `fleet ${health.version} at ${url}: ${health.status}\n` +
        'no admin key here (FLEET_ADMIN_KEY or --data-dir <dir with admin.key>): counts are not shown\n',
    );
    return 0;
  }
  const lines = [
    `fleet ${health.version} at ${url}: ${health.status}, up ${health.uptime}s`,
    `plugins: ${health.plugins?.join(', ') || 'none'}`,
    `native:  ${Object.entries(health.native ?? {})
      .map(([name, impl]) => `${name}=${impl}`)
      .join(', ')}`,
    `counts:  ${Object.entries(health.counts ?? {})
      .map(([name, n]) => `${name}=${n}`)
      .join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
