import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';
import { fleetErrors, isApiError } from './api-error.js';

/**
 * Every error becomes JSON `{ error, code, ...details }`. A 500 says only `Internal server error`:
 * the stack, SQL and paths go to the log, never to the client. Unknown routes get a JSON 404.
 */
export function errorHandler(log: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        const error = fleetErrors.FLEET_ROUTE_NOT_FOUND({ method: ctx.method, path: ctx.path });
        ctx.status = error.status;
        ctx.body = error.toJSON();
      }
    } catch (error) {
      if (isApiError(error)) {
        ctx.status = error.status;
        ctx.body = error.toJSON();
        return;
      }
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
        ctx.status = status;
        ctx.body = { error: (error as Error).message, code: 'FLEET_HTTP_ERROR' };
        return;
      }
      log.error('request failed', { method: ctx.method, path: ctx.path, error });
      const internal = fleetErrors.FLEET_INTERNAL();
      ctx.status = internal.status;
      ctx.body = internal.toJSON();
    }
  };
}
