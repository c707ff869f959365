import * as v from 'valibot';
import { dataFence, f, operationsFor } from '../../../core/index.js';
import { swarmId } from '../fields.js';
import type { SwarmApi } from '../index.js';

const op = operationsFor<SwarmApi>();

const createInput = v.object({
  name: f.text({ min: 1, max: 100 }),
  description: v.optional(f.text({ max: 500 })),
  maxAgents: v.optional(f.int(1, 100)),
});

export const createSwarm = op({
  name: 'createSwarm',
  summary: 'Create a swarm of your team (maxAgents: how many live workers it takes, default 10)',
  access: 'lead',
  input: createInput,
  http: { method: 'POST', path: '/swarms' },
  tools: [{ name: 'swarm_create', rename: { max_agents: 'maxAgents' } }],
  run: ({ input, caller, api }) => api.swarms.create(caller.teamName, caller.handle, input),
});

export const listSwarms = op({
  name: 'listSwarms',
  summary: 'Your team’s swarms, newest first; includeAgents=true adds each one’s live workers',
  access: 'agent',
  input: v.object({ includeAgents: v.optional(f.flag) }),
  http: { method: 'GET', path: '/swarms' },
  run: ({ input, caller, api }) => api.swarms.list(caller.teamName, input.includeAgents === true),
});

export const getSwarm = op({
  name: 'getSwarm',
  summary: 'One swarm of your team with its live workers',
  access: 'agent',
  input: v.object({ id: swarmId }),
  http: { method: 'GET', path: '/swarms/:id' },
  run: ({ input, caller, api }) => api.swarms.describe(caller.teamName, input.id),
});

export const swarmList = op({
  name: 'swarmList',
  summary: 'One swarm with its workers (swarm_id), or your team’s swarms: { count, swarms }',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), includeAgents: v.optional(f.flag) }),
  tools: [{ name: 'swarm_list', rename: { swarm_id: 'swarmId', include_agents: 'includeAgents' } }],
  async run({ input, caller, api }) {
    if (input.swarmId !== undefined) return api.swarms.describe(caller.teamName, input.swarmId);
    const swarms = await api.swarms.list(caller.teamName, input.includeAgents === true);
    return { count: swarms.length, swarms };
  },
});

export const killSwarm = op({
  name: 'killSwarm',
  summary:
    'Kill a swarm: dismiss every live worker of it (named in dismissed); graceful=false also deletes the ' +
    'swarm and its blackboard',
  access: 'lead',
  input: v.object({ id: swarmId, graceful: v.optional(f.flag) }),
  http: { method: 'POST', path: '/swarms/:id/kill' },
  tools: [{ name: 'swarm_kill', rename: { swarm_id: 'id' } }],
  run: ({ input, caller, api }) =>
    api.swarms.kill(caller.teamName, input.id, { graceful: input.graceful ?? true, by: caller.handle }),
});

export const swarmBroadcast = op({
  name: 'swarmBroadcast',
  summary:
    'Broadcast a directive to a swarm: a directive on its blackboard for every member, and the same text ' +
    'sent to each live worker of it',
  access: 'lead',
  input: v.object({
    swarmId,
    directive: f.text({ min: 1, max: 10_000 }),
    priority: v.optional(f.oneOf(['low', 'normal', 'high', 'critical'] as const)),
  }),
  tools: [{ name: 'swarm_broadcast', rename: { swarm_id: 'swarmId' } }],
  async run({ input, caller, api }) {
    await api.swarms.require(caller.teamName, input.swarmId, 'swarmId');
    const message = await api.blackboard.post(caller.teamName, {
      swarmId: input.swarmId,
      senderHandle: caller.handle,
      messageType: 'directive',
      payload: { directive: input.directive, broadcast: true },
      priority: input.priority ?? 'high',
    });
    const delivered: string[] = [];
    const workers = api.workers();
    if (workers)
      for (const member of await api.swarms.members(caller.teamName, input.swarmId)) {
        try {
          const text = dataFence({ kind: 'swarm directive', from: caller.handle, role: 'team lead' }, input.directive);
          await workers.sendToWorker(caller.teamName, member.handle, text);
          delivered.push(member.handle);
        } catch {
          // A worker that cannot take input now (paused, stopping) reads the directive on the blackboard.
        }
      }
    return { success: true, message, delivered };
  },
});

export const swarmOperations = [createSwarm, listSwarms, getSwarm, swarmList, killSwarm, swarmBroadcast];
