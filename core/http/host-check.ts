import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Context, Next } from 'koa';
import { type ApiError, fleetErrors } from './api-error.js';

/** Where the fleet listens and what else it may be called, read on each check (a reload may add names). */
export interface HostPolicyOptions {
  /** The configured bind address (`server.host`). */
  bindHost: () => string;
  /** The port it listens on. */
  port: () => number;
  /** `server.allowedHosts`: names (any port) or `name:port` (that port only). */
  allowedHosts: () => readonly string[];
  /** `server.publicUrl`: its host and port are the fleet's own too. */
  publicUrl: () => string | undefined;
}

/**
 * Which `Host` and `Origin` values name this fleet. A browser page of another site can make the
 * browser call the fleet (a DNS-rebound name, a form post, a fetch): the Host names a foreign site,
 * or the Origin does. Both are refused before authentication. CLI, MCP bridge and agents send
 * `Host: 127.0.0.1:<port>` (or their configured name) and no Origin.
 */
export interface HostPolicy {
  /** Undefined when the request may go on, else the 403 to answer. */
  check(host: string | undefined, origin: string | undefined): ApiError | undefined;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/** `name`, `name:port`, `[v6]`, `[v6]:port` → lower-case name without brackets, and the port when given. */
export function splitHost(value: string): { name: string; port: number | undefined } | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]/@\s]+))(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match) return undefined;
  const name = (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, '');
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65535) return undefined;
  return { name, port };
}

export function isLoopbackBind(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}

/** The machine's interface addresses (v6 without a zone), kept ten seconds: they rarely change. */
function interfaceNames(): () => string[] {
  let cached: string[] = [];
  let readAt = -Infinity;
  return () => {
    if (performance.now() - readAt > 10_000) {
      readAt = performance.now();
      cached = Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .map((entry) => entry.address.split('%')[0]!.toLowerCase());
    }
    return cached;
  };
}

export function createHostPolicy(options: HostPolicyOptions): HostPolicy {
  const interfaces = interfaceNames();
  /** Names allowed at the bound port (or, for an explicit entry, any port). */
  const allows = (value: string, defaultPort: number): boolean => {
    const parsed = splitHost(value);
    if (!parsed) return false;
    const port = options.port();
    const requestPort = parsed.port ?? defaultPort;
    const bind = options
      .bindHost()
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    const own = new Set(LOOPBACK_NAMES);
    if (!isLoopbackBind(bind)) {
      own.add(bind);
      for (const name of interfaces()) own.add(name);
      own.add(hostname().toLowerCase());
    }
    if (own.has(parsed.name) && requestPort === port) return true;
    for (const entry of options.allowedHosts()) {
      const allowed = splitHost(entry);
      if (allowed && allowed.name === parsed.name && (allowed.port === undefined || allowed.port === requestPort))
        return true;
    }
    const publicUrl = options.publicUrl();
    if (publicUrl) {
      const url = new URL(publicUrl);
      const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      // Behind a proxy the Host carries no port when the public URL has none (its scheme's default).
      const samePort =
        parsed.port === undefined
          ? url.port === '' || Number(url.port) === defaultPort
          : parsed.port === (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);
      if (name === parsed.name && samePort) return true;
    }
    return false;
  };
  return {
    check(host, origin) {
      if (host === undefined || !allows(host, 80)) return fleetErrors.FLEET_FORBIDDEN_HOST();
      if (origin === undefined) return undefined;
      const match = /^(https?):\/\/([^/]+)$/i.exec(origin);
      if (!match || !allows(match[2]!, match[1]!.toLowerCase() === 'https' ? 443 : 80))
        return fleetErrors.FLEET_FORBIDDEN_ORIGIN();
      return undefined;
    },
  };
}

/** Koa middleware: every request (the API too) is checked before anything reads its credentials. */
export function hostCheck(policy: HostPolicy) {
  return async function checkHost(ctx: Context, next: Next): Promise<void> {
    const refused = policy.check(ctx.get('host') || undefined, ctx.get('origin') || undefined);
    if (refused) throw refused;
    return (await next()) as void;
  };
}
