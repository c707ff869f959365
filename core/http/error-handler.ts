import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';
import { HttpError } from './http-error.js';

/**
 * Every error becomes JSON `{ error, ...details }`. A 500 says only `Internal server error`: the
 * stack, SQL and paths go to the log, never to the client. Unknown routes get a JSON 404.
 */
export function errorHandler(log: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: `Not found: ${ctx.method} ${ctx.path}` };
      }
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { error: error.message, ...error.details };
        return;
      }
      const status = (error as { status?: number; expose?: boolean }).status;
      if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
        ctx.status = status;
        ctx.body = { error: (error as Error).message };
        return;
      }
      log.error('request failed', { method: ctx.method, path: ctx.path, error });
      ctx.status = 500;
      ctx.body = { error: 'Internal server error' };
    }
  };
}
