/**
 * `fleet mcp` makes one real request before it serves. When the fleet does not answer or refuses
 * its credential it prints one line saying why on stderr and exits 1: Claude Code shows only
 * CONNECTION_CLOSED, but logs the server's stderr (`claude --debug`), so that line is all a person
 * gets. Before, the bridge served anyway and every tool failed.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FLEET_BIN, freePort, startFleet, tempDir } from '../kit/index.js';

/** Run `fleet mcp` with this environment and stdin held open, as Claude Code runs it; wait for its exit. */
function bridge(
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [FLEET_BIN, 'mcp'], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleet mcp kept running instead of exiting; stderr: ${stderr}`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

t.test('fleet mcp exits with one line when it cannot connect or authenticate', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, mail: true, tasks: true } });
  const cwd = tempDir(t, 'fleet-bridge-');
  const expectExit = async (what: string, env: Record<string, string>, pattern: RegExp) => {
    const result = await bridge(env, cwd);
    t.equal(result.code, 1, `${what}: exit 1`);
    t.equal(result.stdout, '', `${what}: nothing on stdout, which belongs to the protocol`);
    t.equal(result.stderr.split('\n').filter(Boolean).length, 1, `${what}: one line (${result.stderr})`);
    t.match(result.stderr, pattern, what);
  };

  const dead = `http://127.0.0.1:${await freePort()}`;
  await expectExit(
    'no fleet at FLEET_URL',
    { FLEET_URL: dead, CLAUDE_CODE_AGENT_NAME: 'me', FLEET_DATA_DIR: fleet.dataDir },
    new RegExp(`^fleet mcp: no fleet answering at ${dead} \\(ECONNREFUSED\\); is it running`),
  );
  await expectExit(
    'no fleet, with a token',
    { FLEET_URL: dead, FLEET_TOKEN: 'whatever' },
    new RegExp(`^fleet mcp: no fleet answering at ${dead}`),
  );

  const other = tempDir(t, 'fleet-other-data-');
  writeFileSync(join(other, 'admin.key'), 'another-fleets-key\n', { mode: 0o600 });
  await expectExit(
    "another fleet's admin key",
    { FLEET_URL: fleet.url, CLAUDE_CODE_AGENT_NAME: 'me', FLEET_DATA_DIR: other },
    new RegExp(
      `^fleet mcp: the fleet at ${fleet.url} refused the admin key from ${join(other, 'admin.key')} ` +
        "\\(403 Invalid token\\); it is another fleet's key: set FLEET_DATA_DIR",
    ),
  );
  await expectExit(
    'a refused FLEET_ADMIN_KEY',
    { FLEET_URL: fleet.url, CLAUDE_CODE_AGENT_NAME: 'me', FLEET_ADMIN_KEY: 'not-the-key' },
    /^fleet mcp: the fleet at .* refused the admin key from FLEET_ADMIN_KEY \(403 Invalid token\)/,
  );
  await expectExit(
    'a refused FLEET_TOKEN',
    { FLEET_URL: fleet.url, FLEET_TOKEN: 'not-a-token' },
    /^fleet mcp: the fleet at .* refused FLEET_TOKEN \(403 Invalid token\); mint a new one with `fleet token`/,
  );

  // Something that is not a fleet: an HTTP server answering HTML.
  const { createServer } = await import('node:http');
  const html = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end('<p>'),
  );
  await new Promise<void>((resolveListen) => html.listen(0, '127.0.0.1', resolveListen));
  t.teardown(() => new Promise<void>((resolveClose) => html.close(() => resolveClose())));
  const port = (html.address() as { port: number }).port;
  await expectExit(
    'not a fleet',
    { FLEET_URL: `http://127.0.0.1:${port}`, FLEET_TOKEN: 'whatever' },
    /answered GET \/mcp\/tools with 200 and no JSON object: is it a fleet\?/,
  );
});
