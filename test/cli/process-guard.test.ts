/**
 * The process guard of `fleet up` (issue 9): an uncaught socket or stream error (a pane host gone
 * mid-write, a reset connection) is logged and the fleet keeps serving; any other uncaught error is
 * a bug, logged with its stack, and the process exits 1. The stray errors are raised inside a real
 * `fleet up` by its config file (a TypeScript module it imports), on SIGUSR2.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isConnectionError } from '../../core/process-guard.js';
import { freePort, requestJson, startServerProcess, tempDir, waitFor } from '../kit/index.js';

const coded = (code: string) => Object.assign(new Error(`${code} here`), { code });

t.test('isConnectionError: socket and stream errors, not bugs', async (t) => {
  for (const code of ['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'ECONNABORTED'])
    t.ok(isConnectionError(coded(code)), code);
  for (const [what, error] of [
    ['a TypeError', new TypeError('x is undefined')],
    ['an Error without a code', new Error('boom')],
    ['a file error', coded('ENOENT')],
    ['another Node error', coded('ERR_INVALID_ARG_TYPE')],
    ['a plain object with a socket code', { code: 'EPIPE' }],
    ['a string', 'EPIPE'],
    ['undefined', undefined],
  ] as const)
    t.notOk(isConnectionError(error), what);
});

/**
 * A config that raises, on each SIGUSR2: an ECONNRESET nothing listens for (a connection reset
 * with data unread), an unhandled rejection with an EPIPE, then a TypeError thrown from a timer.
 */
const CONFIG = (port: number) => `
import { connect, createServer, type AddressInfo } from 'node:net';

const flag = globalThis as { guardTestArmed?: boolean };
if (!flag.guardTestArmed) {
  flag.guardTestArmed = true;
  let raised = 0;
  process.on('SIGUSR2', () => {
    raised++;
    if (raised === 1) {
      const server = createServer({ pauseOnConnect: true }, (peer) => {
        peer.on('error', () => undefined);
        setTimeout(() => {
          peer.destroy();
          server.close();
        }, 100);
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        const socket = connect(port, '127.0.0.1', () => socket.write('x'.repeat(4096)));
      });
    } else if (raised === 2) {
      void Promise.reject(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
    } else {
      setTimeout(() => {
        throw new TypeError('a real bug');
      }, 0);
    }
  });
}

export default { server: { port: ${port} }, plugins: { auth: true } };
`;

t.test('fleet up: socket errors are logged and it serves on; a real bug ends it with code 1', async (t) => {
  const dir = tempDir(t, 'fleet-guard-');
  const port = await freePort();
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, CONFIG(port));
  const fleet = await startServerProcess(t, { configFile, cwd: dir, port, env: { FLEET_DATA_DIR: join(dir, 'data') } });
  const health = async () => (await requestJson(fleet.url, 'GET', '/health')).status;

  fleet.child.kill('SIGUSR2');
  await waitFor('the reset to be logged', () =>
    /uncaughtException: a socket error.*code=ECONNRESET/.test(fleet.output()),
  );
  t.equal(await health(), 200, 'serving after an uncaught ECONNRESET');

  fleet.child.kill('SIGUSR2');
  await waitFor('the rejection to be logged', () =>
    /unhandledRejection: a socket error.*code=EPIPE/.test(fleet.output()),
  );
  t.equal(await health(), 200, 'serving after an unhandled EPIPE rejection');
  t.equal(fleet.child.exitCode, null, 'still running');

  fleet.child.kill('SIGUSR2');
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    fleet.exited,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('fleet up did not exit')), 10_000))),
  ]).finally(() => clearTimeout(timer));
  t.same(exit, { code: 1, signal: null }, 'a real bug ends the process with code 1');
  t.match(
    fleet.output(),
    /error \[kernel\] uncaughtException: exiting error="TypeError: a real bug\\n +at /,
    'logged with its stack',
  );
});
