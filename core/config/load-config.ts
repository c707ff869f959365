import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as v from 'valibot';
import { FleetError } from '../errors.js';
import { readEnvOverrides } from './env-overrides.js';
import { mergeDeep } from './merge.js';
import { configSchema, describeIssues } from './schema.js';
import type { FleetConfig, FleetConfigInput } from './types.js';

export const DEFAULT_PORT = 3847;
export const DEFAULT_CONFIG_FILE = 'fleet.config.ts';

export interface LoadConfigOptions {
  /** Path of the config file. Default: $FLEET_CONFIG, else ./fleet.config.ts (optional when absent). */
  path?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Applied over the file and the environment (tests use this for port 0 and temp dirs). */
  overrides?: FleetConfigInput;
}

/** Where the config comes from: an explicit path must exist; the default path may be absent. */
export function resolveConfigPath(options: LoadConfigOptions): { path: string; required: boolean } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.path) return { path: resolve(cwd, options.path), required: true };
  if (env.FLEET_CONFIG) return { path: resolve(cwd, env.FLEET_CONFIG), required: true };
  return { path: resolve(cwd, DEFAULT_CONFIG_FILE), required: false };
}

/** Import a TypeScript config file afresh each time (tsx's tsImport does not reuse its module cache). */
export async function importConfigFile(path: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  let mod: Record<string, unknown>;
  try {
    // By its real path: Node caches what a path resolves to, so through a symlink later pointed
    // elsewhere (or its folder's) it would import the old target again.
    mod = (await tsImport(pathToFileURL(realpathSync(path)).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new FleetError(
      'FLEET_ERR_CONFIG_LOAD',
      `${path}: cannot be loaded: ${(error as Error).message.split('\n')[0]}`,
      { path },
    );
  }
  let value = mod.default;
  // Outside an ESM package tsx compiles the file to CommonJS: the namespace's default is then
  // module.exports, marked __esModule, and the file's own default export (if any) is inside it.
  if (value && typeof value === 'object' && (value as { __esModule?: unknown }).__esModule === true) {
    value = (value as { default?: unknown }).default;
  } else if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) {
    // Other CommonJS interop nests the default export once more.
    value = value.default;
  }
  if (value === undefined) {
    throw new FleetError(
      'FLEET_ERR_CONFIG_INVALID',
      `${path}: has no default export (write \`export default defineConfig({...})\`)`,
      { path },
    );
  }
  return value;
}

/**
 * Validate a raw config object, apply defaults and resolve paths. Throws FLEET_ERR_CONFIG_INVALID
 * naming each bad key.
 */
export function resolveConfig(
  raw: unknown,
  context: {
    configPath?: string;
    env?: Record<string, string | undefined>;
    cwd?: string;
    overrides?: FleetConfigInput;
  },
): FleetConfig {
  const label = context.configPath ?? 'config';
  const parsed = v.safeParse(configSchema, raw ?? {});
  if (!parsed.success) {
    const lines = describeIssues(parsed.issues);
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `${label}: ${lines.join('; ')}`, { issues: lines });
  }
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  const { overrides, secrets, tmuxSocket, issues } = readEnvOverrides(env, cwd);
  if (issues.length > 0) {
    const lines = issues.map((issue) => `${issue.variable}: ${issue.message}`);
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `environment: ${lines.join('; ')}`, { issues: lines });
  }
  let input = mergeDeep(
    parsed.output as Record<string, unknown>,
    overrides as Record<string, unknown>,
  ) as FleetConfigInput;
  if (context.overrides)
    input = mergeDeep(input as Record<string, unknown>, context.overrides as Record<string, unknown>);

  const base = context.configPath ? dirname(context.configPath) : cwd;
  const dataDir = resolve(base, input.dataDir ?? '.fleet');
  const storage: FleetConfig['storage'] =
    input.storage?.driver === 'postgres'
      ? { driver: 'postgres', url: input.storage.url }
      : { driver: 'sqlite', path: resolve(base, input.storage?.path ?? resolve(dataDir, 'fleet.db')) };

  return {
    server: {
      host: input.server?.host ?? '127.0.0.1',
      port: input.server?.port ?? DEFAULT_PORT,
      publicUrl: input.server?.publicUrl,
      allowedHosts: input.server?.allowedHosts ?? [],
      bodyLimit: input.server?.bodyLimit ?? 1024 * 1024,
      rateLimit: rateLimitOf(input.server?.rateLimit),
      wsPingSeconds: input.server?.wsPingSeconds ?? 30,
      websocket: {
        authTimeoutSeconds: input.server?.websocket?.authTimeoutSeconds ?? 10,
        maxSockets: input.server?.websocket?.maxSockets ?? 1000,
        maxSocketsPerAgent: input.server?.websocket?.maxSocketsPerAgent ?? 20,
        maxBufferedBytes: input.server?.websocket?.maxBufferedBytes ?? 1024 * 1024,
        messagesPerMinute: input.server?.websocket?.messagesPerMinute ?? 600,
      },
    },
    storage,
    dataDir,
    auth: { jwtExpiresIn: input.auth?.jwtExpiresIn ?? '24h', jwtSecret: secrets.jwtSecret, adminKey: secrets.adminKey },
    log: { level: input.log?.level ?? 'info' },
    events: { ringCapacity: input.events?.ringCapacity ?? 10_000 },
    plugins: input.plugins ?? {},
    tmuxSocket,
    configPath: context.configPath,
    env,
  };
}

/** Load, validate and resolve the fleet's configuration from its file, the environment and overrides. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<FleetConfig> {
  const { path, required } = resolveConfigPath(options);
  let raw: unknown = {};
  let configPath: string | undefined;
  if (existsSync(path)) {
    raw = await importConfigFile(path);
    configPath = path;
  } else if (required) {
    throw new FleetError('FLEET_ERR_CONFIG_LOAD', `${path}: no such config file`, { path });
  }
  return resolveConfig(raw, { configPath, env: options.env, cwd: options.cwd, overrides: options.overrides });
}

/** A team's budget defaults to ten agents' worth, so it follows `max` when only that is set. */
function rateLimitOf(input: NonNullable<FleetConfigInput['server']>['rateLimit']): FleetConfig['server']['rateLimit'] {
  const max = input?.max ?? 100;
  return {
    windowMs: input?.windowMs ?? 60_000,
    max,
    teamMax: input?.teamMax ?? max * 10,
    authFailuresMax: input?.authFailuresMax ?? 20,
  };
}
