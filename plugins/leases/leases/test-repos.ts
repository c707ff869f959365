/** Real git repositories for the leases tests, in temp dirs the tests own. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', timeout: 20_000 });
}

/**
 * A repository with one commit (src/a.ts, docs/a.md) and a linked worktree, in `dir` (a temp dir the
 * test owns and removes: `makeRepo(tempDir(t, 'leases-repo-'))`); both paths realpath'd.
 */
export function makeRepo(dir: string): { repo: string; worktree: string } {
  const root = realpathSync(dir);
  const repo = path.join(root, 'main');
  mkdirSync(path.join(repo, 'src'), { recursive: true });
  mkdirSync(path.join(repo, 'docs'), { recursive: true });
  writeFileSync(path.join(repo, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(path.join(repo, 'docs', 'a.md'), '# a\n');
  git(repo, ['init', '-q', '-b', 'main']);
  git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.']);
  git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init']);
  const worktree = path.join(root, 'wt');
  git(repo, ['worktree', 'add', '-q', '-b', 'fleet/w1', worktree]);
  return { repo, worktree };
}
