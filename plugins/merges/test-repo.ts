/**
 * Real git repositories for the merge queue's tests and bench (not used by the plugin): a repository in
 * a directory the caller owns (and removes), on `main`, with helpers that write, commit and branch.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@localhost',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export interface TestRepo {
  dir: string;
  git(...args: string[]): string;
  /** Write files (relative path → content) in the main checkout. */
  write(files: Record<string, string>): void;
  /** `git add -A` and commit in the main checkout; returns the commit. */
  commit(message: string): string;
  /** On a new branch from `from` (default main): write, commit, and come back to where it was. */
  branch(name: string, files: Record<string, string>, from?: string): string;
  head(ref?: string): string;
  /** `git status --porcelain` of the main checkout (untracked included). */
  status(): string;
}

export function testRepo(dir: string, files: Record<string, string>): TestRepo {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'core.quotePath=false', ...args], { cwd: dir, env: ENV, encoding: 'utf8' });
  const write = (more: Record<string, string>) => {
    for (const [path, text] of Object.entries(more)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };
  git('init', '-q', '-b', 'main');
  write(files);
  commit('base');
  return {
    dir,
    git,
    write,
    commit,
    branch(name, more, from = 'main') {
      const back = git('rev-parse', '--abbrev-ref', 'HEAD').trim();
      git('checkout', '-q', '-b', name, from);
      write(more);
      const sha = commit(`${name}: change`);
      git('checkout', '-q', back);
      return sha;
    },
    head: (ref = 'HEAD') => git('rev-parse', ref).trim(),
    status: () => git('status', '--porcelain', '--untracked-files=all'),
  };
}

/** Lines `1`..`n` as a file's text, with some lines replaced: `lines(10, { 3: 'three' })`. */
export function lines(n: number, replace: Record<number, string> = {}): string {
  return Array.from({ length: n }, (_, i) => replace[i + 1] ?? `line ${i + 1}`).join('\n') + '\n';
}
