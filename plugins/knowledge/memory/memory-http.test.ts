/** Memory through HTTP and the MCP tool surface of a real fleet: identity from the token, teams apart, bad input. */
import t from 'tap';
import {
  type Agent,
  type TestLike,
  as,
  callTool,
  registerTeam,
  startFleet,
  toolJson,
  toolText,
} from '../../../test/kit/index.js';

async function fleetWithTeams(t: TestLike) {
  const fleet = await startFleet(t, { plugins: { auth: true, knowledge: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['ann']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  return { fleet, ann, bob, lead: alpha.lead, betaAnn: beta.workers[0]!, betaLead: beta.lead };
}

t.test('store and recall: a worker’s own, its team’s; a lead reads its workers’; another team never', async (t) => {
  const { fleet, ann, bob, lead, betaAnn, betaLead } = await fleetWithTeams(t);
  const stored = await as(fleet, ann, 'POST', '/memory/store', {
    agentId: 'ann',
    key: 'test runner',
    value: 'jest needs --experimental-vm-modules',
    tags: ['tests'],
  });
  t.equal(stored.status, 200);
  t.match(stored.body, { agentId: 'ann', scope: 'worker', key: 'test runner', version: 1, memoryType: 'fact' });
  t.match(stored.body.createdBy, { uid: ann.uid, handle: 'ann' });
  const noAgent = await as(fleet, ann, 'POST', '/memory/store', { key: 'k2', value: 'v' });
  t.match(noAgent.body, { agentId: 'ann' }, 'agentId defaults to the caller');

  const own = await as(fleet, ann, 'GET', `/memory/recall/ann/${encodeURIComponent('test runner')}`);
  t.match(own.body, { value: 'jest needs --experimental-vm-modules', accessCount: 1 });
  const bobReads = await as(fleet, bob, 'GET', `/memory/recall/ann/${encodeURIComponent('test runner')}`);
  t.equal(bobReads.status, 403);
  t.match(bobReads.body, { code: 'KNOWLEDGE_MEMORY_NOT_YOURS', field: 'agentId' });
  const bobWrites = await as(fleet, bob, 'POST', '/memory/store', { agentId: 'ann', key: 'x', value: 'y' });
  t.match(bobWrites, { status: 403, body: { code: 'KNOWLEDGE_MEMORY_NOT_YOURS', field: 'agentId' } });
  const leadWrites = await as(fleet, lead, 'POST', '/memory/store', { agentId: 'ann', key: 'x', value: 'y' });
  t.equal(leadWrites.status, 403, 'a lead reads its workers’ memory, it does not write it');
  const leadReads = await as(fleet, lead, 'GET', `/memory/recall/ann/${encodeURIComponent('test runner')}`);
  t.equal(leadReads.status, 200);
  const otherLead = await as(fleet, betaLead, 'GET', `/memory/recall/ann/${encodeURIComponent('test runner')}`);
  t.match(otherLead, { status: 404, body: { code: 'KNOWLEDGE_MEMORY_NOT_FOUND' } }, 'team beta’s ann is another');
  const sameHandle = await as(fleet, betaAnn, 'GET', `/memory/recall/ann/${encodeURIComponent('test runner')}`);
  t.equal(sameHandle.status, 404, 'the same handle in another team sees nothing');

  await as(fleet, ann, 'POST', '/memory/store', { key: 'deploy', value: 'make ship', scope: 'team' });
  const bobTeam = await as(fleet, bob, 'GET', '/memory/recall/bob/deploy');
  t.match(bobTeam.body, { scope: 'team', agentId: null, value: 'make ship', updatedBy: { handle: 'ann' } });
  t.equal((await as(fleet, betaAnn, 'GET', '/memory/recall/ann/deploy')).status, 404);

  const listed = await as(fleet, ann, 'GET', '/memory/ann?limit=10');
  t.same(listed.body.memories.map((m: { key: string }) => m.key).sort(), ['deploy', 'k2', 'test runner']);
  const teamOnly = await as(fleet, bob, 'GET', '/memory/bob?scope=team');
  t.same(
    teamOnly.body.memories.map((m: { key: string }) => m.key),
    ['deploy'],
  );
  t.same((await as(fleet, betaAnn, 'GET', '/memory/ann')).body, { memories: [] });
});

t.test('versions: a stale expectedVersion is a 409 naming the field; delete and history', async (t) => {
  const { fleet, ann, bob, lead } = await fleetWithTeams(t);
  const first = await as(fleet, ann, 'POST', '/memory/store', {
    key: 'k',
    value: 'one',
    scope: 'team',
    expectedVersion: 0,
  });
  t.equal(first.body.version, 1);
  const second = await as(fleet, bob, 'POST', '/memory/store', {
    key: 'k',
    value: 'two',
    scope: 'team',
    expectedVersion: 1,
  });
  t.equal(second.body.version, 2);
  const stale = await as(fleet, ann, 'POST', '/memory/store', {
    key: 'k',
    value: 'three',
    scope: 'team',
    expectedVersion: 1,
  });
  t.equal(stale.status, 409);
  t.match(stale.body, {
    code: 'KNOWLEDGE_MEMORY_VERSION_CONFLICT',
    field: 'expectedVersion',
    currentVersion: 2,
    expectedVersion: 1,
  });
  t.match(stale.body.error, /^expectedVersion: /);
  const staleDelete = await as(fleet, ann, 'DELETE', '/memory/ann/k?scope=team&expectedVersion=1');
  t.equal(staleDelete.status, 409);
  const removed = await as(fleet, ann, 'DELETE', '/memory/ann/k?scope=team&expectedVersion=2');
  t.same(removed.body, { deleted: true, key: 'k', scope: 'team', owner: null, version: 3 });
  t.equal((await as(fleet, bob, 'GET', '/memory/recall/bob/k?scope=team')).status, 404);
  t.equal((await as(fleet, ann, 'DELETE', '/memory/ann/k?scope=team')).status, 404, 'deleted once');
  const history = await as(fleet, bob, 'GET', '/memory/history/bob/k?scope=team');
  t.match(history.body, { key: 'k', scope: 'team', deleted: true, version: 3 });
  t.same(
    history.body.versions.map((v: { version: number; handle: string; deleted: boolean }) => [
      v.version,
      v.handle,
      v.deleted,
    ]),
    [
      [1, 'ann', false],
      [2, 'bob', false],
      [3, 'ann', true],
    ],
  );
  await as(fleet, bob, 'POST', '/memory/store', { key: 'mine', value: 'bob only' });
  t.equal((await as(fleet, ann, 'DELETE', '/memory/bob/mine')).status, 403, 'a worker cannot delete another’s');
  t.equal((await as(fleet, lead, 'DELETE', '/memory/bob/mine')).status, 200, 'its lead can');
});

t.test('search: words, prefixes, visibility; a query without a word is a 400, never a 500', async (t) => {
  const { fleet, ann, bob, betaAnn } = await fleetWithTeams(t);
  await as(fleet, ann, 'POST', '/memory/store', { key: 'runner-flag', value: 'pass --runInBand to jest' });
  await as(fleet, ann, 'POST', '/memory/store', { key: 'ci', value: 'the runner image is node 20', scope: 'team' });
  await as(fleet, bob, 'POST', '/memory/store', { key: 'bob-note', value: 'runner is flaky on mondays' });
  await as(fleet, betaAnn, 'POST', '/memory/store', { key: 'runner', value: 'beta runner', scope: 'team' });
  const found = await as(fleet, ann, 'POST', '/memory/search', { query: 'runner' });
  t.same(
    found.body.results.map((r: { key: string }) => r.key),
    ['runner-flag', 'ci'],
    "her own first (the key's word), then the team's; never bob's or team beta's",
  );
  t.ok(found.body.results.every((r: { score: number }) => r.score > 0));
  const prefix = await as(fleet, bob, 'POST', '/memory/search', { query: 'flak*', scope: 'worker' });
  t.same(
    prefix.body.results.map((r: { key: string }) => r.key),
    ['bob-note'],
  );
  for (const query of ['"', '***', '-', '()'])
    t.match(
      await as(fleet, ann, 'POST', '/memory/search', { query }),
      { status: 400, body: { code: 'KNOWLEDGE_MEMORY_EMPTY_QUERY', field: 'query' } },
      `${query}: 400`,
    );
  for (const query of ['NEAR(runner', 'runner AND OR', 'runner:*', "runner'; drop table x"]) {
    const response = await as(fleet, ann, 'POST', '/memory/search', { query });
    t.equal(response.status, 200, `${query}: searched`);
  }
});

t.test('tools: memory_store, memory_recall, memory_search, memory_list, memory_delete, memory_history', async (t) => {
  const { fleet, ann, bob } = await fleetWithTeams(t);
  const stored = toolJson(
    await callTool(fleet, ann, 'memory_store', {
      key: 'db',
      value: 'postgres 16 on 5433',
      memory_type: 'config',
      tags: ['db'],
    }),
  );
  t.match(stored, { key: 'db', memoryType: 'config', version: 1, agentId: 'ann' });
  const conflict = await callTool(fleet, ann, 'memory_store', { key: 'db', value: 'x', expected_version: 0 });
  t.ok(conflict.isError);
  t.match(toolText(conflict), /^KNOWLEDGE_MEMORY_VERSION_CONFLICT: expectedVersion: /);
  t.match(toolJson(await callTool(fleet, ann, 'memory_recall', { key: 'db' })), { value: 'postgres 16 on 5433' });
  const notYours = await callTool(fleet, bob, 'memory_recall', { key: 'db', agent_id: 'ann' });
  t.ok(notYours.isError);
  t.match(toolText(notYours), /^KNOWLEDGE_MEMORY_NOT_YOURS/);
  const bobRecall = await callTool(fleet, bob, 'memory_recall', { key: 'db' });
  t.match(toolText(bobRecall), /^KNOWLEDGE_MEMORY_NOT_FOUND/, "bob's recall looks in his own and the team's");
  const search = toolJson(await callTool(fleet, ann, 'memory_search', { query: 'postgres', memory_type: 'config' }));
  t.equal(search.results.length, 1);
  t.equal(toolJson(await callTool(fleet, ann, 'memory_list', {})).memories.length, 1);
  t.match(toolJson(await callTool(fleet, ann, 'memory_delete', { key: 'db', expected_version: 1 })), {
    deleted: true,
    version: 2,
  });
  t.equal(toolJson(await callTool(fleet, ann, 'memory_history', { key: 'db' })).versions.length, 2);
  const bad = await callTool(fleet, ann, 'memory_store', { key: '', value: 'v' });
  t.ok(bad.isError);
  t.match(toolText(bad), /key/);
});

t.test('bad input per operation: 400 with the code and the field', async (t) => {
  const { fleet, ann } = await fleetWithTeams(t);
  const cases: [string, string, unknown, string][] = [
    ['POST', '/memory/store', { value: 'v' }, 'key'],
    ['POST', '/memory/store', { key: 'k' }, 'value'],
    ['POST', '/memory/store', { key: 'k'.repeat(201), value: 'v' }, 'key'],
    ['POST', '/memory/store', { key: 'k', value: 'v'.repeat(20_001) }, 'value'],
    ['POST', '/memory/store', { key: 'k', value: 'v', tags: 'a,b' }, 'tags'],
    ['POST', '/memory/store', { key: 'k', value: 'v', tags: Array(21).fill('t') }, 'tags'],
    ['POST', '/memory/store', { key: 'k', value: 'v', scope: 'global' }, 'scope'],
    ['POST', '/memory/store', { key: 'k', value: 'v', expectedVersion: -1 }, 'expectedVersion'],
    ['POST', '/memory/store', { key: 'k', value: 'v', expectedVersion: 1.5 }, 'expectedVersion'],
    ['POST', '/memory/store', { key: 'k', value: 'v', memoryType: 'a b' }, 'memoryType'],
    ['POST', '/memory/store', { key: 'k', value: 'v', agentId: 'bad handle!' }, 'agentId'],
    ['GET', `/memory/recall/ann/${'k'.repeat(201)}`, undefined, 'key'],
    ['GET', '/memory/recall/ann/k?scope=all', undefined, 'scope'],
    ['POST', '/memory/search', {}, 'query'],
    ['POST', '/memory/search', { query: 'x', limit: 0 }, 'limit'],
    ['POST', '/memory/search', { query: 'x', scope: 'everyone' }, 'scope'],
    ['GET', '/memory/ann?limit=abc', undefined, 'limit'],
    ['GET', '/memory/ann?offset=-1', undefined, 'offset'],
    ['DELETE', '/memory/ann/k?expectedVersion=abc', undefined, 'expectedVersion'],
    ['GET', '/memory/history/ann/k?scope=x', undefined, 'scope'],
  ];
  for (const [method, path, body, field] of cases) {
    const response = await as(fleet, ann, method, path, body);
    t.equal(response.status, 400, `${method} ${path.slice(0, 60)}: 400`);
    t.match(response.body, { code: 'FLEET_INVALID_INPUT', field }, `names ${field}`);
  }
  const unauthenticated = await fleet.request('POST', '/memory/store', { body: { key: 'k', value: 'v' } });
  t.equal(unauthenticated.status, 401);
});
