import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import type { StaticFiles } from './static-files.js';

/** The shell's folder: its page template and its modules (served at /dashboard/app/). */
export const WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));
export const PAGE_FILE = `${WEB_ROOT}index.html`;

/** Served when the shell's template is missing from a checkout, so `/` still says what it is. */
const FALLBACK_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet</title></head>
<body><p>The fleet is running, but its dashboard's files (core/dashboard/web/) are missing.</p></body></html>
`;

/** The CSP source of each inline script (`<script>` without `src`): its sha256, as browsers compute it. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\bsrc\s*=/i.test(match[1]!)) continue;
    hashes.push(`'sha256-${createHash('sha256').update(match[2]!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * The page's policy: its own files only, the inline import map by hash (no other inline script
 * runs), no framing, no forms, no base change. Styles may be inline: xterm and uPlot set them.
 */
export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${scriptHashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers of every answer that is a document (the page). */
export function setDocumentHeaders(ctx: Context, csp: string): void {
  ctx.set('Content-Security-Policy', csp);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  ctx.set('Cache-Control', 'no-store');
}

/** Answer `GET /` with the shell's page as it is on disk, and a CSP that allows its inline import map. */
export async function servePage(ctx: Context, files: StaticFiles): Promise<void> {
  const found = await files.read(PAGE_FILE, WEB_ROOT);
  const html = found ? found.body.toString('utf8') : FALLBACK_PAGE;
  setDocumentHeaders(ctx, contentSecurityPolicy(inlineScriptHashes(html)));
  ctx.type = 'text/html; charset=utf-8';
  ctx.status = 200;
  ctx.body = html;
}
