/**
 * The lease gate: put in front of the policy rules (PolicyApi.addGate), it denies a tool call that
 * writes a path another agent holds a lease on. It runs on every tool call of every worker, so it
 * does no git work of its own: the lease service's locate() caches each worktree's repository.
 */
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
  const how = blocker.mode === 'exclusive' ? 'exclusively' : 'shared';
  const who = blocker.holder === null ? 'another team' : blocker.holder;
  const lease = blocker.holder === null ? '' : ` (lease ${blocker.leaseId})`;
  return (
    `Fleet lease: ${blocker.path} is leased ${how} to ${who} ${untilText(blocker.expiresAt, now)}${lease}. ` +
    'Do not change it: ask its holder (mail_send) or your lead, or work on another file.'
  );
}

export interface LeaseGateDeps {
  api: EnforceApi;
  /** Where the worker stands when the hook does not say (its spawn cwd). */
  workerCwd(teamName: string, handle: string): Promise<string | undefined>;
}

/** The gate's check: undefined lets the call on; `{ reason }` denies it. */
export async function checkLeases(
  deps: LeaseGateDeps,
  caller: Identity,
  request: { tool: string; input: Record<string, unknown>; cwd?: string },
): Promise<{ reason: string } | undefined> {
  const policy = deps.api.policy();
  const targets = policy?.writeTargets ? policy.writeTargets(request) : fileToolTargets(request);
  if (targets.paths.length === 0 && !targets.unknown) return undefined;
  const cwd = request.cwd ?? (await deps.workerCwd(caller.teamName, caller.handle));
  const byRepo = new Map<string, string[]>();
  for (const path of targets.paths) {
    const absolute = isAbsolute(path) ? resolve(path) : cwd === undefined ? undefined : resolve(cwd, path);
    if (absolute === undefined) {
      targets.unknown = true;
      continue;
    }
    const located = await deps.api.leases.locate(absolute);
    if (!located) continue;
    const list = byRepo.get(located.repo) ?? [];
    list.push(located.relPath);
    byRepo.set(located.repo, list);
  }
  const now = new Date();
  for (const [repo, relPaths] of byRepo) {
    const blockers = await deps.api.leases.blockers(caller.teamName, caller.handle, repo, relPaths);
    if (blockers.length > 0) return { reason: blockerReason(blockers[0]!, now) };
  }
  if (targets.unknown && cwd !== undefined) {
    const here = await deps.api.leases.locate(cwd);
    if (here && (await othersHoldLeases(deps.api, caller, here.repo)))
      return {
        reason:
          'Fleet lease: this command writes a path the fleet cannot read (a variable, a glob, a substitution), and ' +
          'other agents hold leases in this repository. Name the file literally (no $VAR, globs or $(…)), ' +
          'or use the Edit/Write tools.',
      };
  }
  return undefined;
}

/** Whether anyone but the caller holds an active lease in the repo (any team: files are the repo's). */
async function othersHoldLeases(api: EnforceApi, caller: Identity, repo: string): Promise<boolean> {
  if (!api.leases.list) return true;
  const leases = await api.leases.list({ repo });
  return leases.some(
    (lease) => lease.holder !== null && !(lease.teamName === caller.teamName && lease.holder === caller.handle),
  );
}
