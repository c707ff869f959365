/**
 * TmuxDriver against a real tmux server on a private socket: sessions, windows running an argv
 * with no shell, literal input (shell syntax and key names stay text), pastes that keep line
 * feeds, pane listing and titles, killing windows, and the install hint when tmux is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { execTmux, TmuxDriver, TmuxError } from '../../core/workers/tmux.js';
import { tempDir, type TestLike } from '../kit/index.js';
import { FLEET_BIN, pidAlive, privateTmux, sleep, tmuxSocketPath, waitFor } from '../kit/index.js';

/** A raw-mode program for a pane: appends every byte it receives to `out`, writes `ready` once raw. */
const RECORDER = `
const fs = require('node:fs');
const [out, ready, bracketed] = process.argv.slice(2);
process.stdin.setRawMode(true);
if (bracketed === '1') process.stdout.write('\\x1b[?2004h');
process.stdin.on('data', (d) => fs.appendFileSync(out, d));
fs.writeFileSync(ready, 'ok');
setInterval(() => {}, 1000);
`;

/** A program that records its argv as JSON and stays up. */
const ARGV_RECORDER = `
require('node:fs').writeFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)));
setInterval(() => {}, 1000);
`;

/** A driver on a private socket with session `s` (first window `home`). */
async function driverWithSession(t: TestLike) {
  const socket = privateTmux(t, 'tmux');
  const tmux = new TmuxDriver({ socket });
  const dir = tempDir(t, 'fleet-tmux-');
  if (!(await tmux.ensureSession('s', { cwd: dir, argv: ['sleep', '600'], windowName: 'home' })))
    throw new Error('session s already existed');
  return { socket, tmux, dir };
}

/** Start the recorder in a new window and wait until it is in raw mode. */
async function recorder(tmux: TmuxDriver, dir: string, name: string, bracketed = false) {
  const script = join(dir, 'recorder.cjs');
  writeFileSync(script, RECORDER);
  const out = join(dir, `${name}.bin`);
  const ready = join(dir, `${name}.ready`);
  const paneId = await tmux.newWindow('s', {
    name,
    cwd: dir,
    argv: [process.execPath, script, out, ready, bracketed ? '1' : '0'],
  });
  await waitFor(`${name} recorder ready`, () => existsSync(ready));
  return { paneId, out, received: () => (existsSync(out) ? readFileSync(out) : Buffer.alloc(0)) };
}

t.test('a fresh socket has no session; ensureSession creates it once; killServer ends it', async (t) => {
  const socket = privateTmux(t, 'tmux');
  const tmux = new TmuxDriver({ socket });
  const dir = tempDir(t, 'fleet-tmux-');
  t.match(await tmux.version(), /^tmux \d/);
  t.equal(await tmux.hasSession('s'), false);
  t.same(await tmux.listPanes('s'), [], 'no panes without a server');
  t.equal(await tmux.ensureSession('s', { cwd: dir, argv: ['sleep', '600'], windowName: 'home' }), true);
  t.ok(existsSync(tmuxSocketPath(socket)), 'the socket is private: /tmp/tmux-<uid>/<name>');
  t.equal(await tmux.hasSession('s'), true);
  t.equal(await tmux.hasSession('s2'), false, 'has-session matches the exact name');
  t.equal(await tmux.ensureSession('s', { cwd: dir, argv: ['sleep', '600'] }), false, 'an existing session is kept');
  const panes = await tmux.listPanes('s');
  t.equal(panes.length, 1);
  t.equal(panes[0]!.windowName, 'home');
  t.ok(pidAlive(panes[0]!.pid), 'the first window runs its argv');
  const serverPid = await tmux.serverPid();
  t.ok(serverPid && pidAlive(serverPid), 'serverPid is the live tmux server');
  await tmux.killServer();
  t.equal(await tmux.hasSession('s'), false, 'gone after killServer');
  await waitFor('the server process to end', () => !pidAlive(serverPid));
  await tmux.killServer(); // no server: no error
});

t.test('newWindow runs argv with no shell: shell syntax stays text', async (t) => {
  const { tmux, dir } = await driverWithSession(t);
  const script = join(dir, 'argv.cjs');
  writeFileSync(script, ARGV_RECORDER);
  const pwned = join(dir, 'pwned');
  const evil = [
    `$(touch ${pwned})`,
    `\`touch ${pwned}\``,
    `; touch ${pwned}`,
    `' && touch ${pwned} '`,
    '-n',
    'é ✓ "q"',
  ];
  const argvFile = join(dir, 'argv.json');
  const paneId = await tmux.newWindow('s', {
    name: 'argv',
    cwd: dir,
    argv: [process.execPath, script, argvFile, ...evil],
    env: { FLEET_PROBE: '$(touch ' + pwned + ')' },
  });
  t.match(paneId, /^%\d+$/, 'returns the pane id');
  await waitFor('the argv file', () => existsSync(argvFile));
  t.same(JSON.parse(readFileSync(argvFile, 'utf8')), evil, 'every argument arrives as given');
  const panes = await tmux.listPanes('s');
  const pane = panes.find((p) => p.paneId === paneId);
  t.ok(pane, 'listed');
  t.equal(pane!.windowName, 'argv', 'the window is named as asked');
  t.equal(pane!.dead, false);
  t.ok(pidAlive(pane!.pid));
  t.equal(existsSync(pwned), false, 'no shell ran: the file never appears');
});

t.test('a one-element argv does not go through a shell either', async (t) => {
  const { tmux, dir } = await driverWithSession(t);
  const pwned = join(dir, 'pwned-one');
  // tmux runs a single-argument command with `sh -c`: the driver must not hand it one.
  const paneId = await tmux
    .newWindow('s', { name: 'one', cwd: dir, argv: [`touch ${pwned}`] })
    .catch((error: Error) => (error instanceof TmuxError ? undefined : Promise.reject(error)));
  if (paneId)
    await waitFor(
      'the one-argument window to end',
      async () => !(await tmux.listPanes('s')).some((p) => p.paneId === paneId && !p.dead),
      5000,
    );
  await sleep(300);
  t.equal(existsSync(pwned), false, 'the text was never run by a shell');

  // A one-element argv that names a real program still runs it.
  const program = join(dir, 'one-program');
  writeFileSync(program, `#!/bin/sh\ntouch "${join(dir, 'ran')}"\nexec sleep 600\n`, { mode: 0o755 });
  await tmux.newWindow('s', { name: 'program', cwd: dir, argv: [program] });
  await waitFor('the program to run', () => existsSync(join(dir, 'ran')), 5000);
  t.pass('a lone program name runs');
});

t.test('sendLiteral: shell syntax, key names and leading dashes arrive as the same bytes', async (t) => {
  const { tmux, dir } = await driverWithSession(t);
  const pane = await recorder(tmux, dir, 'lit');
  const pwned = join(dir, 'pwned');
  const texts = [
    `x; $(touch ${pwned}) \`touch ${pwned}\` "q" 's' é ✓`,
    'Enter',
    'C-c',
    'Escape',
    '-n oops',
    '--',
    'C-d',
  ];
  let expected = '';
  for (const text of texts) {
    await tmux.sendLiteral(pane.paneId, text);
    expected += text;
  }
  await waitFor('every literal byte', () => pane.received().length >= Buffer.byteLength(expected));
  t.equal(pane.received().toString('utf8'), expected, 'bytes as sent: no key name was interpreted');
  t.equal(existsSync(pwned), false, 'nothing ran');

  await tmux.sendKey(pane.paneId, 'Enter');
  await tmux.sendKey(pane.paneId, 'C-c');
  await waitFor('the keys', () => pane.received().length >= Buffer.byteLength(expected) + 2);
  t.same(
    [...pane.received().subarray(Buffer.byteLength(expected))],
    [0x0d, 0x03],
    'sendKey sends the keys: CR and ETX',
  );
});

t.test('paste keeps line feeds; with bracketed paste on, the text comes wrapped', async (t) => {
  const { tmux, dir } = await driverWithSession(t);
  const text = `multi\nline $(touch ${join(dir, 'pwned')})\nthird\n`;
  const plain = await recorder(tmux, dir, 'plain');
  await tmux.paste(plain.paneId, text, 'fleet-test-a');
  await waitFor('the paste', () => plain.received().length >= Buffer.byteLength(text));
  t.equal(
    plain.received().toString('utf8'),
    text,
    'LF kept (no LF→CR): a multi-line prompt is not submitted line by line',
  );

  const bracketed = await recorder(tmux, dir, 'bracketed', true);
  await sleep(100); // let tmux see the ESC[?2004h the program printed
  await tmux.paste(bracketed.paneId, text, 'fleet-test-b');
  const wrapped = `\x1b[200~${text}\x1b[201~`;
  await waitFor('the bracketed paste', () => bracketed.received().length >= Buffer.byteLength(wrapped));
  t.equal(bracketed.received().toString('utf8'), wrapped, 'one bracketed paste');
  t.equal(existsSync(join(dir, 'pwned')), false);
  const buffers = await execTmux()(['-L', tmux.socket, 'list-buffers', '-F', '#{buffer_name}']).catch(() => '');
  t.notMatch(buffers, /fleet-test-/, 'the paste buffers were deleted (-d)');
});

t.test('listPanes, setPaneTitle, capture and killWindow', async (t) => {
  const { tmux, dir } = await driverWithSession(t);
  const script = join(dir, 'talk.cjs');
  writeFileSync(script, `console.log('hello from ' + process.argv[2]); setInterval(() => {}, 1000);`);
  const a = await tmux.newWindow('s', { name: 'worker-a', cwd: dir, argv: [process.execPath, script, 'a'] });
  const b = await tmux.newWindow('s', { name: 'worker-b', cwd: dir, argv: [process.execPath, script, 'b'] });
  await tmux.setPaneTitle(a, 'worker:worker-a');
  await tmux.setPaneTitle(b, 'worker:worker-b');
  const panes = await tmux.listPanes('s');
  t.same(
    panes.map((p) => [p.windowName, p.title]).filter(([name]) => name !== 'home'),
    [
      ['worker-a', 'worker:worker-a'],
      ['worker-b', 'worker:worker-b'],
    ],
  );
  await waitFor('the pane to show the output', async () => (await tmux.capture(a)).includes('hello from a'));
  const pidA = panes.find((p) => p.paneId === a)!.pid;
  await tmux.killWindow(a);
  const after = await tmux.listPanes('s');
  t.notOk(
    after.some((p) => p.paneId === a),
    'the window is gone',
  );
  t.ok(
    after.some((p) => p.paneId === b),
    'the other window stays',
  );
  await waitFor('the killed window’s process to end', () => !pidAlive(pidA), 5000);
  await tmux.killWindow(a); // already gone: no error
  await tmux.killWindow('%99999');
  t.pass('killing a missing window is not an error');
});

t.test('a missing tmux binary gives the install hint', async (t) => {
  const socket = privateTmux(t, 'tmux');
  const tmux = new TmuxDriver({ socket, runner: execTmux('/nonexistent/tmux') });
  const hint = /tmux is not installed: install it \(Debian\/Ubuntu: apt-get install tmux; macOS: brew install tmux\)/;
  await t.rejects(tmux.version(), hint);
  await t.rejects(tmux.hasSession('s'), hint, 'hasSession does not pretend the session is just missing');
  await t.rejects(tmux.ensureSession('s', { cwd: '/', argv: ['sleep', '1'] }), hint);
  const error = await tmux.version().catch((e: unknown) => e);
  t.ok(error instanceof TmuxError);
  t.equal(existsSync(tmuxSocketPath(socket)), false, 'nothing was started');
});

t.test('a tmux failure names the command and tmux’s message', async (t) => {
  const { tmux } = await driverWithSession(t);
  const error = (await tmux
    .newWindow('no-such-session', { name: 'x', cwd: '/', argv: ['sleep', '1'] })
    .catch((e: unknown) => e)) as TmuxError;
  t.ok(error instanceof TmuxError);
  t.match(error.message, /tmux .*failed: .*no-such-session/);
});

t.test('fleet attach without tmux on PATH: exit 1 with the install hint', async (t) => {
  const dir = tempDir(t, 'fleet-attach-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const tmux = { socket: 'fleet-test-attach-never', session: 'fleet' };
  writeFileSync(
    join(dir, 'fleet.config.ts'),
    `export default ${JSON.stringify({ plugins: { auth: true, workers: { tmux } } })};\n`,
  );
  const result = spawnSync(process.execPath, [FLEET_BIN, 'attach', '--config', join(dir, 'fleet.config.ts')], {
    cwd: dir,
    env: { PATH: bin, HOME: dir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(result.status, 1, result.stderr);
  t.match(
    result.stderr,
    /tmux is not installed: install it \(Debian\/Ubuntu: apt-get install tmux; macOS: brew install tmux\)/,
  );
  t.equal(existsSync(tmuxSocketPath('fleet-test-attach-never')), false);
});
