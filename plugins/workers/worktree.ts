import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isApiError } from '../../core/index.js';
import { workersErrors } from './errors.js';

/** Run a program with an argument array (never a shell): commit messages and titles stay text. */
function run(program: string, args: readonly string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(
      program,
      [...args],
      { cwd, timeout: 120_000, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout, stderr) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(
              program === 'gh'
                ? workersErrors.WORKERS_GH_MISSING()
                : workersErrors.WORKERS_PROGRAM_MISSING({ program }),
            );
            return;
          }
          reject(Object.assign(new Error(String(stderr).trim() || error.message), { stderr: String(stderr) }));
          return;
        }
        resolveRun({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const git = (cwd: string, ...args: string[]) => run('git', args, cwd);

export function branchOf(handle: string): string {
  return `fleet/${handle}`;
}

/** `git worktree add -b fleet/<handle> <path>` from the repository at `repoDir` (reusing the branch if it exists). */
export async function addWorktree(
  repoDir: string,
  path: string,
  handle: string,
): Promise<{ path: string; branch: string }> {
  try {
    await git(repoDir, 'rev-parse', '--is-inside-work-tree');
  } catch {
    throw workersErrors.WORKERS_NOT_A_REPO({ path: repoDir }, { field: 'workingDir' });
  }
  const branch = branchOf(handle);
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) return { path, branch };
  const exists = await git(repoDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).then(
    () => true,
    () => false,
  );
  try {
    await git(repoDir, 'worktree', 'add', ...(exists ? [path, branch] : ['-b', branch, path]));
  } catch (error) {
    // Branches are the repository's: another worktree of it (another team's worker of this handle,
    // say) may have fleet/<handle> checked out, and git checks a branch out once. The answer names
    // the branch only, which anyone who can read the repository sees.
    if (/already (checked out|used by worktree)/.test((error as Error).message))
      throw workersErrors.WORKERS_BRANCH_IN_USE({ branch }, { field: 'worktree' });
    throw error;
  }
  return { path, branch };
}

/** Stage everything and commit with `message` as one argument. */
export async function commitWorktree(path: string, message: string): Promise<{ commit: string; message: string }> {
  await git(path, 'add', '-A');
  const staged = await git(path, 'diff', '--cached', '--quiet').then(
    () => false,
    () => true,
  );
  if (!staged) throw workersErrors.WORKERS_NOTHING_TO_COMMIT();
  await git(path, '-c', 'user.name=Claude Fleet', '-c', 'user.email=fleet@localhost', 'commit', '-m', message);
  const { stdout } = await git(path, 'rev-parse', 'HEAD');
  return { commit: stdout.trim(), message };
}

export async function pushWorktree(path: string, branch: string): Promise<{ remote: string; branch: string }> {
  const remotes = (await git(path, 'remote')).stdout.split('\n').filter(Boolean);
  if (remotes.length === 0) throw workersErrors.WORKERS_NO_REMOTE();
  const remote = remotes.includes('origin') ? 'origin' : remotes[0]!;
  try {
    await git(path, 'push', '-u', remote, branch);
  } catch (error) {
    throw workersErrors.WORKERS_PUSH_FAILED({ reason: (error as Error).message.split('\n')[0]! });
  }
  return { remote, branch };
}

export async function openPullRequest(
  path: string,
  branch: string,
  pr: { title: string; body: string; base?: string },
): Promise<{ url: string }> {
  await run('gh', ['--version']);
  const remotes = (await git(path, 'remote')).stdout.split('\n').filter(Boolean);
  if (remotes.length === 0) throw workersErrors.WORKERS_NO_REMOTE_FOR_PR();
  const args = ['pr', 'create', '--title', pr.title, '--body', pr.body, '--head', branch];
  if (pr.base) args.push('--base', pr.base);
  try {
    const { stdout } = await run('gh', args, path);
    return { url: stdout.trim().split('\n').pop() ?? '' };
  } catch (error) {
    if (isApiError(error)) throw error;
    throw workersErrors.WORKERS_PR_FAILED({ reason: (error as Error).message.split('\n')[0]! });
  }
}

export async function worktreeStatus(
  path: string,
): Promise<{ branch: string; clean: boolean; files: { status: string; path: string }[] }> {
  const { stdout } = await git(path, 'status', '--porcelain=v1', '-b');
  const [head = '', ...rest] = stdout.split('\n');
  const files = rest.filter(Boolean).map((line) => ({ status: line.slice(0, 2).trim(), path: line.slice(3) }));
  return { branch: head.replace(/^## /, '').split('...')[0] ?? '', clean: files.length === 0, files };
}
