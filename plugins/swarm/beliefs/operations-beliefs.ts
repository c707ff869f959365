import * as v from 'valibot';
import { actAs, f, type Identity, operationsFor, reply } from '../../../core/index.js';
import { swarmFor, verifySwarmAccess } from '../access.js';
import { swarmCoreErrors as errors } from '../errors.js';
import { limit, swarmId, unit } from '../fields.js';
import type { SwarmApi } from '../index.js';
import { BELIEF_TYPES, META_TYPES, SOURCE_TYPES } from './beliefs-service.js';

const op = operationsFor<SwarmApi>();

const subject = f.text({ min: 1, max: 200 });
const beliefValue = f.text({ min: 1, max: 10_000 });
const validUntilMs = v.pipe(
  f.int(1),
  v.check((ms) => ms > Date.now(), 'must be a time in the future (ms since the epoch)'),
);

async function holder(api: SwarmApi, caller: Identity, handle: string | undefined, field: string): Promise<string> {
  const named = handle ?? caller.handle;
  if (actAs(caller, { handle: named }, field) && !(await api.auth().agents.findByHandle(caller.teamName, named)))
    throw errors.SWARM_AGENT_NOT_FOUND({ field, handle: named }, { field });
  return named;
}

const setEntries = {
  agentHandle: v.optional(f.handle),
  beliefType: v.optional(f.oneOf(BELIEF_TYPES)),
  subject,
  beliefValue,
  confidence: v.optional(unit),
  sourceHandle: v.optional(f.handle),
  sourceType: v.optional(f.oneOf(SOURCE_TYPES)),
  validUntilMs: v.optional(validUntilMs),
};

async function setBelief(
  api: SwarmApi,
  caller: Identity,
  id: string,
  input: v.InferOutput<v.ObjectSchema<typeof setEntries, undefined>>,
) {
  const agentHandle = await holder(api, caller, input.agentHandle, 'agentHandle');
  await verifySwarmAccess(api.swarms, caller, id);
  return api.beliefs.set(caller.teamName, id, {
    ...input,
    agentHandle,
    beliefType: input.beliefType ?? 'knowledge',
  });
}

export const createBelief = op({
  name: 'createBelief',
  summary:
    'Set your belief on a subject in a swarm (knowledge, assumption, inference, observation) with a confidence ' +
    '0–1, its source and validUntilMs (after it, the belief no longer counts)',
  access: 'agent',
  input: v.object({ swarmId, ...setEntries }),
  http: { method: 'POST', path: '/beliefs', status: 201 },
  run: ({ input, caller, api }) => setBelief(api, caller, input.swarmId, input),
});

export const beliefSet = op({
  name: 'beliefSet',
  summary: 'Set your belief on a subject in your swarm (swarm_id’s): value, type (knowledge), confidence (0.5)',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...setEntries }),
  tools: [
    {
      name: 'belief_set',
      omit: ['agentHandle', 'sourceHandle', 'sourceType'],
      rename: { swarm_id: 'swarmId', value: 'beliefValue', belief_type: 'beliefType', valid_until_ms: 'validUntilMs' },
    },
  ],
  run: async ({ input, caller, api }) =>
    reply.status(201, await setBelief(api, caller, await swarmFor(api.swarms, caller, input.swarmId), input)),
});

const metaEntries = {
  agentHandle: v.optional(f.handle),
  aboutHandle: f.handle,
  metaType: f.oneOf(META_TYPES),
  beliefValue,
  confidence: v.optional(unit),
};

export const createMetaBelief = op({
  name: 'createMetaBelief',
  summary: 'Set your belief about another agent (capability, reliability, knowledge, intention, workload)',
  access: 'agent',
  input: v.object({ swarmId, ...metaEntries }),
  http: { method: 'POST', path: '/beliefs/meta', status: 201 },
  async run({ input, caller, api }) {
    const agentHandle = await holder(api, caller, input.agentHandle, 'agentHandle');
    await verifySwarmAccess(api.swarms, caller, input.swarmId);
    return api.beliefs.setMeta(caller.teamName, input.swarmId, { ...input, agentHandle });
  },
});

export const beliefMeta = op({
  name: 'beliefMeta',
  summary: 'Set your belief about another agent of your swarm (swarm_id’s)',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...metaEntries }),
  tools: [
    {
      name: 'belief_meta',
      omit: ['agentHandle'],
      rename: { swarm_id: 'swarmId', about_handle: 'aboutHandle', meta_type: 'metaType', value: 'beliefValue' },
    },
  ],
  async run({ input, caller, api }) {
    const id = await swarmFor(api.swarms, caller, input.swarmId);
    await verifySwarmAccess(api.swarms, caller, id);
    return api.beliefs.setMeta(caller.teamName, id, { ...input, agentHandle: caller.handle });
  },
});

async function stats(api: SwarmApi, caller: Identity, id: string) {
  await verifySwarmAccess(api.swarms, caller, id);
  return api.beliefs.stats(caller.teamName, id);
}

export const beliefStats = op({
  name: 'beliefStats',
  summary: 'A swarm’s beliefs: counts by type, agents, subjects, average confidence (valid ones)',
  access: 'agent',
  input: v.object({ swarmId }),
  http: { method: 'GET', path: '/beliefs/:swarmId/stats' },
  run: ({ input, caller, api }) => stats(api, caller, input.swarmId),
});

export const beliefStatsTool = op({
  name: 'beliefStatsTool',
  summary: 'Your swarm’s (swarm_id’s) beliefs: counts by type, agents, subjects, average confidence',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId) }),
  tools: [{ name: 'belief_stats', rename: { swarm_id: 'swarmId' } }],
  run: async ({ input, caller, api }) => stats(api, caller, await swarmFor(api.swarms, caller, input.swarmId)),
});

async function consensus(api: SwarmApi, caller: Identity, id: string, subjectName: string, minConfidence?: number) {
  await verifySwarmAccess(api.swarms, caller, id);
  return api.beliefs.consensus(caller.teamName, id, subjectName, minConfidence ?? 0.5);
}

export const beliefConsensus = op({
  name: 'beliefConsensus',
  summary:
    'Consensus on a subject: each valid belief weighs confidence × its holder’s reputation; the value of ' +
    'the largest sum wins; agreementLevel = its share',
  access: 'agent',
  input: v.object({ swarmId, subject, minConfidence: v.optional(unit) }),
  http: { method: 'GET', path: '/beliefs/:swarmId/consensus/:subject' },
  run: ({ input, caller, api }) => consensus(api, caller, input.swarmId, input.subject, input.minConfidence),
});

export const beliefConsensusTool = op({
  name: 'beliefConsensusTool',
  summary: 'Consensus on a subject in your swarm (swarm_id’s), weighted by confidence and reputation',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), subject, minConfidence: v.optional(unit) }),
  tools: [{ name: 'belief_consensus', rename: { swarm_id: 'swarmId', min_confidence: 'minConfidence' } }],
  run: async ({ input, caller, api }) =>
    consensus(api, caller, await swarmFor(api.swarms, caller, input.swarmId), input.subject, input.minConfidence),
});

const readEntries = {
  beliefType: v.optional(f.oneOf(BELIEF_TYPES)),
  subject: v.optional(subject),
  minConfidence: v.optional(unit),
  includeExpired: v.optional(f.flag),
  limit: v.optional(limit(1000)),
};

async function beliefsOf(
  api: SwarmApi,
  caller: Identity,
  id: string,
  handle: string,
  input: { beliefType?: string; subject?: string; minConfidence?: number; includeExpired?: boolean; limit?: number },
) {
  await verifySwarmAccess(api.swarms, caller, id);
  const beliefs = await api.beliefs.of(caller.teamName, id, handle, { ...input, limit: input.limit ?? 100 });
  return { beliefs, count: beliefs.length };
}

export const agentBeliefs = op({
  name: 'agentBeliefs',
  summary: 'An agent’s valid beliefs in a swarm, most confident first (includeExpired=true: expired ones too)',
  access: 'agent',
  input: v.object({ swarmId, handle: f.handle, ...readEntries }),
  http: { method: 'GET', path: '/beliefs/:swarmId/:handle' },
  run: ({ input, caller, api }) => beliefsOf(api, caller, input.swarmId, input.handle, input),
});

export const beliefGet = op({
  name: 'beliefGet',
  summary: 'Beliefs of an agent (you by default) in your swarm (swarm_id’s)',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), agentHandle: v.optional(f.handle), ...readEntries }),
  tools: [
    {
      name: 'belief_get',
      rename: { swarm_id: 'swarmId', agent_handle: 'agentHandle', belief_type: 'beliefType' },
    },
  ],
  run: async ({ input, caller, api }) =>
    beliefsOf(
      api,
      caller,
      await swarmFor(api.swarms, caller, input.swarmId),
      input.agentHandle ?? caller.handle,
      input,
    ),
});

export const beliefOperations = [
  createBelief,
  beliefSet,
  createMetaBelief,
  beliefMeta,
  beliefStats,
  beliefStatsTool,
  beliefConsensus,
  beliefConsensusTool,
  agentBeliefs,
  beliefGet,
];
