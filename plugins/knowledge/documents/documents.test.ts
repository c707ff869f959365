/**
 * Documents through the real fleet (HTTP and tools), on SQLite (FTS5) or PostgreSQL (tsvector) as
 * FLEET_TEST_STORAGE says: ranking on a known corpus, idempotent re-ingest and replacement,
 * filters (source, tag, time), snippets, paging, delete, status, bad inputs, another team.
 */
import t from 'tap';
import { as, callTool, registerTeam, startCoordination, toolJson } from '../../../test/kit/index.js';

const CORPUS: Record<string, string> = {
  'docs/testing.md': [
    '# Testing',
    'Run the suite with npm test.',
    '## Flags',
    'The test runner needs the --experimental-vm-modules flag, or the ESM imports fail.',
    '## Databases',
    'PostgreSQL suites need FLEET_TEST_PG_URL.',
  ].join('\n'),
  'docs/deploy.md': ['# Deploy', 'Deploys go through the release pipeline.', '## Rollback', 'Run rollback.sh.'].join(
    '\n',
  ),
  'notes/cooking.txt': 'Bananas and oranges: a recipe for a fruit salad with no flags at all.',
};

t.test('documents: ingest, rank, filter, snippets, re-ingest, delete, status; another team sees nothing', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, knowledge: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['alpha-w1']);
  const beta = await registerTeam(fleet, 'beta', ['beta-w1']);
  const w1 = alpha.workers[0]!;

  for (const [source, content] of Object.entries(CORPUS)) {
    const format = source.endsWith('.txt') ? 'text' : 'markdown';
    const tags = source.startsWith('docs/') ? ['docs', 'dev'] : ['misc'];
    const answer = await as(fleet, w1, 'POST', '/knowledge/ingest', { source, content, format, tags });
    t.equal(answer.status, 200, JSON.stringify(answer.body));
    t.equal(answer.body.changed, true);
  }
  const testing = (await as(fleet, w1, 'GET', '/knowledge/sources')).body.sources.find(
    (s: any) => s.source === 'docs/testing.md',
  );
  t.equal(testing.chunks, 3, 'one chunk per section with text');

  // Ranking: the section about the runner's flag first, its heading path shown.
  const flag = (await as(fleet, w1, 'POST', '/knowledge/search', { query: 'test runner flag' })).body;
  t.equal(flag.results[0].source, 'docs/testing.md');
  t.equal(flag.results[0].heading, 'Testing > Flags');
  t.match(flag.results[0].snippet, /<b>test<\/b> <b>runner<\/b> needs the .*<b>flag<\/b>/);
  t.equal(flag.results.length, 1, 'every word must match');
  const any = (await as(fleet, w1, 'POST', '/knowledge/search', { query: 'flags rollback', match: 'any' })).body;
  t.same(
    any.results.map((hit: any) => hit.source).sort(),
    ['docs/deploy.md', 'docs/testing.md', 'notes/cooking.txt'],
    'any: one word is enough (stemmed: flags finds flag)',
  );
  t.ok(
    any.results.every((hit: any, i: number, all: any[]) => i === 0 || all[i - 1].score >= hit.score),
    'by score',
  );

  // Filters.
  const bySource = await as(fleet, w1, 'POST', '/knowledge/search', {
    query: 'flags',
    match: 'any',
    source: 'notes/cooking.txt',
  });
  t.same(
    bySource.body.results.map((hit: any) => hit.source),
    ['notes/cooking.txt'],
  );
  const byTag = await as(fleet, w1, 'POST', '/knowledge/search', { query: 'flags', tag: 'docs' });
  t.same(
    byTag.body.results.map((hit: any) => hit.source),
    ['docs/testing.md'],
  );
  t.same(byTag.body.results[0].tags, ['docs', 'dev']);
  const future = Date.now() + 60_000;
  t.equal((await as(fleet, w1, 'POST', '/knowledge/search', { query: 'flags', since: future })).body.count, 0);
  t.equal(
    (await as(fleet, w1, 'POST', '/knowledge/search', { query: 'flags', until: new Date(future).toISOString() })).body
      .count,
    2,
    'until as an ISO date',
  );
  // Paging.
  const page1 = (await as(fleet, w1, 'POST', '/knowledge/search', { query: 'run', limit: 1 })).body;
  const page2 = (await as(fleet, w1, 'POST', '/knowledge/search', { query: 'run', limit: 1, offset: 1 })).body;
  t.equal(page1.hasMore, true);
  t.not(page1.results[0].id, page2.results[0].id);

  // Ordinary text with the engines' syntax characters is no error.
  for (const query of ['"unbalanced', 'NEAR(flag', 'flag AND OR NOT', 'c++ -x *', "it's: (x)"]) {
    const answer = await as(fleet, w1, 'POST', '/knowledge/search', { query });
    t.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
  }

  // Idempotent re-ingest; new content replaces the source's chunks.
  const same = await as(fleet, w1, 'POST', '/knowledge/ingest', {
    source: 'docs/deploy.md',
    content: CORPUS['docs/deploy.md'],
    tags: ['docs', 'dev'],
  });
  t.match(same.body, { changed: false, chunks: 2 });
  const replaced = await as(fleet, w1, 'POST', '/knowledge/ingest', {
    source: 'docs/deploy.md',
    content: '# Deploy\nDeploys use blue-green switching now.',
    tags: ['docs'],
  });
  t.match(replaced.body, { changed: true, replaced: true, chunks: 1 });
  t.equal((await as(fleet, w1, 'POST', '/knowledge/search', { query: 'rollback' })).body.count, 0, 'old chunks gone');
  t.equal((await as(fleet, w1, 'POST', '/knowledge/search', { query: 'green' })).body.count, 1, 'new ones found');

  // Status.
  const status = (await as(fleet, w1, 'GET', '/knowledge/status')).body;
  t.match(status, { documents: 3, chunks: 5, indexLag: 0 });
  t.equal(status.index, fleet.storage.driver === 'postgres' ? 'tsvector' : 'fts5');

  // Another team sees nothing, and cannot delete.
  t.equal((await as(fleet, beta.workers[0]!, 'POST', '/knowledge/search', { query: 'flag' })).body.count, 0);
  t.equal((await as(fleet, beta.workers[0]!, 'GET', '/knowledge/sources')).body.count, 0);
  t.equal((await as(fleet, beta.lead, 'GET', '/knowledge/status')).body.chunks, 0);
  const foreign = await as(fleet, beta.lead, 'DELETE', `/knowledge/sources/${encodeURIComponent('docs/testing.md')}`);
  t.equal(foreign.status, 404);
  t.equal(foreign.body.code, 'KNOWLEDGE_SOURCE_NOT_FOUND');

  // Delete.
  const deleted = await as(fleet, w1, 'DELETE', `/knowledge/sources/${encodeURIComponent('docs/testing.md')}`);
  t.match(deleted.body, { deleted: true, source: 'docs/testing.md', chunks: 3 });
  t.equal((await as(fleet, w1, 'POST', '/knowledge/search', { query: 'runner' })).body.count, 0);

  // Tools.
  const tool = toolJson(await callTool(fleet, w1, 'knowledge_ingest', { source: 'tool.md', content: 'Quokka facts' }));
  t.match(tool, { changed: true, chunks: 1 });
  const sources = toolJson(await callTool(fleet, w1, 'knowledge_sources', {}));
  t.equal(sources.count, 3);
});

t.test('documents: bad inputs are 400s naming the field', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, knowledge: true } });
  const { workers } = await registerTeam(fleet, 'alpha', ['alpha-w1']);
  const w1 = workers[0]!;
  const cases: [string, string, unknown, string][] = [
    ['POST', '/knowledge/ingest', { content: 'x' }, 'source'],
    ['POST', '/knowledge/ingest', { source: 'a', content: '' }, 'content'],
    ['POST', '/knowledge/ingest', { source: 'a', content: '   \n  ' }, 'content'],
    ['POST', '/knowledge/ingest', { source: 'a\u0001b', content: 'x' }, 'source'],
    ['POST', '/knowledge/ingest', { source: 'a', content: 'x', tags: ['has space'] }, 'tags'],
    ['POST', '/knowledge/ingest', { source: 'a', content: 'x', format: 'pdf' }, 'format'],
    ['POST', '/knowledge/search', {}, 'query'],
    ['POST', '/knowledge/search', { query: '!!! ***' }, 'query'],
    ['POST', '/knowledge/search', { query: 'x', limit: 0 }, 'limit'],
    ['POST', '/knowledge/search', { query: 'x', since: 'yesterday' }, 'since'],
    ['POST', '/knowledge/search', { query: 'x', since: 2000, until: 1000 }, 'until'],
    ['POST', '/knowledge/search', { query: 'x', match: 'some' }, 'match'],
    ['POST', '/knowledge/search-all', { query: 'x', kinds: ['secrets'] }, 'kinds'],
    ['POST', '/knowledge/search-all', { query: '"' }, 'query'],
    ['GET', '/knowledge/sources?limit=0', undefined, 'limit'],
  ];
  for (const [method, path, body, field] of cases) {
    const answer = await as(fleet, w1, method, path, body);
    t.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
    t.match(answer.body.error, new RegExp(`^${field}`), `${JSON.stringify(body)} names ${field}`);
  }
  const missing = await as(fleet, w1, 'DELETE', '/knowledge/sources/nothing-here');
  t.equal(missing.status, 404);
  t.equal((await fleet.request('POST', '/knowledge/search', { body: { query: 'x' } })).status, 401);
});
