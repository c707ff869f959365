import { fetchFleet, fleetUrl } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet status [--url <url>] [--json]

Ask a running fleet for its health: version, uptime, plugins, native modules and counts.
The fleet is found at --url, $FLEET_URL, $CLAUDE_FLEET_URL, or http://127.0.0.1:3847.

Options:
  --url <url>   The fleet's URL
  --json        Print the raw /health answer
  -h, --help    Show this help
`;

interface Health {
  status: string;
  version: string;
  uptime: number;
  plugins: string[];
  native: Record<string, string>;
  counts: Record<string, number>;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { url: { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (!parsed) return 0;
  const url = fleetUrl(parsed.values.url);
  const response = await fetchFleet(`${url}/health`);
  if (!response.ok) throw new Error(`${url}/health answered ${response.status}`);
  const health = (await response.json()) as Health;
  if (parsed.values.json) {
    process.stdout.write(JSON.stringify(health, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `fleet ${health.version} at ${url}: ${health.status}, up ${health.uptime}s`,
    `plugins: ${health.plugins.join(', ') || 'none'}`,
    `native:  ${Object.entries(health.native)
      .map(([name, impl]) => `${name}=${impl}`)
      .join(', ')}`,
    `counts:  ${Object.entries(health.counts)
      .map(([name, n]) => `${name}=${n}`)
      .join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
