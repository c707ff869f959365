import * as v from 'valibot';
import { f, operationsFor, reply } from '../../core/index.js';
import type { WorkersApi } from './index.js';
import { spawnInput, spawnRequest } from './spawn-input.js';

const op = operationsFor<WorkersApi>();

const queueId = f.serialId;

export const queueSpawn = op({
  name: 'queueSpawn',
  summary: 'Queue a worker spawn: it starts as soon as a worker slot is free',
  access: 'lead',
  input: spawnInput,
  http: { method: 'POST', path: '/spawn-queue', status: 202 },
  tools: [{ name: 'spawn_request', rename: { prompt: 'initialPrompt' }, omit: ['teamName'] }],
  async run({ input, caller, api }) {
    const id = await api.manager.enqueue(spawnRequest(caller, input, api.options), caller.handle);
    await api.manager.drainQueue(api.options.max);
    return reply.status(202, await api.manager.queueItem(caller.teamName, id));
  },
});

export const queueStatus = op({
  name: 'queueStatus',
  summary: 'Queued spawns of your team, live workers and the limit',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/spawn-queue/status' },
  run: ({ caller, api }) => api.manager.queueStatus(caller.teamName, api.options.max),
});

export const queueItem = op({
  name: 'queueItem',
  summary: 'One queued spawn, with its position while it waits',
  access: 'agent',
  input: v.object({ id: queueId }),
  http: { method: 'GET', path: '/spawn-queue/:id' },
  run: ({ input, caller, api }) => api.manager.queueItem(caller.teamName, input.id),
});

export const spawnStatus = op({
  name: 'spawnStatus',
  summary: 'One queued spawn (by id), or the queue of your team.',
  access: 'agent',
  input: v.object({ id: v.optional(queueId) }),
  tools: [{ name: 'spawn_status' }],
  run: ({ input, caller, api }) =>
    input.id
      ? api.manager.queueItem(caller.teamName, input.id)
      : api.manager.queueStatus(caller.teamName, api.options.max),
});

export const cancelQueued = op({
  name: 'cancelQueued',
  summary: 'Cancel a queued spawn',
  access: 'lead',
  input: v.object({ id: queueId }),
  http: { method: 'DELETE', path: '/spawn-queue/:id' },
  tools: [{ name: 'spawn_cancel' }],
  run: ({ input, caller, api }) => api.manager.cancelQueued(caller.teamName, input.id),
});

export const queueOperations = [queueSpawn, queueStatus, queueItem, spawnStatus, cancelQueued];
