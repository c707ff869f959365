import * as v from 'valibot';
import { actAs, f, type Identity, isLead, operationsFor } from '../../../core/index.js';
import type { SwarmApi } from '../index.js';
import { pheromoneErrors } from './errors.js';
import {
  decimal,
  intensity,
  limit,
  metadata,
  resourceId,
  resourceType,
  swarmId,
  trailType,
  unitFraction,
} from './fields.js';
import { TEAM_TRAILS } from './pheromone-service.js';
import { TRAIL_WEIGHTS } from './weights.js';

const op = operationsFor<SwarmApi>();

/**
 * The trail space a call means: the one named (a swarm of the caller's team, else 404 as if another
 * team's did not exist, or TEAM_TRAILS), else the caller's swarm, else the team-wide space of workers
 * outside swarms.
 */
async function spaceOf(api: SwarmApi, caller: Identity, named: string | undefined): Promise<string> {
  if (named === undefined) return (await api.swarms.swarmOf(caller.teamName, caller.handle)) ?? TEAM_TRAILS;
  if (named !== TEAM_TRAILS) await api.swarms.require(caller.teamName, named, 'swarmId');
  return named;
}

export const depositPheromone = op({
  name: 'depositPheromone',
  summary:
    'Leave a pheromone trail on a resource (file, task, endpoint, module, custom) in a swarm: touch, modify, ' +
    'complete, error, warning or success, intensity 0–10 (default 1), fading with time',
  access: 'agent',
  input: v.object({
    swarmId: v.optional(swarmId),
    resourceType,
    resourceId,
    depositorHandle: v.optional(f.handle),
    trailType,
    intensity: v.optional(intensity),
    metadata: v.optional(metadata),
  }),
  http: { method: 'POST', path: '/pheromones', status: 201 },
  tools: [
    {
      name: 'pheromone_deposit',
      omit: ['depositorHandle'],
      rename: {
        swarm_id: 'swarmId',
        resource_type: 'resourceType',
        resource_id: 'resourceId',
        trail_type: 'trailType',
      },
    },
  ],
  async run({ input, caller, api }) {
    const depositor = input.depositorHandle ?? caller.handle;
    actAs(caller, { handle: depositor }, 'depositorHandle');
    const space = await spaceOf(api, caller, input.swarmId);
    // A worker of a swarm leaves trails in its own swarm (the seed's swarm access rule); leads anywhere.
    if (!isLead(caller) && space !== TEAM_TRAILS) {
      const own = await api.swarms.swarmOf(caller.teamName, caller.handle);
      if (own !== undefined && own !== space)
        throw pheromoneErrors.SWARM_PHEROMONE_NOT_IN_SWARM({ own, swarmId: space }, { field: 'swarmId' });
    }
    return api.pheromones.deposit(caller.teamName, {
      swarmId: space,
      resourceType: input.resourceType,
      resourceId: input.resourceId,
      depositorHandle: depositor,
      trailType: input.trailType,
      intensity: input.intensity,
      metadata: input.metadata,
    });
  },
});

export const queryPheromones = op({
  name: 'queryPheromones',
  summary:
    'Trails of a swarm, strongest first (intensity decayed to now): by resource, type, depositor, minimum ' +
    'intensity; active only unless activeOnly=false',
  access: 'agent',
  input: v.object({
    swarmId: v.optional(swarmId),
    resourceType: v.optional(resourceType),
    resourceId: v.optional(resourceId),
    trailType: v.optional(trailType),
    depositorHandle: v.optional(f.handle),
    minIntensity: v.optional(decimal(0, 10)),
    activeOnly: v.optional(f.flag),
    limit: v.optional(limit),
  }),
  http: { method: 'GET', path: '/pheromones/:swarmId' },
  tools: [
    {
      name: 'pheromone_query',
      rename: {
        swarm_id: 'swarmId',
        resource_type: 'resourceType',
        resource_id: 'resourceId',
        trail_type: 'trailType',
        depositor_handle: 'depositorHandle',
        min_intensity: 'minIntensity',
        active_only: 'activeOnly',
      },
    },
  ],
  async run({ input, caller, api }) {
    const { swarmId: named, limit: count, ...query } = input;
    return api.pheromones.query(caller.teamName, await spaceOf(api, caller, named), { ...query, limit: count ?? 100 });
  },
});

export const resourcePheromones = op({
  name: 'resourcePheromones',
  summary: 'Active trails on one resource of a swarm (at most 100; a path with slashes is URL-encoded)',
  access: 'agent',
  input: v.object({ swarmId, resourceId }),
  http: { method: 'GET', path: '/pheromones/:swarmId/resource/:resourceId' },
  run: async ({ input, caller, api }) =>
    api.pheromones.resource(caller.teamName, await spaceOf(api, caller, input.swarmId), input.resourceId),
});

export const pheromoneActivity = op({
  name: 'pheromoneActivity',
  summary:
    'Resources of a swarm by activity: active trails grouped, SUM of their decayed intensity, count, ' +
    'depositors, last deposit',
  access: 'agent',
  input: v.object({ swarmId, resourceType: v.optional(resourceType), limit: v.optional(limit) }),
  http: { method: 'GET', path: '/pheromones/:swarmId/activity' },
  run: async ({ input, caller, api }) =>
    api.pheromones.activity(caller.teamName, await spaceOf(api, caller, input.swarmId), {
      resourceType: input.resourceType,
      limit: input.limit ?? 20,
    }),
});

export const hotResources = op({
  name: 'hotResources',
  summary:
    'Hot resources of a swarm (the "hot files" view): active trails grouped by resource, scored by decayed ' +
    'intensity × the weight of their type (modify 3, error and warning 2, others 1)',
  access: 'agent',
  input: v.object({
    swarmId: v.optional(swarmId),
    resourceType: v.optional(resourceType),
    trailType: v.optional(trailType),
    limit: v.optional(limit),
  }),
  http: { method: 'GET', path: '/pheromones/:swarmId/hot' },
  tools: [
    {
      name: 'pheromone_hot_resources',
      rename: { swarm_id: 'swarmId', resource_type: 'resourceType', trail_type: 'trailType' },
    },
  ],
  async run({ input, caller, api }) {
    const space = await spaceOf(api, caller, input.swarmId);
    const hot = await api.pheromones.hot(caller.teamName, space, {
      resourceType: input.resourceType,
      trailType: input.trailType,
      limit: input.limit ?? 20,
    });
    // `activity` as the seed's tool answered (each item has its fields, plus score and byType).
    return { swarmId: space, activity: hot.resources, count: hot.count, weights: TRAIL_WEIGHTS };
  },
});

export const decayPheromones = op({
  name: 'decayPheromones',
  summary:
    'Age trails by hand (lead): one step intensity × (1 − decayRate) on the active trails of a swarm (or ' +
    'all of your team’s), retiring those it takes below minIntensity. Reads decay by elapsed time anyway.',
  access: 'lead',
  input: v.object({
    swarmId: v.optional(swarmId),
    decayRate: v.optional(unitFraction),
    minIntensity: v.optional(unitFraction),
  }),
  http: { method: 'POST', path: '/pheromones/decay' },
  run: async ({ input, caller, api }) =>
    api.pheromones.decay(caller.teamName, {
      swarmId: input.swarmId === undefined ? undefined : await spaceOf(api, caller, input.swarmId),
      decayRate: input.decayRate ?? 0.1,
      minIntensity: input.minIntensity ?? 0.01,
    }),
});

export const pheromoneStats = op({
  name: 'pheromoneStats',
  summary: 'Counts of a swarm’s trails: active and decayed, total intensity now, active ones by type and resource',
  access: 'agent',
  input: v.object({ swarmId }),
  http: { method: 'GET', path: '/pheromones/:swarmId/stats' },
  run: async ({ input, caller, api }) =>
    api.pheromones.stats(caller.teamName, await spaceOf(api, caller, input.swarmId)),
});

export const pheromoneOperations = [
  depositPheromone,
  queryPheromones,
  resourcePheromones,
  pheromoneActivity,
  hotResources,
  decayPheromones,
  pheromoneStats,
];
