import type { Context, Next } from 'koa';
import { nestsDeeperThan } from '../json-depth.js';
import { fleetErrors, invalidInput } from './api-error.js';

/** How deep a request body may nest at all (free-form fields have their own, lower limit). */
const MAX_BODY_DEPTH = 64;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads a JSON body into ctx.request.body with a size limit: 413 past the limit (stopping the read
 * at once, not after buffering everything), 400 for malformed JSON or a non-JSON content type.
 */
export function jsonBody(limitBytes: number) {
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
    const type = ctx.get('content-type');
    if (type && !/\bjson\b/i.test(type))
      throw fleetErrors.FLEET_UNSUPPORTED_MEDIA_TYPE({ type: type.split(';')[0]!.trim() });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch {
      throw fleetErrors.FLEET_INVALID_JSON({}, { field: 'body' });
    }
    // No input of ours nests this deep; anything deeper could only overflow a recursive reader.
    if (nestsDeeperThan(body, MAX_BODY_DEPTH))
      throw invalidInput('body', `must not nest deeper than ${MAX_BODY_DEPTH} levels`);
    (ctx.request as { body?: unknown }).body = body;
    return (await next()) as void;
  };
}
