import * as v from 'valibot';
import { actAs, f, operationsFor } from '../../core/index.js';
import { instant, limit, offset, prompt, sessionId } from './fields.js';
import type { SessionsApi } from './index.js';

const op = operationsFor<SessionsApi>();

export const createSession = op({
  name: 'createSession',
  summary:
    'Record a session by hand (one the fleet does not run itself, or a note of one): yours, or your team’s ' +
    'worker’s if you lead; the fleet records its workers’ sessions by itself',
  access: 'agent',
  input: v.object({
    handle: v.optional(f.handle),
    agentSessionId: v.optional(sessionId),
    parentId: v.optional(sessionId),
    derivation: v.optional(f.oneOf(['root', 'continued', 'trimmed'] as const)),
    taskId: v.optional(f.text({ min: 1, max: 100 })),
    model: v.optional(f.text({ min: 1, max: 200 })),
    summary: v.optional(f.text({ max: 50_000 })),
  }),
  http: { method: 'POST', path: '/sessions', status: 201 },
  async run({ input, caller, api }) {
    const handle = input.handle ?? caller.handle;
    actAs(caller, { handle }, 'handle');
    return api.service.create(caller, { ...input, handle });
  },
});

export const getSession = op({
  name: 'getSession',
  summary: 'A session of your team: its worker, parent, task, start and end, tokens and cost, checkpoint',
  access: 'agent',
  input: v.object({ id: sessionId }),
  http: { method: 'GET', path: '/sessions/:id' },
  tools: [{ name: 'session_get' }],
  run: ({ input, caller, api }) => api.service.get(caller.teamName, input.id),
});

export const listWorkerSessions = op({
  name: 'listWorkerSessions',
  summary: 'The sessions of a worker of your team, newest first',
  access: 'agent',
  input: v.object({ handle: f.handle, limit: limit(200), offset }),
  http: { method: 'GET', path: '/sessions/worker/:handle' },
  tools: [{ name: 'session_list' }],
  run: ({ input, caller, api }) =>
    api.service.listWorker(caller.teamName, input.handle, { limit: input.limit ?? 50, offset: input.offset }),
});

export const trimSession = op({
  name: 'trimSession',
  summary:
    'Trim a worker’s session: it is asked for a checkpoint (or one is built from its transcript after the ' +
    'deadline) and the session ends; with continue, it goes on at once in a fresh session seeded with it',
  access: 'agent',
  input: v.object({
    id: sessionId,
    deadlineSeconds: v.optional(f.int(0, 600)),
    continue: v.optional(f.flag),
    prompt,
  }),
  http: { method: 'POST', path: '/sessions/:id/trim' },
  tools: [{ name: 'session_trim' }],
  run: ({ input, caller, api }) =>
    api.service.trim(caller, caller.teamName, input.id, {
      deadlineSeconds: input.deadlineSeconds,
      continue: input.continue,
      prompt: input.prompt,
    }),
});

export const continueSession = op({
  name: 'continueSession',
  summary:
    'Continue an ended session: a fresh session in the same worker, seeded with its checkpoint ' +
    '(or the one given) and the worker’s task, recorded as its child',
  access: 'agent',
  input: v.object({ id: sessionId, checkpointId: v.optional(f.serialId), prompt }),
  http: { method: 'POST', path: '/sessions/:id/continue', status: 201 },
  tools: [{ name: 'session_continue' }],
  run: ({ input, caller, api }) =>
    api.service.continue(caller, caller.teamName, input.id, { checkpointId: input.checkpointId, prompt: input.prompt }),
});

export const sessionLineage = op({
  name: 'sessionLineage',
  summary: 'The chain a session belongs to, from its root: each session with its tokens, and the total',
  access: 'agent',
  input: v.object({ id: sessionId }),
  http: { method: 'GET', path: '/sessions/:id/lineage' },
  tools: [{ name: 'session_lineage' }],
  run: ({ input, caller, api }) => api.service.lineage(caller.teamName, input.id),
});

export const searchSessions = op({
  name: 'searchSessions',
  summary:
    'Full-text search over what your team’s agents wrote (all words must match; word* for a prefix), ' +
    'by worker, session and time, best first',
  access: 'agent',
  input: v.object({
    query: f.text({ min: 1, max: 500 }),
    handle: v.optional(f.handle),
    sessionId: v.optional(sessionId),
    since: v.optional(instant),
    until: v.optional(instant),
    limit: limit(100),
    offset,
  }),
  http: { method: 'POST', path: '/sessions/search' },
  tools: [{ name: 'search_sessions' }],
  run: ({ input, caller, api }) => api.search(caller.teamName, { ...input, limit: input.limit ?? 20 }),
});

export const sessionOperations = [
  createSession,
  getSession,
  listWorkerSessions,
  trimSession,
  continueSession,
  sessionLineage,
  searchSessions,
];
