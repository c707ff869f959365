/** Real git repositories for tests, in temp dirs removed when the test ends. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';
import type { TestLike } from './test-like.js';

/** git in `cwd` as a test author (never a prompt); its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  }).trim();
}

/** A repository `project` on `main` with one commit (README.md), in a temp dir of the test; its path. */
export function gitProject(t: TestLike): string {
  const project = join(tempDir(t, 'fleet-repo-'), 'project');
  mkdirSync(project);
  git(project, '-c', 'init.defaultBranch=main', 'init', '--quiet');
  writeFileSync(join(project, 'README.md'), '# project\n');
  git(project, 'add', 'README.md');
  git(project, 'commit', '--quiet', '-m', 'initial');
  return project;
}
