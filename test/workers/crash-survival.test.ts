/**
 * Crash survival: the server runs as a child process (`fleet up`), workers run in its tmux panes,
 * the server is killed with SIGKILL mid-output and started again on the same config. The same
 * workers are listed with their states, output continues with no gap and no duplicate, send works
 * again, nothing the agent wrote is lost, and a worker that ended while the server was down is
 * handled.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requestJson, tempDir } from '../kit/index.js';
import {
  EventSocket,
  FAKE_AGENT,
  freePort,
  groupAlive,
  killTmuxServer,
  killWorkerProcesses,
  logLines,
  privateTmux,
  running,
  startServerProcess,
  tmuxSync,
  waitFor,
} from '../kit/index.js';

const LONG_STEPS = 100;
t.test('kill -9 the server mid-output, start it again: workers re-adopted, output continues, send works', async (t) => {
  const dir = tempDir(t, 'fleet-crash-');
  const dataDir = join(dir, 'data');
  const socket = privateTmux(t, 'crash');
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  const port = await freePort();
  const config = {
    server: { port, rateLimit: { max: 1_000_000 } },
    log: { level: 'debug' },
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: {
        claude: { command: [process.execPath, FAKE_AGENT] },
        heartbeatSeconds: 1,
        maxRestarts: 0,
        tmux: { socket, session: 'fleet' },
      },
    },
  };
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  const adminKey = randomBytes(24).toString('hex');
  const env = { FLEET_DATA_DIR: dataDir, FLEET_ADMIN_KEY: adminKey, FAKE_AGENT_STATE_DIR: dir };

  const first = await startServerProcess(t, { configFile, cwd: dir, port, env });
  const api = (method: string, path: string, token: string, body?: unknown) =>
    requestJson(first.url, method, path, { token, body });
  const registered = await api('POST', '/auth', adminKey, {
    handle: 'lead',
    teamName: 'alpha',
    agentType: 'team-lead',
  });
  t.equal(registered.status, 200);
  const lead = registered.body.token as string;
  const wsA = await EventSocket.open(t, first.url, lead);

  // `long` writes two lines every 150 ms for ~15 s (long enough to be still working after the kill,
  // the wait for `ender` and a restart on a loaded machine); `calm` finishes its turn and sits idle;
  // `ender` exits while the server is down.
  const steps = Array.from({ length: LONG_STEPS }, (_, i) => `WRITE file-${i}.ts\nSLEEP 150`).join('\n');
  for (const [handle, prompt] of [
    ['long', steps],
    ['calm', 'hello'],
    ['ender', 'SLEEP 1500\nEXIT 0'],
  ] as const) {
    const spawned = await api('POST', '/orchestrate/spawn', lead, { handle, initialPrompt: prompt, workingDir: dir });
    t.equal(spawned.status, 201, `${handle} spawned`);
  }
  const workersOn = async (url: string) =>
    (await requestJson(url, 'GET', '/orchestrate/workers', { token: lead })).body as any[];
  await waitFor(
    'calm idle',
    async () => (await workersOn(first.url)).find((w) => w.handle === 'calm')?.state === 'idle',
  );
  const logPath = join(dataDir, 'workers', 'alpha', 'long', 'output.log');
  await waitFor('long mid-output', () => existsSync(logPath) && logLines(logPath).length >= 6);
  const before = await workersOn(first.url);
  const hostsBefore = Object.fromEntries(
    ['long', 'calm'].map((h) => [
      h,
      JSON.parse(readFileSync(join(dataDir, 'workers', 'alpha', h, 'host.json'), 'utf8')),
    ]),
  );

  first.child.kill('SIGKILL');
  const killed = await first.exited;
  t.equal(killed.signal, 'SIGKILL', 'the server was killed');
  const linesAtKill = logLines(logPath).length;
  t.ok(running(hostsBefore.long.hostPid) && running(hostsBefore.long.agentPid), 'the workers outlive the server');
  await waitFor(
    'the agent to write more while the server is down',
    () => logLines(logPath).length > linesAtKill + 2,
    5000,
  );
  await waitFor(
    'ender to end while the server is down',
    () => existsSync(join(dataDir, 'workers', 'alpha', 'ender', 'exit.json')),
    20_000,
  ).catch((error: Error) => {
    // Say what the worker was doing, for a failure on a loaded machine.
    const worker = join(dataDir, 'workers', 'alpha', 'ender');
    const host = existsSync(join(worker, 'host.json'))
      ? JSON.parse(readFileSync(join(worker, 'host.json'), 'utf8'))
      : {};
    const stat = (pid: number) =>
      existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.slice(0, 1) : 'gone';
    const log = existsSync(join(worker, 'output.log')) ? readFileSync(join(worker, 'output.log'), 'utf8') : '';
    throw new Error(
      `${error.message}; host ${host.hostPid} ${stat(host.hostPid)}, ` +
        `agent ${host.agentPid} ${stat(host.agentPid)}; log: ${log.slice(-400)}`,
    );
  });

  const second = await startServerProcess(t, { configFile, cwd: dir, port, env });
  const wsB = await EventSocket.open(t, second.url, lead);
  // Events the new server published before this socket authenticated are replayed from its ring.
  wsB.ws.send(JSON.stringify({ type: 'subscribe', since: 0 }));
  await wsB.waitFor('resumed', (m) => m.type === 'resumed' || m.type === 'resync_required');
  const after = await workersOn(second.url);
  t.same(after.map((w) => w.handle).sort(), ['calm', 'ender', 'long'], 'the same workers are listed');
  for (const handle of ['long', 'calm']) {
    const was = before.find((w) => w.handle === handle);
    const now = after.find((w) => w.handle === handle);
    t.match(now, { sessionId: was.sessionId, paneId: was.paneId, restartCount: 0 }, `${handle}: same session and pane`);
  }
  t.equal(after.find((w) => w.handle === 'long').state, 'working', 'long is listed as still working');
  t.equal(after.find((w) => w.handle === 'calm').state, 'idle');
  t.match(
    after.find((w) => w.handle === 'calm'),
    { result: 'ack: hello', costUsd: 0.0012, numTurns: 1 },
    'results survive',
  );
  const ender = await waitFor('ender handled', async () =>
    (await workersOn(second.url)).find((w) => w.handle === 'ender' && w.state === 'failed'),
  );
  t.equal(
    ender.state,
    'failed',
    'a worker whose agent ended while the server was down is seen as ended (maxRestarts 0: failed)',
  );
  t.same(
    JSON.parse(readFileSync(join(dataDir, 'workers', 'alpha', 'long', 'host.json'), 'utf8')),
    hostsBefore.long,
    'the same pane host (re-adopted, not restarted)',
  );

  const done = await waitFor(
    'long finishes its turn',
    async () => (await workersOn(second.url)).find((w) => w.handle === 'long' && w.state === 'idle'),
    30_000,
  );
  t.equal(done.result, 'ack: WRITE file-0.ts', 'the turn’s result was recorded by the new server');

  // Output: every line of the log once, in order, through the new server.
  const log = logLines(logPath);
  const writes = log
    .filter((l) => l.text.includes('"name":"Edit"'))
    .map((l) => JSON.parse(l.text).message.content[0].input.file_path);
  t.same(
    writes,
    Array.from({ length: LONG_STEPS }, (_, i) => `file-${i}.ts`),
    'nothing the agent wrote is lost',
  );
  const paged: { offset: number; text: string }[] = [];
  for (let cursor = 0; ;) {
    const page = await requestJson(second.url, 'GET', `/orchestrate/output/long?cursor=${cursor}&limit=7`, {
      token: lead,
    });
    if (page.status !== 200) throw new Error(`output: ${page.status} ${JSON.stringify(page.body)}`);
    if (page.body.lines.length === 0) break;
    paged.push(...page.body.lines);
    cursor = page.body.cursor;
  }
  t.same(paged, log, 'the output API returns the log with no gap and no duplicate');

  // Events: the new server continues where the old one left off.
  await wsB.waitFor(
    'the last line as an event',
    (m) => m.type === 'worker_output' && m.handle === 'long' && m.offset === log.at(-1)!.offset,
    10_000,
  );
  const bySeq = (messages: Record<string, any>[]) =>
    [...messages].sort((a, b) => a.seq - b.seq).map((m) => m.offset as number);
  const fromA = bySeq(wsA.of('worker_output', 'long'));
  const fromB = bySeq(wsB.of('worker_output', 'long'));
  const offsets = log.map((l) => l.offset);
  t.ok(
    fromA.length > 0 && fromB.length > 0,
    `events from both servers (${fromA.length} before the kill, ${fromB.length} after)`,
  );
  t.same(
    fromB,
    offsets.slice(offsets.indexOf(fromB[0]!)),
    'the new server’s events are contiguous to the end of the log',
  );
  t.same(fromA, offsets.slice(0, fromA.length), 'the old server’s events were contiguous from the start');
  t.same([...fromA, ...fromB], offsets, 'together: every line exactly once, no gap and no duplicate across the crash');

  // send works again (on a re-adopted worker), and the new turn is seen.
  const sent = await requestJson(second.url, 'POST', '/orchestrate/send/calm', {
    token: lead,
    body: { message: 'after the crash' },
  });
  t.same(sent.body, { success: true, handle: 'calm' });
  const calm = await waitFor('calm’s second turn', async () =>
    (await workersOn(second.url)).find((w) => w.handle === 'calm' && w.numTurns === 2 && w.state === 'idle'),
  );
  t.equal(calm.result, 'ack: after the crash');
  t.equal(calm.costUsd, 0.0024);

  // Dismiss through the new server: nothing left.
  for (const handle of ['long', 'calm']) {
    const host = JSON.parse(readFileSync(join(dataDir, 'workers', 'alpha', handle, 'host.json'), 'utf8'));
    const dismissed = await requestJson(second.url, 'POST', `/orchestrate/dismiss/${handle}`, { token: lead });
    t.equal(dismissed.status, 200);
    t.notOk(running(host.hostPid) || groupAlive(host.agentPid), `${handle}: nothing left after dismiss`);
  }
  const windows = tmuxSync(socket, ['list-windows', '-t', '=fleet', '-F', '#{window_name}']).trim().split('\n');
  t.same(windows, ['fleet'], 'only the board window is left');
  second.child.kill('SIGTERM');
  t.equal((await second.exited).code, 0, 'the new server stops cleanly');
});
