import { existsSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  freePort,
  requestJson,
  runFleetCli,
  type ServerProcess,
  startServerProcess,
  type TestLike,
  tempDir,
} from '../kit/index.js';

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe(true);
    });
    socket.once('error', () => resolveProbe(false));
  });
}

interface RunningFleet extends ServerProcess {
  port: number;
  dir: string;
}

/** `fleet up` on a free port with a config file in a temp dir; killed at teardown if still running. */
async function fleetUp(t: TestLike): Promise<RunningFleet> {
  const dir = tempDir(t, 'fleet-cli-');
  writeFileSync(
    join(dir, 'fleet.config.ts'),
    `export default ${JSON.stringify({ plugins: { auth: true, metrics: true } })};\n`,
  );
  const port = await freePort();
  const server = await startServerProcess(t, {
    configFile: 'fleet.config.ts',
    cwd: dir,
    port,
    env: { PORT: String(port) },
  });
  return { ...server, port, dir };
}

/** Wait for a child to exit, failing after a deadline instead of hanging the suite. */
async function exitOf(running: RunningFleet, timeoutMs = 15_000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => reject(new Error(`fleet up did not exit: ${running.output()}`)), timeoutMs)),
  );
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const lines = (text: string) => text.split('\n').filter(Boolean);

t.test('fleet --help and each command --help exit 0 with usage', async (t) => {
  const cwd = tempDir(t, 'fleet-cli-');
  const main = await runFleetCli(t, ['--help'], { cwd });
  t.equal(main.code, 0);
  for (const command of ['up', 'status', 'plugins', 'token', 'mcp'])
    t.match(main.stdout, new RegExp(`^  ${command} `, 'm'), `lists ${command}`);

  const commands = [['up'], ['status'], ['plugins'], ['token'], ['mcp'], ['mcp', 'install']];
  const results = await Promise.all(commands.map((command) => runFleetCli(t, [...command, '--help'], { cwd })));
  commands.forEach((command, i) => {
    const result = results[i]!;
    t.equal(result.code, 0, `fleet ${command.join(' ')} --help exits 0`);
    t.match(result.stdout, new RegExp(`^Usage: fleet ${command[0]}`), `fleet ${command.join(' ')} --help prints usage`);
    t.equal(result.stderr, '');
  });
  t.notOk(existsSync(join(cwd, '.fleet')), 'help writes nothing');
  t.notOk(existsSync(join(cwd, '.mcp.json')), 'mcp install --help installs nothing');
});

t.test('an unknown command or option exits non-zero with one line', async (t) => {
  const cwd = tempDir(t, 'fleet-cli-');
  const unknown = await runFleetCli(t, ['launch'], { cwd });
  t.not(unknown.code, 0);
  t.equal(lines(unknown.stderr).length, 1, unknown.stderr);
  t.match(unknown.stderr, /unknown command "launch"/);

  const badOption = await runFleetCli(t, ['status', '--bogus'], { cwd });
  t.equal(badOption.code, 2);
  t.equal(lines(badOption.stderr).length, 1, badOption.stderr);
  t.match(badOption.stderr, /--bogus/);

  const none = await runFleetCli(t, [], { cwd });
  t.not(none.code, 0, 'no command is a usage error');
  t.match(none.stdout, /Usage: fleet <command>/);
});

t.test('fleet up with an invalid config exits non-zero naming the bad key', async (t) => {
  const dir = tempDir(t, 'fleet-cli-');
  const port = String(await freePort());
  const cases: [unknown, RegExp][] = [
    [{ server: { port: 'x' } }, /server\.port: must be a number/],
    [{ sever: {} }, /sever: is not a known key/],
    [{ plugins: { nosuch: true } }, /plugins\.nosuch: no such plugin/],
  ];
  for (const [config, pattern] of cases) {
    writeFileSync(join(dir, 'bad.config.ts'), `export default ${JSON.stringify(config)};\n`);
    const result = await runFleetCli(t, ['up', '--config', 'bad.config.ts'], { cwd: dir, env: { PORT: port } });
    t.not(result.code, 0, JSON.stringify(config));
    t.equal(lines(result.stderr).length, 1, result.stderr);
    t.match(result.stderr, pattern);
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
    t.notOk(await listening(Number(port)), 'nothing was left listening');
  }

  const byEnv = await runFleetCli(t, ['up'], { cwd: dir, env: { PORT: port, FLEET_CONFIG: 'bad.config.ts' } });
  t.not(byEnv.code, 0, 'FLEET_CONFIG is read');
  t.match(byEnv.stderr, /plugins\.nosuch: no such plugin/);

  const plugins = await runFleetCli(t, ['plugins', '--config', 'bad.config.ts'], { cwd: dir });
  t.not(plugins.code, 0);
  t.match(plugins.stderr, /plugins\.nosuch: no such plugin/);

  const badEnv = await runFleetCli(t, ['up'], { cwd: dir, env: { PORT: 'abc' } });
  t.not(badEnv.code, 0);
  t.match(badEnv.stderr, /PORT: must be an integer/);

  const missing = await runFleetCli(t, ['up', '--config', 'nope.config.ts'], { cwd: dir });
  t.not(missing.code, 0);
  t.match(missing.stderr, /nope\.config\.ts: no such config file/);
});

t.test('fleet up on a port already taken exits non-zero with one line', async (t) => {
  const dir = tempDir(t, 'fleet-cli-');
  const blocker = createServer();
  await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
  t.teardown(() => new Promise<void>((resolveClose) => blocker.close(() => resolveClose())));
  const port = (blocker.address() as { port: number }).port;
  const result = await runFleetCli(t, ['up'], { cwd: dir, env: { PORT: String(port), FLEET_DATA_DIR: 'data' } });
  t.not(result.code, 0);
  t.match(result.stderr, /EADDRINUSE/);
  t.match(lines(result.stderr).at(-1), /^fleet up: /, 'the last line says what failed');
});

t.test('a running fleet: status, plugins, token; SIGTERM exits 0 and closes the port', async (t) => {
  const running = await fleetUp(t);
  const { dir, url } = running;
  t.ok(existsSync(join(dir, '.fleet', 'fleet.db')), 'the database is beside the config file');

  const status = await runFleetCli(t, ['status', '--url', url], { cwd: dir });
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, new RegExp(`at ${url}: ok`));
  t.match(status.stdout, /plugins: auth, metrics/);
  const json = await runFleetCli(t, ['status', '--url', url, '--json'], { cwd: dir });
  t.equal(JSON.parse(json.stdout).status, 'ok');
  // Without the admin key (another directory, no FLEET_ADMIN_KEY) the fleet says only that it is up.
  const bare = await runFleetCli(t, ['status', '--url', url], { cwd: tempDir(t, 'fleet-cli-nokey-') });
  t.equal(bare.code, 0, bare.stderr);
  t.match(bare.stdout, new RegExp(`at ${url}: ok\n`));
  t.match(bare.stdout, /no admin key here/);
  t.notMatch(bare.stdout, /plugins:|counts:/, 'no counts for a caller without the key');

  const plugins = await runFleetCli(t, ['plugins', '--config', 'fleet.config.ts', '--url', url], { cwd: dir });
  t.equal(plugins.code, 0, plugins.stderr);
  t.match(plugins.stdout, /^auth\s+on\s+\[running\]$/m);
  t.match(plugins.stdout, /^metrics\s+on\s+\[running\]$/m);

  const token = await runFleetCli(t, ['token', '--handle', 'x', '--team', 't', '--data-dir', '.fleet', '--url', url], {
    cwd: dir,
  });
  t.equal(token.code, 0, token.stderr);
  const jwt = token.stdout.trim();
  t.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
  t.match(claims, { handle: 'x', teamName: 't', agentType: 'worker' });
  const agents = await requestJson(url, 'GET', '/teams/t/agents', { token: jwt });
  t.equal(agents.status, 200, 'the fleet accepts the token');
  t.same(
    agents.body.map((a: { handle: string }) => a.handle),
    ['x'],
  );

  running.child.kill('SIGTERM');
  t.same(await exitOf(running), { code: 0, signal: null });
  t.notOk(await listening(running.port), 'the port is closed');
  t.match(running.output(), /SIGTERM: stopping/);
  t.match(running.output(), /\[kernel\] stopped/);

  const after = await runFleetCli(t, ['status', '--url', url], { cwd: dir });
  t.not(after.code, 0, 'status of a stopped fleet fails');
  t.equal(lines(after.stderr).length, 1);
  t.match(after.stderr, /no fleet answering at/);
});

t.test('SIGINT stops fleet up with exit code 0, even with a client connected', async (t) => {
  const running = await fleetUp(t);
  // A keep-alive connection held by this process must not keep the fleet from exiting.
  t.equal((await requestJson(running.url, 'GET', '/health')).status, 200);
  running.child.kill('SIGINT');
  t.same(await exitOf(running), { code: 0, signal: null });
  t.notOk(await listening(running.port), 'the port is closed');
  t.match(running.output(), /SIGINT: stopping/);
});

t.test('fleet plugins without a running fleet answers from the config', async (t) => {
  const dir = tempDir(t, 'fleet-cli-');
  writeFileSync(
    join(dir, 'fleet.config.ts'),
    `export default ${JSON.stringify({ plugins: { auth: true, metrics: false } })};\n`,
  );
  const url = `http://127.0.0.1:${await freePort()}`;
  const result = await runFleetCli(t, ['plugins', '--url', url], { cwd: dir });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /^auth\s+on\s*$/m);
  t.match(result.stdout, /^metrics\s+off\s+turned off in the config$/m);
  t.match(result.stdout, new RegExp(`no fleet answering at ${url}; states are from the config`));
});

t.test('fleet token without a handle or an admin key says what is missing', async (t) => {
  const cwd = tempDir(t, 'fleet-cli-');
  const noHandle = await runFleetCli(t, ['token'], { cwd });
  t.equal(noHandle.code, 2);
  t.match(noHandle.stderr, /--handle is required/);
  const noKey = await runFleetCli(t, ['token', '--handle', 'x', '--url', 'http://127.0.0.1:1'], { cwd });
  t.not(noKey.code, 0);
  t.equal(lines(noKey.stderr).length, 1);
  t.match(noKey.stderr, /no admin key: FLEET_ADMIN_KEY is not set and .*admin\.key does not exist/);
});

t.test('fleet mcp without FLEET_TOKEN or CLAUDE_CODE_AGENT_NAME says what is missing', async (t) => {
  const cwd = tempDir(t, 'fleet-cli-');
  const result = await runFleetCli(t, ['mcp'], { cwd });
  t.not(result.code, 0);
  t.equal(lines(result.stderr).length, 1, result.stderr);
  t.match(result.stderr, /FLEET_TOKEN is not set/);
  t.match(result.stderr, /CLAUDE_CODE_AGENT_NAME/);
  t.equal(result.stdout, '', 'nothing on stdout, which belongs to the MCP protocol');

  const noKey = await runFleetCli(t, ['mcp'], { cwd, env: { CLAUDE_CODE_AGENT_NAME: 'me' } });
  t.not(noKey.code, 0);
  t.match(noKey.stderr, /no admin key to register with: FLEET_ADMIN_KEY is unset and .*admin\.key does not exist/);

  const badName = await runFleetCli(t, ['mcp'], { cwd, env: { CLAUDE_CODE_AGENT_NAME: 'no spaces allowed' } });
  t.not(badName.code, 0);
  t.match(badName.stderr, /CLAUDE_CODE_AGENT_NAME: must be/);
});
