import * as v from 'valibot';
import { isLead, operationsFor } from '../../../core/index.js';
import type { KnowledgeApi } from '../index.js';
import { criticalPath, findCycles, readyNodes, topoSort } from './dag.js';
import {
  alias,
  blockedBy,
  command,
  completed,
  dagNodes,
  description,
  limit,
  lmshInput,
  model,
  offset,
  projectPath,
  searchQuery,
  sessionContent,
  sessionId,
  subject,
  timestamp,
} from './fields.js';
import { classifyTask } from './routing.js';

const op = operationsFor<KnowledgeApi>();

export const lmshTranslate = op({
  name: 'lmshTranslate',
  summary:
    'Suggest a shell command for a request in plain words, from your team’s aliases and the rules. ' +
    'A suggestion only: nothing is run (suggestion: true)',
  access: 'agent',
  input: v.object({ input: lmshInput }),
  http: { method: 'POST', path: '/lmsh/translate' },
  tools: [{ name: 'lmsh_translate' }],
  run: ({ input, caller, api }) => api.lmsh.translate(caller.teamName, input.input),
});

export const lmshAliases = op({
  name: 'lmshAliases',
  summary: 'Your team’s lmsh aliases: { aliases: { alias: command }, count }',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/lmsh/aliases' },
  async run({ caller, api }) {
    const list = await api.lmsh.aliases(caller.teamName);
    return { aliases: Object.fromEntries(list.map((a) => [a.alias, a.command])), count: list.length };
  },
});

export const lmshAddAlias = op({
  name: 'lmshAddAlias',
  summary: 'Add or replace a team alias (its words, any case) for lmsh to suggest a command for (leads)',
  access: 'lead',
  input: v.object({ alias, command }),
  http: { method: 'POST', path: '/lmsh/aliases' },
  run: ({ input, caller, api }) => api.lmsh.setAlias(caller.teamName, caller.handle, input),
});

export const lmshRemoveAlias = op({
  name: 'lmshRemoveAlias',
  summary: 'Remove a team alias (leads)',
  access: 'lead',
  input: v.object({ alias }),
  http: { method: 'DELETE', path: '/lmsh/aliases/:alias' },
  run: ({ input, caller, api }) => api.lmsh.removeAlias(caller.teamName, input.alias),
});

export const dagSort = op({
  name: 'dagSort',
  summary:
    'Order a task graph: levels by dependency (each by priority, highest first); isValid false when ' +
    'a cycle leaves nodes unsorted',
  access: 'agent',
  input: v.object({ nodes: dagNodes }),
  http: { method: 'POST', path: '/dag/sort' },
  tools: [{ name: 'dag_sort' }],
  run: ({ input }) => topoSort(input.nodes),
});

export const dagCycles = op({
  name: 'dagCycles',
  summary: 'The cycles of a task graph: every node on one, and one cycle per cyclic group',
  access: 'agent',
  input: v.object({ nodes: dagNodes }),
  http: { method: 'POST', path: '/dag/cycles' },
  run: ({ input }) => findCycles(input.nodes),
});

export const dagCriticalPath = op({
  name: 'dagCriticalPath',
  summary: 'The longest chain of a task graph by estimatedDuration, its length, and each node’s slack',
  access: 'agent',
  input: v.object({ nodes: dagNodes }),
  http: { method: 'POST', path: '/dag/critical-path' },
  run: ({ input }) => criticalPath(input.nodes),
});

export const dagReady = op({
  name: 'dagReady',
  summary: 'The nodes of a task graph that can start: not completed, every dependency completed; by priority',
  access: 'agent',
  input: v.object({ nodes: dagNodes, completed: v.optional(completed) }),
  http: { method: 'POST', path: '/dag/ready' },
  run: ({ input }) => readyNodes(input.nodes, input.completed),
});

export const routingClassify = op({
  name: 'routingClassify',
  summary:
    'Classify a task as simple, medium or complex from its words, description length and blockers, ' +
    'with the strategy and model that fit, and the signals that decided',
  access: 'agent',
  input: v.object({ subject, description: v.optional(description), blockedBy: v.optional(blockedBy) }),
  http: { method: 'POST', path: '/routing/classify' },
  tools: [{ name: 'task_route' }],
  run: ({ input }) => classifyTask(input),
});

export const searchSessions = op({
  name: 'searchSessions',
  summary:
    'Search your team’s session history: text given to /search/index and, when the sessions plugin runs, ' +
    'what agents wrote; words must all match, word* for a prefix, "a phrase"; one hit per session, best first',
  access: 'agent',
  input: v.object({ query: searchQuery, limit: v.optional(limit), offset: v.optional(offset) }),
  http: { method: 'POST', path: '/search' },
  run: ({ input, caller, api }) =>
    api.lmsh.sessionTexts.search(
      caller.teamName,
      { query: input.query, limit: input.limit ?? 20, offset: input.offset ?? 0 },
      api.sessions(),
    ),
});

export const indexSession = op({
  name: 'indexSession',
  summary:
    'Index a session’s text for /search in your team (replacing what was indexed under that id: ' +
    'yours, or any as a lead)',
  access: 'agent',
  input: v.object({
    sessionId,
    content: sessionContent,
    timestamp: v.optional(timestamp),
    model: v.optional(model),
    projectPath: v.optional(projectPath),
  }),
  http: { method: 'POST', path: '/search/index' },
  run: ({ input, caller, api }) =>
    api.lmsh.sessionTexts.index(caller.teamName, { handle: caller.handle, lead: isLead(caller) }, input),
});

export const searchStats = op({
  name: 'searchStats',
  summary: 'How many sessions your team indexed, the engine, and whether what agents wrote is searched too',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/search/stats' },
  run: ({ caller, api }) => api.lmsh.sessionTexts.stats(caller.teamName, api.sessions()),
});

export const deleteSessionText = op({
  name: 'deleteSessionText',
  summary: 'Remove a session’s indexed text (leads); what the sessions plugin recorded stays',
  access: 'lead',
  input: v.object({ sessionId }),
  http: { method: 'DELETE', path: '/search/:sessionId' },
  run: ({ input, caller, api }) => api.lmsh.sessionTexts.remove(caller.teamName, input.sessionId),
});

export const toolOperations = [
  lmshTranslate,
  lmshAliases,
  lmshAddAlias,
  lmshRemoveAlias,
  dagSort,
  dagCycles,
  dagCriticalPath,
  dagReady,
  routingClassify,
  searchSessions,
  indexSession,
  searchStats,
  deleteSessionText,
];
