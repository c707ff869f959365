/**
 * Accounting with the fake agent in real tmux panes: every result's tokens (input, output, cache
 * read and write) and cost, by model, attributed to its worker, task, session and team; the sum over
 * sessions equals what the transcripts report (the last cumulative modelUsage of each session);
 * a crash and --resume, a result read again and a server restart count nothing twice; a cost the
 * agent does not report is unknown (null), its tokens still counted, or priced from the config;
 * GET /costs by each grouping and time range; the Prometheus counters; other teams see nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  EventSocket,
  fakeAgentWorkers,
  killTmuxServer,
  killWorkerProcesses,
  privateTmux,
  startFleet,
  type TestFleet,
  tempDir,
  waitFor,
} from '../../test/kit/index.js';
import type { SessionsApi } from './index.js';

function boot(
  t: Test,
  dataDir: string,
  socket: string,
  extra: { storage?: TestFleet['storage']; sessions?: boolean | Record<string, unknown> } = {},
) {
  return startFleet(t, {
    dataDir,
    config: {
      server: { rateLimit: { max: 1_000_000 } },
      log: { level: 'debug' },
      ...(extra.storage ? { storage: extra.storage } : {}),
    },
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      metrics: true,
      sessions: extra.sessions ?? true,
      workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' } }),
    },
  });
}

function place(t: Test, tag: string) {
  const dataDir = tempDir(t, `fleet-${tag}-`);
  const socket = privateTmux(t, tag);
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  return { dataDir, socket };
}

type Tokens = { input: number; output: number; cacheRead: number; cacheWrite: number };

/**
 * What the transcripts report: for each session, its last result's modelUsage (cumulative), summed
 * over sessions by model, and the last cost each model reported.
 */
function transcriptTotals(log: string): Map<string, Tokens & { costUsd: number }> {
  const lastBySession = new Map<string, Record<string, any>>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (!line.includes('"type":"result"')) continue;
    const result = JSON.parse(line);
    const seen = lastBySession.get(result.session_id) ?? {};
    // A model's cost stays what it last reported (a result without costUSD leaves it unknown).
    for (const [model, usage] of Object.entries<any>(result.modelUsage))
      seen[model] = { ...usage, costUSD: usage.costUSD ?? seen[model]?.costUSD ?? 0 };
    lastBySession.set(result.session_id, seen);
  }
  const totals = new Map<string, Tokens & { costUsd: number }>();
  for (const models of lastBySession.values()) {
    for (const [model, usage] of Object.entries<any>(models)) {
      const sum = totals.get(model) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0 };
      sum.input += usage.inputTokens;
      sum.output += usage.outputTokens;
      sum.cacheRead += usage.cacheReadInputTokens;
      sum.cacheWrite += usage.cacheCreationInputTokens;
      sum.costUsd = Math.round((sum.costUsd + usage.costUSD) * 1e9) / 1e9;
      totals.set(model, sum);
    }
  }
  return totals;
}

t.test('results accounted by worker, task, session, team and model; sums match the transcripts', async (t) => {
  const { dataDir, socket } = place(t, 'acct');
  const a = await boot(t, dataDir, socket);
  const lead = (await a.register('lead', 'alpha', 'team-lead')).token;
  const beta = (await a.register('lead', 'beta', 'team-lead')).token;
  const call = (fleet: TestFleet, method: string, path: string, body?: unknown, token = lead) =>
    fleet.request(method, path, { token, body });
  const ws = await EventSocket.open(t, a.url, lead);
  const worker = async (fleet: TestFleet) =>
    ((await call(fleet, 'GET', '/orchestrate/workers')).body as any[]).find((x) => x.handle === 'w1');
  const turns = (fleet: TestFleet, n: number) =>
    waitFor(
      `w1 idle after ${n} turns`,
      async () => {
        const seen = await worker(fleet);
        return seen?.state === 'idle' && seen.numTurns === n ? seen : undefined;
      },
      30_000,
    );

  const task = (await call(a, 'POST', '/tasks', { subject: 'count the tokens' })).body;
  const spawned = await call(a, 'POST', '/orchestrate/spawn', {
    handle: 'w1',
    workingDir: dataDir,
    initialPrompt: `USAGE 2000 30 500 40\nSUBAGENT haiku 7 3\nTOOL team_claim {"task_id":"${task.id}"}`,
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  await turns(a, 1);
  await call(a, 'POST', '/orchestrate/send/w1', { message: 'plain' });
  await turns(a, 2);
  // A crash mid-turn: the restart resumes the same session; its figures carry on.
  await call(a, 'POST', '/orchestrate/send/w1', { message: 'CRASH' });
  await waitFor('restarted', async () => (await worker(a))?.restartCount === 1);
  await turns(a, 3);
  const api = a.kernel.api<SessionsApi>('sessions')!;
  await api.settled();

  const listed = (await call(a, 'GET', '/sessions/worker/w1')).body;
  t.equal(listed.sessions.length, 1, 'one session: --resume stays in it');
  const session = listed.sessions[0];
  t.match(session, {
    handle: 'w1',
    agentSessionId: spawned.body.sessionId,
    parentId: null,
    derivation: 'root',
    taskId: task.id,
    model: 'fake-model-1',
    endedAt: null,
    results: 3,
    inputTokens: 2207,
    outputTokens: 53,
    cacheReadTokens: 500,
    cacheWriteTokens: 40,
    costUsd: 0.0037,
    unpricedResults: 0,
    contextTokens: 110,
  });
  t.same((await call(a, 'GET', `/sessions/${session.id}`)).body, session, 'GET /sessions/:id');
  t.same((await call(a, 'GET', `/sessions/${session.agentSessionId}`)).body, session, "or by Claude's session id");

  // No cost reported (subscription): tokens counted, cost unknown.
  await call(a, 'POST', '/orchestrate/send/w1', { message: 'NOCOST\nUSAGE 300 20' });
  await turns(a, 4);
  await api.settled();
  const after = (await call(a, 'GET', `/sessions/${session.id}`)).body;
  t.match(after, { results: 4, inputTokens: 2507, outputTokens: 73, costUsd: 0.0037, unpricedResults: 1 });

  const recorded = ws.of('cost_recorded', 'w1');
  t.equal(recorded.length, 4, 'one cost_recorded per result');
  t.match(recorded[0], {
    sessionId: session.id,
    taskId: task.id,
    costUsd: 0.0013,
    contextTokens: 2570,
    models: [
      { model: 'fake-model-1', inputTokens: 2000, outputTokens: 30, cacheReadTokens: 500, cacheWriteTokens: 40 },
      { model: 'haiku', inputTokens: 7, outputTokens: 3, costUsd: 0.0001, costSource: 'reported' },
    ],
  });
  t.match(recorded[3], {
    costUsd: null,
    models: [{ model: 'fake-model-1', inputTokens: 300, costUsd: null, costSource: null }],
  });
  t.match(ws.of('session_started', 'w1'), [{ session: { id: session.id, agentSessionId: spawned.body.sessionId } }]);

  // The sum over sessions equals what the transcripts report.
  const reported = transcriptTotals(join(dataDir, 'workers', 'alpha', 'w1', 'output.log'));
  const byModel = (await call(a, 'GET', '/costs?by=model')).body;
  for (const [model, sum] of reported) {
    const group = byModel.groups.find((g: any) => g.key === model);
    t.match(
      group,
      {
        inputTokens: sum.input,
        outputTokens: sum.output,
        cacheReadTokens: sum.cacheRead,
        cacheWriteTokens: sum.cacheWrite,
        costUsd: sum.costUsd,
      },
      `${model}: the accounting equals the transcripts`,
    );
  }
  t.equal(byModel.groupCount, reported.size, 'and no model besides');
  t.match(byModel.total, { results: 5, inputTokens: 2507, outputTokens: 73, costUsd: 0.0037, unpricedResults: 1 });

  const byTask = (await call(a, 'GET', '/costs?by=task')).body;
  t.match(byTask, { by: 'task', groups: [{ key: task.id, results: 4, inputTokens: 2507 }], groupCount: 1 });
  t.match((await call(a, 'GET', '/costs?by=worker')).body.groups, [{ key: 'w1', results: 4, costUsd: 0.0037 }]);
  t.match((await call(a, 'GET', '/costs?by=session')).body.groups, [{ key: session.id, results: 4 }]);
  t.match((await call(a, 'GET', '/costs?by=team')).body.groups, [{ key: 'alpha', results: 4, unpricedResults: 1 }]);
  const future = (await call(a, 'GET', `/costs?by=worker&since=${Date.now() + 60_000}`)).body;
  t.match(
    future,
    { groups: [], groupCount: 0, total: { results: 0, costUsd: null } },
    'nothing in a later range: cost null',
  );
  const iso = new Date(Date.now() - 3_600_000).toISOString();
  t.equal((await call(a, 'GET', `/costs?by=worker&since=${iso}`)).body.total.results, 4, 'an ISO since');

  // Prometheus counters, fleet-wide.
  const metrics = await fetch(`${a.url}/metrics`).then((r) => r.text());
  t.match(metrics, /fleet_session_tokens_total\{kind="input",model="fake-model-1"\} 2500/);
  t.match(metrics, /fleet_session_cost_usd_total\{model="haiku",source="reported"\} 0\.0001/);
  t.match(metrics, /fleet_session_results_total\{cost="unknown"\} 1/);

  // A result read again (a server that died before saving its offset) is the same result.
  const again = ws.received.find((m) => m.type === 'worker_usage' && m.numTurns === 2)!;
  const { type: _type, seq: _seq, ts: _ts, topic: _topic, team: _team, ...data } = again;
  a.kernel.spine.publish({ topic: 'team.alpha.workers.w1', type: 'worker_usage', team: 'alpha', data });
  await api.settled();
  t.match(
    (await call(a, 'GET', `/sessions/${session.id}`)).body,
    { results: 4, inputTokens: 2507 },
    'not counted twice',
  );

  // Other teams see none of it.
  t.same((await call(a, 'GET', '/costs?by=worker', undefined, beta)).body.groups, []);
  t.equal((await call(a, 'GET', `/sessions/${session.id}`, undefined, beta)).status, 404);
  t.same((await call(a, 'GET', '/sessions/worker/w1', undefined, beta)).body.sessions, []);

  // A restarted server: the worker is re-adopted, nothing is counted twice, new results still are.
  await a.kernel.stop();
  const b = await boot(t, dataDir, socket, { storage: a.storage });
  await call(b, 'POST', '/orchestrate/send/w1', { message: 'USAGE 1 1' });
  await turns(b, 5);
  await b.kernel.api<SessionsApi>('sessions')!.settled();
  t.match((await call(b, 'GET', `/sessions/${session.id}`)).body, { results: 5, inputTokens: 2508, outputTokens: 74 });
  t.equal((await call(b, 'GET', '/sessions/worker/w1')).body.sessions.length, 1, 'still one session');
});

t.test('a price table prices the tokens of results without a cost', async (t) => {
  const { dataDir, socket } = place(t, 'price');
  const fleet = await boot(t, dataDir, socket, { sessions: { prices: { 'fake-*': { input: 2, output: 10 } } } });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const spawned = await fleet.request('POST', '/orchestrate/spawn', {
    token: lead,
    body: { handle: 'p1', workingDir: dataDir, initialPrompt: 'NOCOST\nUSAGE 1000 100' },
  });
  t.equal(spawned.status, 201);
  await waitFor('p1 idle', async () => {
    const listed = (await fleet.request('GET', '/orchestrate/workers', { token: lead })).body as any[];
    return listed.find((x) => x.handle === 'p1')?.numTurns === 1;
  });
  await fleet.kernel.api<SessionsApi>('sessions')!.settled();
  const costs = (await fleet.request('GET', '/costs?by=model', { token: lead })).body;
  // (1000 × $2 + 100 × $10) per million tokens.
  t.match(costs.groups, [
    { key: 'fake-model-1', inputTokens: 1000, outputTokens: 100, costUsd: 0.003, unpricedResults: 0 },
  ]);
});

t.test(
  'turned on later: the sessions of running workers are found, their totals are what the agent reports',
  async (t) => {
    const { dataDir, socket } = place(t, 'late');
    const a = await boot(t, dataDir, socket, { sessions: false });
    const lead = (await a.register('lead', 'alpha', 'team-lead')).token;
    const call = (fleet: TestFleet, method: string, path: string, body?: unknown) =>
      fleet.request(method, path, { token: lead, body });
    const worker = async (fleet: TestFleet, handle: string) =>
      ((await call(fleet, 'GET', '/orchestrate/workers')).body as any[]).find((x) => x.handle === handle);
    const turns = (fleet: TestFleet, handle: string, n: number) =>
      waitFor(`${handle} after ${n} turns`, async () => {
        const seen = await worker(fleet, handle);
        return seen?.state === 'idle' && seen.numTurns === n ? seen : undefined;
      });
    const spawned = await call(a, 'POST', '/orchestrate/spawn', {
      handle: 'early',
      workingDir: dataDir,
      initialPrompt: 'USAGE 500 5',
    });
    await call(a, 'POST', '/orchestrate/spawn', { handle: 'gone', workingDir: dataDir, initialPrompt: 'hi' });
    await turns(a, 'early', 1);
    await turns(a, 'gone', 1);
    await call(a, 'POST', '/orchestrate/send/early', { message: 'USAGE 700 7' });
    await turns(a, 'early', 2);
    await a.kernel.stop();

    // The same data dir with sessions on: early runs on (re-adopted), its session gets a record.
    const b = await boot(t, dataDir, socket, { storage: a.storage });
    const api = b.kernel.api<SessionsApi>('sessions')!;
    const [found] = (await call(b, 'GET', '/sessions/worker/early')).body.sessions;
    t.match(
      found,
      { agentSessionId: spawned.body.sessionId, results: 0, endedAt: null },
      'its running session is recorded',
    );
    // Dismissed while sessions is on: its session ends.
    await call(b, 'POST', '/orchestrate/dismiss/gone');
    await call(b, 'POST', '/orchestrate/send/early', { message: 'USAGE 100 1' });
    await turns(b, 'early', 3);
    await api.settled();
    // Its first result seen is counted from the session's start: what the agent reports in all.
    t.match((await call(b, 'GET', `/sessions/${found.id}`)).body, {
      results: 1,
      inputTokens: 1300,
      outputTokens: 13,
      costUsd: 0.0036,
    });
    t.match((await call(b, 'GET', '/sessions/worker/gone')).body.sessions, [{ endReason: 'dismissed' }]);
  },
);
