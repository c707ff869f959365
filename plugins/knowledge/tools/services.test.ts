/**
 * LmshService and its session search against a real database, without a fleet: SQLite in a temp
 * dir or a fresh PostgreSQL database (FLEET_TEST_STORAGE), migrated by migration 0004. Aliases per
 * team (add, replace, cap, remove), translations from them, and the indexed session text: search
 * (words, prefixes, phrases, stemming), replace, delete, stats, team isolation, syntax errors.
 */
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import t from 'tap';
import { type TestLike, tempDir, testDatabase, testStorage } from '../../../test/kit/index.js';
import { lmshMigration } from '../migrations/0004-lmsh.js';
import { LmshService, MAX_ALIASES } from './lmsh-service.js';
import type { LmshTables } from './tables.js';

async function service(t: TestLike): Promise<LmshService> {
  let db: Kysely<LmshTables>;
  if (testStorage() === 'postgres') {
    const url = await testDatabase(t);
    const pg = (await import('pg')).default;
    pg.types.setTypeParser(20, (value: string) => Number(value));
    db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) });
  } else {
    const Database = (await import('better-sqlite3')).default;
    db = new Kysely({ dialect: new SqliteDialect({ database: new Database(join(tempDir(t), 'k3.db')) }) });
  }
  t.teardown(() => db.destroy());
  await lmshMigration.up(db as Kysely<unknown>);
  return new LmshService(db);
}

const lead = { handle: 'lead-a', lead: true };
const worker = { handle: 'w1', lead: false };

t.test('aliases: per team, normalized, replaced, capped, removed; translations use them', async (t) => {
  const lmsh = await service(t);
  t.same(await lmsh.setAlias('a', 'lead-a', { alias: '  Deploy   Staging ', command: 'make deploy ENV=staging' }), {
    added: true,
    alias: 'deploy staging',
    command: 'make deploy ENV=staging',
    replaced: false,
  });
  t.match(await lmsh.setAlias('a', 'lead-a', { alias: 'deploy staging', command: 'make ship' }), { replaced: true });
  await lmsh.setAlias('b', 'lead-b', { alias: 'deploy staging', command: 'other team' });
  t.same(await lmsh.aliases('a'), [{ alias: 'deploy staging', command: 'make ship' }]);
  t.match(await lmsh.translate('a', 'please deploy staging'), {
    command: 'make ship',
    confidence: 1,
    suggestion: true,
  });
  t.match(await lmsh.translate('b', 'please deploy staging'), { command: 'other team' });
  t.match(await lmsh.translate('c', 'please deploy staging'), { command: '', confidence: 0 }, 'no alias in team c');
  t.same(await lmsh.removeAlias('a', 'DEPLOY staging'), { deleted: true, alias: 'deploy staging' });
  await t.rejects(lmsh.removeAlias('a', 'deploy staging'), { code: 'KNOWLEDGE_LMSH_ALIAS_NOT_FOUND', status: 404 });
  t.same(await lmsh.aliases('a'), []);
});

t.test(`aliases: at most ${MAX_ALIASES} a team (409), replacing one still works`, async (t) => {
  const lmsh = await service(t);
  for (let i = 0; i < MAX_ALIASES; i++) await lmsh.setAlias('a', 'lead-a', { alias: `a${i}`, command: `echo ${i}` });
  await t.rejects(lmsh.setAlias('a', 'lead-a', { alias: 'one more', command: 'x' }), {
    code: 'KNOWLEDGE_LMSH_TOO_MANY_ALIASES',
    status: 409,
    details: { field: 'alias' },
  });
  t.match(await lmsh.setAlias('a', 'lead-a', { alias: 'a7', command: 'echo seven' }), { replaced: true });
  t.match(await lmsh.setAlias('b', 'lead-b', { alias: 'one more', command: 'x' }), { replaced: false });
});

t.test('session texts: index, search, replace, delete, stats, per team', async (t) => {
  const { sessionTexts } = await service(t);
  const search = (team: string, query: string, page = { limit: 20, offset: 0 }) =>
    sessionTexts.search(team, { query, ...page }, undefined);
  t.same(
    await sessionTexts.index('a', worker, {
      sessionId: 's1',
      content: 'The purple elephants were dancing in the rain',
      timestamp: 1000,
      model: 'opus',
    }),
    {
      indexed: true,
      sessionId: 's1',
      replaced: false,
    },
  );
  await sessionTexts.index('a', worker, {
    sessionId: 's2',
    content: 'a purple giraffe edited /src/app/main.ts',
    projectPath: '/repo',
  });
  await sessionTexts.index(
    'b',
    { handle: 'w9', lead: false },
    { sessionId: 's1', content: 'purple secrets of team b' },
  );

  const purple = await search('a', 'purple');
  t.same(purple.results.map((hit) => hit.sessionId).sort(), ['s1', 's2']);
  t.equal(purple.count, 2);
  t.equal(purple.hasMore, false);
  t.ok(purple.results.every((hit) => hit.source === 'indexed'));
  const dancing = await search('a', 'elephant dance');
  t.equal(dancing.results.length, 1, 'stemming: elephants dancing');
  t.match(dancing.results[0], {
    sessionId: 's1',
    timestamp: 1000,
    model: 'opus',
    source: 'indexed',
    snippet: /<b>elephants<\/b>.*<b>dancing<\/b>/,
  });
  t.ok(dancing.results[0]!.score > 0);
  t.same(
    (await search('a', 'eleph*')).results.map((hit) => hit.sessionId),
    ['s1'],
    'a prefix',
  );
  t.same(
    (await search('a', '"purple giraffe"')).results.map((hit) => hit.sessionId),
    ['s2'],
    'a phrase',
  );
  t.same((await search('a', '"giraffe purple"')).results, [], 'a phrase keeps its order');
  t.match((await search('a', 'main')).results, [{ sessionId: 's2', projectPath: '/repo' }], 'a word of a path');
  t.same((await search('a', 'secrets')).results, [], 'another team’s text is never a hit');
  const paged = await search('a', 'purple', { limit: 1, offset: 0 });
  t.equal(paged.results.length, 1);
  t.equal(paged.hasMore, true);
  const second = await search('a', 'purple', { limit: 1, offset: 1 });
  t.not(second.results[0]!.sessionId, paged.results[0]!.sessionId);
  t.equal(second.hasMore, false);

  await t.rejects(sessionTexts.index('a', { handle: 'w2', lead: false }, { sessionId: 's1', content: 'mine now' }), {
    code: 'KNOWLEDGE_SEARCH_NOT_YOURS',
    status: 403,
    details: { field: 'sessionId' },
  });
  t.match(await sessionTexts.index('a', lead, { sessionId: 's1', content: 'orange tigers' }), { replaced: true });
  t.same((await search('a', 'elephant')).results, [], 'the old text is gone from the index');
  t.same(
    (await search('a', 'tigers')).results.map((hit) => hit.sessionId),
    ['s1'],
  );
  t.same(await sessionTexts.stats('a', undefined), {
    documentCount: 2,
    backend: testStorage() === 'postgres' ? 'postgres-tsvector' : 'sqlite-fts5',
    sessionsSearch: false,
  });
  t.same(await sessionTexts.remove('a', 's1'), { deleted: true, sessionId: 's1' });
  t.same((await search('a', 'tigers')).results, []);
  await t.rejects(sessionTexts.remove('a', 's1'), { code: 'KNOWLEDGE_SEARCH_NOT_FOUND', status: 404 });
  await t.rejects(sessionTexts.remove('a', 'zzz'), { code: 'KNOWLEDGE_SEARCH_NOT_FOUND' });
  t.equal((await sessionTexts.stats('a', undefined)).documentCount, 1);
  t.equal((await sessionTexts.stats('b', undefined)).documentCount, 1, 'team b’s s1 is its own');
  t.same(
    (await search('b', 'purple')).results.map((hit) => hit.sessionId),
    ['s1'],
  );
});

t.test('queries: syntax errors are 400s naming the query, never engine errors', async (t) => {
  const { sessionTexts } = await service(t);
  await sessionTexts.index('a', worker, { sessionId: 's1', content: 'NEAR OR AND NOT snake_case column:value' });
  const search = (query: string) => sessionTexts.search('a', { query, limit: 20, offset: 0 }, undefined);
  await t.rejects(search('"open quote'), {
    code: 'KNOWLEDGE_SEARCH_SYNTAX',
    status: 400,
    message: 'query: a quote (") is not closed',
    details: { field: 'query' },
  });
  await t.rejects(search('foo * bar'), { code: 'KNOWLEDGE_SEARCH_SYNTAX', message: /a \* must end a word/ });
  await t.rejects(search('!!! ()'), { code: 'KNOWLEDGE_SEARCH_EMPTY_QUERY', status: 400 });
  // What would be engine syntax is words here.
  for (const query of ['NEAR(snake', 'OR', 'column:value', 'snake_case', "x' or 1=1 --", 'a & b | !c <-> d'])
    t.ok(Array.isArray((await search(query)).results), query);
  const long = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
  for (const query of ['the*', '"the a"', 'the', 'ü*', '2024', long])
    t.ok(Array.isArray((await search(query)).results), `${query.slice(0, 20)}: an answer, no engine error`);
  t.same(
    (await search('snake_case')).results.map((hit) => hit.sessionId),
    ['s1'],
  );
  t.same(
    (await search('column:value')).results.map((hit) => hit.sessionId),
    ['s1'],
  );
});

t.test('session texts: indexing one new id from many calls at once keeps one row', async (t) => {
  const { sessionTexts } = await service(t);
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => sessionTexts.index('a', worker, { sessionId: 'race', content: `take ${i}` })),
  );
  t.equal(results.filter((r) => !r.replaced).length, 1, 'one first indexing, the rest replace it');
  t.equal(await sessionTexts.count('a'), 1);
  const found = await sessionTexts.search('a', { query: 'take', limit: 20, offset: 0 }, undefined);
  t.equal(found.results.length, 1);
});
