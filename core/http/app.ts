import Koa, { type Context, type Middleware, type Next } from 'koa';
import type { Logger } from '../log.js';
import type { ResponseObservation } from '../plugin.js';
import type { Authenticator, AuthState } from './auth-state.js';
import { jsonBody } from './body.js';
import { allowedMethods, rawRouteMatcher, type RouteShape } from './allowed-methods.js';
import { errorHandler } from './error-handler.js';
import { type HostPolicy, hostCheck } from './host-check.js';
import { type RateLimitOptions, rateLimit } from './rate-limit.js';

export interface HttpAppOptions {
  log: Logger;
  /** Which Host and Origin values name this fleet: others are refused (403) before anything else. */
  hosts: HostPolicy;
  /** Public files (the dashboard's), served after the Host check and before authentication and the rate limit. */
  publicFiles?: Middleware;
  bodyLimit: () => number;
  rateLimit: () => RateLimitOptions;
  authenticator: Authenticator;
  /** The routers to try in turn, read on each request so plugins can come and go. */
  routers: () => readonly Middleware[];
  observers: () => Iterable<(observation: ResponseObservation) => void>;
  /** Every route served now, for 405 answers on a known path. */
  routes: () => readonly RouteShape[];
}

const observedUid = (auth: AuthState | undefined) => (auth?.kind === 'agent' ? auth.identity.uid : undefined);

/** Try each live router in turn; the first that matches answers. */
function dispatch(routers: () => readonly Middleware[]): Middleware {
  return async function dispatchToRouters(ctx: Context, next: Next): Promise<void> {
    const stack = routers();
    let index = 0;
    const step = async (): Promise<void> => {
      const router = stack[index++];
      return router ? (router(ctx, step) as Promise<void>) : ((await next()) as void);
    };
    return step();
  };
}

export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;

  app.use(async function observe(ctx, next) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const observation: ResponseObservation = {
        method: ctx.method,
        route: typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched',
        status: ctx.status,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        uid: observedUid(ctx.state.auth as AuthState | undefined),
      };
      for (const observer of options.observers()) {
        try {
          observer(observation);
        } catch (error) {
          options.log.warn('response observer failed', { error });
        }
      }
    }
  });
  app.use(errorHandler(options.log));
  app.use(hostCheck(options.hosts));
  if (options.publicFiles) app.use(options.publicFiles);
  app.use(async function authenticate(ctx, next) {
    ctx.state.auth = await options.authenticator.fromHeader(ctx.get('authorization') || undefined);
    return (await next()) as void;
  });
  app.use(rateLimit(options.rateLimit));
  const isRawRoute = rawRouteMatcher(options.routes);
  let limit = options.bodyLimit();
  let reader = jsonBody(limit, isRawRoute);
  app.use(function readBody(ctx, next) {
    if (options.bodyLimit() !== limit) {
      limit = options.bodyLimit();
      reader = jsonBody(limit, isRawRoute);
    }
    return reader(ctx, next);
  });
  app.use(allowedMethods(options.routes));
  app.use(dispatch(options.routers));
  return app;
}

declare module 'koa' {
  interface DefaultContext {
    _matchedRoute?: string | RegExp;
  }
}
