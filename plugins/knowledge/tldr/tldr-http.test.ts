/** The 13 /tldr routes and the tldr_* tools on a real fleet: team scoped, leads clear, bad input named. */
import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  registerTeam,
  startFleet,
  type TestLike,
  toolJson,
  toolText,
} from '../../../test/kit/index.js';

async function fleetWithTeams(t: TestLike) {
  const fleet = await startFleet(t, { plugins: { auth: true, knowledge: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['cy']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  return { fleet, ann, bob, lead: alpha.lead, cy: beta.workers[0]!, betaLead: beta.lead };
}

t.test('the 13 routes, team scoped', async (t) => {
  const { fleet, ann, bob, lead, cy } = await fleetWithTeams(t);
  const store = await as(fleet, ann, 'POST', '/tldr/summary/store', {
    filePath: 'src/db.ts',
    contentHash: 'abc',
    summary: 'Opens the database',
    exports: ['openDatabase'],
    dependencies: ['src/config.ts'],
    lineCount: 40,
    language: 'typescript',
  });
  t.match(store, { status: 200, body: { success: true, filePath: 'src/db.ts', contentHash: 'abc' } });
  const got = await as(fleet, bob, 'POST', '/tldr/summary/get', { filePath: 'src/db.ts' });
  t.match(got.body, { filePath: 'src/db.ts', exports: ['openDatabase'], lineCount: 40, updatedBy: 'ann' });
  t.match(await as(fleet, cy, 'POST', '/tldr/summary/get', { filePath: 'src/db.ts' }), {
    status: 404,
    body: { code: 'KNOWLEDGE_TLDR_SUMMARY_NOT_FOUND', error: 'File summary not found', filePath: 'src/db.ts' },
  });
  t.match((await as(fleet, bob, 'POST', '/tldr/summary/check', { filePath: 'src/db.ts', contentHash: 'abc' })).body, {
    isCurrent: true,
  });
  t.match((await as(fleet, cy, 'POST', '/tldr/summary/check', { filePath: 'src/db.ts', contentHash: 'abc' })).body, {
    isCurrent: false,
  });
  t.match((await as(fleet, ann, 'POST', '/tldr/summary/batch', { filePaths: ['src/db.ts', 'x.ts'] })).body, {
    found: 1,
    missing: 1,
    missingPaths: ['x.ts'],
  });
  t.match(
    await as(fleet, ann, 'POST', '/tldr/codebase/store', {
      rootPath: '/repo',
      name: 'fleet',
      structure: { core: 'the kernel' },
      keyFiles: ['core/index.ts'],
    }),
    { status: 200, body: { success: true, name: 'fleet', rootPath: '/repo' } },
  );
  t.match((await as(fleet, bob, 'POST', '/tldr/codebase/get', { rootPath: '/repo' })).body, {
    structure: { core: 'the kernel' },
    keyFiles: ['core/index.ts'],
  });
  t.match(await as(fleet, cy, 'POST', '/tldr/codebase/get', { rootPath: '/repo' }), {
    status: 404,
    body: { code: 'KNOWLEDGE_TLDR_CODEBASE_NOT_FOUND', rootPath: '/repo' },
  });
  t.same(
    (await as(fleet, ann, 'POST', '/tldr/dependency/store', { fromFile: 'src/app.ts', toFile: 'src/db.ts' })).body,
    { success: true, fromFile: 'src/app.ts', toFile: 'src/db.ts', importType: 'static' },
  );
  const graph = await as(fleet, bob, 'POST', '/tldr/dependency/graph', { rootFiles: ['src/app.ts'], depth: 2 });
  t.match(graph.body, { nodeCount: 3, edgeCount: 2, truncated: false });
  t.match((await as(fleet, bob, 'POST', '/tldr/dependency/graph', {})).body, { rootFiles: null, edgeCount: 2 });
  t.match((await as(fleet, cy, 'POST', '/tldr/dependency/graph', {})).body, { edgeCount: 0 });
  t.match((await as(fleet, bob, 'POST', '/tldr/dependency/dependents', { filePath: 'src/db.ts' })).body, {
    filePath: 'src/db.ts',
    dependentCount: 1,
    dependents: [{ fromFile: 'src/app.ts' }],
  });
  t.match((await as(fleet, bob, 'POST', '/tldr/dependency/dependencies', { filePath: 'src/db.ts' })).body, {
    dependencyCount: 1,
    dependencies: [{ toFile: 'src/config.ts', importType: 'static' }],
  });
  t.same((await as(fleet, cy, 'GET', '/tldr/stats')).body, { files: 0, codebases: 0, dependencies: 0 });
  t.same((await as(fleet, ann, 'GET', '/tldr/stats')).body, { files: 1, codebases: 1, dependencies: 2 });
  await as(fleet, ann, 'POST', '/tldr/summary/store', { filePath: 'src/app.ts', contentHash: 'a1', summary: 'App' });
  const invalidated = await as(fleet, bob, 'POST', '/tldr/invalidate', { filePath: 'src/db.ts' });
  t.match(invalidated.body, {
    success: true,
    filePath: 'src/db.ts',
    dependents: ['src/app.ts'],
    summariesRemoved: ['src/app.ts', 'src/db.ts'],
    edgesRemoved: 1,
  });
  t.match(await as(fleet, bob, 'POST', '/tldr/invalidate', { all: true }), {
    status: 403,
    body: { code: 'FLEET_INSUFFICIENT_PERMISSIONS' },
  });
  t.match((await as(fleet, lead, 'POST', '/tldr/invalidate', { all: true })).body, { all: true, edgesRemoved: 1 });
  t.match(await as(fleet, ann, 'DELETE', '/tldr/cache'), { status: 403 });
  t.same((await as(fleet, lead, 'DELETE', '/tldr/cache')).body, { success: true, message: 'TLDR cache cleared' });
  t.same((await as(fleet, ann, 'GET', '/tldr/stats')).body, { files: 0, codebases: 0, dependencies: 0 });
});

t.test('tools: the seed’s tldr_* and the added ones', async (t) => {
  const { fleet, ann, cy } = await fleetWithTeams(t);
  t.match(
    toolJson(
      await callTool(fleet, ann, 'tldr_store_summary', {
        file_path: 'a.ts',
        content_hash: 'h',
        summary: 'A file',
        line_count: 3,
      }),
    ),
    { success: true, filePath: 'a.ts' },
  );
  t.match(toolJson(await callTool(fleet, ann, 'tldr_get_summary', { file_path: 'a.ts' })), { lineCount: 3 });
  const missing = await callTool(fleet, cy, 'tldr_get_summary', { file_path: 'a.ts' });
  t.ok(missing.isError);
  t.match(toolText(missing), /^KNOWLEDGE_TLDR_SUMMARY_NOT_FOUND/);
  t.match(toolJson(await callTool(fleet, ann, 'tldr_check_summary', { file_path: 'a.ts', content_hash: 'x' })), {
    isCurrent: false,
  });
  toolJson(
    await callTool(fleet, ann, 'tldr_store_codebase', {
      root_path: '/r',
      name: 'r',
      tech_stack: ['node'],
      key_files: [],
    }),
  );
  t.match(toolJson(await callTool(fleet, ann, 'tldr_get_codebase', { root_path: '/r' })), { techStack: ['node'] });
  toolJson(
    await callTool(fleet, ann, 'tldr_store_dependency', {
      from_file: 'a.ts',
      to_file: 'b.ts',
      import_type: 'type-only',
    }),
  );
  t.match(toolJson(await callTool(fleet, ann, 'tldr_dependency_graph', { root_files: ['a.ts'] })), {
    depth: 3,
    nodeCount: 2,
  });
  t.match(toolJson(await callTool(fleet, ann, 'tldr_dependents', { file_path: 'b.ts' })), { dependentCount: 1 });
  t.match(toolJson(await callTool(fleet, ann, 'tldr_dependencies', { file_path: 'a.ts' })), { dependencyCount: 1 });
  t.match(toolJson(await callTool(fleet, ann, 'tldr_batch_summaries', { file_paths: ['a.ts'] })), { found: 1 });
  t.same(toolJson(await callTool(fleet, ann, 'tldr_stats')), { files: 1, codebases: 1, dependencies: 1 });
  t.match(toolJson(await callTool(fleet, ann, 'tldr_invalidate', { file_path: 'b.ts' })), {
    summariesRemoved: ['a.ts'],
  });
  const noTarget = await callTool(fleet, ann, 'tldr_invalidate', {});
  t.match(toolText(noTarget), /^KNOWLEDGE_TLDR_INVALIDATE_WHAT/);
});

t.test('bad input per route: 400 with the code and the field', async (t) => {
  const { fleet, ann, lead } = await fleetWithTeams(t);
  const long = 'p'.repeat(1001);
  const cases: [Agent, string, string, unknown, string, string?][] = [
    [ann, 'POST', '/tldr/summary/get', {}, 'filePath'],
    [ann, 'POST', '/tldr/summary/get', { filePath: long }, 'filePath'],
    [ann, 'POST', '/tldr/summary/check', { filePath: 'a' }, 'contentHash'],
    [ann, 'POST', '/tldr/summary/check', { filePath: 'a', contentHash: 'h'.repeat(65) }, 'contentHash'],
    [ann, 'POST', '/tldr/summary/store', { filePath: 'a', contentHash: 'h' }, 'summary'],
    [ann, 'POST', '/tldr/summary/store', { filePath: 'a', contentHash: 'h', summary: 's'.repeat(10_001) }, 'summary'],
    [ann, 'POST', '/tldr/summary/store', { filePath: 'a', contentHash: 'h', summary: 's', exports: 'x' }, 'exports'],
    [ann, 'POST', '/tldr/summary/store', { filePath: 'a', contentHash: 'h', summary: 's', lineCount: -1 }, 'lineCount'],
    [
      ann,
      'POST',
      '/tldr/summary/store',
      { filePath: 'a', contentHash: 'h', summary: 's', imports: Array(101).fill('i') },
      'imports',
    ],
    [ann, 'POST', '/tldr/summary/batch', {}, 'filePaths'],
    [ann, 'POST', '/tldr/summary/batch', { filePaths: Array(501).fill('a') }, 'filePaths'],
    [ann, 'POST', '/tldr/codebase/get', {}, 'rootPath'],
    [ann, 'POST', '/tldr/codebase/store', { rootPath: '/r' }, 'name'],
    [ann, 'POST', '/tldr/codebase/store', { rootPath: '/r', name: 'n', structure: [1] }, 'structure'],
    [ann, 'POST', '/tldr/codebase/store', { rootPath: '/r', name: 'n', patterns: Array(21).fill('p') }, 'patterns'],
    [ann, 'POST', '/tldr/dependency/store', { fromFile: 'a' }, 'toFile'],
    [ann, 'POST', '/tldr/dependency/store', { fromFile: 'a', toFile: 'b', importType: 'require' }, 'importType'],
    [ann, 'POST', '/tldr/dependency/graph', { rootFiles: [] }, 'rootFiles'],
    [ann, 'POST', '/tldr/dependency/graph', { rootFiles: Array(21).fill('a') }, 'rootFiles'],
    [ann, 'POST', '/tldr/dependency/graph', { rootFiles: ['a'], depth: 11 }, 'depth'],
    [ann, 'POST', '/tldr/dependency/dependents', {}, 'filePath'],
    [ann, 'POST', '/tldr/dependency/dependencies', { filePath: 7 }, 'filePath'],
    [ann, 'POST', '/tldr/invalidate', {}, 'filePath', 'KNOWLEDGE_TLDR_INVALIDATE_WHAT'],
    [lead, 'POST', '/tldr/invalidate', { all: true, filePath: 'a' }, 'all'],
    [ann, 'POST', '/tldr/invalidate', { all: 'yes' }, 'all'],
  ];
  for (const [agent, method, path, body, field, code] of cases) {
    const response = await as(fleet, agent, method, path, body);
    t.equal(response.status, 400, `${path} ${JSON.stringify(body).slice(0, 60)}: 400`);
    t.match(response.body, { code: code ?? 'FLEET_INVALID_INPUT', field }, `names ${field}`);
  }
  t.equal((await fleet.request('GET', '/tldr/stats')).status, 401);
});
