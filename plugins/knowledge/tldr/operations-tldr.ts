import * as v from 'valibot';
import { f, invalidInput, operationsFor, requireLead } from '../../../core/index.js';
import type { KnowledgeApi } from '../index.js';
import { tldrErrors } from './errors.js';
import { codebaseEntries, contentHash, filePath, filePaths, importType, rootFiles, summaryEntries } from './fields.js';

const op = operationsFor<KnowledgeApi>();

/** Every operation reads and writes the caller's team's cache only (paths are opaque strings). */

export const getSummary = op({
  name: 'tldrGetSummary',
  summary: 'A file’s summary (exports, imports, lines, language, the content hash it was made from)',
  access: 'agent',
  input: v.object({ filePath }),
  http: { method: 'POST', path: '/tldr/summary/get' },
  tools: [{ name: 'tldr_get_summary', rename: { file_path: 'filePath' } }],
  async run({ input, caller, api }) {
    const found = await api.tldr.getSummary(caller.teamName, input.filePath);
    if (!found) throw tldrErrors.KNOWLEDGE_TLDR_SUMMARY_NOT_FOUND({}, { filePath: input.filePath });
    return found;
  },
});

export const checkSummary = op({
  name: 'tldrCheckSummary',
  summary:
    'Whether the stored summary of a file is current for this content hash: { filePath, contentHash, isCurrent }',
  access: 'agent',
  input: v.object({ filePath, contentHash }),
  http: { method: 'POST', path: '/tldr/summary/check' },
  tools: [{ name: 'tldr_check_summary', rename: { file_path: 'filePath', content_hash: 'contentHash' } }],
  run: ({ input, caller, api }) => api.tldr.check(caller.teamName, input.filePath, input.contentHash),
});

export const storeSummary = op({
  name: 'tldrStoreSummary',
  summary:
    'Store (or replace) a file’s summary with the hash of the content it describes; `dependencies`, when ' +
    'given, become the file’s outgoing edges in the dependency graph',
  access: 'agent',
  input: v.object(summaryEntries),
  http: { method: 'POST', path: '/tldr/summary/store' },
  tools: [
    {
      name: 'tldr_store_summary',
      rename: { file_path: 'filePath', content_hash: 'contentHash', line_count: 'lineCount' },
    },
  ],
  async run({ input, caller, api }) {
    const stored = await api.tldr.storeSummary(caller.teamName, input, caller.handle);
    return { success: true, filePath: stored.filePath, contentHash: stored.contentHash, updatedAt: stored.updatedAt };
  },
});

export const batchSummaries = op({
  name: 'tldrBatchSummaries',
  summary: 'Summaries of many files at once: { found, missing, summaries, missingPaths }',
  access: 'agent',
  input: v.object({ filePaths }),
  http: { method: 'POST', path: '/tldr/summary/batch' },
  tools: [{ name: 'tldr_batch_summaries', rename: { file_paths: 'filePaths' } }],
  run: ({ input, caller, api }) => api.tldr.batch(caller.teamName, input.filePaths),
});

export const getCodebase = op({
  name: 'tldrGetCodebase',
  summary: 'The overview of a codebase by its root path (structure, key files, patterns, tech stack)',
  access: 'agent',
  input: v.object({ rootPath: codebaseEntries.rootPath }),
  http: { method: 'POST', path: '/tldr/codebase/get' },
  tools: [{ name: 'tldr_get_codebase', rename: { root_path: 'rootPath' } }],
  async run({ input, caller, api }) {
    const found = await api.tldr.getCodebase(caller.teamName, input.rootPath);
    if (!found) throw tldrErrors.KNOWLEDGE_TLDR_CODEBASE_NOT_FOUND({}, { rootPath: input.rootPath });
    return found;
  },
});

export const storeCodebase = op({
  name: 'tldrStoreCodebase',
  summary: 'Store (or replace) the overview of a codebase by its root path',
  access: 'agent',
  input: v.object(codebaseEntries),
  http: { method: 'POST', path: '/tldr/codebase/store' },
  tools: [
    {
      name: 'tldr_store_codebase',
      rename: { root_path: 'rootPath', key_files: 'keyFiles', tech_stack: 'techStack' },
    },
  ],
  async run({ input, caller, api }) {
    const stored = await api.tldr.storeCodebase(caller.teamName, input, caller.handle);
    return { success: true, name: stored.name, rootPath: stored.rootPath };
  },
});

export const storeDependency = op({
  name: 'tldrStoreDependency',
  summary: 'Record that fromFile imports toFile (static by default, or dynamic or type-only)',
  access: 'agent',
  input: v.object({ fromFile: filePath, toFile: filePath, importType: v.optional(importType) }),
  http: { method: 'POST', path: '/tldr/dependency/store' },
  tools: [
    {
      name: 'tldr_store_dependency',
      rename: { from_file: 'fromFile', to_file: 'toFile', import_type: 'importType' },
    },
  ],
  async run({ input, caller, api }) {
    const edge = await api.tldr.storeEdge(caller.teamName, {
      fromFile: input.fromFile,
      toFile: input.toFile,
      importType: input.importType ?? 'static',
    });
    return { success: true, ...edge };
  },
});

export const dependencyGraph = op({
  name: 'tldrDependencyGraph',
  summary:
    'The dependency graph from rootFiles along imports for depth levels (default 3), or without rootFiles ' +
    'the team’s whole graph: { nodeCount, edgeCount, nodes, edges, truncated }',
  access: 'agent',
  input: v.object({ rootFiles: v.optional(rootFiles), depth: v.optional(f.int(1, 10)) }),
  http: { method: 'POST', path: '/tldr/dependency/graph' },
  tools: [{ name: 'tldr_dependency_graph', rename: { root_files: 'rootFiles' } }],
  run: ({ input, caller, api }) => api.tldr.graph(caller.teamName, input.rootFiles, input.depth ?? 3),
});

export const dependents = op({
  name: 'tldrDependents',
  summary: 'The files that import this one: { filePath, dependentCount, dependents }',
  access: 'agent',
  input: v.object({ filePath }),
  http: { method: 'POST', path: '/tldr/dependency/dependents' },
  tools: [{ name: 'tldr_dependents', rename: { file_path: 'filePath' } }],
  async run({ input, caller, api }) {
    const edges = await api.tldr.edges(caller.teamName, input.filePath, 'dependents');
    return { filePath: input.filePath, dependentCount: edges.length, dependents: edges };
  },
});

export const dependencies = op({
  name: 'tldrDependencies',
  summary: 'The files this one imports: { filePath, dependencyCount, dependencies }',
  access: 'agent',
  input: v.object({ filePath }),
  http: { method: 'POST', path: '/tldr/dependency/dependencies' },
  tools: [{ name: 'tldr_dependencies', rename: { file_path: 'filePath' } }],
  async run({ input, caller, api }) {
    const edges = await api.tldr.edges(caller.teamName, input.filePath, 'dependencies');
    return { filePath: input.filePath, dependencyCount: edges.length, dependencies: edges };
  },
});

export const invalidate = op({
  name: 'tldrInvalidate',
  summary:
    'A file changed: drop its summary and those of every file importing it (transitively), and its own ' +
    'outgoing edges. all: true (team leads) drops every summary and edge of the team.',
  access: 'agent',
  input: v.object({ filePath: v.optional(filePath), all: v.optional(f.flag) }),
  http: { method: 'POST', path: '/tldr/invalidate' },
  tools: [{ name: 'tldr_invalidate', rename: { file_path: 'filePath' } }],
  run({ input, caller, api }) {
    if (input.all === true) {
      if (input.filePath !== undefined) throw invalidInput('all', 'name a file or pass all: true, not both');
      requireLead(caller);
      return api.tldr.invalidateAll(caller.teamName);
    }
    if (input.filePath === undefined) throw tldrErrors.KNOWLEDGE_TLDR_INVALIDATE_WHAT({}, { field: 'filePath' });
    return api.tldr.invalidate(caller.teamName, input.filePath);
  },
});

export const stats = op({
  name: 'tldrStats',
  summary: 'How much the team’s cache holds: { files, codebases, dependencies }',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/tldr/stats' },
  tools: [{ name: 'tldr_stats' }],
  run: ({ caller, api }) => api.tldr.stats(caller.teamName),
});

export const clearCache = op({
  name: 'tldrClearCache',
  summary: 'Empty the team’s cache: every summary, overview and edge (team leads)',
  access: 'lead',
  input: v.object({}),
  http: { method: 'DELETE', path: '/tldr/cache' },
  run: ({ caller, api }) => api.tldr.clear(caller.teamName),
});

export const tldrOperations = [
  getSummary,
  checkSummary,
  storeSummary,
  batchSummaries,
  getCodebase,
  storeCodebase,
  storeDependency,
  dependencyGraph,
  dependents,
  dependencies,
  invalidate,
  stats,
  clearCache,
];
