import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { findAdminKey } from './admin-credential.js';
import { fleetUrl } from './fleet-url.js';

/** The options every client command takes to find its fleet, as parseCommand declares them. */
export const TARGET_OPTIONS = {
  url: { type: 'string' },
  config: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export const TARGET_HELP = `  --url <url>         The fleet's URL (default $FLEET_URL, $CLAUDE_FLEET_URL, else the
                      config's server.publicUrl or http://127.0.0.1:<server.port>)
  --config <file>     Config file to read the port and data dir from (default $FLEET_CONFIG or
                      ./fleet.config.ts when present)
  --data-dir <dir>    Where admin.key is (default the config's dataDir: $FLEET_DATA_DIR or ./.fleet)`;

export interface FleetTarget {
  url: string;
  dataDir: string;
}

/** A host a client can connect to: a wildcard bind address means this machine. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Where the fleet is and where its data dir is, read the way `fleet up` reads them: the config file
 * (with the environment's overrides: PORT, HOST, FLEET_DATA_DIR, CLAUDE_FLEET_URL), so a fleet on
 * another port or data dir is found without repeating them. Explicit options win.
 */
export async function fleetTarget(values: {
  url?: string;
  config?: string;
  'data-dir'?: string;
}): Promise<FleetTarget> {
  const config = await loadConfig({ path: values.config });
  const fromConfig = config.server.publicUrl ?? `http://${connectHost(config.server.host)}:${config.server.port}`;
  const env = process.env;
  return {
    url: fleetUrl(values.url ?? env.FLEET_URL ?? env.CLAUDE_FLEET_URL ?? fromConfig),
    dataDir: values['data-dir'] ? resolve(values['data-dir']) : config.dataDir,
  };
}

/** Authorization headers with the admin key when this machine has it (else none). */
export function adminHeadersFor(target: FleetTarget): Record<string, string> {
  const { key } = findAdminKey(target.dataDir);
  return key ? { authorization: `Bearer ${key}` } : {};
}
