import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import type { MergesApi } from './index.js';
import { branchName, testArgv } from './options.js';
import { MERGE_STATUSES } from './tables.js';

const op = operationsFor<MergesApi>();
const entryId = f.uuid('merge queue entry');
const absolutePath = v.pipe(
  f.text({ min: 1, max: 4096 }),
  v.check((path) => path.startsWith('/'), 'must be an absolute path'),
  v.check((path) => !path.includes('\0'), 'must not contain NUL'),
);

export const enqueueMerge = op({
  name: 'enqueueMerge',
  summary:
    'Queue a branch to be rebased onto its target, tested, checked for lost hunks and merged: a worker’s ' +
    'branch by its handle, or a branch of a repository (repo: any directory in it). A worker queues only its ' +
    'own branch; only a lead sets the test command. Higher priority goes first; waiting raises it',
  access: 'agent',
  input: v.object({
    handle: v.optional(f.handle),
    branch: v.optional(branchName),
    repo: v.optional(absolutePath),
    target: v.optional(branchName),
    priority: v.optional(f.int(-1000, 1000), 0),
    test: v.optional(testArgv),
  }),
  http: { method: 'POST', path: '/merge-queue', status: 201 },
  tools: [{ name: 'merge_enqueue' }],
  run: ({ input, caller, api }) => api.merges.enqueue(caller, input),
});

export const listMerges = op({
  name: 'listMerges',
  summary: 'Your team’s merge queue entries, newest first: queued, running and what became of the others',
  access: 'agent',
  input: v.object({
    status: v.optional(f.oneOf(MERGE_STATUSES)),
    repo: v.optional(absolutePath),
    branch: v.optional(branchName),
    handle: v.optional(f.handle),
    limit: v.optional(f.int(1, 500), 100),
  }),
  http: { method: 'GET', path: '/merge-queue' },
  tools: [{ name: 'merge_list' }],
  async run({ input, caller, api }) {
    const entries = await api.merges.list(caller.teamName, input);
    return { entries, count: entries.length };
  },
});

export const getMerge = op({
  name: 'getMerge',
  summary: 'One entry of your team’s merge queue, with its report (conflict files, test output, hunks, timings)',
  access: 'agent',
  input: v.object({ id: entryId }),
  http: { method: 'GET', path: '/merge-queue/:id' },
  tools: [{ name: 'merge_status' }],
  run: ({ input, caller, api }) => api.merges.require(caller.teamName, input.id),
});

export const cancelMerge = op({
  name: 'cancelMerge',
  summary: 'Cancel a queued entry (a lead, or the worker whose branch it is); a running one is 409',
  access: 'agent',
  input: v.object({ id: entryId }),
  http: { method: 'DELETE', path: '/merge-queue/:id' },
  tools: [{ name: 'merge_cancel' }],
  run: ({ input, caller, api }) => api.merges.cancel(caller, input.id),
});

export const retryMerge = op({
  name: 'retryMerge',
  summary: 'Queue a conflict, failed, refused or cancelled entry again (its age counts from now)',
  access: 'agent',
  input: v.object({ id: entryId }),
  http: { method: 'POST', path: '/merge-queue/:id/retry' },
  tools: [{ name: 'merge_retry' }],
  run: ({ input, caller, api }) => api.merges.retry(caller, input.id),
});

export const mergeOperations = [enqueueMerge, listMerges, getMerge, cancelMerge, retryMerge];
