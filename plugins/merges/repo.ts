import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { git } from './git.js';

/**
 * The repository a directory is in, named by its main working tree (the parent of
 * `git rev-parse --git-common-dir`, realpath'd): a worker's worktree and the main checkout name the
 * same repository. Undefined when it is not in one.
 */
export async function repositoryOf(dir: string, timeoutSeconds: number): Promise<string | undefined> {
  if (!isAbsolute(dir)) return undefined;
  try {
    if (!statSync(dir).isDirectory()) return undefined;
    const common = (await git(dir, timeoutSeconds, 'rev-parse', '--git-common-dir')).trim();
    return realpathSync(dirname(resolve(dir, common)));
  } catch {
    return undefined;
  }
}

/** The worktree (path) that has `refs/heads/<branch>` checked out, if any. */
export async function checkoutOf(repo: string, branch: string, timeoutSeconds: number): Promise<string | undefined> {
  const listing = await git(repo, timeoutSeconds, 'worktree', 'list', '--porcelain');
  let path: string | undefined;
  for (const line of listing.split('\n')) {
    if (line.startsWith('worktree ')) path = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${branch}` && path !== undefined) return path;
  }
  return undefined;
}
