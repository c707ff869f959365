import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

const SECRET = 'ALPHAKNOWLEDGESECRET';
const NODES = [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }];

/** A document of team alpha, ingested by its first worker. */
const document = ({ alpha, call }: FixtureContext, source: string) =>
  call(alpha.workers[0]!, 'POST', '/knowledge/ingest', { source, content: `# ${source}\n${SECRET} ${source}` });
/** A memory of alpha's first worker (or the team's). */
const memory = ({ alpha, call }: FixtureContext, key: string, scope: 'worker' | 'team' = 'worker') =>
  call(alpha.workers[0]!, 'POST', '/memory/store', { agentId: 'alpha-w1', key, value: `${SECRET} ${key}`, scope });
const summary = ({ alpha, call }: FixtureContext, filePath: string) =>
  call(alpha.workers[0]!, 'POST', '/tldr/summary/store', {
    filePath,
    contentHash: 'h1',
    summary: `${SECRET} ${filePath}`,
  });

t.test('knowledge: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, mail: true, tasks: true, knowledge: true } });
  await runConformance(t, {
    fleet,
    plugin: 'knowledge',
    fixtures: {
      // Documents and the unified search (K1).
      ingestDocument: async () => ({
        input: { source: 'docs/a.md', content: '# A\nPlain text', tags: ['docs'] },
        as: 'worker',
        otherTeam: 'own',
      }),
      searchDocuments: async (context) => {
        await document(context, 'search.md');
        return { input: { query: SECRET, limit: 5 }, as: 'worker', otherTeam: 'own', secrets: [SECRET] };
      },
      listSources: async (context) => {
        await document(context, 'sources.md');
        return { input: {}, as: 'worker', otherTeam: 'own', secrets: ['sources.md'] };
      },
      deleteSource: async (context) => {
        await document(context, 'delete.md');
        return { input: { source: 'delete.md' }, as: 'worker' };
      },
      searchAll: async (context) => {
        await document(context, 'all.md');
        await memory(context, 'all-key', 'team');
        return {
          input: { query: SECRET, limit: 10 },
          as: 'worker',
          otherTeam: 'own',
          secrets: [SECRET],
        };
      },
      knowledgeStatus: async () => ({ input: {}, as: 'worker', otherTeam: 'own', skipAgreement: 'no tool' }),
      // Memory (K2).
      storeMemory: async () => ({
        input: { agentId: 'alpha-w1', key: 'store-key', value: 'v' },
        as: 'worker',
        toolsOtherTeam: 'own',
      }),
      recallMemory: async (context) => {
        await memory(context, 'recall-key');
        return {
          input: { agentId: 'alpha-w1', key: 'recall-key' },
          as: 'worker',
          secrets: [SECRET],
          toolsOtherTeam: 'own',
          skipAgreement: 'a recall counts itself (accessCount)',
        };
      },
      searchMemory: async (context) => {
        await memory(context, 'search-key');
        return { input: { agentId: 'alpha-w1', query: SECRET }, as: 'worker', secrets: [SECRET], otherTeam: 'own' };
      },
      listMemory: async (context) => {
        await memory(context, 'list-key');
        return { input: { agentId: 'alpha-w1' }, as: 'worker', secrets: [SECRET], otherTeam: 'own' };
      },
      deleteMemory: async (context) => {
        await memory(context, 'delete-key');
        return { input: { agentId: 'alpha-w1', key: 'delete-key' }, as: 'worker' };
      },
      memoryHistory: async (context) => {
        await memory(context, 'history-key');
        return { input: { agentId: 'alpha-w1', key: 'history-key' }, as: 'worker', secrets: [SECRET] };
      },
      // Code summaries (K2).
      tldrGetSummary: async (context) => {
        await summary(context, 'src/get.ts');
        return { input: { filePath: 'src/get.ts' }, as: 'worker', secrets: [SECRET] };
      },
      tldrCheckSummary: async (context) => {
        await summary(context, 'src/check.ts');
        return { input: { filePath: 'src/check.ts', contentHash: 'h1' }, as: 'worker', otherTeam: 'own' };
      },
      tldrStoreSummary: async () => ({
        input: { filePath: 'src/store.ts', contentHash: 'h2', summary: 'stored' },
        as: 'worker',
        otherTeam: 'own',
      }),
      tldrBatchSummaries: async (context) => {
        await summary(context, 'src/batch.ts');
        return { input: { filePaths: ['src/batch.ts'] }, as: 'worker', otherTeam: 'own', secrets: [SECRET] };
      },
      tldrGetCodebase: async ({ alpha, call }) => {
        await call(alpha.workers[0]!, 'POST', '/tldr/codebase/store', { rootPath: '/repo', name: SECRET });
        return { input: { rootPath: '/repo' }, as: 'worker', secrets: [SECRET] };
      },
      tldrStoreCodebase: async () => ({
        input: { rootPath: '/repo2', name: 'repo two' },
        as: 'worker',
        otherTeam: 'own',
      }),
      tldrStoreDependency: async () => ({
        input: { fromFile: 'src/a.ts', toFile: 'src/b.ts' },
        as: 'worker',
        otherTeam: 'own',
      }),
      tldrDependencyGraph: async ({ alpha, call }) => {
        await call(alpha.workers[0]!, 'POST', '/tldr/dependency/store', { fromFile: 'src/g.ts', toFile: 'src/h.ts' });
        return { input: { rootFiles: ['src/g.ts'], depth: 2 }, as: 'worker', otherTeam: 'own', secrets: ['src/h.ts'] };
      },
      tldrDependents: async ({ alpha, call }) => {
        await call(alpha.workers[0]!, 'POST', '/tldr/dependency/store', { fromFile: 'src/d1.ts', toFile: 'src/d2.ts' });
        return { input: { filePath: 'src/d2.ts' }, as: 'worker', otherTeam: 'own', secrets: ['src/d1.ts'] };
      },
      tldrDependencies: async ({ alpha, call }) => {
        await call(alpha.workers[0]!, 'POST', '/tldr/dependency/store', { fromFile: 'src/e1.ts', toFile: 'src/e2.ts' });
        return { input: { filePath: 'src/e1.ts' }, as: 'worker', otherTeam: 'own', secrets: ['src/e2.ts'] };
      },
      tldrInvalidate: async (context) => {
        await summary(context, 'src/invalidate.ts');
        return { input: { filePath: 'src/invalidate.ts' }, otherTeam: 'own' };
      },
      tldrStats: async () => ({ input: {}, as: 'worker', otherTeam: 'own', skipAgreement: 'counts move' }),
      tldrClearCache: async () => ({ input: {}, otherTeam: 'own', skipValidCall: 'would empty what others read' }),
      // Tools (K3).
      lmshTranslate: async () => ({ input: { input: 'show git status' }, as: 'worker', otherTeam: 'own' }),
      lmshAliases: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/lmsh/aliases', { alias: 'alphasecretalias', command: 'ls -la' });
        return { input: {}, as: 'worker', otherTeam: 'own', secrets: ['alphasecretalias'] };
      },
      lmshAddAlias: async () => ({ input: { alias: 'deploy it', command: 'make deploy' }, otherTeam: 'own' }),
      lmshRemoveAlias: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/lmsh/aliases', { alias: 'removeme', command: 'true' });
        return { input: { alias: 'removeme' }, skipValidCall: 'the other team cannot see it; checked in tools tests' };
      },
      dagSort: async () => ({ input: { nodes: NODES }, as: 'worker', otherTeam: 'own' }),
      dagCycles: async () => ({ input: { nodes: NODES }, as: 'worker', otherTeam: 'own' }),
      dagCriticalPath: async () => ({ input: { nodes: NODES }, as: 'worker', otherTeam: 'own' }),
      dagReady: async () => ({ input: { nodes: NODES, completed: ['a'] }, as: 'worker', otherTeam: 'own' }),
      routingClassify: async () => ({ input: { subject: 'Fix typo in README' }, as: 'worker', otherTeam: 'own' }),
      searchSessions: async ({ alpha, call }) => {
        await call(alpha.workers[0]!, 'POST', '/search/index', { sessionId: 's-search', content: `${SECRET} session` });
        return { input: { query: SECRET }, as: 'worker', otherTeam: 'own', secrets: [SECRET] };
      },
      indexSession: async () => ({
        input: { sessionId: 's-index', content: 'indexed text' },
        as: 'worker',
        otherTeam: 'own',
      }),
      searchStats: async () => ({ input: {}, as: 'worker', otherTeam: 'own', skipAgreement: 'counts move' }),
      deleteSessionText: async ({ alpha, call }) => {
        await call(alpha.workers[0]!, 'POST', '/search/index', { sessionId: 's-delete', content: 'to delete' });
        return { input: { sessionId: 's-delete' }, otherTeam: 'own' };
      },
    },
  });
});
