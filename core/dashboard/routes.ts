import { decodeJwt } from 'jose';
import type { Context, Middleware, Next } from 'koa';
import * as v from 'valibot';
import { checkAccess } from '../access.js';
import type { Identity } from '../auth/identity.js';
import { authStateOf, requireIdentity } from '../http/auth-state.js';
import { mergeHttpInput, rejectUnknownKeys, validateInput } from '../operations/input.js';
import { dashboardErrors } from './errors.js';
import { identityView } from './operations.js';
import { servePage, WEB_ROOT } from './page.js';
import { panelFolder, type PanelSource } from './panels.js';
import { CODE_TTL_SECONDS, type SignInCodes } from './sign-in-codes.js';
import { fileWithin, FOLDER_EXTENSIONS, StaticFiles } from './static-files.js';
import { vendorFile } from './vendor.js';

/** App and panel files: the browser asks again each load and gets a 304 while they are unchanged. */
const REVALIDATE = 'no-cache';
/** Vendor files change only with an install (and a restart); an hour saves the round trips. */
const VENDOR_CACHE = 'public, max-age=3600';

/**
 * The dashboard's files: `/` (the page), `/dashboard/app/*`, `/dashboard/vendor/*` and
 * `/dashboard/panels/<plugin>/*`. Public (they hold no data) and served before authentication and
 * the rate limit: a page load is some thirty small files. `running` is read on each request, so a
 * panel is served exactly while its plugin is on.
 */
export function dashboardFiles(running: () => Iterable<PanelSource>): Middleware {
  const files = new StaticFiles();
  const notFound = (ctx: Context) => dashboardErrors.DASHBOARD_FILE_NOT_FOUND({ path: ctx.path });
  return async function serveDashboardFiles(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return (await next()) as void;
    const path = ctx.path;
    if (path === '/') return servePage(ctx, files);
    if (path.startsWith('/dashboard/app/')) {
      const file = fileWithin(WEB_ROOT, path.slice('/dashboard/app/'.length), FOLDER_EXTENSIONS);
      if (!file || !(await files.serve(ctx, file, WEB_ROOT, REVALIDATE))) throw notFound(ctx);
      return;
    }
    if (path.startsWith('/dashboard/vendor/')) {
      const vendor = vendorFile(path.slice('/dashboard/vendor/'.length));
      if (!vendor || !(await files.serve(ctx, vendor.file, vendor.root, VENDOR_CACHE))) throw notFound(ctx);
      return;
    }
    const panel = /^\/dashboard\/panels\/([a-z][a-z0-9-]*)\/(.+)$/.exec(path);
    if (panel) {
      const folder = panelFolder(running(), panel[1]!);
      const file = folder && fileWithin(folder, panel[2]!, FOLDER_EXTENSIONS);
      if (!folder || !file || !(await files.serve(ctx, file, folder, REVALIDATE))) throw notFound(ctx);
      return;
    }
    if (/^\/dashboard\/(app|vendor|panels\/[^/]+)\/?$/.test(path)) throw notFound(ctx);
    return (await next()) as void;
  };
}

const codeRequest = v.object({
  ttlSeconds: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be an integer'),
      v.minValue(1, `must be 1–${CODE_TTL_SECONDS}`),
      v.maxValue(CODE_TTL_SECONDS, `must be 1–${CODE_TTL_SECONDS}`),
    ),
  ),
});
const exchange = v.object({
  code: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(200, 'is too long')),
});

/** A route's body and query, checked like an operation's input: unknown keys and bad values are 400s naming them. */
function inputOf<S extends v.ObjectSchema<v.ObjectEntries, undefined>>(ctx: Context, schema: S): v.InferOutput<S> {
  const merged = mergeHttpInput({ params: {}, query: ctx.query, body: (ctx.request as { body?: unknown }).body });
  rejectUnknownKeys(merged, new Set(Object.keys(schema.entries)));
  return validateInput(schema, merged, 'body');
}

/** The `ver` claim of the verified bearer token (the agent's token version; 1 when absent). */
function tokenVersion(ctx: Context): number {
  const credential = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'))?.[1];
  try {
    const ver = credential ? decodeJwt(credential).ver : undefined;
    return typeof ver === 'number' && Number.isSafeInteger(ver) ? ver : 1;
  } catch {
    return 1;
  }
}

export interface SignInOptions {
  codes: SignInCodes;
  /** A fresh token for an identity, of its token version. */
  mint: (identity: Identity, version: number) => Promise<string>;
  /** The URL the sign-in link points at (the fleet's public URL). */
  fleetUrl: () => string;
}

/**
 * Sign-in without cookies: `POST /dashboard/sign-in-codes` (a team lead) makes a one-time code for
 * the caller; `POST /dashboard/sign-in { code }` (public) trades it, once, for a fresh token of
 * that identity. The link carries the code in its fragment, which browsers never send to a server.
 */
export function signInRoutes(options: SignInOptions): Middleware {
  return async function serveSignIn(ctx: Context, next: Next): Promise<void> {
    if (ctx.path === '/dashboard/sign-in-codes' && ctx.method === 'POST') {
      const caller = requireIdentity(authStateOf(ctx));
      checkAccess('lead', caller);
      const input = inputOf(ctx, codeRequest);
      const { code, expiresAt } = options.codes.create(caller, tokenVersion(ctx), input.ttlSeconds);
      ctx.status = 201;
      ctx.body = {
        code,
        expiresAt: new Date(expiresAt).toISOString(),
        url: `${options.fleetUrl().replace(/\/+$/, '')}/#code=${code}`,
      };
      return;
    }
    if (ctx.path === '/dashboard/sign-in' && ctx.method === 'POST') {
      const input = inputOf(ctx, exchange);
      const taken = options.codes.take(input.code);
      if (!taken) throw dashboardErrors.DASHBOARD_CODE_INVALID();
      const token = await options.mint(taken.identity, taken.version);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { token, identity: identityView(taken.identity) };
      return;
    }
    return (await next()) as void;
  };
}

/** The sign-in routes, for 405s and the raw-route check (they are not operations). */
export const SIGN_IN_ROUTES = [
  { method: 'POST', path: '/dashboard/sign-in-codes' },
  { method: 'POST', path: '/dashboard/sign-in' },
] as const;
