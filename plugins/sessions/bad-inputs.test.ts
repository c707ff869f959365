/**
 * Bad input to every operation: a clear 4xx with a code and the field's name, never a 500. The
 * fleet has no workers plugin: what needs a worker says so.
 */
import t from 'tap';
import { startFleet } from '../../test/kit/index.js';

t.test('sessions: bad inputs are refused naming the field', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, sessions: true } });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const worker = (await fleet.register('w1', 'alpha', 'worker')).token;
  await fleet.register('w2', 'alpha', 'worker');
  const recorded = await fleet.request('POST', '/sessions', {
    token: lead,
    body: { handle: 'w1', agentSessionId: 'agent-1' },
  });
  t.equal(recorded.status, 201, JSON.stringify(recorded.body));
  const id = recorded.body.id as string;

  const cases: [string, string, unknown, number, string, string?][] = [
    ['POST', '/sessions', { handle: 'bad handle!' }, 400, 'handle: may contain only letters, digits, _ and -'],
    [
      'POST',
      '/sessions',
      { handle: 'nobody' },
      404,
      'handle: no agent nobody in your team',
      'SESSIONS_AGENT_NOT_FOUND',
    ],
    [
      'POST',
      '/sessions',
      { parentId: 'nope' },
      400,
      'parentId: no session nope in your team',
      'SESSIONS_PARENT_NOT_FOUND',
    ],
    ['POST', '/sessions', { derivation: 'forked' }, 400, 'derivation: must be one of root, continued, trimmed'],
    [
      'POST',
      '/sessions',
      { agentSessionId: 'has space' },
      400,
      'agentSessionId: must be a session id (letters, digits, . _ : -; at most 200)',
    ],
    [
      'POST',
      '/sessions',
      { handle: 'w1', agentSessionId: 'agent-1' },
      409,
      `Session agent-1 of w1 is already recorded (${id})`,
      'SESSIONS_DUPLICATE',
    ],
    ['POST', '/sessions', { summary: 'x'.repeat(50_001) }, 400, 'summary: must be at most 50000 characters'],
    ['POST', '/sessions', { model: '' }, 400, 'model: is required'],
    ['GET', '/sessions/unknown-id', undefined, 404, 'Session unknown-id not found', 'SESSIONS_NOT_FOUND'],
    ['GET', '/sessions/a%20b', undefined, 400, 'id: must be a session id (letters, digits, . _ : -; at most 200)'],
    ['GET', '/sessions/worker/bad!', undefined, 400, 'handle: may contain only letters, digits, _ and -'],
    ['GET', '/sessions/worker/w1?limit=0', undefined, 400, 'limit: must be at least 1'],
    ['GET', '/sessions/worker/w1?limit=201', undefined, 400, 'limit: must be at most 200'],
    ['GET', '/sessions/worker/w1?offset=-1', undefined, 400, 'offset: must be at least 0'],
    ['POST', `/sessions/${id}/trim`, { deadlineSeconds: 601 }, 400, 'deadlineSeconds: must be at most 600'],
    ['POST', `/sessions/${id}/trim`, { deadlineSeconds: 'soon' }, 400, 'deadlineSeconds: must be a whole number'],
    ['POST', `/sessions/${id}/trim`, { continue: 'maybe' }, 400, 'continue: must be true or false'],
    ['POST', `/sessions/${id}/trim`, { prompt: 'x'.repeat(20_001) }, 400, 'prompt: must be at most 20000 characters'],
    [
      'POST',
      `/sessions/${id}/trim`,
      {},
      409,
      `Session ${id} belongs to no worker of the fleet (it was recorded by hand)`,
      'SESSIONS_NOT_A_WORKER',
    ],
    ['POST', '/sessions/nope/trim', {}, 404, 'Session nope not found'],
    [
      'POST',
      `/sessions/${id}/continue`,
      {},
      409,
      `Session ${id} is still running: trim it first`,
      'SESSIONS_NOT_ENDED',
    ],
    ['POST', `/sessions/${id}/continue`, { checkpointId: 0 }, 400, 'checkpointId: must be at least 1'],
    ['GET', '/sessions/nope/lineage', undefined, 404, 'Session nope not found'],
    ['POST', '/sessions/search', {}, 400, 'query: is required'],
    ['POST', '/sessions/search', { query: '' }, 400, 'query: is required'],
    ['POST', '/sessions/search', { query: 'x'.repeat(501) }, 400, 'query: must be at most 500 characters'],
    [
      'POST',
      '/sessions/search',
      { query: '?!' },
      400,
      'query: must contain a word to search for',
      'SESSIONS_EMPTY_QUERY',
    ],
    ['POST', '/sessions/search', { query: 'x', limit: 101 }, 400, 'limit: must be at most 100'],
    [
      'POST',
      '/sessions/search',
      { query: 'x', since: 'yesterday' },
      400,
      'since: must be a time (ISO 8601, or ms since the epoch)',
    ],
    [
      'POST',
      '/sessions/search',
      { query: 'x', until: -5 },
      400,
      'until: must be a time (ISO 8601, or ms since the epoch)',
    ],
    ['POST', '/sessions/search', { query: 'x', handle: 7 }, 400, 'handle: must be a string'],
    ['GET', '/costs?by=day', undefined, 400, 'by: must be one of task, worker, session, team, model'],
    ['GET', '/costs?since=abc', undefined, 400, 'since: must be a time (ISO 8601, or ms since the epoch)'],
    [
      'GET',
      '/costs?since=2026-02-31T00:00:00Z',
      undefined,
      400,
      'since: must be a time (ISO 8601, or ms since the epoch)',
    ],
    ['GET', '/costs?since=2000&until=1000', undefined, 400, 'until: must be after since', 'SESSIONS_BAD_RANGE'],
    ['GET', '/costs?limit=1001', undefined, 400, 'limit: must be at most 1000'],
  ];
  for (const [method, path, body, status, error, code] of cases) {
    const response = await fleet.request(method, path, { token: lead, body });
    t.match(
      response,
      { status, body: { error, ...(code ? { code } : {}) } },
      `${method} ${path.slice(0, 60)} ${JSON.stringify(body ?? '').slice(0, 60)}`,
    );
  }

  // A worker acts for itself only; it may not trim another's session.
  t.match(await fleet.request('POST', '/sessions', { token: worker, body: { handle: 'w2' } }), {
    status: 403,
    body: { code: 'FLEET_ACT_AS_DENIED' },
  });
  const other = await fleet.request('POST', '/sessions', { token: lead, body: { handle: 'w2' } });
  t.match(await fleet.request('POST', `/sessions/${other.body.id}/trim`, { token: worker }), {
    status: 403,
    body: { code: 'SESSIONS_NOT_YOURS', error: 'Only a team lead or w2 itself may trim this session' },
  });
  t.equal((await fleet.request('POST', '/sessions', { token: worker, body: {} })).status, 201, 'its own session');
});
