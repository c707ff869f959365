import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { checkAccess } from '../access.js';
import { authStateOf, callerFor } from '../http/auth-state.js';
import { rawBodyOf } from '../http/body.js';
import { mergeHttpInput, pathParams, rejectUnknownKeys, validateInput } from './input.js';
import { isReply, type Operation, type RawRequest } from './operation.js';

/** An operation as the kernel serves it: which plugin it belongs to and how to reach that plugin's api and context. */
export interface ServedOperation {
  plugin: string;
  operation: Operation;
  /** Run it for a caller with an input already validated against its schema. */
  run(
    input: Record<string, unknown>,
    caller: ReturnType<typeof callerFor>,
    request?: { adminKey: boolean; raw?: RawRequest },
  ): Promise<unknown>;
}

const lower = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' } as const;

/** Send a handler's result: JSON by default, or what a `reply` says. */
function respond(ctx: Context, result: unknown, status: number | undefined): void {
  if (isReply(result)) {
    if (result.contentType) ctx.type = result.contentType;
    ctx.body = result.body ?? { ok: true };
    ctx.status = result.status ?? status ?? 200;
    return;
  }
  ctx.body = result === undefined ? { ok: true } : result;
  ctx.status = status ?? 200;
}

/**
 * The Koa middleware serving a plugin's operations that have an HTTP binding. Per request: who is
 * calling (401/403 before anything else), may they (access rule), what they sent (path, query and
 * body merged and validated, 400 naming the field), then the handler.
 */
export function operationRoutes(served: readonly ServedOperation[]): Middleware {
  const router = new Router();
  for (const entry of served) {
    const { operation } = entry;
    const http = operation.http;
    if (!http) continue;
    // Path params are input keys too, but a client sends them in the path: the 400 lists the rest.
    const known = new Set(Object.keys(operation.input.entries));
    const inPath = new Set(pathParams(http.path));
    const shown = [...known].filter((key) => !inPath.has(key));
    router[lower[http.method]](http.path, async (ctx: Context) => {
      const auth = authStateOf(ctx);
      const caller = callerFor(operation.access, auth);
      checkAccess(operation.access, caller);
      const merged = mergeHttpInput({
        params: ctx.params as Record<string, string>,
        query: ctx.query,
        // A raw route's body is bytes for its handler, not input fields.
        body: http.raw ? undefined : (ctx.request as { body?: unknown }).body,
      });
      // Query and body alike: an unknown key is a typo or a wrong guess, never something to ignore.
      rejectUnknownKeys(merged, known, shown);
      const input = validateInput(operation.input, merged, 'body');
      const raw = http.raw ? rawRequestOf(ctx) : undefined;
      respond(ctx, await entry.run(input, caller, { adminKey: auth.kind === 'admin', raw }), http.status);
    });
  }
  return router.routes() as unknown as Middleware;
}

function rawRequestOf(ctx: Context): RawRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { headers, rawBody: rawBodyOf(ctx) };
}
