import { resolve } from 'node:path';
import type { FleetConfigInput } from './types.js';

/** A problem with one environment variable, named so the message can point at it. */
export interface EnvIssue {
  variable: string;
  message: string;
}

type Env = Record<string, string | undefined>;

function intFrom(
  env: Env,
  name: string,
  issues: EnvIssue[],
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    issues.push({ variable: name, message: `must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})` });
    return undefined;
  }
  return value;
}

/**
 * The seed's environment variables and ours override the config file (a plugin's own variables,
 * such as MAX_WORKERS, are read by the kernel's plan through the plugin's `env`). Paths given in the
 * environment are relative to the current directory, as a shell user expects.
 * Secrets (JWT_SECRET, FLEET_ADMIN_KEY) are returned apart: they never belong in the config file.
 * So is FLEET_TMUX_SOCKET, which overrides a plugin's option the kernel does not read.
 */
export function readEnvOverrides(
  env: Env,
  cwd = process.cwd(),
): {
  overrides: FleetConfigInput;
  secrets: { jwtSecret?: string; adminKey?: string };
  /** FLEET_TMUX_SOCKET: the fleet's tmux server (`tmux -L <name>`), over the config's. */
  tmuxSocket?: string;
  issues: EnvIssue[];
} {
  const issues: EnvIssue[] = [];
  const overrides: FleetConfigInput = {};
  const server: NonNullable<FleetConfigInput['server']> = {};

  const port = intFrom(env, 'PORT', issues, 0, 65535);
  if (port !== undefined) server.port = port;
  if (env.HOST) server.host = env.HOST;
  if (env.CLAUDE_FLEET_URL) {
    if (!/^https?:\/\/[^\s]+$/.test(env.CLAUDE_FLEET_URL)) {
      issues.push({
        variable: 'CLAUDE_FLEET_URL',
        message: `must be an http(s) URL (got ${JSON.stringify(env.CLAUDE_FLEET_URL)})`,
      });
    } else server.publicUrl = env.CLAUDE_FLEET_URL;
  }
  const windowMs = intFrom(env, 'RATE_LIMIT_WINDOW', issues, 1);
  const max = intFrom(env, 'RATE_LIMIT_MAX', issues, 1);
  if (windowMs !== undefined || max !== undefined) {
    server.rateLimit = {};
    if (windowMs !== undefined) server.rateLimit.windowMs = windowMs;
    if (max !== undefined) server.rateLimit.max = max;
  }
  if (Object.keys(server).length > 0) overrides.server = server;

  if (env.DB_PATH) overrides.storage = { driver: 'sqlite', path: resolve(cwd, env.DB_PATH) };
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
      issues.push({ variable: 'DATABASE_URL', message: 'must be a postgres:// URL' });
    } else overrides.storage = { driver: 'postgres', url: env.DATABASE_URL };
  }
  if (env.FLEET_DATA_DIR) overrides.dataDir = resolve(cwd, env.FLEET_DATA_DIR);
  if (env.JWT_EXPIRES_IN) {
    if (!/^\d+\s*(s|m|h|d|w|y)?$/.test(env.JWT_EXPIRES_IN)) {
      issues.push({
        variable: 'JWT_EXPIRES_IN',
        message: `must be a duration such as 3600, 30m, 24h or 7d (got ${JSON.stringify(env.JWT_EXPIRES_IN)})`,
      });
    } else overrides.auth = { jwtExpiresIn: env.JWT_EXPIRES_IN };
  }
  if (env.LOG_LEVEL) {
    const level = env.LOG_LEVEL.toLowerCase();
    if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) {
      issues.push({
        variable: 'LOG_LEVEL',
        message: `must be one of debug, info, warn, error, silent (got ${JSON.stringify(env.LOG_LEVEL)})`,
      });
    } else overrides.log = { level: level as 'info' };
  }

  let tmuxSocket: string | undefined;
  if (env.FLEET_TMUX_SOCKET) {
    // A name, not a path: tmux puts it in its own directory. The same characters as the config's.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(env.FLEET_TMUX_SOCKET)) {
      issues.push({
        variable: 'FLEET_TMUX_SOCKET',
        message: `must be 1 to 64 letters, digits, _ or - (got ${JSON.stringify(env.FLEET_TMUX_SOCKET)})`,
      });
    } else tmuxSocket = env.FLEET_TMUX_SOCKET;
  }

  const secrets: { jwtSecret?: string; adminKey?: string } = {};
  if (env.JWT_SECRET) {
    if (env.JWT_SECRET.length < 16) issues.push({ variable: 'JWT_SECRET', message: 'must be at least 16 characters' });
    else secrets.jwtSecret = env.JWT_SECRET;
  }
  if (env.FLEET_ADMIN_KEY) {
    if (env.FLEET_ADMIN_KEY.length < 16)
      issues.push({ variable: 'FLEET_ADMIN_KEY', message: 'must be at least 16 characters' });
    else secrets.adminKey = env.FLEET_ADMIN_KEY;
  }
  return { overrides, secrets, tmuxSocket, issues };
}
