import * as v from 'valibot';
import { actAs, f, type Identity, isLead, operationsFor } from '../../../core/index.js';
import { reachableSwarms, swarmFor, verifySwarmAccess } from '../access.js';
import { swarmCoreErrors as errors } from '../errors.js';
import { limit, payload, swarmId } from '../fields.js';
import type { SwarmApi } from '../index.js';
import { MESSAGE_TYPES, PRIORITIES } from './blackboard-service.js';

const op = operationsFor<SwarmApi>();

const messageType = f.oneOf(MESSAGE_TYPES);
const priority = f.oneOf(['low', 'normal', 'high', 'critical'] as const);
const messageIds = (max: number) =>
  v.pipe(
    f.list(f.uuid('message'), { max, of: 'message ids', unit: 'messages' }),
    v.minLength(1, 'must list at least 1 message'),
  );

/** An agent named in a body must be the caller, or (for a lead) an agent of its team. */
async function actor(api: SwarmApi, caller: Identity, handle: string | undefined, field: string): Promise<string> {
  const named = handle ?? caller.handle;
  if (actAs(caller, { handle: named }, field) && !(await api.auth().agents.findByHandle(caller.teamName, named)))
    throw errors.SWARM_AGENT_NOT_FOUND({ field, handle: named }, { field });
  return named;
}

const postInput = v.object({
  swarmId: v.optional(swarmId),
  senderHandle: v.optional(f.handle),
  messageType,
  payload,
  targetHandle: v.optional(f.handle),
  priority: v.optional(priority),
});

export const postMessage = op({
  name: 'postMessage',
  summary:
    'Post a typed message (request, response, status, directive, checkpoint) with a priority on a swarm’s ' +
    'blackboard, as yourself (a worker: into its own swarm); targetHandle: for that agent only',
  access: 'agent',
  input: postInput,
  http: { method: 'POST', path: '/blackboard' },
  tools: [
    {
      name: 'blackboard_post',
      omit: ['senderHandle'],
      rename: { swarm_id: 'swarmId', message_type: 'messageType', target_handle: 'targetHandle' },
    },
  ],
  async run({ input, caller, api }) {
    const id = await swarmFor(api.swarms, caller, input.swarmId);
    const sender = await actor(api, caller, input.senderHandle, 'senderHandle');
    await verifySwarmAccess(api.swarms, caller, id);
    return api.blackboard.post(caller.teamName, { ...input, swarmId: id, senderHandle: sender });
  },
});

const readEntries = {
  messageType: v.optional(messageType),
  unreadOnly: v.optional(f.flag),
  readerHandle: v.optional(f.handle),
  priority: v.optional(priority),
  limit: v.optional(limit(1000)),
};

async function read(
  api: SwarmApi,
  caller: Identity,
  id: string,
  input: {
    messageType?: (typeof MESSAGE_TYPES)[number];
    unreadOnly?: boolean;
    readerHandle?: string;
    priority?: string;
    limit?: number;
  },
) {
  const reader = await actor(api, caller, input.readerHandle, 'readerHandle');
  await verifySwarmAccess(api.swarms, caller, id);
  return api.blackboard.read(caller.teamName, id, {
    viewer: caller.handle,
    all: isLead(caller),
    messageType: input.messageType,
    priority: input.priority as (typeof PRIORITIES)[number] | undefined,
    unreadBy: input.unreadOnly ? reader : undefined,
    limit: input.limit ?? 100,
  });
}

export const readMessages = op({
  name: 'readMessages',
  summary:
    'Messages of a swarm’s blackboard (not archived), critical first then newest; unreadOnly: those the ' +
    'reader (you) has not marked read; messages targeted at others are left out (leads see all)',
  access: 'agent',
  input: v.object({ swarmId, ...readEntries }),
  http: { method: 'GET', path: '/blackboard/:swarmId' },
  run: ({ input, caller, api }) => read(api, caller, input.swarmId, input),
});

export const blackboardRead = op({
  name: 'blackboardRead',
  summary: 'Read your swarm’s blackboard (or swarm_id’s): { swarmId, count, messages }',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...readEntries }),
  tools: [
    {
      name: 'blackboard_read',
      omit: ['readerHandle'],
      rename: { swarm_id: 'swarmId', message_type: 'messageType', unread_only: 'unreadOnly' },
    },
  ],
  async run({ input, caller, api }) {
    const id = await swarmFor(api.swarms, caller, input.swarmId);
    const messages = await read(api, caller, id, input);
    return { swarmId: id, count: messages.length, messages };
  },
});

export const markRead = op({
  name: 'markRead',
  summary: 'Mark blackboard messages read (by you): marked counts those newly marked',
  access: 'agent',
  input: v.object({ messageIds: messageIds(100), readerHandle: v.optional(f.handle) }),
  http: { method: 'POST', path: '/blackboard/mark-read' },
  tools: [{ name: 'blackboard_mark_read', omit: ['readerHandle'], rename: { message_ids: 'messageIds' } }],
  async run({ input, caller, api }) {
    const reader = await actor(api, caller, input.readerHandle, 'readerHandle');
    const swarms = await reachableSwarms(api.swarms, caller);
    const marked = await api.blackboard.markRead(caller.teamName, reader, input.messageIds, {
      all: isLead(caller),
      swarms,
    });
    return { success: true, marked };
  },
});

export const archiveMessages = op({
  name: 'archiveMessages',
  summary: 'Archive blackboard messages of your team: archived counts those newly archived',
  access: 'lead',
  input: v.object({ messageIds: messageIds(1000) }),
  http: { method: 'POST', path: '/blackboard/archive' },
  run: async ({ input, caller, api }) => ({
    success: true,
    archived: await api.blackboard.archive(caller.teamName, input.messageIds),
  }),
});

const maxAgeMs = f.int(1, 10 * 365 * 86_400_000);

export const archiveOld = op({
  name: 'archiveOld',
  summary: 'Archive a swarm’s messages older than maxAgeMs (default 24 h)',
  access: 'lead',
  input: v.object({ swarmId, maxAgeMs: v.optional(maxAgeMs) }),
  http: { method: 'POST', path: '/blackboard/:swarmId/archive-old' },
  async run({ input, caller, api }) {
    await api.swarms.require(caller.teamName, input.swarmId, 'swarmId');
    const archived = await api.blackboard.archiveOld(caller.teamName, input.swarmId, input.maxAgeMs ?? 86_400_000);
    return { success: true, archived, swarmId: input.swarmId };
  },
});

export const blackboardArchive = op({
  name: 'blackboardArchive',
  summary: 'Archive the messages of message_ids, or else your swarm’s (swarm_id’s) older than max_age_hours (24)',
  access: 'lead',
  input: v.object({
    swarmId: v.optional(swarmId),
    messageIds: v.optional(messageIds(1000)),
    maxAgeHours: v.optional(f.int(1, 87_600)),
  }),
  tools: [
    {
      name: 'blackboard_archive',
      rename: { swarm_id: 'swarmId', message_ids: 'messageIds', max_age_hours: 'maxAgeHours' },
    },
  ],
  async run({ input, caller, api }) {
    if (input.messageIds)
      return { success: true, archived: await api.blackboard.archive(caller.teamName, input.messageIds) };
    const id = await swarmFor(api.swarms, caller, input.swarmId);
    await api.swarms.require(caller.teamName, id, 'swarmId');
    const maxAge = (input.maxAgeHours ?? 24) * 3_600_000;
    return { success: true, archived: await api.blackboard.archiveOld(caller.teamName, id, maxAge), swarmId: id };
  },
});

export const blackboardOperations = [
  postMessage,
  readMessages,
  blackboardRead,
  markRead,
  archiveMessages,
  archiveOld,
  blackboardArchive,
];
