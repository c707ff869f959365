/**
 * The lease gate: put in front of the policy rules (PolicyApi.addGate), it denies a tool call that
 * writes a path another agent holds a lease on. It runs on every tool call of every worker, so it
 * does no git work of its own: the lease service's locate() caches each worktree's repository.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Identity } from '../../../core/index.js';
import type { EnforceApi, LeaseBlockerLike, WriteTargetsLike } from './ports.js';

const FILE_FIELDS: Readonly<Record<string, string>> = {
  Edit: 'file_path',
  Write: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

/** The file tools' targets, for a policy plugin too old to say what a call writes. */
export function fileToolTargets(call: { tool: string; input: Record<string, unknown> }): WriteTargetsLike {
  const field = FILE_FIELDS[call.tool];
  if (field === undefined) return { paths: [], unknown: false };
  const value = call.input[field];
  return typeof value === 'string' && value !== '' ? { paths: [value], unknown: false } : { paths: [], unknown: true };
}

/** `12:31:05Z` today, the full time otherwise; `no expiry` for a lease without one. */
export function untilText(expiresAt: string | null, now = new Date()): string {
  if (expiresAt === null) return 'with no expiry';
  const at = new Date(expiresAt);
  if (Number.isNaN(at.getTime())) return `until ${expiresAt}`;
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? `until ${iso.slice(11)}` : `until ${iso}`;
}

/** The reason the model reads: who holds which path, until when, which lease. */
export function blockerReason(blocker: LeaseBlockerLike, now = new Date()): string {
  // A directory or glob the call writes is reported by the lease's own pattern when it names one.
  const path = blocker.path.endsWith('/**') || blocker.path === '**' ? blocker.pattern || blocker.path : blocker.path;
  const how = blocker.mode === 'exclusive' ? 'exclusively' : 'shared';
  const who = blocker.holder === null ? 'another team' : blocker.holder;
  const lease = blocker.holder === null ? '' : ` (lease ${blocker.leaseId})`;
  return (
    `Fleet lease: ${path} is leased ${how} to ${who} ${untilText(blocker.expiresAt, now)}${lease}. ` +
    'Do not change it: ask its holder (mail_send) or your lead, or work on another file.'
  );
}

export interface LeaseGateDeps {
  api: EnforceApi;
  /** Where the worker stands when the hook does not say (its spawn cwd). */
  workerCwd(teamName: string, handle: string): Promise<string | undefined>;
}

const GLOB = /[*?[{]/;

/**
 * The repo-relative patterns a path stands for in its repository: the path and everything under it
 * (`rm -rf src` or `git checkout .` write every file below), or, for a glob, the glob. Located through
 * the lease service's cache; undefined when the path is in no repository.
 */
async function located(api: EnforceApi, absolute: string): Promise<{ repo: string; patterns: string[] } | undefined> {
  if (GLOB.test(absolute)) {
    // A glob is located by its literal directory; the rest stays a pattern.
    const parts = absolute.split('/');
    const first = parts.findIndex((part) => GLOB.test(part));
    const dir = parts.slice(0, first).join('/') || '/';
    const where = await api.leases.locate(dir);
    if (!where) return undefined;
    const rest = parts.slice(first).join('/');
    return { repo: where.repo, patterns: [where.relPath ? `${where.relPath}/${rest}` : rest] };
  }
  const where = await api.leases.locate(absolute);
  if (!where) return undefined;
  const rel = where.relPath;
  return { repo: where.repo, patterns: rel === '' || rel === '.' ? ['**'] : [rel, `${rel}/**`] };
}

/** The paths a patch names (`diff --git a/x b/y`, `--- a/x`, `+++ b/y`), without its first component. */
export function patchPaths(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const header = /^(?:\+\+\+|---) (?:"?)([^\t"]+)/.exec(line);
    if (header && header[1] !== '/dev/null') out.add(header[1]!.trim());
    const git = /^diff --git a\/(\S+) b\/(\S+)/.exec(line);
    if (git) {
      out.add(`a/${git[1]}`);
      out.add(`b/${git[2]}`);
    }
    const rename = /^rename (?:from|to) (.+)$/.exec(line);
    if (rename) out.add(`a/${rename[1]}`);
  }
  // -p1 (git's a/ and b/) and -p0: both readings, conservatively.
  const paths = new Set<string>();
  for (const path of out) {
    paths.add(path);
    const slash = path.indexOf('/');
    if (slash > 0) paths.add(path.slice(slash + 1));
  }
  return [...paths];
}

/** The patch files' paths, each resolved against the cwd and the repository's root; undefined if unreadable. */
async function patchTargets(api: EnforceApi, patches: string[], cwd: string): Promise<string[] | undefined> {
  const out: string[] = [];
  const here = await api.leases.locate(cwd);
  const root = here
    ? resolve(
        cwd,
        ...here.relPath
          .split('/')
          .filter(Boolean)
          .map(() => '..'),
      )
    : undefined;
  for (const patch of patches) {
    let text: string;
    try {
      const info = await stat(patch);
      if (!info.isFile() || info.size > 8_000_000) return undefined;
      text = await readFile(patch, 'utf8');
    } catch {
      return undefined;
    }
    for (const path of patchPaths(text)) {
      out.push(resolve(cwd, path));
      if (root !== undefined) out.push(resolve(root, path));
    }
  }
  return out;
}

/** The gate's check: undefined lets the call on; `{ reason }` denies it. */
export async function checkLeases(
  deps: LeaseGateDeps,
  caller: Identity,
  request: { tool: string; input: Record<string, unknown>; cwd?: string },
): Promise<{ reason: string } | undefined> {
  const policy = deps.api.policy();
  const targets = policy?.writeTargets ? policy.writeTargets(request) : fileToolTargets(request);
  const patches = targets.patches ?? [];
  if (targets.paths.length === 0 && patches.length === 0 && !targets.unknown) return undefined;
  const cwd = request.cwd ?? (await deps.workerCwd(caller.teamName, caller.handle));
  let unknown = targets.unknown;
  const paths = [...targets.paths];
  if (patches.length > 0) {
    const named = cwd === undefined ? undefined : await patchTargets(deps.api, patches, cwd);
    if (named === undefined) unknown = true;
    else paths.push(...named);
  }
  const byRepo = new Map<string, string[]>();
  for (const path of paths) {
    const absolute = isAbsolute(path) ? resolve(path) : cwd === undefined ? undefined : resolve(cwd, path);
    if (absolute === undefined) {
      unknown = true;
      continue;
    }
    const where = await located(deps.api, absolute);
    if (!where) continue;
    const list = byRepo.get(where.repo) ?? [];
    list.push(...where.patterns);
    byRepo.set(where.repo, list);
  }
  const now = new Date();
  for (const [repo, relPaths] of byRepo) {
    const blockers = await deps.api.leases.blockers(caller.teamName, caller.handle, repo, relPaths);
    if (blockers.length > 0) return { reason: blockerReason(blockers[0]!, now) };
  }
  if (unknown && cwd !== undefined) {
    const here = await deps.api.leases.locate(cwd);
    // Anyone else's lease in this repository: `**` touches every one of them.
    if (here && (await deps.api.leases.blockers(caller.teamName, caller.handle, here.repo, ['**'])).length > 0)
      return {
        reason:
          'Fleet lease: this command writes a path the fleet cannot read (a variable, a glob, a substitution, a ' +
          'program that computes it), and other agents hold leases in this repository. Name each file literally ' +
          '(no $VAR, $(…) or xargs), or use the Edit/Write tools.',
      };
  }
  return undefined;
}
