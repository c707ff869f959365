/**
 * The workers plugin end to end with the fake agent in real tmux panes: the window and its title,
 * lifecycle states from the log, the result recorded, a fleet MCP tool the agent called, a second
 * turn from send, output pages by cursor, WebSocket events to the team only, DMs and task
 * assignments forwarded to the agent, and a dismiss that leaves nothing behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  EventSocket,
  groupAlive,
  logLines,
  running,
  startWorkerFleet,
  tmuxSync,
  waitFor,
} from '../../test/kit/index.js';

const call = (
  fleet: { request: (...a: any[]) => Promise<any> },
  token: string,
  name: string,
  args: Record<string, unknown>,
) =>
  fleet
    .request('POST', '/mcp/call', { token, body: { name, arguments: args } })
    .then((r: any) => r.body as { content: { text: string }[]; isError?: boolean });

t.test('spawn → ready → working → idle, a fleet tool called by the agent, send, output, events, dismiss', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const ws = await EventSocket.open(t, fleet.url, w.lead);
  const otherLead = (await fleet.register('lead', 'beta', 'team-lead')).token;
  const otherWs = await EventSocket.open(t, fleet.url, otherLead);

  const prompt = 'TOOL create_task {"subject":"made by the worker"}\nTOOL team_status {}';
  const spawned = await w.spawn('w1', { initialPrompt: prompt });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  t.match(spawned.body, {
    handle: 'w1',
    teamName: 'alpha',
    adapter: 'claude',
    state: 'starting',
    health: 'healthy',
    paneId: /^%\d+$/,
    workingDir: fleet.dataDir,
    restartCount: 0,
    spawnedBy: 'lead',
  });
  t.match(spawned.body.sessionId, /^[0-9a-f-]{36}$/, 'a session id is chosen at spawn (--session-id)');

  // tmux: one window named by the handle, its pane titled worker:<handle>.
  const panes = tmuxSync(w.socket, [
    'list-panes',
    '-s',
    '-t',
    '=fleet',
    '-F',
    '#{pane_id}|#{window_name}|#{pane_title}',
  ])
    .trim()
    .split('\n');
  t.ok(panes.includes(`${spawned.body.paneId}|w1|worker:w1`), `window w1 titled worker:w1 (${panes.join(', ')})`);
  const board = tmuxSync(w.socket, ['list-panes', '-t', '=fleet:fleet', '-F', '#{pane_start_command}']);
  t.match(board, `board --url ${fleet.url}`, 'the first window is the board, given the fleet’s real URL (not port 0)');

  const idle = await w.waitWorker('w1', (x) => x.state === 'idle', 'idle after the first turn');
  t.equal(idle.sessionId, spawned.body.sessionId, 'ready with the session id the agent reported');
  t.equal(idle.result, 'create_task: ok; team_status: ok', 'result text recorded');
  t.equal(idle.costUsd, 0.0012, 'cost recorded');
  t.same(
    idle.usage,
    { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    'usage recorded',
  );
  t.equal(idle.numTurns, 1);
  t.same(
    ws.of('worker_state', 'w1').map((m) => [m.previous, m.state]),
    [
      ['starting', 'ready'],
      ['ready', 'working'],
      ['working', 'idle'],
    ],
    'states in order: starting → ready → working → idle',
  );
  t.match(ws.of('worker_result', 'w1')[0], {
    result: 'create_task: ok; team_status: ok',
    costUsd: 0.0012,
    numTurns: 1,
    isError: false,
  });

  // The agent's MCP call went through fleet mcp with the worker's own token and changed fleet state.
  const tasks = await fleet.request('GET', '/teams/alpha/tasks', { token: w.lead });
  const made = (tasks.body as any[]).find((task) => task.subject === 'made by the worker');
  t.ok(made, 'the task the agent created exists');
  t.match(JSON.stringify(made), /w1/, 'created by the worker w1');
  const agents = await fleet.request('GET', '/teams/alpha/agents', { token: w.lead });
  if (agents.status === 200)
    t.ok(
      (agents.body as any[]).some((a) => a.handle === 'w1' && a.agentType === 'worker'),
      'the worker is a registered agent of the team',
    );

  // A second turn.
  const sent = await fleet.request('POST', '/orchestrate/send/w1', {
    token: w.lead,
    body: { message: 'second turn $(touch /tmp/never)' },
  });
  t.same(sent.body, { success: true, handle: 'w1' });
  const second = await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 2, 'idle after the second turn');
  t.equal(second.result, 'ack: second turn $(touch /tmp/never)', 'the message reached the agent verbatim');
  t.equal(second.costUsd, 0.0024, 'cost is the session’s cumulative cost');
  t.same(
    ws
      .of('worker_state', 'w1')
      .slice(3)
      .map((m) => m.state),
    ['working', 'idle'],
  );

  // Output by cursor: pages of two lines add up to the log, no gap, no duplicate.
  const log = logLines(join(w.workerDir('w1'), 'output.log'));
  t.ok(log.length >= 8, `${log.length} lines in the log`);
  const paged = await w.allOutput('w1', 2);
  t.same(paged, log, 'paging with the cursor returns every line once, in order');
  const first = await fleet.request('GET', '/orchestrate/output/w1?cursor=0&limit=3', { token: w.lead });
  t.equal(first.body.lines.length, 3);
  t.equal(first.body.cursor, log[3]!.offset, 'the cursor is the byte offset of the next line');
  t.equal(first.body.state, 'idle');
  const end = await fleet.request(
    'GET',
    `/orchestrate/output/w1?cursor=${paged.length ? log.at(-1)!.offset + Buffer.byteLength(log.at(-1)!.text) + 1 : 0}`,
    { token: w.lead },
  );
  t.same(end.body.lines, [], 'nothing after the end');
  const tail = await fleet.request('GET', '/orchestrate/output/w1?limit=2', { token: w.lead });
  t.same(tail.body.lines, log.slice(-2), 'without a cursor: the latest lines');
  const asWorker = await fleet.request('GET', '/orchestrate/workers', {
    token: (await fleet.register('w9', 'alpha')).token,
  });
  t.ok(
    (asWorker.body as any[]).some((x) => x.handle === 'w1'),
    'a teammate sees the team’s workers',
  );

  // Every log line went out as a worker_output event, in order, with its offset.
  await ws.waitFor('the last output event', (m) => m.type === 'worker_output' && m.offset === log.at(-1)!.offset);
  t.same(
    ws.of('worker_output', 'w1').map((m) => ({ offset: m.offset, text: m.line })),
    log,
    'worker_output events carry every line once',
  );

  // Dismiss: quick, and nothing is left.
  const host = w.host('w1');
  t.ok(running(host.hostPid) && running(host.agentPid), 'host and agent run before dismiss');
  const started = Date.now();
  const dismissed = await fleet.request('POST', '/orchestrate/dismiss/w1', { token: w.lead });
  const took = Date.now() - started;
  t.equal(dismissed.status, 200);
  t.ok(took < 10_000, `dismiss answered in ${took} ms`);
  t.match(dismissed.body, { handle: 'w1', state: 'stopped', paneId: null });
  t.notOk(running(host.agentPid), 'the agent is gone');
  t.notOk(groupAlive(host.agentPid), 'nothing of its process group is left');
  t.notOk(running(host.hostPid), 'the pane host is gone');
  const windows = tmuxSync(w.socket, ['list-windows', '-t', '=fleet', '-F', '#{window_name}']).trim().split('\n');
  t.notOk(windows.includes('w1'), `the window is gone (${windows.join(', ')})`);
  t.same(
    ws
      .of('worker_state', 'w1')
      .slice(-2)
      .map((m) => m.state),
    ['stopping', 'stopped'],
  );
  await ws.waitFor('worker_dismissed', (m) => m.type === 'worker_dismissed' && m.handle === 'w1');
  t.equal((await w.worker('w1')).state, 'stopped', 'listed as stopped');
  const again = await fleet.request('POST', '/orchestrate/dismiss/w1', { token: w.lead });
  t.match(again, { status: 200, body: { state: 'stopped' } }, 'dismissing again is harmless');

  t.match(
    ws.of('worker_spawned', 'w1')[0],
    { handle: 'w1', worker: { handle: 'w1', state: 'starting' } },
    'worker_spawned reached the team',
  );
  for (const type of ['worker_spawned', 'worker_output', 'worker_state', 'worker_dismissed', 'worker_result']) {
    t.equal(otherWs.of(type).length, 0, `another team gets no ${type}`);
  }
});

t.test('a worker spawned without a prompt is ready at once; send starts its first turn', async (t) => {
  const w = await startWorkerFleet(t);
  const spawned = await w.spawn('quiet');
  t.equal(spawned.status, 201);
  const ready = await w.waitWorker('quiet', (x) => x.state === 'ready', 'ready');
  t.equal(ready.result, null);
  const sent = await w.fleet.request('POST', '/orchestrate/send/quiet', {
    token: w.lead,
    body: { message: 'now work' },
  });
  t.equal(sent.status, 200);
  const idle = await w.waitWorker('quiet', (x) => x.state === 'idle', 'idle');
  t.equal(idle.result, 'ack: now work');
  t.equal(idle.sessionId, ready.sessionId, 'the session id stays');
});

t.test('MCP tools: team_spawn, team_workers, team_send forwarded to the agent, team_dismiss', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const spawned = await call(fleet, w.lead, 'team_spawn', { handle: 'tw', prompt: 'hello', workingDir: fleet.dataDir });
  t.notOk(spawned.isError, spawned.content[0]!.text);
  t.match(
    JSON.parse(spawned.content[0]!.text),
    { handle: 'tw', state: 'starting' },
    'the tool answers like the route: the worker',
  );
  await w.waitWorker('tw', (x) => x.state === 'idle', 'idle');
  const listed = await call(fleet, w.lead, 'team_workers', {});
  t.match(JSON.parse(listed.content[0]!.text), [{ handle: 'tw', state: 'idle', result: 'ack: hello' }]);

  // A DM to the worker reaches its agent as input: its text fenced as data, with the sender named.
  // (ECHO makes the fake agent answer with the whole input it received.)
  const dm = await call(fleet, w.lead, 'team_send', { handle: 'tw', message: 'please check the build\nECHO' });
  t.notOk(dm.isError, dm.content[0]!.text);
  const afterDm = await w.waitWorker('tw', (x) => x.numTurns === 2 && x.state === 'idle', 'the DM turn');
  const fence = (kind: string, body: string) =>
    new RegExp(
      `^\\[fleet\\] ${kind} from lead \\(team lead\\)\\. [^\\n]+\\n` +
        `<<<fleet-data ([0-9a-f]{12})\\n${body}\\nfleet-data \\1>>>$`,
    );
  t.match(afterDm.result, fence('direct message', 'please check the build\\nECHO'));

  // A task assigned to the worker reaches it too.
  const assigned = await call(fleet, w.lead, 'team_assign', {
    agent: 'tw',
    task: 'fix the flaky test',
    description: 'ECHO',
  });
  t.notOk(assigned.isError, assigned.content[0]!.text);
  const afterTask = await w.waitWorker('tw', (x) => x.numTurns === 3 && x.state === 'idle', 'the task turn');
  t.match(afterTask.result, fence('task assignment', '\\[TASK\\] fix the flaky test\\n\\nECHO'));

  const host = w.host('tw');
  const dismissed = await call(fleet, w.lead, 'team_dismiss', { handle: 'tw' });
  t.notOk(dismissed.isError, dismissed.content[0]!.text);
  const view = JSON.parse(dismissed.content[0]!.text);
  t.match(view, { handle: 'tw', state: 'stopped' });
  t.ok(Date.parse(view.updatedAt) > Date.parse(view.createdAt), 'updatedAt moves with the state');
  t.notOk(running(host.hostPid) || groupAlive(host.agentPid), 'nothing left');
});

t.test('the command adapter: any CLI, raw text lines, input as lines', async (t) => {
  const echo =
    `require('node:readline').createInterface({ input: process.stdin })` +
    `.on('line', (l) => { console.log('echo: ' + l); console.error('err: ' + l.length); });`;
  const w = await startWorkerFleet(t, { workers: { commands: { echo: { argv: [process.execPath, '-e', echo] } } } });
  const spawned = await w.spawn('cmd', { adapter: 'echo', initialPrompt: 'one' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  t.equal(spawned.body.adapter, 'echo');
  t.equal(spawned.body.sessionId, null, 'no session for a plain command');
  await w.waitWorker('cmd', (x) => x.state === 'working', 'working once it talks');
  await w.fleet.request('POST', '/orchestrate/send/cmd', { token: w.lead, body: { message: 'two\nlines' } });
  const lines = await waitFor('four lines', async () => {
    const out = await w.allOutput('cmd');
    return out.length >= 4 ? out : undefined;
  });
  t.same(
    lines.map((l) => l.text).sort(),
    ['echo: one', 'echo: two lines', 'err: 3', 'err: 9'],
    'stdout and stderr, raw, one line per input',
  );
  const unknown = await w.spawn('cmd2', { adapter: 'nosuch' });
  t.equal(unknown.status, 400);
  t.match(unknown.body.error, /^adapter: no adapter nosuch \(available: claude, echo\)/);
});

t.test('a handle can be used again after dismiss: the old log is archived, the new worker starts fresh', async (t) => {
  const w = await startWorkerFleet(t);
  t.equal((await w.spawn('again', { initialPrompt: 'first life' })).status, 201);
  await w.waitWorker('again', (x) => x.state === 'idle', 'idle');
  t.equal((await w.fleet.request('POST', '/orchestrate/dismiss/again', { token: w.lead })).status, 200);
  const respawn = await w.spawn('again', { initialPrompt: 'second life' });
  t.equal(respawn.status, 201, JSON.stringify(respawn.body));
  const idle = await w.waitWorker('again', (x) => x.state === 'idle', 'idle again');
  t.equal(idle.result, 'ack: second life');
  t.equal(idle.numTurns, 1, 'a new session');
  const lines = await w.allOutput('again');
  t.notOk(
    lines.some((l) => l.text.includes('first life')),
    'the new log holds only the new worker',
  );
  const archive = join(w.fleet.dataDir, 'workers', w.team, '.archive');
  t.ok(
    existsSync(archive) && readdirSync(archive).some((name) => name.startsWith('again-')),
    'the old log is archived',
  );
});

t.test('input to a fast agent in bursts: once the last turn ends the worker is idle, not working', async (t) => {
  // The agent can end a turn before its input's ack is back; a "working" set after that outlived
  // the turn (nothing more came to undo it), and the worker stayed working for good.
  const w = await startWorkerFleet(t);
  t.equal((await w.spawn('quick', { initialPrompt: 'hello' })).status, 201);
  await w.waitWorker('quick', (x) => x.state === 'idle', 'first turn done');
  for (let burst = 0; burst < 5; burst++) {
    const sends = Array.from({ length: 40 }, (_, i) =>
      w.fleet.request('POST', '/orchestrate/send/quick', { token: w.lead, body: { message: `b${burst} ${i}` } }),
    );
    t.same(
      (await Promise.all(sends)).filter((sent) => sent.status !== 200),
      [],
      `burst ${burst}: every send was taken`,
    );
    const done = await w.waitWorker(
      'quick',
      (x) => x.state === 'idle' && x.numTurns === 1 + 40 * (burst + 1),
      `idle after burst ${burst}`,
      10_000,
    );
    t.match(done.result, /^ack: b\d+ \d+$/, `burst ${burst}: idle with its last result`);
  }
});
