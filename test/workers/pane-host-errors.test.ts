/**
 * The pane host when a stream it owns fails under it: a fleet server that dies with the host's acks
 * unread resets the connection (ECONNRESET), and a closed tmux window makes every write to the pane
 * fail (EIO). Neither ends the host: it keeps its agent, takes the next server's connection, and when
 * the agent ends it still logs everything and records the exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { hostSocketPath } from '../../core/workers/host-socket.js';
import {
  groupAlive,
  HostClient,
  hostPids,
  paneHostWindow,
  paneWorkerDir,
  running,
  startPaneHost,
  type TestLike,
  waitFor,
} from '../kit/index.js';

/** A worker dir whose agent is `node -e <script>`, a text agent. */
const workerDir = (t: TestLike, script: string) => paneWorkerDir(t, { argv: [process.execPath, '-e', script] });

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
  const host = startPaneHost(t, dir);
  await waitFor('the host socket', () => existsSync(hostSocketPath(dir)));

  for (let round = 0; round < 3; round++) {
    const client = spawn(process.execPath, ['-e', RESETTING_CLIENT, hostSocketPath(dir)], { stdio: 'ignore' });
    await new Promise((resolveExit) => client.on('exit', resolveExit));
    const echoed = () => host.output().split('got x20').length - 1;
    await waitFor(`the agent to get input of round ${round}`, () => echoed() > round, 5000);
  }
  await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  const exitCode = host.child.exitCode;
  t.equal(exitCode, null, `the host runs on${exitCode === null ? '' : `: ${host.output().slice(-500)}`}`);

  // The next client (a restarted server) is served as before.
  const conn = await HostClient.open(t, dir);
  await conn.wait('hello', (m) => m.type === 'hello');
  conn.send({ type: 'input', id: 7, text: 'still there?' });
  const ack = await conn.wait('ack 7', (m) => m.type === 'ack' && m.id === 7);
  t.same(ack, { type: 'ack', id: 7, ok: true }, 'input is acknowledged');
  conn.send({ type: 'stop', graceMs: 1000 });
  t.equal((await host.exited).code, 0, 'stopped, the host exits with its agent’s code');
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
  const { tmux, paneId } = await paneHostWindow(t, dir, { tag: 'pane-eio' });
  const host = await waitFor('host.json', () => hostPids(dir));
  await waitFor('the agent to start', () => readFileSync(join(dir, 'output.log'), 'utf8').includes('up'));
  await tmux.killWindow(paneId);
  await waitFor('exit.json', () => existsSync(join(dir, 'exit.json')), 5000);
  t.match(JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')), { code: 3, signal: null }, 'the agent’s exit');
  t.match(readFileSync(join(dir, 'output.log'), 'utf8'), /after the window 29\n/, 'all it wrote is logged');
  await waitFor('host and agent gone', () => !running(host.hostPid) && !groupAlive(host.agentPid), 5000);
  t.pass('nothing is left');
});
