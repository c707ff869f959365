import * as v from 'valibot';
import { operationsFor, reply } from '../../../core/index.js';
import { jobId, listLimit, maxAttempts, payload, priority, repository, taskName } from './fields.js';
import type { JobQueue } from './job-queue.js';
import { viewOf } from './job.js';

/** What the queue's operations need of the plugin's api (SchedulerApi has it). */
export interface QueueOpsApi {
  queue: JobQueue;
}

const op = operationsFor<QueueOpsApi>();

export const listQueue = op({
  name: 'listQueue',
  summary:
    'Your team’s queue: jobs waiting (in the order they will run: priority, then age) and running, with counts ' +
    '(dead-lettered ones: GET /scheduler/queue/dead)',
  access: 'agent',
  input: v.object({ limit: v.optional(listLimit) }),
  http: { method: 'GET', path: '/scheduler/queue' },
  tools: [{ name: 'queue_list' }],
  async run({ input, caller, api }) {
    const limit = input.limit ?? 100;
    const [queued, running, counts] = await Promise.all([
      api.queue.list(caller.teamName, ['queued'], limit),
      api.queue.list(caller.teamName, ['running'], limit),
      api.queue.counts(caller.teamName),
    ]);
    return { queued: queued.map(viewOf), running: running.map(viewOf), counts };
  },
});

export const addToQueue = op({
  name: 'addToQueue',
  summary:
    'Queue a task (leads): `name` is a task template (its prompt), or any other name (the generic prompt); ' +
    'a worker is spawned for it when its turn comes; retried with backoff, then dead-lettered',
  access: 'lead',
  input: v.object({
    name: taskName,
    repository: v.optional(repository),
    priority: v.optional(priority),
    payload: v.optional(payload),
    maxAttempts: v.optional(maxAttempts),
  }),
  http: { method: 'POST', path: '/scheduler/queue', status: 201 },
  tools: [{ name: 'queue_add' }],
  async run({ input, caller, api }) {
    const job = await api.queue.enqueue({
      team: caller.teamName,
      kind: 'template',
      name: input.name,
      payload: { template: input.name, context: { ...input.payload, repository: input.repository } },
      priority: input.priority,
      maxAttempts: input.maxAttempts,
      trigger: 'manual',
      repository: input.repository,
      createdBy: caller.handle,
      origin: { kind: 'manual', id: caller.handle },
    });
    return reply.status(201, { taskId: job.id, message: 'Task queued', task: viewOf(job) });
  },
});

export const deadLetters = op({
  name: 'deadLetters',
  summary: 'Your team’s dead-letter list: jobs that ran out of attempts, newest first, with their last error',
  access: 'agent',
  input: v.object({ limit: v.optional(listLimit) }),
  http: { method: 'GET', path: '/scheduler/queue/dead' },
  tools: [{ name: 'queue_dead' }],
  async run({ input, caller, api }) {
    const dead = await api.queue.list(caller.teamName, ['dead'], input.limit ?? 100);
    return { dead: dead.map(viewOf), count: (await api.queue.counts(caller.teamName)).dead };
  },
});

export const getQueued = op({
  name: 'getQueued',
  summary: 'One job of your team’s queue: status, attempts, next attempt, error, evidence',
  access: 'agent',
  input: v.object({ id: jobId }),
  http: { method: 'GET', path: '/scheduler/queue/:id' },
  tools: [{ name: 'queue_get' }],
  run: async ({ input, caller, api }) => viewOf(await api.queue.get(caller.teamName, input.id)),
});

export const cancelQueued = op({
  name: 'cancelQueued',
  summary: 'Cancel a queued job (leads); a running one answers 409',
  access: 'lead',
  input: v.object({ taskId: jobId }),
  http: { method: 'DELETE', path: '/scheduler/queue/:taskId' },
  tools: [{ name: 'queue_cancel' }],
  async run({ input, caller, api }) {
    const job = await api.queue.cancel(caller.teamName, input.taskId, caller.handle);
    return { message: 'Task cancelled', task: viewOf(job) };
  },
});

export const replayDead = op({
  name: 'replayDead',
  summary: 'Queue a dead-lettered job again with fresh attempts (leads)',
  access: 'lead',
  input: v.object({ id: jobId }),
  http: { method: 'POST', path: '/scheduler/queue/:id/replay' },
  tools: [{ name: 'queue_replay' }],
  async run({ input, caller, api }) {
    const job = await api.queue.replay(caller.teamName, input.id, caller.handle);
    return { message: 'Task replayed', task: viewOf(job) };
  },
});

export const queueOperations = [listQueue, addToQueue, deadLetters, getQueued, cancelQueued, replayDead];
