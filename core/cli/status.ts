import { fetchFleet } from './fleet-url.js';
import { adminHeadersFor, fleetTarget, TARGET_HELP, TARGET_OPTIONS } from './fleet-target.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet status [--url <url>] [--config <file>] [--data-dir <dir>] [--json]

Ask a running fleet for its health: version, uptime, plugins, native modules and counts.
The fleet's port and data dir come from fleet.config.ts, as \`fleet up\` reads them.
Everything past status and version is the operator's: it is asked for with the admin key
($FLEET_ADMIN_KEY or <data dir>/admin.key) when this machine has it.

Options:
${TARGET_HELP}
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
  const parsed = parseCommand(args, { ...TARGET_OPTIONS, json: { type: 'boolean' } }, HELP);
  if (!parsed) return 0;
  const target = await fleetTarget(parsed.values);
  const url = target.url;
  const response = await fetchFleet(`${url}/health`, { headers: adminHeadersFor(target) });
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
