import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Context } from 'koa';

/** What the dashboard serves from a folder: browser modules, styles and images, nothing else. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** Extensions served from the app's and the panels' folders (vendor files are an allow-list of their own). */
export const FOLDER_EXTENSIONS = new Set(['.js', '.css', '.svg', '.png']);

/** One path segment a URL may name: no `..`, no dot files, no backslashes or NULs. */
const SEGMENT = /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$/;

/**
 * The file `relativePath` (URL-decoded, `/`-separated) names inside `root`, or undefined when it
 * could leave it (`..`, an absolute path, an odd segment) or its extension is not served. The
 * symlink check is `read`'s: this one is about the name.
 */
export function fileWithin(root: string, relativePath: string, extensions: ReadonlySet<string>): string | undefined {
  if (relativePath.length === 0 || relativePath.length > 512) return undefined;
  const segments = relativePath.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return undefined;
  if (!extensions.has(extname(relativePath).toLowerCase())) return undefined;
  const file = resolve(root, ...segments);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return file;
}

interface Cached {
  body: Buffer;
  etag: string;
  mtimeMs: number;
  size: number;
}

/**
 * Reads and remembers served files: a stat per request (so an edited panel is served at once), a
 * read only when the file changed. Files are small (the largest, xterm, is ~400 KB).
 */
export class StaticFiles {
  readonly #cache = new Map<string, Cached>();

  /**
   * The file's bytes and ETag, or undefined when it is missing, not a regular file, or (after
   * following links) outside `root`.
   */
  async read(file: string, root: string): Promise<Cached | undefined> {
    let info;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const known = this.#cache.get(file);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    let real: string;
    let realRoot: string;
    let body: Buffer;
    try {
      [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
      body = await readFile(real);
    } catch {
      return undefined;
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const cached = { body, etag, mtimeMs: info.mtimeMs, size: info.size };
    if (this.#cache.size > 500) this.#cache.clear();
    this.#cache.set(file, cached);
    return cached;
  }

  /** Answer with the file (or 304 when the client's copy is current). False when there is no such file. */
  async serve(ctx: Context, file: string, root: string, cacheControl: string): Promise<boolean> {
    const found = await this.read(file, root);
    if (!found) return false;
    ctx.set('Cache-Control', cacheControl);
    ctx.set('ETag', found.etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    if (ctx.get('if-none-match') === found.etag) {
      ctx.status = 304;
      return true;
    }
    ctx.status = 200;
    ctx.body = found.body;
    return true;
  }
}
