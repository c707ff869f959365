import type { Context, Next } from 'koa';
import { authStateOf } from './auth-state.js';
import { fleetErrors } from './api-error.js';

export interface RateLimitOptions {
  windowMs: number;
  /** Requests per agent (by uid), per anonymous address, or for the admin key, per window. */
  max: number;
  /** Requests of all the agents of one team together per window: minting more tokens buys nothing. */
  teamMax: number;
  /** Requests with a credential that was refused (bad, expired or revoked token), per address. */
  authFailuresMax: number;
  /** Paths never limited (health checks and scrapes must not be starved by a busy client). */
  exempt: readonly string[];
}

/** Which budget a request spent: named in the 429 so a client knows what to wait for. */
type Scope = 'agent' | 'team' | 'address' | 'admin' | 'auth-failures';

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Fixed-window limits: an agent's requests count against its own budget (by uid, since many
 * agents share 127.0.0.1) and its team's; anonymous requests against their address; requests with
 * a refused credential against their address and, more tightly, the address's failed
 * authentications. Options are read on each request so a config reload applies at once.
 */
export function rateLimit(options: () => RateLimitOptions) {
  const windows = new Map<string, Window>();
  let sweepAt = 0;
  const hit = (key: string, windowMs: number, now: number): Window => {
    let window = windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      windows.set(key, window);
    }
    window.count++;
    return window;
  };
  return async function limitRate(ctx: Context, next: Next): Promise<void> {
    const { windowMs, max, teamMax, authFailuresMax, exempt } = options();
    if (exempt.includes(ctx.path)) return (await next()) as void;
    const now = Date.now();
    if (now >= sweepAt) {
      for (const [key, window] of windows) if (window.resetAt <= now) windows.delete(key);
      sweepAt = now + windowMs;
    }
    const auth = authStateOf(ctx);
    const budgets: [scope: Scope, key: string, limit: number][] =
      auth.kind === 'agent'
        ? [
            ['agent', `uid:${auth.identity.uid}`, max],
            ['team', `team:${auth.identity.teamName}`, teamMax],
          ]
        : auth.kind === 'admin'
          ? [['admin', 'admin', max]]
          : auth.kind === 'rejected'
            ? [
                ['address', `ip:${ctx.ip}`, max],
                ['auth-failures', `fail:${ctx.ip}`, authFailuresMax],
              ]
            : [['address', `ip:${ctx.ip}`, max]];
    // Every budget is spent (a refused request still counts), then the tightest one answers.
    let tightest: { scope: Scope; window: Window; limit: number } | undefined;
    for (const [scope, key, limit] of budgets) {
      const window = hit(key, windowMs, now);
      if (!tightest || limit - window.count < tightest.limit - tightest.window.count)
        tightest = { scope, window, limit };
    }
    const { scope, window, limit } = tightest!;
    ctx.set('RateLimit-Limit', String(limit));
    ctx.set('RateLimit-Remaining', String(Math.max(0, limit - window.count)));
    if (window.count > limit) {
      ctx.set('Retry-After', String(Math.ceil((window.resetAt - now) / 1000)));
      throw fleetErrors.FLEET_RATE_LIMITED({}, { scope });
    }
    return (await next()) as void;
  };
}
