import type { Context, Next } from 'koa';
import { nestsDeeperThan } from '../json-depth.js';
import { fleetErrors, invalidInput } from './api-error.js';

/** How deep a request body may nest at all (free-form fields have their own, lower limit). */
const MAX_BODY_DEPTH = 64;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The body's bytes as read, for routes served raw (a signed webhook checks its signature over them). */
export function rawBodyOf(ctx: Context): Buffer {
  return (ctx.state as { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
}

/**
 * Reads a JSON body into ctx.request.body with a size limit: 413 past the limit (stopping the read
 * at once, not after buffering everything), 400 for malformed JSON or a non-JSON content type.
 * The bytes stay in ctx.state for raw routes; a body that is not JSON is refused only when
 * `isRawRoute` says the request is not for one (asked only then: it is the rare path).
 */
export function jsonBody(limitBytes: number, isRawRoute: (ctx: Context) => boolean = () => false) {
  return async function readJsonBody(ctx: Context, next: Next): Promise<void> {
    if (!METHODS_WITH_BODY.has(ctx.method)) return (await next()) as void;
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) throw fleetErrors.FLEET_BODY_TOO_LARGE({ limit: limitBytes });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) {
        ctx.set('Connection', 'close');
        throw fleetErrors.FLEET_BODY_TOO_LARGE({ limit: limitBytes });
      }
      chunks.push(chunk);
    }
    if (size === 0) {
      (ctx.request as { body?: unknown }).body = undefined;
      return (await next()) as void;
    }
    const bytes = Buffer.concat(chunks, size);
    (ctx.state as { rawBody?: Buffer }).rawBody = bytes;
    let body: unknown;
    try {
      body = parseJson(ctx, bytes);
    } catch (error) {
      if (!isRawRoute(ctx)) throw error;
      body = undefined;
    }
    (ctx.request as { body?: unknown }).body = body;
    return (await next()) as void;
  };
}

function parseJson(ctx: Context, bytes: Buffer): unknown {
  const type = ctx.get('content-type');
  if (type && !/\bjson\b/i.test(type))
    throw fleetErrors.FLEET_UNSUPPORTED_MEDIA_TYPE({ type: type.split(';')[0]!.trim() });
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fleetErrors.FLEET_INVALID_JSON({}, { field: 'body' });
  }
  // No input of ours nests this deep; anything deeper could only overflow a recursive reader.
  if (nestsDeeperThan(body, MAX_BODY_DEPTH))
    throw invalidInput('body', `must not nest deeper than ${MAX_BODY_DEPTH} levels`);
  return body;
}
