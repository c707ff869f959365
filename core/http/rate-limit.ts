import type { Context, Next } from 'koa';
import { authStateOf } from './auth-state.js';
import { fleetErrors } from './api-error.js';

export interface RateLimitOptions {
  windowMs: number;
  max: number;
  /** Paths never limited (health checks and scrapes must not be starved by a busy client). */
  exempt: readonly string[];
}

/**
 * A fixed-window limiter per client: the agent's uid when the request carries a valid token (many
 * agents share 127.0.0.1), else the remote address. Options are read on each request so a config
 * reload applies at once.
 */
export function rateLimit(options: () => RateLimitOptions) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let sweepAt = 0;
  return async function limitRate(ctx: Context, next: Next): Promise<void> {
    const { windowMs, max, exempt } = options();
    if (exempt.includes(ctx.path)) return (await next()) as void;
    const now = Date.now();
    if (now >= sweepAt) {
      for (const [key, window] of windows) if (window.resetAt <= now) windows.delete(key);
      sweepAt = now + windowMs;
    }
    const auth = authStateOf(ctx);
    const key = auth.kind === 'agent' ? `uid:${auth.identity.uid}` : auth.kind === 'admin' ? 'admin' : `ip:${ctx.ip}`;
    let window = windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      windows.set(key, window);
    }
    window.count++;
    ctx.set('RateLimit-Limit', String(max));
    ctx.set('RateLimit-Remaining', String(Math.max(0, max - window.count)));
    if (window.count > max) {
      ctx.set('Retry-After', String(Math.ceil((window.resetAt - now) / 1000)));
      throw fleetErrors.FLEET_RATE_LIMITED();
    }
    return (await next()) as void;
  };
}
