import t from 'tap';
import { type TestLike, tempDir, testDatabase, testStorage } from '../../../test/kit/index.js';
import { openTestDatabase } from '../memory/test-database.js';
import { tldrMigration } from '../migrations/0003-tldr.js';
import { TldrService } from './tldr-service.js';

const storage = testStorage();

async function service(t: TestLike) {
  const db =
    storage === 'postgres'
      ? await openTestDatabase({ dialect: 'postgres', url: await testDatabase(t) }, [tldrMigration])
      : await openTestDatabase({ dialect: 'sqlite', dir: tempDir(t) }, [tldrMigration]);
  t.teardown(() => db.destroy());
  return new TldrService(db, storage);
}

const summary = (filePath: string, text: string, extra: Record<string, unknown> = {}) => ({
  filePath,
  contentHash: `h-${filePath}`,
  summary: text,
  ...extra,
});

t.test('summaries: store, get, check by hash, batch, upsert keeps created; teams apart', async (t) => {
  const tldr = await service(t);
  const first = await tldr.storeSummary(
    'alpha',
    summary('src/app/main.ts', 'Boots the server', { exports: ['main'], lineCount: 40, language: 'typescript' }),
    'ann',
  );
  t.match(first, { filePath: 'src/app/main.ts', exports: ['main'], imports: [], lineCount: 40, updatedBy: 'ann' });
  t.same(await tldr.check('alpha', 'src/app/main.ts', 'h-src/app/main.ts'), {
    filePath: 'src/app/main.ts',
    contentHash: 'h-src/app/main.ts',
    isCurrent: true,
    storedHash: 'h-src/app/main.ts',
  });
  t.equal((await tldr.check('alpha', 'src/app/main.ts', 'other')).isCurrent, false);
  t.equal((await tldr.check('beta', 'src/app/main.ts', 'h-src/app/main.ts')).isCurrent, false, 'team beta has none');
  t.equal(await tldr.getSummary('beta', 'src/app/main.ts'), undefined);
  const second = await tldr.storeSummary(
    'alpha',
    { ...summary('src/app/main.ts', 'Boots it'), contentHash: 'h2' },
    'bob',
  );
  t.equal(second.id, first.id);
  t.equal(second.createdAt, first.createdAt);
  t.match(second, { summary: 'Boots it', contentHash: 'h2', language: 'unknown', lineCount: 0, updatedBy: 'bob' });
  const batch = await tldr.batch('alpha', ['src/app/main.ts', 'nope.ts', 'src/app/main.ts']);
  t.match(batch, { found: 1, missing: 1, missingPaths: ['nope.ts'] });
  t.same(await tldr.stats('alpha'), { files: 1, codebases: 0, dependencies: 0 });
  t.same(await tldr.stats('beta'), { files: 0, codebases: 0, dependencies: 0 });
});

t.test('codebase overviews by root', async (t) => {
  const tldr = await service(t);
  await tldr.storeCodebase('alpha', { rootPath: '/repo', name: 'fleet', structure: { core: 'kernel' } }, 'ann');
  const again = await tldr.storeCodebase('alpha', { rootPath: '/repo', name: 'fleet2', techStack: ['node'] }, 'ann');
  t.match(again, { rootPath: '/repo', name: 'fleet2', structure: {}, techStack: ['node'], description: null });
  t.equal(await tldr.getCodebase('beta', '/repo'), undefined);
});

t.test('dependency graph: edges, dependents, dependencies, walk by depth, full graph', async (t) => {
  const tldr = await service(t);
  // a -> b -> c -> d, a -> c (type-only), e -> c; team beta has its own a -> z
  for (const [from, to] of [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['e', 'c'],
  ] as const)
    await tldr.storeEdge('alpha', { fromFile: from, toFile: to, importType: 'static' });
  await tldr.storeEdge('alpha', { fromFile: 'a', toFile: 'c', importType: 'dynamic' });
  await tldr.storeEdge('alpha', { fromFile: 'a', toFile: 'c', importType: 'type-only' });
  await tldr.storeEdge('beta', { fromFile: 'a', toFile: 'z', importType: 'static' });
  t.same(
    (await tldr.edges('alpha', 'c', 'dependents')).map((e) => [e.fromFile, e.importType]),
    [
      ['a', 'type-only'],
      ['b', 'static'],
      ['e', 'static'],
    ],
  );
  t.same(
    (await tldr.edges('alpha', 'a', 'dependencies')).map((e) => e.toFile),
    ['b', 'c'],
  );
  const one = await tldr.graph('alpha', ['a'], 1);
  t.same(one.nodes.sort(), ['a', 'b', 'c'], 'depth 1: the targets are listed, not followed');
  t.equal(one.edgeCount, 2);
  const three = await tldr.graph('alpha', ['a'], 3);
  t.same(three.nodes.sort(), ['a', 'b', 'c', 'd']);
  t.equal(three.edgeCount, 4, 'a->b, a->c, b->c, c->d');
  t.notOk(three.nodes.includes('z'), 'never another team’s edge');
  const full = await tldr.graph('alpha', undefined, 3);
  t.match(full, { rootFiles: null, nodeCount: 5, edgeCount: 5, truncated: false });
  t.same((await tldr.stats('alpha')).dependencies, 5);
});

t.test('a summary with dependencies states its file’s outgoing edges', async (t) => {
  const tldr = await service(t);
  await tldr.storeEdge('alpha', { fromFile: 'm.ts', toFile: 'old.ts', importType: 'static' });
  await tldr.storeEdge('alpha', { fromFile: 'm.ts', toFile: 'x.ts', importType: 'type-only' });
  await tldr.storeSummary('alpha', summary('m.ts', 'module', { dependencies: ['x.ts', 'y.ts'] }), 'ann');
  t.same(
    (await tldr.edges('alpha', 'm.ts', 'dependencies')).map((e) => [e.toFile, e.importType]),
    [
      ['x.ts', 'type-only'],
      ['y.ts', 'static'],
    ],
  );
  await tldr.storeSummary('alpha', summary('m.ts', 'module'), 'ann');
  t.equal((await tldr.edges('alpha', 'm.ts', 'dependencies')).length, 2, 'without dependencies the edges stay');
});

t.test('invalidate: the file and what depends on it, transitively; all; clear', async (t) => {
  const tldr = await service(t);
  for (const path of ['lib.ts', 'mid.ts', 'top.ts', 'other.ts', 'cyc.ts'])
    await tldr.storeSummary('alpha', summary(path, `summary of ${path}`), 'ann');
  await tldr.storeSummary('beta', summary('lib.ts', 'beta lib'), 'bob');
  await tldr.storeEdge('alpha', { fromFile: 'mid.ts', toFile: 'lib.ts', importType: 'static' });
  await tldr.storeEdge('alpha', { fromFile: 'top.ts', toFile: 'mid.ts', importType: 'static' });
  await tldr.storeEdge('alpha', { fromFile: 'lib.ts', toFile: 'cyc.ts', importType: 'static' });
  await tldr.storeEdge('alpha', { fromFile: 'cyc.ts', toFile: 'lib.ts', importType: 'static' });
  const result = await tldr.invalidate('alpha', 'lib.ts');
  t.same(result.summariesRemoved, ['cyc.ts', 'lib.ts', 'mid.ts', 'top.ts'], 'a cycle ends the walk');
  t.equal(result.edgesRemoved, 1, 'lib.ts’s own import');
  t.ok(await tldr.getSummary('alpha', 'other.ts'));
  t.ok(await tldr.getSummary('beta', 'lib.ts'), 'team beta’s summary stays');
  t.equal((await tldr.edges('alpha', 'lib.ts', 'dependents')).length, 2, 'its importers still import it');
  await tldr.storeCodebase('alpha', { rootPath: '/', name: 'r' }, 'ann');
  t.match(await tldr.invalidateAll('alpha'), { summariesRemoved: 1, edgesRemoved: 3 });
  t.same(await tldr.stats('alpha'), { files: 0, codebases: 1, dependencies: 0 });
  t.same(await tldr.clear('alpha'), { success: true, message: 'TLDR cache cleared' });
  t.same(await tldr.stats('alpha'), { files: 0, codebases: 0, dependencies: 0 });
  t.same(await tldr.stats('beta'), { files: 1, codebases: 0, dependencies: 0 });
});

t.test('searchTeam: path words, exports, summary text; other teams never; no syntax error', async (t) => {
  const tldr = await service(t);
  await tldr.storeSummary('alpha', summary('src/auth/token-store.ts', 'Keeps revoked tokens'), 'ann');
  await tldr.storeSummary('alpha', summary('src/http/router.ts', 'Routes requests; checks the token'), 'ann');
  await tldr.storeSummary('alpha', summary('src/db.ts', 'Opens the database', { exports: ['openDatabase'] }), 'ann');
  await tldr.storeSummary('beta', summary('src/token.ts', 'beta tokens'), 'bob');
  const hits = await tldr.searchTeam('alpha', 'token', 10);
  t.same(
    hits.map((h) => h.path),
    ['src/auth/token-store.ts', 'src/http/router.ts'],
    'the path’s word ranks first; beta never',
  );
  t.same(
    (await tldr.searchTeam('alpha', 'opendatabase', 10)).map((h) => h.path),
    ['src/db.ts'],
  );
  t.same(
    (await tldr.searchTeam('alpha', 'rout*', 10)).map((h) => h.path),
    ['src/http/router.ts'],
  );
  t.same(await tldr.searchTeam('alpha', 'NEAR( "x', 10), []);
  await t.rejects(tldr.searchTeam('alpha', '"*"', 10), { code: 'KNOWLEDGE_TLDR_EMPTY_QUERY', status: 400 });
});
