import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import { searchTerms } from './documents/terms.js';
import * as k from './fields.js';
import type { KnowledgeApi } from './index.js';
import { SEARCH_KINDS } from './search-all/search-all.js';

const op = operationsFor<KnowledgeApi>();

export const ingestDocument = op({
  name: 'ingestDocument',
  summary:
    'Add a document (markdown or text) to your team’s knowledge under a source name, with optional tags; ' +
    'chunked by headings and size. The same content again changes nothing; new content replaces the source’s',
  access: 'agent',
  input: v.object({
    source: k.source,
    content: k.content,
    format: v.optional(k.format),
    tags: v.optional(k.tags),
  }),
  http: { method: 'POST', path: '/knowledge/ingest' },
  tools: [{ name: 'knowledge_ingest' }],
  run: ({ input, caller, api }) => api.documents.ingest(caller.teamName, { ...input, by: caller.handle }),
});

export const searchDocuments = op({
  name: 'searchDocuments',
  summary:
    'Search your team’s documents: BM25 with recency, every word must match (match: any for one of them), ' +
    'by source, tag and time (since/until, ms or ISO), snippets with the words found in <b></b>, limit/offset',
  access: 'agent',
  input: v.object({
    query: k.query,
    match: v.optional(k.match),
    source: v.optional(k.source),
    tag: v.optional(k.tag),
    since: v.optional(k.time),
    until: v.optional(k.time),
    limit: v.optional(k.limit),
    offset: v.optional(k.offset),
  }),
  http: { method: 'POST', path: '/knowledge/search' },
  async run({ input, caller, api }) {
    const limit = input.limit ?? 20;
    const offset = input.offset ?? 0;
    const { results, hasMore } = await api.documents.search(caller.teamName, {
      terms: searchTerms(input.query),
      match: input.match ?? 'all',
      source: input.source,
      tag: input.tag,
      since: input.since,
      until: input.until,
      limit,
      offset,
    });
    return { results, count: results.length, limit, offset, hasMore };
  },
});

export const listSources = op({
  name: 'listSources',
  summary: 'Your team’s document sources, newest first: tags, chunks, characters, content hash, who and when',
  access: 'agent',
  input: v.object({ limit: v.optional(f.int(1, 1000)), offset: v.optional(k.offset) }),
  http: { method: 'GET', path: '/knowledge/sources' },
  tools: [{ name: 'knowledge_sources' }],
  async run({ input, caller, api }) {
    const sources = await api.documents.sources(caller.teamName, {
      limit: input.limit ?? 200,
      offset: input.offset ?? 0,
    });
    return { sources, count: sources.length };
  },
});

export const deleteSource = op({
  name: 'deleteSource',
  summary: 'Delete a source of your team and its chunks (404 if the team has none of that name)',
  access: 'agent',
  input: v.object({ source: k.source }),
  http: { method: 'DELETE', path: '/knowledge/sources/:source' },
  async run({ input, caller, api }) {
    const removed = await api.documents.remove(caller.teamName, input.source, caller.handle);
    return { deleted: true, ...removed };
  },
});

export const searchAll = op({
  name: 'searchAll',
  summary:
    'Search everything your team knows at once: documents, memory, code summaries, tasks, and your mail and ' +
    'open handoffs; each hit says its kind, where it came from, a snippet and a score (every word must match)',
  access: 'agent',
  input: v.object({
    query: k.query,
    kinds: v.optional(f.list(f.oneOf(SEARCH_KINDS), { max: SEARCH_KINDS.length, of: 'kinds', unit: 'kinds' })),
    limit: v.optional(k.limit),
  }),
  http: { method: 'POST', path: '/knowledge/search-all' },
  tools: [{ name: 'knowledge_search' }],
  run: ({ input, caller, api }) =>
    api.searchAll(caller, { query: input.query, kinds: input.kinds, limit: input.limit ?? 20 }),
});

export const knowledgeStatus = op({
  name: 'knowledgeStatus',
  summary:
    'The index kind (fts5 or tsvector), your team’s documents and chunks, and the index lag ' +
    '(0: chunks are indexed in the transaction that writes them)',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/knowledge/status' },
  run: ({ caller, api }) => api.status(caller.teamName),
});

export const documentOperations = [
  ingestDocument,
  searchDocuments,
  listSources,
  deleteSource,
  searchAll,
  knowledgeStatus,
];
