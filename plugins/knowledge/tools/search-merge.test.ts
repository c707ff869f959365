/**
 * /search with the sessions plugin on: what the fake agent wrote in a real tmux pane (indexed by
 * the sessions plugin) and text given to POST /search/index come back in one list, fused by rank,
 * one hit per session, each saying its source; a session in both lists is one hit, 'both'. Another
 * team sees none of it. Runs on SQLite (FTS5) and PostgreSQL (tsvector) alike.
 */
import t from 'tap';
import { startWorkerFleet } from '../../../test/kit/index.js';
import type { SessionsApi } from '../../sessions/index.js';
import { mergeHits } from './session-texts.js';

t.test('mergeHits: fused by rank, one per session, both lists count', async (t) => {
  const hit = (sessionId: string, rank: number, timestamp = 0) => ({ sessionId, rank, snippet: sessionId, timestamp });
  const merged = mergeHits([hit('a', 1), hit('b', 2)], [hit('c', 1, 5), hit('b', 2)]);
  t.same(
    merged.map((h) => [h.sessionId, h.source]),
    [
      ['b', 'both'],
      ['c', 'sessions'],
      ['a', 'indexed'],
    ],
    'b is second in both lists: above a first in one; c and a tie on rank, the newer first',
  );
  t.equal(merged[0]!.score, Math.round((2 / 62) * 1e6) / 1e6);
  t.same(mergeHits([], []), []);
});

t.test('what agents wrote and indexed text, in one answer', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { sessions: { indexDelayMs: 50 }, knowledge: true } });
  const call = (method: string, path: string, body?: unknown, token = w.lead) =>
    w.fleet.request(method, path, { token, body });
  await w.spawn('w1', { initialPrompt: 'ECHO\nthe turquoise walrus needs the --runInBand flag' });
  await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after 1 turn');
  await w.fleet.kernel.api<SessionsApi>('sessions')!.settled();
  const [session] = (await call('GET', '/sessions/worker/w1')).body.sessions;

  const before = await call('POST', '/search', { query: 'turquoise walrus' });
  t.equal(before.status, 200);
  t.match(before.body.results, [
    { sessionId: session.id, handle: 'w1', source: 'sessions', snippet: /<b>turquoise<\/b>/ },
  ]);
  t.equal(before.body.count, 1, 'one hit per session, however many rows it wrote');

  await call('POST', '/search/index', { sessionId: 'notes-1', content: 'a turquoise walrus seen in the notes' });
  await call('POST', '/search/index', { sessionId: session.id, content: 'summary: the walrus that is turquoise' });
  const merged = (await call('POST', '/search', { query: 'turquoise walrus' })).body;
  t.same(
    merged.results.map((hit: { sessionId: string; source: string }) => [hit.sessionId, hit.source]),
    [
      [session.id, 'both'],
      ['notes-1', 'indexed'],
    ],
  );
  t.equal(merged.results[0].handle, 'w1');
  t.match((await call('GET', '/search/stats')).body, { documentCount: 2, sessionsSearch: true });
  t.same((await call('POST', '/search', { query: 'walrus', limit: 1, offset: 1 })).body.results.length, 1);

  // A phrase is exact in the indexed text, words in what agents wrote (the sessions plugin's language).
  const phrase = (await call('POST', '/search', { query: '"walrus needs"' })).body.results;
  t.same(
    phrase.map((hit: { sessionId: string }) => hit.sessionId),
    [session.id],
  );

  const beta = (await w.fleet.register('lead', 'beta', 'team-lead')).token;
  t.same((await call('POST', '/search', { query: 'walrus' }, beta)).body.results, [], 'another team sees nothing');
  t.equal((await call('GET', '/search/stats', undefined, beta)).body.documentCount, 0);
});
