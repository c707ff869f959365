import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load-config.js';
import type { FleetConfig } from '../config/types.js';
import { FLEET_BIN } from '../mcp/install.js';

/** The checkout this `fleet` runs from, where `npm start` runs the fleet by default. */
export const CHECKOUT_DIR = dirname(dirname(FLEET_BIN));

/** Where the fleet is and where its data dir is, each with where that answer came from. */
export interface FleetTarget {
  url: string;
  urlFrom: string;
  dataDir: string;
  dataDirFrom: string;
}

type Env = Record<string, string | undefined>;

/**
 * The config the fleet was most likely started with: --config, $FLEET_CONFIG, ./fleet.config.ts,
 * else the checkout's own (`npm start` runs there). `mcp install` runs in the user's project, so
 * the checkout's config is what finds a fleet started the README's way.
 */
function configFile(explicit: string | undefined, env: Env, cwd: string): string | undefined {
  if (explicit) return resolve(cwd, explicit);
  if (env.FLEET_CONFIG) return resolve(cwd, env.FLEET_CONFIG);
  for (const dir of [cwd, CHECKOUT_DIR])
    if (existsSync(join(dir, DEFAULT_CONFIG_FILE))) return join(dir, DEFAULT_CONFIG_FILE);
  return undefined;
}

/** The URL the fleet of this config serves on: its publicUrl, else its host and port (a wildcard host is local). */
function configUrl(config: FleetConfig): string {
  if (config.server.publicUrl) return config.server.publicUrl.replace(/\/+$/, '');
  const host = ['0.0.0.0', '::', ''].includes(config.server.host) ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}

/**
 * Find the fleet `mcp install` points Claude Code at. Each answer, in order: the flag, the
 * environment (FLEET_URL / CLAUDE_FLEET_URL, FLEET_DATA_DIR: what `fleet up` itself reads), what an
 * earlier install wrote into .mcp.json (a re-run keeps it), the fleet's config (with PORT and the
 * other environment overrides applied, as `fleet up` applies them).
 */
export async function findFleetTarget(options: {
  url?: string;
  dataDir?: string;
  config?: string;
  previous: Record<string, string>;
  env?: Env;
  cwd?: string;
}): Promise<FleetTarget> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { previous } = options;
  let loaded: { config: FleetConfig; from: string } | undefined;
  const fromConfig = async () => {
    if (!loaded) {
      const path = configFile(options.config, env, cwd);
      const config = await loadConfig(path ? { path, cwd, env } : { cwd: CHECKOUT_DIR, env });
      loaded = { config, from: path ?? `the defaults (no ${DEFAULT_CONFIG_FILE} in ${CHECKOUT_DIR})` };
    }
    return loaded;
  };

  let url: string;
  let urlFrom: string;
  if (options.url) [url, urlFrom] = [options.url, '--url'];
  else if (env.FLEET_URL) [url, urlFrom] = [env.FLEET_URL, 'FLEET_URL'];
  else if (env.CLAUDE_FLEET_URL) [url, urlFrom] = [env.CLAUDE_FLEET_URL, 'CLAUDE_FLEET_URL'];
  else if (previous.FLEET_URL) [url, urlFrom] = [previous.FLEET_URL, 'the existing .mcp.json entry'];
  else {
    const { config, from } = await fromConfig();
    [url, urlFrom] = [configUrl(config), from];
  }

  let dataDir: string;
  let dataDirFrom: string;
  if (options.dataDir) [dataDir, dataDirFrom] = [resolve(cwd, options.dataDir), '--data-dir'];
  else if (env.FLEET_DATA_DIR) [dataDir, dataDirFrom] = [resolve(cwd, env.FLEET_DATA_DIR), 'FLEET_DATA_DIR'];
  else if (previous.FLEET_DATA_DIR)
    [dataDir, dataDirFrom] = [resolve(cwd, previous.FLEET_DATA_DIR), 'the existing .mcp.json entry'];
  else {
    const { config, from } = await fromConfig();
    [dataDir, dataDirFrom] = [config.dataDir, from];
  }
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new Error(`${urlFrom}: not an http(s) URL (got ${JSON.stringify(url)})`);
  return { url: url.replace(/\/+$/, ''), urlFrom, dataDir, dataDirFrom };
}
