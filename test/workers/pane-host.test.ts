/**
 * The pane host (`fleet pane --dir`) as a real child process, and once in a real tmux window: every
 * byte the agent writes lands in output.log, heartbeats come at the spec's interval, input over the
 * unix socket reaches the agent and is acknowledged, stop ends the agent's whole process group,
 * and exit.json records how the agent ended.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { hostSocketPath } from '../../core/workers/host-socket.js';
import {
  FAKE_AGENT,
  groupAlive,
  HostClient as Conn,
  hostPids,
  paneHostWindow,
  paneWorkerDir as workerDir,
  pidAlive,
  running,
  startPaneHost as startHost,
  tempDir,
  waitFor,
  writeTestSpec,
} from '../kit/index.js';

const nodeAgent = (script: string, ...args: string[]) => [process.execPath, '-e', script, '--', ...args];

t.test('every byte the agent writes is appended to output.log', async (t) => {
  // Chunks written with pauses between them: a UTF-8 character split across two writes, CRLF,
  // an empty line, and a last line without a newline.
  const e = Buffer.from('é');
  const chunks = [
    Buffer.from('plain line\n'),
    Buffer.from('caf'),
    e.subarray(0, 1),
    e.subarray(1),
    Buffer.from(' ✓ 日本語 🚀\n'),
    Buffer.from('crlf\r\n'),
    Buffer.from('\n'),
    Buffer.from('tail without newline'),
  ];
  const script = `
    const chunks = JSON.parse(process.argv[1]).map((c) => Buffer.from(c, 'base64'));
    (async () => {
      for (const c of chunks) { process.stdout.write(c); await new Promise((r) => setTimeout(r, 30)); }
    })();`;
  const dir = workerDir(t, { argv: nodeAgent(script, JSON.stringify(chunks.map((c) => c.toString('base64')))) });
  writeFileSync(join(dir, 'output.log'), 'from an earlier run\n');
  const host = startHost(t, dir);
  const exit = await host.exited;
  t.equal(exit.code, 0, 'the host exits with the agent’s code');
  t.same(
    readFileSync(join(dir, 'output.log')),
    Buffer.concat([Buffer.from('from an earlier run\n'), ...chunks]),
    'byte for byte, appended to what was there',
  );
  t.equal(
    readFileSync(join(dir, 'output.log'), 'utf8').split('\n')[2],
    'café ✓ 日本語 🚀',
    'the split character is whole in the file',
  );
  t.match(host.output(), /café ✓ 日本語 🚀/, 'the pane shows it whole too');
  t.match(host.output(), /tail without newline/, 'the last line without a newline is shown');
  t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), { code: 0, signal: null, at: Number });
  t.equal(existsSync(hostSocketPath(dir)), false, 'the socket is removed when the host ends');
  t.match(JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')), {
    hostPid: host.child.pid,
    agentPid: Number,
    startedAt: Number,
  });
  for (const file of ['host.json', 'exit.json'])
    t.equal(statSync(join(dir, file)).mode & 0o777, 0o600, `${file} is private (0600)`);
});

t.test('ndjson agents: stdout to output.log, stderr to stderr.log', async (t) => {
  const script = `process.stdout.write('{"type":"x"}\\n'); process.stderr.write('warning: something\\n');`;
  const dir = workerDir(t, { argv: nodeAgent(script), format: 'ndjson' });
  const host = startHost(t, dir);
  await host.exited;
  t.equal(readFileSync(join(dir, 'output.log'), 'utf8'), '{"type":"x"}\n');
  t.equal(readFileSync(join(dir, 'stderr.log'), 'utf8'), 'warning: something\n');
  for (const file of ['output.log', 'stderr.log'])
    t.equal(statSync(join(dir, file)).mode & 0o777, 0o600, `a new ${file} is private (0600)`);
});

t.test('heartbeats come at the spec’s heartbeatMs, saying the agent is alive', async (t) => {
  const dir = workerDir(t, { argv: nodeAgent('setInterval(() => {}, 1000)'), heartbeatMs: 200 });
  const host = startHost(t, dir);
  const conn = await Conn.open(t, dir);
  const hello = await conn.wait('hello', (m) => m.type === 'hello');
  t.match(hello, { type: 'hello', hostPid: host.child.pid, agentPid: Number, startedAt: Number });
  await waitFor('6 heartbeats', () => conn.messages.filter((m) => m.type === 'heartbeat').length >= 6, 5000);
  const beats = conn.messages.filter((m) => m.type === 'heartbeat');
  for (const beat of beats) t.match(beat, { agentPid: hello.agentPid, alive: true, ts: Number });
  const gaps = beats.slice(1).map((beat, i) => beat.ts - beats[i]!.ts);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  t.ok(mean >= 150 && mean <= 350, `mean gap ${mean.toFixed(0)} ms for heartbeatMs 200 (gaps ${gaps.join(', ')})`);
  conn.send({ type: 'ping' });
  await conn.wait('pong', (m) => m.type === 'pong');
  conn.send({ type: 'stop', graceMs: 1000 });
  await host.exited;
});

t.test('input over the socket reaches the agent and is acknowledged', async (t) => {
  // A text agent that echoes each line it reads.
  const script =
    `require('node:readline').createInterface({ input: process.stdin })` +
    `.on('line', (l) => console.log('got: ' + l));`;
  const dir = workerDir(t, { argv: nodeAgent(script), initialPrompt: 'first words' });
  const host = startHost(t, dir);
  const conn = await Conn.open(t, dir);
  const evil = `hi $(touch ${join(dir, 'pwned')}) \`id\`; Enter C-c`;
  conn.send({ type: 'input', id: 7, text: evil });
  t.same(await conn.wait('ack 7', (m) => m.type === 'ack' && m.id === 7), { type: 'ack', id: 7, ok: true });
  conn.send({ type: 'input', id: 8, text: 'two\nlines' });
  t.same(await conn.wait('ack 8', (m) => m.type === 'ack' && m.id === 8), { type: 'ack', id: 8, ok: true });
  const log = join(dir, 'output.log');
  await waitFor('the echoes', () => existsSync(log) && readFileSync(log, 'utf8').split('\n').length >= 4);
  t.equal(
    readFileSync(log, 'utf8'),
    `got: first words\ngot: ${evil}\ngot: two lines\n`,
    'the initial prompt, then each input as one line, verbatim',
  );
  t.equal(existsSync(join(dir, 'pwned')), false);
  conn.send({ type: 'nonsense' });
  conn.socket.write('not json\n');
  conn.send({ type: 'input', id: 9, text: 42 });
  conn.send({ type: 'input', id: 10, text: 'still here' });
  t.same(
    await conn.wait('ack 10', (m) => m.type === 'ack' && m.id === 10),
    { type: 'ack', id: 10, ok: true },
    'bad requests are ignored; the socket keeps working',
  );
  t.notOk(
    conn.messages.some((m) => m.id === 9),
    'an input without text is not acknowledged as sent',
  );
  conn.send({ type: 'stop', graceMs: 1000 });
  await host.exited;
});

t.test('stream-json agents get input as user messages (the fake agent answers each as a turn)', async (t) => {
  const dir = workerDir(t, {
    argv: [process.execPath, FAKE_AGENT, '--session-id', '11111111-2222-3333-4444-555555555555'],
    format: 'ndjson',
    initialPrompt: 'hello',
  });
  const host = startHost(t, dir);
  const conn = await Conn.open(t, dir);
  const log = join(dir, 'output.log');
  const results = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .filter((m) => m.type === 'result')
      : [];
  await waitFor('the first result', () => results().length === 1);
  conn.send({ type: 'input', id: 1, text: 'second turn' });
  await conn.wait('ack', (m) => m.type === 'ack' && m.id === 1);
  await waitFor('the second result', () => results().length === 2);
  t.same(
    results().map((r) => r.result),
    ['ack: hello', 'ack: second turn'],
  );
  t.same(
    results().map((r) => r.session_id),
    ['11111111-2222-3333-4444-555555555555', '11111111-2222-3333-4444-555555555555'],
  );
  conn.send({ type: 'stop', graceMs: 2000 });
  await host.exited;
  t.ok(existsSync(join(dir, 'exit.json')), 'stopped, exit recorded');
  t.match(host.output(), /ack: second turn/, 'the transcript shows the assistant text');
});

/** The grandchild that ignores SIGTERM, as a `node -e` script. */
const IGNORE_TERM = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";

/** An agent that starts a grandchild in its own process group, records both pids, and runs on. */
const FAMILY = `
  const { spawn } = require('node:child_process');
  const ignoreTerm = process.argv[2] === 'stubborn';
  if (ignoreTerm) process.on('SIGTERM', () => console.log('agent ignores SIGTERM'));
  const grandchild = ignoreTerm
    ? spawn(process.execPath, ['-e', "${IGNORE_TERM}"], { stdio: 'ignore' })
    : spawn('sleep', ['1000'], { stdio: 'ignore' });
  require('node:fs').writeFileSync(process.argv[1], JSON.stringify({ agent: process.pid, grandchild: grandchild.pid }));
  console.log('family up');
  setInterval(() => {}, 1000);
`;

for (const variant of ['plain', 'stubborn'] as const) {
  t.test(
    'stop ends the whole process group ' +
      `(${variant === 'plain' ? 'agent and its sleep 1000' : 'both ignore SIGTERM: SIGKILL after the grace period'})`,
    async (t) => {
      const dir = workerDir(t, { argv: nodeAgent(FAMILY, '', variant) });
      const pidsFile = join(dir, 'pids.json');
      writeTestSpec(dir, { argv: nodeAgent(FAMILY, pidsFile, variant) });
      const host = startHost(t, dir);
      const conn = await Conn.open(t, dir);
      const pids = await waitFor('the family’s pids', () =>
        existsSync(pidsFile)
          ? (JSON.parse(readFileSync(pidsFile, 'utf8')) as { agent: number; grandchild: number })
          : undefined,
      );
      t.teardown(() => {
        for (const pid of [-pids.agent, pids.grandchild]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      });
      t.ok(pidAlive(pids.grandchild), 'the grandchild runs');
      t.equal(hostPids(dir)?.agentPid, pids.agent, 'host.json names the agent');
      const started = Date.now();
      conn.send({ type: 'stop', graceMs: 500 });
      const exitMessage = await conn.wait('exit message', (m) => m.type === 'exit');
      const exit = await host.exited;
      const took = Date.now() - started;
      t.equal(
        exitMessage.signal,
        variant === 'plain' ? 'SIGTERM' : 'SIGKILL',
        `the agent ended by ${exitMessage.signal}`,
      );
      if (variant === 'stubborn') t.ok(took >= 450, `SIGKILL came after the grace period (${took} ms)`);
      t.ok(took < 5000, `stopped in ${took} ms`);
      t.not(exit.code, 0, 'the host reports the agent did not exit cleanly');
      await waitFor('no process of the group', () => !groupAlive(pids.agent), 3000);
      t.notOk(running(pids.grandchild), 'the grandchild is gone');
      t.notOk(running(pids.agent), 'the agent is gone');
      t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), {
        code: null,
        signal: exitMessage.signal,
        at: Number,
      });
    },
  );
}

t.test('SIGHUP to the host (tmux kill-window) ends the agent’s group too', async (t) => {
  const dir = workerDir(t, { argv: ['x'] });
  const pidsFile = join(dir, 'pids.json');
  writeTestSpec(dir, { argv: nodeAgent(FAMILY, pidsFile, 'plain') });
  const host = startHost(t, dir);
  const pids = await waitFor('the family’s pids', () =>
    existsSync(pidsFile)
      ? (JSON.parse(readFileSync(pidsFile, 'utf8')) as { agent: number; grandchild: number })
      : undefined,
  );
  host.child.kill('SIGHUP');
  await host.exited;
  await waitFor('no process of the group', () => !groupAlive(pids.agent), 5000);
  t.notOk(running(pids.grandchild), 'the grandchild is gone');
});

t.test('an agent exiting by itself: exit.json with its code, an exit message, the host exits with it', async (t) => {
  const dir = workerDir(t, { argv: nodeAgent('setTimeout(() => process.exit(3), 300)') });
  const host = startHost(t, dir);
  const conn = await Conn.open(t, dir);
  t.match(await conn.wait('exit', (m) => m.type === 'exit'), { type: 'exit', code: 3, signal: null });
  t.equal((await host.exited).code, 3);
  t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), { code: 3, signal: null });
});

t.test('output still in the pipe when the agent exits is logged before the host reports the exit', async (t) => {
  // 512 KiB, then the agent ends: the pipe still holds the last chunks when the 'exit' event fires.
  const script =
    `const line = 'x'.repeat(65535) + '\\n'; for (let i = 0; i < 8; i++) process.stdout.write(line); ` +
    `process.stdout.write('last line\\n'); process.exitCode = 5;`;
  for (let round = 0; round < 3; round++) {
    const dir = workerDir(t, { argv: nodeAgent(script) });
    const host = startHost(t, dir);
    const conn = await Conn.open(t, dir).catch(() => undefined);
    t.equal((await host.exited).code, 5);
    const log = readFileSync(join(dir, 'output.log'), 'utf8');
    t.equal(log.length, 8 * 65536 + 'last line\n'.length, `round ${round}: every byte logged`);
    t.ok(log.endsWith('last line\n'), 'the last line is there');
    if (conn) {
      const exit = conn.messages.find((m) => m.type === 'exit');
      if (exit) t.equal(exit.code, 5, 'the exit message came once the log was complete');
    }
  }
});

t.test('a program that cannot start: exit 127, said in the pane', async (t) => {
  const dir = workerDir(t, { argv: ['/nonexistent/agent-binary', '--flag'] });
  const host = startHost(t, dir);
  t.equal((await host.exited).code, 127);
  t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), { code: 127 });
  t.match(host.output(), /cannot start \/nonexistent\/agent-binary/);
});

t.test('a bad spawn spec is refused without starting anything', async (t) => {
  const dir = tempDir(t, 'fleet-pane-');
  writeFileSync(join(dir, 'spawn.json'), JSON.stringify({ handle: 'w1', argv: [] }));
  const host = startHost(t, dir);
  const exit = await host.exited;
  t.not(exit.code, 0);
  t.equal(existsSync(join(dir, 'host.json')), false);
});

t.test('in a tmux window: a readable transcript of the stream-json', async (t) => {
  const dir = workerDir(t, {
    argv: [process.execPath, FAKE_AGENT, '--session-id', 'abcdefab-0000-4000-8000-000000000001'],
    format: 'ndjson',
    initialPrompt: 'WRITE src/app.ts\nSLEEP 10',
  });
  const { tmux, paneId } = await paneHostWindow(t, dir);
  const screen = await waitFor('the transcript', async () => {
    const text = await tmux.capture(paneId);
    return /■ done/.test(text) ? text : undefined;
  });
  t.match(screen, /alpha\/w1/, 'a header names the worker');
  t.match(screen, /● session abcdefab-0000-4000-8000-000000000001 · model fake-model-1/, 'the init line');
  t.match(screen, /→ Edit .*src\/app\.ts/, 'one line per tool call');
  t.match(screen, /← edited/, 'the tool result');
  t.match(screen, /ack: WRITE src\/app\.ts/, 'the assistant text');
  t.match(screen, /■ done \(1 turns · \$0\.0012\)/, 'the result with cost');
  t.notMatch(screen, /"type":"assistant"/, 'not raw JSON');
  const host = hostPids(dir)!;
  t.equal(
    (await tmux.listPanes('s')).find((p) => p.paneId === paneId)?.pid,
    host.hostPid,
    'the pane’s process is the host',
  );

  // A person types a line in the pane: it goes to the agent as input (a second turn), not to a shell.
  const pwned = join(dir, 'pwned');
  await tmux.sendLiteral(paneId, `typed by hand $(touch ${pwned})`);
  await tmux.sendKey(paneId, 'Enter');
  const typed = await waitFor('the typed turn', async () => {
    const text = await tmux.capture(paneId);
    return /■ done \(2 turns/.test(text) ? text : undefined;
  });
  t.match(typed, `› typed by hand $(touch ${pwned})`, 'the pane echoes what was typed');
  t.match(typed, `ack: typed by hand $(touch ${pwned})`, 'the agent answered it');
  t.equal(existsSync(pwned), false, 'nothing typed reached a shell');
  await tmux.killWindow(paneId);
  await waitFor('host and agent gone', () => !pidAlive(host.hostPid) && !groupAlive(host.agentPid), 5000);
  t.pass('killing the window ends host and agent');
});

t.test('in a tmux window: when the agent exits by itself, the host exits too and the window closes', async (t) => {
  const dir = workerDir(t, {
    argv: [process.execPath, FAKE_AGENT, '--session-id', 'abcdefab-0000-4000-8000-000000000002'],
    format: 'ndjson',
    initialPrompt: 'bye\nEXIT 0',
  });
  const { tmux, paneId } = await paneHostWindow(t, dir, { name: 'w2' });
  const host = await waitFor('host.json', () => hostPids(dir));
  await waitFor('exit.json', () => existsSync(join(dir, 'exit.json')));
  t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), { code: 0 });
  await waitFor('the host to exit', () => !running(host.hostPid), 5000);
  t.pass('the host exited (reading the pane’s tty does not keep it alive)');
  await waitFor('the window to close', async () => !(await tmux.listPanes('s')).some((p) => p.paneId === paneId), 5000);
  t.pass('the window closed');
});
