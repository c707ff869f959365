/**
 * What a result says about spending, read from the agent's own lines (which external workers push,
 * so they are untrusted): counts are finite and non-negative, a cost is a number or unknown (null,
 * never a made-up 0), model names and their number are bounded; and with the fake agent in a real
 * pane, one `worker_usage` event per result: cumulative figures by model, this turn's tokens, the
 * context size of the turn's last request, the session, and where the result is in the log.
 */
import t from 'tap';
import { EventSocket, startWorkerFleet } from '../../test/kit/index.js';
import { apiTokens, contextTokensOf, costOf, modelFigures } from './usage.js';

t.test('usage figures from hostile lines: bounded, never invented', async (t) => {
  t.same(
    apiTokens({ input_tokens: 5, output_tokens: 2.6, cache_read_input_tokens: -3, cache_creation_input_tokens: 'x' }),
    {
      input: 5,
      output: 3,
      cacheRead: 0,
      cacheWrite: 0,
    },
  );
  t.equal(apiTokens(null), null, 'no usage: null, not zeros');
  t.equal(apiTokens([1, 2]), null);
  t.equal(costOf(0.5), 0.5);
  t.equal(costOf(0), 0, 'a reported 0 stays 0');
  for (const bad of [undefined, null, -1, Number.NaN, Number.POSITIVE_INFINITY, '0.5'])
    t.equal(costOf(bad), null, `cost ${String(bad)} is unknown`);
  const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`m${i}`, { inputTokens: 1 }]));
  t.equal(Object.keys(modelFigures(many)).length, 20, 'at most 20 models from one result');
  t.same(
    modelFigures({ '': { inputTokens: 1 }, ['x'.repeat(201)]: { inputTokens: 1 }, ok: 5, m: { costUSD: 0.1 } }),
    { m: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0.1 } },
    'empty and overlong names and non-objects are left out',
  );
  t.equal(modelFigures('nope') && Object.keys(modelFigures('nope')).length, 0);
  const line = JSON.stringify({
    type: 'assistant',
    message: {
      usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 300, cache_creation_input_tokens: 4 },
    },
  });
  t.equal(contextTokensOf(line), 316, 'the context: input, cache read and write, and output');
  t.equal(contextTokensOf('{"type":"assistant","message":{}}'), null);
  t.equal(contextTokensOf('not json'), null);
  t.equal(contextTokensOf(undefined), null);
});

t.test('worker_usage per result: cumulative by model, this turn, the context, the session', async (t) => {
  const w = await startWorkerFleet(t);
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  const spawned = await w.spawn('w1', { initialPrompt: 'USAGE 2000 30 500 40\nSUBAGENT haiku 7 3' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const sessionId = spawned.body.sessionId as string;
  const started = await ws.waitFor('worker_session', (m) => m.type === 'worker_session' && m.handle === 'w1');
  t.match(started, { sessionId, previous: null, reason: 'spawn' }, 'the first session is announced at spawn');
  const first = await ws.waitFor('first usage', (m) => m.type === 'worker_usage' && m.handle === 'w1');
  t.match(first, {
    sessionId,
    model: 'fake-model-1',
    run: 0,
    isError: false,
    numTurns: 1,
    totalCostUsd: 0.0013,
    models: {
      'fake-model-1': { input: 2000, output: 30, cacheRead: 500, cacheWrite: 40, costUsd: 0.0012 },
      haiku: { input: 7, output: 3, cacheRead: 0, cacheWrite: 0, costUsd: 0.0001 },
    },
    turn: { input: 2000, output: 30, cacheRead: 500, cacheWrite: 40 },
    contextTokens: 2570,
  });
  t.ok(first.workerCreatedAt > 0 && first.offset > 0, 'where the result is: the worker and the log offset');
  const lines = await w.allOutput('w1');
  const resultLine = lines.find((line) => line.text.includes('"type":"result"'))!;
  t.equal(first.offset, resultLine.offset + Buffer.byteLength(resultLine.text) + 1, 'the offset is just past its line');

  // A second turn: the figures are the session's so far; the turn's own tokens are its own.
  await w.fleet.request('POST', '/orchestrate/send/w1', { token: w.lead, body: { message: 'plain' } });
  const second = await ws.waitFor('second usage', (m) => m.type === 'worker_usage' && m.numTurns === 2);
  t.match(second, {
    totalCostUsd: 0.0025,
    models: { 'fake-model-1': { input: 2100, output: 40, cacheRead: 500, cacheWrite: 40, costUsd: 0.0024 } },
    turn: { input: 100, output: 10, cacheRead: 0, cacheWrite: 0 },
    contextTokens: 110,
  });

  // No cost reported (a subscription): tokens still come, the cost is null.
  await w.fleet.request('POST', '/orchestrate/send/w1', { token: w.lead, body: { message: 'NOCOST' } });
  const third = await ws.waitFor('third usage', (m) => m.type === 'worker_usage' && m.numTurns === 3);
  t.equal(third.totalCostUsd, null, 'no total_cost_usd: null');
  t.match(third.models['fake-model-1'], { input: 2200, costUsd: null });
  t.equal(ws.of('worker_session', 'w1').length, 1, 'the session did not change');
});
