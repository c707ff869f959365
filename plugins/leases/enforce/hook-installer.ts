/**
 * Installs the fleet's git hook into a worker's worktree (WorkersApi.addWorktreeSetup). Hooks are the
 * repository's, shared by every worktree, so the hook goes into a directory of the worker's own
 * (`<workerDir>/git-hooks`) named by `core.hooksPath` in that worktree's own config
 * (`git config --worktree`, which needs `extensions.worktreeConfig`, set once in the shared config).
 * The main checkout and other worktrees keep their hooks; the worktree's hooks of every other name
 * still run the repository's own (the installed script forwards to them).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { WorktreeSetupLike } from './ports.js';

const run = promisify(execFile);
const HOOK_SCRIPT = fileURLToPath(new URL('./hook/git-hook.mjs', import.meta.url));

/** Every hook name git runs for a worktree's own work: each forwards to the repository's. */
export const HOOK_NAMES = [
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-merge-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'post-rewrite',
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'pre-auto-gc',
  'push-to-checkout',
];

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], {
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    timeout: 15_000,
  });
  return stdout.trim();
}

/** Install (or refresh, with this launch's token) the hook in one worktree. Returns the hooks directory. */
export async function installLeaseHook(wt: WorktreeSetupLike): Promise<string> {
  const hooks = join(wt.workerDir, 'git-hooks');
  await mkdir(hooks, { recursive: true, mode: 0o700 });
  // The repository's own hooks, as the shared config names them (read before ours is set).
  const commonDir = await git(wt.path, ['rev-parse', '--git-common-dir']);
  const common = isAbsolute(commonDir) ? commonDir : resolve(wt.path, commonDir);
  // Read from the common dir: the shared (repository, global, system) value, never a worktree's own.
  let original = await git(common, ['config', '--get', 'core.hooksPath']).catch(() => '');
  if (original === hooks) original = '';
  const originalHooks = original
    ? isAbsolute(original)
      ? original
      : resolve(wt.path, original)
    : join(common, 'hooks');
  const settings = JSON.stringify({ url: wt.url, token: wt.token, originalHooks });
  await writeFile(join(hooks, 'fleet-lease.json'), settings, { mode: 0o600 });
  await chmod(join(hooks, 'fleet-lease.json'), 0o600);
  const script = join(hooks, 'git-hook.mjs');
  await copyFile(HOOK_SCRIPT, script);
  // Each hook name is a CommonJS stub (a file without .mjs is not read as a module) loading the script.
  const stub =
    '#!/usr/bin/env node\n' +
    "import(require('node:url').pathToFileURL(require('node:path').join(__dirname, 'git-hook.mjs')).href);\n";
  for (const name of HOOK_NAMES) {
    await writeFile(join(hooks, name), stub, { mode: 0o755 });
    await chmod(join(hooks, name), 0o755);
  }
  if ((await git(common, ['config', '--get', 'extensions.worktreeConfig']).catch(() => '')) !== 'true')
    await git(common, ['config', 'extensions.worktreeConfig', 'true']);
  await git(wt.path, ['config', '--worktree', 'core.hooksPath', hooks]);
  return hooks;
}
