/**
 * Search over what agents wrote, with the fake agent in real tmux panes: its text and tool calls
 * are indexed in batches (never on the output path), found by word with stemming and prefixes,
 * filtered by worker, session and time, paged, ranked, with snippets; a query is words only (no
 * engine syntax, so nothing a caller types is an error there); the tool answers as the route does;
 * another team finds nothing. Runs on SQLite (FTS5) and PostgreSQL (tsvector) alike.
 */
import t from 'tap';
import { callTool, startWorkerFleet, toolJson } from '../../test/kit/index.js';
import { searchTerms } from './search.js';
import type { SessionsApi } from './index.js';

t.test('searchTerms: words, prefixes, nothing of the engines’ syntax', async (t) => {
  t.same(searchTerms('Purple "elephant" OR NEAR(x) eleph* -not'), [
    { word: 'purple', prefix: false },
    { word: 'elephant', prefix: false },
    { word: 'or', prefix: false },
    { word: 'near', prefix: false },
    { word: 'x', prefix: false },
    { word: 'eleph', prefix: true },
    { word: 'not', prefix: false },
  ]);
  t.same(searchTerms('Ünïcode 数字 snake_case'), [
    { word: 'ünïcode', prefix: false },
    { word: '数字', prefix: false },
    { word: 'snake_case', prefix: false },
  ]);
  t.throws(() => searchTerms('!!! *** ""'), {
    code: 'SESSIONS_EMPTY_QUERY',
    message: 'query: must contain a word to search for',
  });
  t.equal(searchTerms(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ')).length, 20, 'at most 20 words');
});

t.test('what agents wrote is found by word, worker, session and time', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { sessions: { indexDelayMs: 50 } } });
  const call = (body: unknown, token = w.lead) => w.fleet.request('POST', '/sessions/search', { token, body });
  const idle = (handle: string, turns: number) =>
    w.waitWorker(handle, (x) => x.state === 'idle' && x.numTurns === turns, `idle after ${turns} turns`);
  const before = Date.now();
  await w.spawn('w1', { initialPrompt: 'ECHO\nthe purple elephants were dancing in the rain' });
  await w.spawn('w2', { initialPrompt: 'ECHO\na purple giraffe\nWRITE /src/app/main.ts' });
  await idle('w1', 1);
  await idle('w2', 1);
  const api = w.fleet.kernel.api<SessionsApi>('sessions')!;
  await api.settled();
  const [s1] = (await w.fleet.request('GET', '/sessions/worker/w1', { token: w.lead })).body.sessions;
  const [s2] = (await w.fleet.request('GET', '/sessions/worker/w2', { token: w.lead })).body.sessions;

  const purple = (await call({ query: 'purple' })).body;
  t.same(purple.results.map((hit: any) => hit.handle).sort(), ['w1', 'w2'], 'both workers wrote purple');
  t.equal(purple.hasMore, false);
  const stemmed = (await call({ query: 'elephant dance' })).body;
  t.equal(stemmed.results.length, 1, 'stemming: elephants dancing matches elephant dance');
  t.match(stemmed.results[0], {
    sessionId: s1.id,
    handle: 'w1',
    kind: 'text',
    snippet: /<b>elephants<\/b>.*<b>dancing<\/b>/,
  });
  t.ok(stemmed.results[0].timestamp >= before && stemmed.results[0].at, 'when it was written');
  t.equal((await call({ query: 'eleph*' })).body.results.length, 1, 'a prefix');
  t.equal((await call({ query: 'purple unicorn' })).body.results.length, 0, 'every word must match');
  // The tool call and the echoed prompt both name the path; the snippet marks the word (on
  // PostgreSQL a path's / and . may come spaced out in the snippet, as the index splits them).
  const tool = (await call({ query: 'main' })).body.results.filter((hit: any) => hit.kind === 'tool');
  t.match(tool, [{ handle: 'w2', kind: 'tool', snippet: /^Edit .*<b>main<\/b>/ }], 'tool calls, by their paths');
  t.equal(tool.length, 1);

  t.same(
    (await call({ query: 'purple', handle: 'w2' })).body.results.map((h: any) => h.sessionId),
    [s2.id],
    'by worker',
  );
  t.same(
    (await call({ query: 'purple', sessionId: s1.id })).body.results.map((h: any) => h.handle),
    ['w1'],
    'by session',
  );
  t.equal((await call({ query: 'purple', since: Date.now() + 60_000 })).body.results.length, 0, 'by time');
  t.equal((await call({ query: 'purple', until: new Date(before).toISOString() })).body.results.length, 0);
  const first = (await call({ query: 'purple', limit: 1 })).body;
  const second = (await call({ query: 'purple', limit: 1, offset: 1 })).body;
  t.equal(first.hasMore, true, 'paged: more after the first');
  t.equal(second.hasMore, false);
  t.not(first.results[0].handle, second.results[0].handle, 'the second page has the other');
  t.ok(first.results[0].score >= second.results[0].score, 'best first');

  // Whatever is typed, the engines see words only: no syntax error is possible.
  for (const query of [
    '"purple',
    'purple AND (',
    'NEAR(purple, 3)',
    'purple:*',
    "'; drop table session_text; --",
    '^purple',
  ])
    t.equal((await call({ query })).status, 200, `query ${query}`);
  t.match(await call({ query: '***' }), { status: 400, body: { code: 'SESSIONS_EMPTY_QUERY' } });
  t.match(await call({ query: 'purple', since: 10, until: 5 }), {
    status: 400,
    body: { error: 'until: must be after since' },
  });

  // The tool answers as the route does; another team finds nothing.
  const lead = { handle: 'lead', uid: '', token: w.lead, teamName: 'alpha' };
  t.same(toolJson(await callTool(w.fleet, lead, 'search_sessions', { query: 'purple' })).results.length, 2);
  const beta = (await w.fleet.register('lead', 'beta', 'team-lead')).token;
  t.same((await call({ query: 'purple' }, beta)).body.results, []);
});
