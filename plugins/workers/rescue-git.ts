import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The git side of worktree rescue: what a worktree holds that removing it would lose, a commit of
 * its whole state written through a temporary index (the worktree's own index is never touched),
 * the verified ref, removal, and restoring a rescue into a new worktree. git runs from argument
 * arrays, never a shell, never waiting for a password, with a timeout.
 */

const GIT_TIMEOUT_MS = 120_000;

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export function git(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env },
      },
      (error, stdout, stderr) => {
        if (error) {
          const text = String(stderr).trim() || error.message;
          reject(new GitError(`git ${args[0] ?? ''}: ${text.split('\n')[0]}`, String(stderr)));
          return;
        }
        resolveRun({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const succeeds = (cwd: string, args: readonly string[]) =>
  git(cwd, args).then(
    () => true,
    () => false,
  );

/** The repository's main working tree (the parent of its common git dir), realpath'd. */
export async function repoOf(path: string): Promise<string> {
  const { stdout } = await git(path, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  const common = stdout.trim();
  return realpathSync(dirname(isAbsolute(common) ? common : resolve(path, common)));
}

/** A changed path of a worktree, as `git status --porcelain` gives it (`??` untracked). */
export interface ChangedFile {
  status: string;
  path: string;
}

/** What removing a worktree would lose. */
export interface WorktreeHoldings {
  head: string | null;
  branch: string | null;
  /** Tracked changes (staged or not) and untracked files; ignored files are not the work. */
  files: ChangedFile[];
  changed: number;
  untracked: number;
  /** Commits of HEAD not on any remote branch (with a remote), else not merged into the default branch. */
  unpushed: number;
  /** What `unpushed` was counted against: `remotes` or the default branch's name (null: none found). */
  against: string;
}

/** `git status --porcelain=v1 -z`: entries separated by NUL; a rename's origin follows as its own entry. */
function parseStatus(stdout: string): ChangedFile[] {
  const parts = stdout.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2);
    files.push({ status: status.trim() || status, path: entry.slice(3) });
    if (status[0] === 'R' || status[0] === 'C') i++;
  }
  return files;
}

/**
 * The branch commits are measured against when the repository has no remote: the branch the main
 * working tree has checked out (what `fleet/<handle>` was branched from) unless that is the worktree's
 * own, else `init.defaultBranch`, `main`, `master`, whichever exists first. None: every commit counts.
 */
export async function defaultBranch(repo: string, ownBranch: string | null): Promise<string | null> {
  const candidates: string[] = [];
  const checkedOut = await git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then(
    ({ stdout }) => stdout.trim(),
    () => '',
  );
  if (checkedOut) candidates.push(checkedOut);
  const configured = await git(repo, ['config', '--get', 'init.defaultBranch']).then(
    ({ stdout }) => stdout.trim(),
    () => '',
  );
  if (configured) candidates.push(configured);
  candidates.push('main', 'master');
  for (const name of candidates) {
    if (name === ownBranch) continue;
    if (await succeeds(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`])) return name;
  }
  return null;
}

export async function inspectWorktree(path: string, repo: string): Promise<WorktreeHoldings> {
  const head = await git(path, ['rev-parse', '--verify', '--quiet', 'HEAD']).then(
    ({ stdout }) => stdout.trim(),
    () => null,
  );
  const branch = await git(path, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then(
    ({ stdout }) => stdout.trim(),
    () => null,
  );
  // --no-optional-locks: status would otherwise refresh (rewrite) the worktree's index as it reads it.
  const { stdout } = await git(path, [
    '--no-optional-locks',
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
  ]);
  const files = parseStatus(stdout);
  const untracked = files.filter((file) => file.status === '??').length;
  let unpushed = 0;
  let against = 'remotes';
  if (head) {
    const remotes = (await git(repo, ['remote'])).stdout.split('\n').filter(Boolean);
    let not: string[];
    if (remotes.length > 0) not = ['--not', '--remotes'];
    else {
      const base = await defaultBranch(repo, branch);
      against = base ?? '(none)';
      not = base ? ['--not', `refs/heads/${base}`] : [];
    }
    unpushed = Number((await git(path, ['rev-list', '--count', 'HEAD', ...not])).stdout.trim());
  }
  return { head, branch, files, changed: files.length - untracked, untracked, unpushed, against };
}

export function needsRescue(holdings: WorktreeHoldings): boolean {
  return holdings.files.length > 0 || holdings.unpushed > 0;
}

/** A ref-safe time: 20261130T055645123Z. */
export function refTime(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, '');
}

/**
 * Commit the worktree's whole state (tracked changes and untracked files, ignored ones left out) with
 * HEAD as parent, through a copy of its index (so what it had staged stays staged), and point `ref` at
 * it; the ref must not exist (a rescue is never overwritten). Verified with `git cat-file -e` before
 * it is trusted: only then may the worktree go.
 */
export async function writeRescue(
  path: string,
  holdings: WorktreeHoldings,
  ref: string,
  message: string,
): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'fleet-rescue-'));
  try {
    const indexFile = join(scratch, 'index');
    const ownIndex = (await git(path, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).stdout.trim();
    // A copy keeps git's stat cache (no rehash of every file); a worktree without an index starts from HEAD.
    if (existsSync(ownIndex)) copyFileSync(ownIndex, indexFile);
    else if (holdings.head) await git(path, ['read-tree', holdings.head], { GIT_INDEX_FILE: indexFile });
    const env = { GIT_INDEX_FILE: indexFile };
    await git(path, ['add', '--all', '--', '.'], env);
    const tree = (await git(path, ['write-tree'], env)).stdout.trim();
    const identity = {
      GIT_AUTHOR_NAME: 'Claude Fleet',
      GIT_AUTHOR_EMAIL: 'fleet@localhost',
      GIT_COMMITTER_NAME: 'Claude Fleet',
      GIT_COMMITTER_EMAIL: 'fleet@localhost',
    };
    const parents = holdings.head ? ['-p', holdings.head] : [];
    const commit = (await git(path, ['commit-tree', tree, ...parents, '-m', message], identity)).stdout.trim();
    // The empty old value: refuse if the ref exists.
    await git(path, ['update-ref', '-m', 'fleet rescue', ref, commit, '']);
    await git(path, ['cat-file', '-e', `${ref}^{commit}`]);
    const stored = (await git(path, ['rev-parse', '--verify', `${ref}^{commit}`])).stdout.trim();
    if (stored !== commit) throw new GitError(`rescue ref ${ref} is ${stored}, not ${commit}`, '');
    return commit;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Remove a worktree by force (its rescue, if it needed one, is written and verified first). */
export async function removeWorktreeDir(repo: string, path: string): Promise<void> {
  if (!existsSync(path)) {
    // Gone already (removed by hand): git forgets it.
    await git(repo, ['worktree', 'prune']);
    return;
  }
  await git(repo, ['worktree', 'remove', '--force', path]);
}

/**
 * A new worktree at `path` on the new branch `branch` at the rescued HEAD, with the rescued changes
 * back as uncommitted changes and untracked files back as untracked: the rescue's tree is written into
 * the working tree through a temporary index (the new worktree's index stays at HEAD), and files the
 * rescue had deleted are deleted.
 */
export async function restoreRescue(
  repo: string,
  rescue: { commit: string; head: string | null },
  path: string,
  branch: string,
): Promise<void> {
  const base = rescue.head ?? rescue.commit;
  await git(repo, ['worktree', 'add', '-b', branch, path, base]);
  if (!rescue.head) return;
  const scratch = mkdtempSync(join(tmpdir(), 'fleet-restore-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await git(path, ['read-tree', rescue.commit], env);
    await git(path, ['checkout-index', '--all', '--force'], env);
    const deleted = (
      await git(path, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=D', rescue.head, rescue.commit])
    ).stdout
      .split('\0')
      .filter(Boolean);
    for (const file of deleted) rmSync(join(path, file), { force: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Whether a rescue's commit is still in the repository. */
export const rescueExists = (repo: string, ref: string) => succeeds(repo, ['cat-file', '-e', `${ref}^{commit}`]);

/** Whether a local branch of that name exists. */
export const branchExists = (repo: string, branch: string) =>
  succeeds(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
