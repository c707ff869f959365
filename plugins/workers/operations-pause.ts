import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import type { WorkersApi } from './index.js';

const op = operationsFor<WorkersApi>();

export const pauseWorker = op({
  name: 'pauseWorker',
  summary:
    'Pause a worker: its agent is stopped, its session, worktree, task and slot are kept, and nothing reaches ' +
    'it until it is resumed (with --resume)',
  access: 'lead',
  input: v.object({ handle: f.handle, note: v.optional(f.text({ min: 1, max: 500 })) }),
  http: { method: 'POST', path: '/orchestrate/workers/:handle/pause' },
  tools: [{ name: 'worker_pause' }],
  run: ({ input, caller, api }) =>
    api.manager.pause(caller.teamName, input.handle, {
      reason: 'lead',
      detail: input.note ?? `paused by ${caller.handle}`,
      source: caller.handle,
    }),
});

export const resumeWorker = op({
  name: 'resumeWorker',
  summary:
    'Resume a paused worker (a budget, a usage limit, a lead paused it): launched again with --resume, told to ' +
    'continue if it was mid-turn. A budget still over or the usage limit still in force refuses (409)',
  access: 'lead',
  input: v.object({ handle: f.handle }),
  http: { method: 'POST', path: '/orchestrate/workers/:handle/resume' },
  tools: [{ name: 'worker_resume' }],
  run: ({ input, caller, api }) => api.manager.resume(caller.teamName, input.handle, { by: caller.handle }),
});

export const quotaStatus = op({
  name: 'quotaStatus',
  summary:
    "The account's usage limit: whether an agent hit it, its window and reset time, whether it resumes by " +
    'itself, and your team’s parked workers',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/orchestrate/quota' },
  tools: [{ name: 'quota_status' }],
  run: async ({ caller, api }) => ({
    ...api.quota.state(),
    parked: (await api.manager.store.listPaused(caller.teamName))
      .map((row) => api.manager.view(row))
      .filter((worker) => worker.pause?.reason === 'quota'),
  }),
});

export const resumeAfterQuota = op({
  name: 'resumeAfterQuota',
  summary:
    'A lead decides the usage limit is over (a weekly limit, or one without a reset time, waits for this): ' +
    'new workers may start and your team’s parked workers resume, a few at a time',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/orchestrate/quota/resume' },
  tools: [{ name: 'quota_resume' }],
  run: ({ caller, api }) => api.quota.clear(caller.handle, caller.teamName),
});

export const pauseOperations = [pauseWorker, resumeWorker, quotaStatus, resumeAfterQuota];
