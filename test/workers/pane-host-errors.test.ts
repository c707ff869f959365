/**
 * The pane host when a stream it owns fails under it: a fleet server that dies with the host's acks
 * unread resets the connection (ECONNRESET), and a closed tmux window makes every write to the pane
 * fail (EIO). Neither ends the host: it keeps its agent, takes the next server's connection, and when
 * the agent ends it still logs everything and records the exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { hostSocketPath } from '../../core/workers/host-socket.js';
import { writeSpawnSpec } from '../../core/workers/spawn-spec.js';
import { TmuxDriver } from '../../core/workers/tmux.js';
import {
  FLEET_BIN,
  groupAlive,
  type Message,
  privateTmux,
  running,
  tempDir,
  type TestLike,
  waitFor,
} from '../kit/index.js';

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith('TAP')) env[key] = value;
  return env;
}

/** A worker dir whose agent is `node -e <script>`, a text agent. */
function workerDir(t: TestLike, script: string): string {
  const dir = tempDir(t, 'fleet-pane-');
  writeSpawnSpec(dir, {
    handle: 'w1',
    teamName: 'alpha',
    adapter: 'test',
    cwd: dir,
    env: baseEnv(),
    format: 'text',
    heartbeatMs: 10_000,
    argv: [process.execPath, '-e', script],
  });
  return dir;
}

const hostFile = (dir: string) =>
  existsSync(join(dir, 'host.json'))
    ? (JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')) as { hostPid: number; agentPid: number })
    : undefined;

/** SIGKILL the worker's agent group and host at teardown, whatever the test left running. */
function endAtTeardown(t: TestLike, dir: string, child?: ChildProcess): void {
  t.teardown(() => {
    const host = hostFile(dir);
    for (const pid of [host ? -host.agentPid : 0, host?.hostPid ?? 0, child?.pid ?? 0]) {
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
}

/** Connect to the host's socket, collecting what it sends. */
async function open(t: TestLike, dir: string): Promise<{ socket: Socket; messages: Message[] }> {
  const socket = await waitFor(
    'the host socket',
    () =>
      new Promise<Socket | undefined>((resolveConnect) => {
        const s = connect(hostSocketPath(dir));
        s.once('connect', () => resolveConnect(s));
        s.once('error', () => resolveConnect(undefined));
      }),
  );
  t.teardown(() => socket.destroy());
  const messages: Message[] = [];
  createInterface({ input: socket }).on('line', (line) => messages.push(JSON.parse(line) as Message));
  return { socket, messages };
}

/**
 * A client in another process that writes inputs, never reads the acks, and exits: closing a unix
 * socket with data unread resets it, so the host's next read fails with ECONNRESET.
 */
const RESETTING_CLIENT = `
  const socket = require('node:net').connect(process.argv[1], () => {
    for (let id = 1; id <= 20; id++) socket.write(JSON.stringify({ type: 'input', id, text: 'x' + id }) + '\\n');
    // Block (no reads) while the host answers, so its acks stay unread when the process ends.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    process.exit(0);
  });`;

t.test('a client that goes away with acks unread (ECONNRESET) does not end the host', async (t) => {
  // Echoes each line; ends with code 0 whether stopping closes its stdin or signals it first.
  const echo =
    `require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => console.log('got ' + l));` +
    `process.on('SIGTERM', () => process.exit(0));`;
  const dir = workerDir(t, echo);
  const host = spawn(process.execPath, [FLEET_BIN, 'pane', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  host.stdout.on('data', (chunk) => (output += chunk));
  host.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) => host.on('exit', (code) => resolveExit(code)));
  endAtTeardown(t, dir, host);
  await waitFor('the host socket', () => existsSync(hostSocketPath(dir)));

  for (let round = 0; round < 3; round++) {
    const client = spawn(process.execPath, ['-e', RESETTING_CLIENT, hostSocketPath(dir)], { stdio: 'ignore' });
    await new Promise((resolveExit) => client.on('exit', resolveExit));
    await waitFor(`the agent to get input of round ${round}`, () => output.includes('got x20'), 5000);
    output = output.replaceAll('got x20', '');
  }
  await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  t.equal(host.exitCode, null, `the host runs on${host.exitCode === null ? '' : `: ${output.slice(-500)}`}`);

  // The next client (a restarted server) is served as before.
  const conn = await open(t, dir);
  await waitFor('hello', () => conn.messages.find((m) => m.type === 'hello'));
  conn.socket.write(JSON.stringify({ type: 'input', id: 7, text: 'still there?' }) + '\n');
  const ack = await waitFor('ack 7', () => conn.messages.find((m) => m.type === 'ack' && m.id === 7));
  t.same(ack, { type: 'ack', id: 7, ok: true }, 'input is acknowledged');
  conn.socket.write(JSON.stringify({ type: 'stop', graceMs: 1000 }) + '\n');
  t.equal(await exited, 0, 'stopped, the host exits with its agent’s code');
});

t.test('in a tmux window: the window closed while the agent still writes, exit.json is written', async (t) => {
  // On SIGTERM (the host stopping it after the window closed) the agent writes for 300 ms more,
  // which the host shows in a pane that is gone, then exits 3; its stdin closing does not end it.
  const agent = `
    process.stdin.resume();
    process.stdin.on('end', () => undefined);
    setInterval(() => undefined, 1000);
    process.on('SIGTERM', () => {
      let n = 0;
      setInterval(() => { console.log('after the window ' + n++); if (n === 30) process.exit(3); }, 10);
    });
    console.log('up');`;
  const dir = workerDir(t, agent);
  const socket = privateTmux(t, 'pane-eio');
  const tmux = new TmuxDriver({ socket });
  await tmux.ensureSession('s', { cwd: dir, argv: ['sleep', '600'] });
  const paneId = await tmux.newWindow('s', {
    name: 'w1',
    cwd: dir,
    argv: [process.execPath, FLEET_BIN, 'pane', '--dir', dir],
  });
  endAtTeardown(t, dir);
  const host = await waitFor('host.json', () => hostFile(dir));
  await waitFor('the agent to start', () => readFileSync(join(dir, 'output.log'), 'utf8').includes('up'));
  await tmux.killWindow(paneId);
  await waitFor('exit.json', () => existsSync(join(dir, 'exit.json')), 5000);
  t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), { code: 3, signal: null }, 'the agent’s exit');
  t.match(readFileSync(join(dir, 'output.log'), 'utf8'), /after the window 29\n/, 'all it wrote is logged');
  await waitFor('host and agent gone', () => !running(host.hostPid) && !groupAlive(host.agentPid), 5000);
  t.pass('nothing is left');
});
