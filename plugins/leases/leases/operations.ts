import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import type { LeasesApi } from '../index.js';
import { LEASE_MODES } from './lease-store.js';

const op = operationsFor<LeasesApi>();

const leaseId = f.uuid('lease');
/** An absolute directory in a repository or one of its worktrees (resolved to the main tree). */
const repo = f.text({ min: 1, max: 4096 });
const paths = v.pipe(
  f.list(f.text({ min: 1, max: 1000 }), { max: 100, of: 'paths or globs', unit: 'paths' }),
  v.minLength(1, 'must list at least one path'),
);
const ttlSeconds = f.int(1, 30 * 86_400);

export const acquireLease = op({
  name: 'acquireLease',
  summary:
    'Lease paths or globs of a repository (repo: any directory in it or its worktrees): exclusive (default) or ' +
    'shared, for ttlSeconds (renewed while your worker lives). Overlapping leases of others: 409 naming the ' +
    "holder and expiry. A lead may give taskId: the lease waits for the task's owner",
  access: 'agent',
  input: v.object({
    repo,
    paths,
    mode: v.optional(f.oneOf(LEASE_MODES), 'exclusive'),
    ttlSeconds: v.optional(ttlSeconds),
    taskId: v.optional(f.uuid('task')),
  }),
  http: { method: 'POST', path: '/leases', status: 201 },
  tools: [{ name: 'lease_acquire', rename: { ttl_seconds: 'ttlSeconds', task_id: 'taskId' } }],
  run: ({ input, caller, api }) => api.leases.acquire(caller, input),
});

export const listLeases = op({
  name: 'listLeases',
  summary: "Your team's leases (granted, and tasks' waiting ones), newest first; by repo and holder",
  access: 'agent',
  input: v.object({ repo: v.optional(repo), holder: v.optional(f.handle), limit: v.optional(f.int(1, 500), 500) }),
  http: { method: 'GET', path: '/leases' },
  tools: [{ name: 'lease_list' }],
  async run({ input, caller, api }) {
    const repoPath = input.repo === undefined ? undefined : await api.leases.resolveRepo(input.repo);
    const leases = await api.leases.list(caller.teamName, { ...input, repo: repoPath });
    return { leases, count: leases.length };
  },
});

export const checkLeases = op({
  name: 'checkLeases',
  summary:
    'May you write these paths now? { allowed, conflicts }: the leases of others that forbid them (another ' +
    "team's named only by its expiry)",
  access: 'agent',
  input: v.object({ repo, paths }),
  http: { method: 'POST', path: '/leases/check' },
  tools: [{ name: 'lease_check' }],
  run: ({ input, caller, api }) => api.leases.check(caller, input.repo, input.paths),
});

export const getLease = op({
  name: 'getLease',
  summary: "One lease of your team (404 for another team's, or an expired one)",
  access: 'agent',
  input: v.object({ id: leaseId }),
  http: { method: 'GET', path: '/leases/:id' },
  run: ({ input, caller, api }) => api.leases.require(caller.teamName, input.id),
});

export const releaseLease = op({
  name: 'releaseLease',
  summary: "Release a lease: its holder, or a lead (a task's lease: a lead)",
  access: 'agent',
  input: v.object({ id: leaseId }),
  http: { method: 'DELETE', path: '/leases/:id' },
  tools: [{ name: 'lease_release', rename: { lease_id: 'id' } }],
  async run({ input, caller, api }) {
    const lease = await api.leases.release(caller, input.id);
    return { released: true, lease };
  },
});

export const renewLease = op({
  name: 'renewLease',
  summary: 'Extend a lease by ttlSeconds from now (default: its own): its holder or a lead',
  access: 'agent',
  input: v.object({ id: leaseId, ttlSeconds: v.optional(ttlSeconds) }),
  http: { method: 'POST', path: '/leases/:id/renew' },
  tools: [{ name: 'lease_renew', rename: { lease_id: 'id', ttl_seconds: 'ttlSeconds' } }],
  run: ({ input, caller, api }) => api.leases.renew(caller, input.id, input.ttlSeconds),
});

export const leaseOperations = [acquireLease, listLeases, checkLeases, getLease, releaseLease, renewLease];
