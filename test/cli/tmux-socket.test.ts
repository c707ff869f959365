/**
 * Each fleet has its own tmux server, derived from its data dir. Fleets that shared the default
 * socket mixed their windows and overwrote each other's status line (the README's own "try it"
 * recipe did). And a fleet whose port is taken must leave no tmux session or board behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { resolveConfig } from '../../core/config/load-config.js';
import { FleetError } from '../../core/errors.js';
import { defaultTmuxSocket, fleetTmuxSocket } from '../../core/workers/tmux-socket.js';
import {
  FLEET_BIN,
  freePort,
  killTmuxServer,
  startServerProcess,
  type TestLike,
  tempDir,
  tmuxSocketPath,
  tmuxSync,
  uniqueSocket,
  waitFor,
} from '../kit/index.js';

const noTmux = spawnSync('tmux', ['-V']).status === 0 ? false : 'tmux is not installed';

const childEnv = (home: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  ...extra,
});

/** A project whose config turns the workers plugin on and names no tmux socket. */
function project(t: TestLike, tag: string): { dir: string; file: string; dataDir: string } {
  const dir = tempDir(t, `fleet-tmux-${tag}-`);
  const file = join(dir, 'fleet.config.ts');
  writeFileSync(file, `export default ${JSON.stringify({ plugins: { auth: true, workers: true } })};\n`);
  const dataDir = join(dir, 'data');
  // Whatever the test leaves in the derived server (the board) goes with it.
  t.teardown(() => killTmuxServer(defaultTmuxSocket(dataDir)));
  return { dir, file, dataDir };
}

/** `fleet <args>` to its end, without a terminal. */
function fleetOnce(dir: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [FLEET_BIN, ...args], {
    cwd: dir,
    env: childEnv(dir, env),
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const sessionsOn = (socket: string): string[] => {
  try {
    return tmuxSync(socket, ['list-sessions', '-F', '#{session_name}']).split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

t.test('the default socket: claude-fleet-<8 hex digits>, one per data dir, the same through a symlink', async (t) => {
  const root = tempDir(t, 'fleet-socket-');
  const a = join(root, 'a');
  const b = join(root, 'b');
  t.match(defaultTmuxSocket(a), /^claude-fleet-[0-9a-f]{8}$/);
  t.equal(defaultTmuxSocket(a), defaultTmuxSocket(join(root, 'x', '..', 'a')), 'from the absolute path');
  t.not(defaultTmuxSocket(a), defaultTmuxSocket(b), 'another data dir, another socket');
  mkdirSync(a);
  symlinkSync(a, join(root, 'link'));
  t.equal(defaultTmuxSocket(join(root, 'link')), defaultTmuxSocket(a), 'a symlinked spelling finds the same');

  // FLEET_TMUX_SOCKET, then the configured socket, then the derived one.
  const config = resolveConfig({ dataDir: a }, { env: {} });
  t.equal(config.tmuxSocket, undefined);
  t.equal(fleetTmuxSocket(config), defaultTmuxSocket(a));
  t.equal(fleetTmuxSocket(config, 'mine'), 'mine', 'an explicit socket in the config wins over the default');
  const fromEnv = resolveConfig({ dataDir: a }, { env: { FLEET_TMUX_SOCKET: 'from-env_1' } });
  t.equal(fromEnv.tmuxSocket, 'from-env_1');
  t.equal(fleetTmuxSocket(fromEnv, 'mine'), 'from-env_1', 'the environment overrides the file, as every variable does');
});

t.test('FLEET_TMUX_SOCKET is checked like the other variables', async (t) => {
  for (const bad of ['a/b', 'has space', '../x', 'x'.repeat(65), 'dot.ted']) {
    const error = t.throws(() => resolveConfig({}, { env: { FLEET_TMUX_SOCKET: bad } })) as FleetError;
    t.equal(error.code, 'FLEET_ERR_CONFIG_INVALID');
    t.match(error.message, /^environment: FLEET_TMUX_SOCKET: must be 1 to 64 letters, digits, _ or - \(got /);
  }
  const dir = tempDir(t, 'fleet-socket-env-');
  writeFileSync(join(dir, 'fleet.config.ts'), `export default {};\n`);
  const result = fleetOnce(dir, ['up'], { FLEET_TMUX_SOCKET: 'a/b', PORT: '0' });
  t.equal(result.status, 1);
  t.match(result.stderr, /^fleet up: environment: FLEET_TMUX_SOCKET: must be/);
});

t.test(
  'two fleets on two data dirs: two tmux servers, each with its own session and board',
  { skip: noTmux },
  async (t) => {
    const fleets = [];
    for (const tag of ['one', 'two']) {
      const { dir, file, dataDir } = project(t, tag);
      const port = await freePort();
      const server = await startServerProcess(t, {
        configFile: file,
        cwd: dir,
        port,
        env: { PORT: String(port), FLEET_DATA_DIR: dataDir },
      });
      const socket = defaultTmuxSocket(dataDir);
      await waitFor(`fleet ${tag}'s tmux session`, () =>
        server.output().includes(`tmux session fleet on socket ${socket} created`),
      );
      fleets.push({ dir, dataDir, socket, server });
    }
    const [one, two] = fleets as [(typeof fleets)[0], (typeof fleets)[0]];
    t.not(one.socket, two.socket, 'two sockets');
    for (const fleet of [one, two]) {
      t.same(sessionsOn(fleet.socket), ['fleet'], `${fleet.socket} has the session`);
      const windows = tmuxSync(fleet.socket, [
        'list-windows',
        '-t',
        '=fleet',
        '-F',
        '#{window_name}|#{pane_start_command}',
      ])
        .split('\n')
        .filter(Boolean);
      t.equal(windows.length, 1, 'one window: its board');
      t.match(windows[0], new RegExp(`^fleet\\|.*--data-dir.*${fleet.dataDir}`), "the board of this fleet's data dir");
    }

    // `fleet attach` finds each fleet's server from its config and data dir. With no terminal,
    // attach-session gets as far as the session and then fails on the terminal.
    for (const fleet of [one, two]) {
      const attach = fleetOnce(fleet.dir, ['attach', '--config', 'fleet.config.ts'], { FLEET_DATA_DIR: fleet.dataDir });
      t.match(attach.stderr, /not a terminal/, `attach reached ${fleet.socket}: ${attach.stderr}`);
      t.notMatch(attach.stderr, /no server running|no sessions|can't find session/);
    }
    // Without the data dir it is another fleet (./.fleet beside the config), which is not running:
    // said so, naming the socket and the data dir, and no tmux server is started for it.
    const elsewhere = fleetOnce(one.dir, ['attach', '--config', 'fleet.config.ts'], {});
    const otherDataDir = join(one.dir, '.fleet');
    const otherSocket = defaultTmuxSocket(otherDataDir);
    t.equal(elsewhere.status, 1);
    t.equal(
      elsewhere.stderr,
      `fleet attach: no tmux session fleet on socket ${otherSocket} (the fleet of data dir ${otherDataDir}): ` +
        'is that fleet running?\n',
    );
    t.notOk(existsSync(tmuxSocketPath(otherSocket)), 'no tmux server started for it');
  },
);

t.test('FLEET_TMUX_SOCKET names the server for fleet up and fleet attach', { skip: noTmux }, async (t) => {
  const { dir, file, dataDir } = project(t, 'env');
  const socket = uniqueSocket('env');
  t.teardown(() => killTmuxServer(socket));
  const port = await freePort();
  const server = await startServerProcess(t, {
    configFile: file,
    cwd: dir,
    port,
    env: { PORT: String(port), FLEET_DATA_DIR: dataDir, FLEET_TMUX_SOCKET: socket },
  });
  await waitFor('the tmux session', () => server.output().includes(`tmux session fleet on socket ${socket} created`));
  t.same(sessionsOn(socket), ['fleet']);
  t.same(sessionsOn(defaultTmuxSocket(dataDir)), [], 'nothing on the derived socket');
  const attach = fleetOnce(dir, ['attach'], { FLEET_DATA_DIR: dataDir, FLEET_TMUX_SOCKET: socket });
  t.match(attach.stderr, /not a terminal/, attach.stderr);
});

t.test('a fleet whose port is taken leaves no tmux session and no board behind', { skip: noTmux }, async (t) => {
  const { dir, dataDir } = project(t, 'port');
  const blocker = createServer();
  await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
  t.teardown(() => new Promise<void>((resolveClose) => blocker.close(() => resolveClose())));
  const port = (blocker.address() as { port: number }).port;
  const result = fleetOnce(dir, ['up'], { PORT: String(port), FLEET_DATA_DIR: dataDir });
  t.equal(result.status, 1);
  t.match(result.stderr, /EADDRINUSE/);
  const socket = defaultTmuxSocket(dataDir);
  t.same(sessionsOn(socket), [], 'no session');
  t.notOk(existsSync(tmuxSocketPath(socket)), 'no tmux server was started');
  t.notMatch(result.stderr, /tmux session/, 'nothing said it made one');
});
