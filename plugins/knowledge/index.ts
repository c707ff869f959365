import { defineEvents, definePlugin, mergeErrors, type Identity } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { MailApi } from '../mail/index.js';
import type { SessionsApi } from '../sessions/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';
import { type BriefingPorts, knowledgeBriefing } from './briefing/briefing.js';
import { ClaimBriefings } from './briefing/claim-briefings.js';
import { workerTaskText } from './briefing/task-text.js';
import { DocumentService, type IngestInput, type IngestResult, type SourceInfo } from './documents/document-service.js';
import { type DocumentHit, type DocumentQuery, searchDocuments } from './documents/search.js';
import { type IndexStatus, indexStatus } from './documents/status.js';
import { documentErrors } from './errors.js';
import { documentEvents } from './events.js';
import { documentsMigration } from './migrations/0001-documents.js';
import { documentOperations } from './operations-documents.js';
import { knowledgeOptionsSchema } from './options.js';
import { type SearchAllResult, type SearchKind, type SearchPorts, searchAll } from './search-all/search-all.js';
import { knowledgeTables } from './tables.js';
import { memoryErrors, memoryOperations, MemoryService } from './memory/index.js';
import { memoryMigration } from './migrations/0002-memory.js';
import { tldrMigration } from './migrations/0003-tldr.js';
import { tldrErrors, tldrOperations, TldrService } from './tldr/index.js';
import { LmshService, lmshMigration, toolOperations, toolsErrors } from './tools/index.js';

export type { DocumentHit, DocumentQuery } from './documents/search.js';
export type { IngestResult, SourceInfo } from './documents/document-service.js';
export type { SearchAllResult, SearchKind, UnifiedHit } from './search-all/search-all.js';

const DAY_MS = 86_400_000;

/** Documents: what the document operations (and other plugins) use; each call is scoped to the team it names. */
export interface DocumentsApi {
  service: DocumentService;
  /** Ingest (idempotent by content hash); emits knowledge_ingested. */
  ingest(teamName: string, input: IngestInput): Promise<IngestResult>;
  search(teamName: string, query: DocumentQuery): Promise<{ results: DocumentHit[]; hasMore: boolean }>;
  sources(teamName: string, page: { limit: number; offset: number }): Promise<SourceInfo[]>;
  /** Delete a source and its chunks (404 when absent); emits knowledge_source_deleted. */
  remove(teamName: string, source: string, by: string): Promise<{ source: string; chunks: number }>;
}

/** What dependents and this plugin's operations get from ctx.use('knowledge'). */
export interface KnowledgeApi {
  memory: MemoryService;
  tldr: TldrService;
  lmsh: LmshService;
  documents: DocumentsApi;
  /** One query across the caller's team's documents, memory, summaries, tasks, and its mail and handoffs. */
  searchAll(
    caller: Identity,
    input: { query: string; kinds?: readonly SearchKind[]; limit: number },
  ): Promise<SearchAllResult>;
  /** The top matches for a worker's task from memory and documents, fenced as data; undefined when none. */
  briefing(teamName: string, handle: string): Promise<string | undefined>;
  /** The same for a given text (a task just claimed). */
  briefingFor(teamName: string, handle: string, text: string): Promise<string | undefined>;
  status(teamName: string): Promise<IndexStatus>;
  auth(): AuthApi;
  sessions(): SessionsApi | undefined;
  tasks(): TasksApi | undefined;
  mail(): MailApi | undefined;
  workers(): WorkersApi | undefined;
}

export const knowledge = definePlugin({
  name: 'knowledge',
  description:
    'One searchable memory for the team: documents (FTS5 or tsvector, BM25 with recency), agent memory, code ' +
    'summaries, session search, lmsh, dag and routing; one query across all of it, and the facts matching a ' +
    'worker’s task in its first prompt.',
  dependsOn: ['auth'],
  optionalDependsOn: ['sessions', 'tasks', 'mail', 'workers'],
  config: knowledgeOptionsSchema,
  tables: knowledgeTables,
  migrations: {
    '0001_documents': documentsMigration,
    '0002_memory': memoryMigration,
    '0003_tldr': tldrMigration,
    '0004_lmsh': lmshMigration,
  },
  errors: mergeErrors(documentErrors, memoryErrors, tldrErrors, toolsErrors),
  events: defineEvents({ ...documentEvents }),
  operations: [...documentOperations, ...memoryOperations, ...tldrOperations, ...toolOperations],
  setup(ctx): KnowledgeApi {
    const service = new DocumentService(ctx.db, () => ({
      maxChars: ctx.options.chunkChars,
      overlapChars: ctx.options.overlapChars,
    }));
    const memory = new MemoryService(ctx.db, ctx.dialect);
    const tldr = new TldrService(ctx.db, ctx.dialect);
    const lmsh = new LmshService(ctx.db);
    const tasks = () => ctx.use<TasksApi | undefined>('tasks');
    const mail = () => ctx.use<MailApi | undefined>('mail');
    const workers = () => ctx.use<WorkersApi | undefined>('workers');
    const search = (teamName: string, query: DocumentQuery) =>
      searchDocuments(ctx.db, ctx.dialect, teamName, query, {
        recencyWeight: ctx.options.recencyWeight,
        halfLifeMs: ctx.options.recencyHalfLifeDays * DAY_MS,
        now: Date.now(),
      });
    const documents: DocumentsApi = {
      service,
      async ingest(teamName, input) {
        const result = await service.ingest(teamName, input);
        ctx.events.emit('knowledge_ingested', teamName, {
          source: result.source,
          chunks: result.chunks,
          changed: result.changed,
          by: input.by,
        });
        return result;
      },
      search,
      sources: (teamName, page) => service.sources(teamName, page),
      async remove(teamName, source, by) {
        const removed = await service.remove(teamName, source);
        ctx.events.emit('knowledge_source_deleted', teamName, { ...removed, by });
        return removed;
      },
    };
    const ports = (): SearchPorts => {
      const t = tasks();
      const m = mail();
      return {
        documents: search,
        memory: (teamName, query, limit, viewer) => memory.searchTeam(teamName, query, limit, viewer),
        summaries: (teamName, query, limit) => tldr.searchTeam(teamName, query, limit),
        tasks: t && (async (teamName) => t.tasks.list(teamName, { limit: 2000, offset: 0 })),
        mail: m && ((teamName, handle) => m.mail.list(teamName, handle, false)),
        handoffs: m && ((teamName, handle) => m.handoffs.open(teamName, handle)),
      };
    };
    const briefingPorts = (): BriefingPorts => ({
      documents: search,
      memory: (teamName, query, limit, viewer) => memory.searchTeam(teamName, query, limit, viewer),
      taskText: (teamName, handle) => workerTaskText({ tasks: tasks(), workers: workers() }, teamName, handle),
    });
    ctx.health.count('knowledge_chunks', async (team) => (await service.counts(team)).chunks);
    return {
      memory,
      tldr,
      lmsh,
      documents,
      searchAll: (caller, input) => searchAll(ports(), caller, input),
      briefing: (teamName, handle) => knowledgeBriefing(briefingPorts(), teamName, handle, ctx.options.briefingChars),
      briefingFor: (teamName, handle, text) =>
        knowledgeBriefing(briefingPorts(), teamName, handle, ctx.options.briefingChars, text),
      status: async (teamName) => indexStatus(ctx.db, ctx.dialect, await service.counts(teamName)),
      auth: () => ctx.use<AuthApi>('auth'),
      sessions: () => ctx.use<SessionsApi | undefined>('sessions'),
      tasks,
      mail,
      workers,
    };
  },
  start(ctx, api) {
    // Facts find the agent: every worker launched from now on starts with what its team knows that
    // matches its task; one that claims or is given a task while it runs is told the same for it.
    const workers = ctx.use<WorkersApi | undefined>('workers');
    if (!workers) return;
    ctx.onStop(
      workers.addBriefingSource({ name: 'knowledge', briefing: (team, handle) => api.briefing(team, handle) }),
    );
    const claims = new ClaimBriefings(api, () => ctx.options, ctx.log);
    ctx.events.on(['task_assigned', 'task_updated'], (event) => claims.onTask(event.team, event.data.task));
  },
});
