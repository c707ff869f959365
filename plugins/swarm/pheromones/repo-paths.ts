import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The repository a worker works in: its worktree, else the nearest folder above its cwd holding
 * `.git`, else its cwd.
 */
export function repositoryRoot(place: { cwd: string; worktree?: string | null }): string {
  if (place.worktree) return resolve(place.worktree);
  let dir = resolve(place.cwd);
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(place.cwd);
}

/**
 * A path a tool call named, as the repository sees it (`src/a.ts`, with forward slashes), so workers
 * in different worktrees of one repository leave trails on the same resource. A relative path is
 * taken from the cwd. A path outside the repository is left out (undefined): /tmp, ~/.claude and
 * other repositories are nobody's shared work.
 */
export function repositoryPath(root: string, cwd: string, path: string): string | undefined {
  if (path === '' || path.length > 4096 || path.includes('\0')) return undefined;
  const absolute = isAbsolute(path) ? resolve(path) : resolve(cwd, path);
  const rel = relative(root, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  const normal = rel.split(sep).join('/');
  return normal.length <= 500 ? normal : undefined;
}
