/**
 * Paths as rules see them: absolute, `~` and `$HOME` expanded with the call's home, relative ones
 * resolved against the directory the command runs in (a preceding `cd`, else the call's cwd),
 * `.`/`..` normalised. What cannot be resolved (a relative path with no known cwd) stays relative.
 */
import { posix } from 'node:path';

export interface PathContext {
  cwd?: string;
  home?: string;
  /** A `cd` target earlier on the command line, as written; null when it was not a literal. */
  dir?: string | null;
}

/** Where a home-relative path lands when the call does not say what home is. */
const UNKNOWN_HOME = '/~';

function expandHome(path: string, context: PathContext): string {
  const home = context.home ?? UNKNOWN_HOME;
  if (path === '~' || path.startsWith('~/')) return home + path.slice(1);
  const named = /^~([A-Za-z0-9._-]+)(\/.*)?$/.exec(path);
  if (named) return `${named[1] === 'root' ? '/root' : `/home/${named[1]}`}${named[2] ?? ''}`;
  const variable = /^\$(HOME|PWD)(\/.*)?$/.exec(path);
  if (variable) {
    const base = variable[1] === 'HOME' ? home : context.cwd;
    if (base !== undefined) return base + (variable[2] ?? '');
  }
  return path;
}

function normalize(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** The directory a command runs in: the cd target resolved against the cwd; undefined if unknown. */
export function workingDirectory(context: PathContext): string | undefined {
  if (context.dir === null) return undefined;
  const cwd = context.cwd === undefined ? undefined : normalize(expandHome(context.cwd, context));
  if (context.dir === undefined) return cwd;
  const dir = expandHome(context.dir, context);
  if (dir.startsWith('/')) return normalize(dir);
  return cwd === undefined ? undefined : normalize(posix.join(cwd, dir));
}

/** An absolute normalised path, or a normalised relative one when the directory is unknown. */
export function resolvePath(path: string, context: PathContext): string {
  const expanded = expandHome(path, context);
  if (expanded.startsWith('/')) return normalize(expanded);
  const base = workingDirectory(context);
  return base === undefined ? normalize(expanded) : normalize(posix.join(base, expanded));
}

/** Is `path` the directory `root` or inside it (both absolute and normalised)? */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}
