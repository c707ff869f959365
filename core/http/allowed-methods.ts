import type { Context, Middleware } from 'koa';
import { fleetErrors } from './api-error.js';

/** A route as the kernel serves it, for finding which methods a path answers to. */
export interface RouteShape {
  method: string;
  path: string;
  /** Served raw: its body is not parsed as JSON (`HttpBinding.raw`). */
  raw?: boolean;
}

/** `/tasks/:taskId` → a regex matching one path segment per param, as @koa/router matches them. */
export function routePattern(path: string): RegExp {
  const escaped = path.replace(/[.+*?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * After every router passed on a request: when its path is served for other methods, answer 405
 * with `Allow` (and OPTIONS with 204 and `Allow`) instead of a 404 that says the path is unknown.
 * Read per request, like the routers, so plugins can come and go.
 */
export function allowedMethods(routes: () => readonly RouteShape[]): Middleware {
  const compiled = new Map<string, RegExp>();
  return async function answerAllowedMethods(ctx, next) {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    const allowed = new Set<string>();
    for (const route of routes()) {
      let regex = compiled.get(route.path);
      if (!regex) compiled.set(route.path, (regex = routePattern(route.path)));
      if (regex.test(ctx.path)) allowed.add(route.method);
    }
    if (allowed.size === 0) return;
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed, 'OPTIONS'].sort().join(', ');
    ctx.set('Allow', allow);
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw fleetErrors.FLEET_METHOD_NOT_ALLOWED({ method: ctx.method, path: ctx.path }, { allow });
  };
}

/** Whether a request is for a route served raw (asked only when its body is not JSON). */
export function rawRouteMatcher(routes: () => readonly RouteShape[]): (ctx: Context) => boolean {
  return (ctx) =>
    routes().some(
      (route) => route.raw === true && route.method === ctx.method && routePattern(route.path).test(ctx.path),
    );
}
