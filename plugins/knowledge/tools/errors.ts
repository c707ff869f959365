import { defineErrors } from '../../../core/index.js';

/** Errors of lmsh, dag, routing and session search (merged into the plugin's errors by index.ts). */
export const toolsErrors = defineErrors({
  KNOWLEDGE_DAG_DUPLICATE_NODE: [400, '{field}: node id {id} is given twice'],
  KNOWLEDGE_DAG_UNKNOWN_NODE: [400, '{field}: no node has id {id}'],
  KNOWLEDGE_DAG_TOO_MANY_EDGES: [400, 'nodes: at most {max} dependencies in all'],
  KNOWLEDGE_LMSH_TOO_MANY_ALIASES: [409, 'alias: the team already has {max} aliases (replace or remove one)'],
  KNOWLEDGE_LMSH_ALIAS_NOT_FOUND: [404, 'Alias not found'],
  KNOWLEDGE_SEARCH_SYNTAX: [400, 'query: {reason}'],
  KNOWLEDGE_SEARCH_EMPTY_QUERY: [400, 'query: must contain a word (letters or digits)'],
  KNOWLEDGE_SEARCH_NOT_FOUND: [404, 'Session {sessionId} is not indexed'],
  KNOWLEDGE_SEARCH_NOT_YOURS: [403, 'sessionId: indexed by {owner}; only they or a team lead may replace it'],
});
