import { loadConfig } from '../config/load-config.js';
import { discoverPlugins } from '../kernel/catalog.js';
import { planPlugins } from '../kernel/plan.js';
import { adminHeaders } from './admin-credential.js';
import { fleetUrl } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet plugins [--config <file>] [--url <url>]

List every plugin this checkout has, whether fleet.config.ts turns it on, and why one is off
(turned off, not in the config, or a dependency that is off). When a fleet is running, also say
which plugins it is running now.

Options:
  --config <file>   Config file (default ./fleet.config.ts)
  --url <url>       A running fleet to ask (default $FLEET_URL or http://127.0.0.1:<port>)
  -h, --help        Show this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { config: { type: 'string' }, url: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const config = await loadConfig({ path: parsed.values.config });
  const catalog = await discoverPlugins();
  const plan = planPlugins(catalog, config.plugins, config.env);
  let running: string[] | undefined;
  const url = fleetUrl(
    parsed.values.url ??
      process.env.FLEET_URL ??
      process.env.CLAUDE_FLEET_URL ??
      `http://127.0.0.1:${config.server.port}`,
  );
  try {
    const response = await fetch(`${url}/health`, {
      headers: adminHeaders(config.dataDir),
      signal: AbortSignal.timeout(2000),
    });
    if (response.ok) running = ((await response.json()) as { plugins?: string[] }).plugins;
  } catch {
    // No fleet running: the config alone answers.
  }
  const width = Math.max(...plan.states.map((s) => s.name.length));
  for (const state of plan.states) {
    const deps = catalog.get(state.name)?.dependsOn?.length
      ? ` (needs ${catalog.get(state.name)!.dependsOn!.join(', ')})`
      : '';
    const why = state.state === 'off' ? `  ${state.reason}` : '';
    const live = running ? (running.includes(state.name) ? '  [running]' : '  [not running]') : '';
    process.stdout.write(`${state.name.padEnd(width)}  ${state.state.padEnd(3)}${why}${deps}${live}\n`);
  }
  if (!running) process.stdout.write(`(no fleet answering at ${url}; states are from the config)\n`);
  return 0;
}
