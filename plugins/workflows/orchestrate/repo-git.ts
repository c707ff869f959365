import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';

/**
 * git and gh for multi-repo runs, always from argument arrays (never a shell): commit messages, PR
 * titles and bodies stay text. The workers plugin keeps the same operations for a worker's own
 * worktree (fleet/<handle>); a run's worktree has the branch its task names, made here, so these
 * take paths and branches. Each failure is an Error whose message a repository's result can carry.
 */
function run(program: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(
      program,
      [...args],
      { cwd, timeout: 120_000, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout, stderr) => {
        if (!error) return resolveRun(String(stdout));
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(new Error(`${program} is not installed (not found on PATH)`));
        reject(new Error(`${program} ${args[0]}: ${String(stderr).trim().split('\n')[0] || error.message}`));
      },
    );
  });
}

const git = (cwd: string, ...args: string[]) => run('git', args, cwd);

/** Why a repository cannot be worked on, or undefined: missing, not a repository, outside baseDir. */
export async function repositoryProblem(path: string, baseDir: string | undefined): Promise<string | undefined> {
  if (!existsSync(path)) return `Repository not found at ${path}`;
  if (baseDir !== undefined) {
    // A symlink inside baseDir may point out of it: the real paths decide.
    const rel = relative(realpathSync(baseDir), realpathSync(path));
    if (rel.startsWith('..') || isAbsolute(rel)) return `Repository ${path} resolves outside baseDir`;
  }
  try {
    await git(path, 'rev-parse', '--is-inside-work-tree');
  } catch {
    return `Repository not found at ${path} (not a git repository)`;
  }
  return undefined;
}

/**
 * A worktree of `repo` at `path` on `branch` (created from HEAD, or checked out if it exists), or
 * detached at HEAD when branch is null. An existing worktree at path (a resumed run) is kept.
 */
export async function addRunWorktree(repo: string, path: string, branch: string | null): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  if (branch === null) {
    await git(repo, 'worktree', 'add', '--detach', path, 'HEAD');
    return;
  }
  const exists = await git(repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).then(
    () => true,
    () => false,
  );
  await git(repo, 'worktree', 'add', ...(exists ? [path, branch] : ['-b', branch, path]));
}

/** Stage everything and commit: the new commit's sha, or undefined when nothing changed. */
export async function commitAll(path: string, message: string): Promise<string | undefined> {
  await git(path, 'add', '-A');
  const staged = await git(path, 'diff', '--cached', '--quiet').then(
    () => false,
    () => true,
  );
  if (!staged) return undefined;
  await git(path, '-c', 'user.name=Claude Fleet', '-c', 'user.email=fleet@localhost', 'commit', '-q', '-m', message);
  return (await git(path, 'rev-parse', 'HEAD')).trim();
}

/** Push the branch to origin (or the only remote). */
export async function pushBranch(path: string, branch: string): Promise<void> {
  const remotes = (await git(path, 'remote')).split('\n').filter(Boolean);
  if (remotes.length === 0) throw new Error('no remote to push to: the branch stays local, no pull request');
  const remote = remotes.includes('origin') ? 'origin' : remotes[0]!;
  await git(path, 'push', '-u', remote, branch);
}

/** `gh pr create`: the pull request's URL. gh missing says so. */
export async function createPullRequest(
  path: string,
  pr: { branch: string; title: string; body: string; base?: string },
): Promise<string> {
  await run('gh', ['--version'], path).catch((error: Error) => {
    throw new Error(`no pull request: ${error.message}`);
  });
  const args = ['pr', 'create', '--title', pr.title, '--body', pr.body, '--head', pr.branch];
  if (pr.base) args.push('--base', pr.base);
  const stdout = await run('gh', args, path);
  return stdout.trim().split('\n').pop() ?? '';
}
