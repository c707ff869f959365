/**
 * After each turn (worker_state working → idle/ready), the worker's worktree is compared with the
 * leases: what it changed (uncommitted, untracked, and committed on its branch since the merge-base
 * with the main checkout's branch) that another holds is a `leased` flag; what lies outside its own
 * leases, when it holds any, an `outside` flag. Each flag is written once (the same change seen after
 * the next turn is not flagged again), emitted as `lease:violation`, and mailed to the worker's lead.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LeaseFlag } from './events.js';
import type { FlagStore } from './flag-store.js';
import type { EnforceApi, MailLike } from './ports.js';

const run = promisify(execFile);
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], {
    env: GIT_ENV,
    timeout: 15_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

/** Paths (relative to the worktree's root) changed in it: status (untracked too) and the branch's commits. */
export async function changedPaths(dir: string, repo: string): Promise<{ root: string; paths: string[] }> {
  const root = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  const paths = new Set<string>();
  const status = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    paths.add(entry.slice(3));
    // A rename or copy names its source in the next field.
    if (entry[0] === 'R' || entry[0] === 'C') paths.add(entries[++i] ?? '');
  }
  // Committed work on the worker's branch: against the main checkout's branch, when they differ.
  if (root !== repo) {
    const base = await git(repo, ['rev-parse', 'HEAD']).catch(() => '');
    const head = await git(root, ['rev-parse', 'HEAD']).catch(() => '');
    if (base.trim() && head.trim() && base.trim() !== head.trim()) {
      const mergeBase = (await git(root, ['merge-base', 'HEAD', base.trim()]).catch(() => '')).trim();
      if (mergeBase) {
        const diff = await git(root, ['diff', '--name-only', '-z', '--no-renames', mergeBase, 'HEAD']);
        for (const path of diff.split('\0')) if (path) paths.add(path);
      }
    }
  }
  paths.delete('');
  return { root, paths: [...paths].sort() };
}

export interface TurnCheckDeps {
  api: EnforceApi;
  flags: FlagStore;
  emit(teamName: string, flag: LeaseFlag): void;
  mail(): MailLike | undefined;
  log: { warn(message: string, data?: Record<string, unknown>): void };
}

/** Check one worker's worktree now; returns the new flags. */
export async function checkTurn(deps: TurnCheckDeps, teamName: string, handle: string): Promise<LeaseFlag[]> {
  const row = await deps.api.workers()?.manager.store.get(teamName, handle);
  if (!row) return [];
  const dir = row.worktree_path ?? row.cwd;
  const where = await deps.api.leases.locate(dir);
  if (!where) return [];
  const { repo } = where;
  const { paths } = await changedPaths(dir, repo);
  if (paths.length === 0) return [];
  const found: LeaseFlag[] = [];
  const add = async (path: string, kind: 'leased' | 'outside', leaseId: string | null, holder: string | null) => {
    if (await deps.flags.exists(teamName, handle, repo, path, kind, leaseId)) return;
    const flag = await deps.flags.add({ teamName, handle, repo, path, kind, leaseId, holder, source: 'turn' });
    found.push(flag);
    deps.emit(teamName, flag);
  };
  const blockers = await deps.api.leases.blockers(teamName, handle, repo, paths);
  const blocked = new Set<string>();
  for (const blocker of blockers) {
    blocked.add(blocker.path);
    await add(blocker.path, 'leased', blocker.leaseId || null, blocker.holder);
  }
  const mine = await deps.api.leases.heldBy(teamName, handle, repo);
  if (mine.length > 0)
    for (const path of paths) {
      if (blocked.has(path)) continue;
      if (!mine.some((lease) => deps.api.leases.covers(lease, path))) await add(path, 'outside', null, null);
    }
  if (found.length > 0) await tellLead(deps, teamName, handle, row.spawned_by, found);
  return found;
}

async function tellLead(
  deps: TurnCheckDeps,
  teamName: string,
  handle: string,
  lead: string | undefined,
  flags: LeaseFlag[],
): Promise<void> {
  const mail = deps.mail();
  if (!mail || !lead || lead === handle) return;
  const lines = flags.map((flag) =>
    flag.kind === 'leased'
      ? `- ${flag.path}: leased to ${flag.holder ?? 'another team'}${flag.leaseId ? ` (lease ${flag.leaseId})` : ''}`
      : `- ${flag.path}: outside ${handle}'s own leases`,
  );
  const body =
    `${handle}'s last turn changed paths its leases do not allow (in ${flags[0]!.repo}):\n${lines.join('\n')}\n` +
    'GET /leases/flags (tool lease_flags) lists them.';
  try {
    await mail.mail.send(teamName, 'fleet', lead, body, `Lease violation by ${handle}`);
  } catch (error) {
    deps.log.warn('leases: could not mail the lead about a lease violation', {
      team: teamName,
      lead,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
