import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, killWorkerProcesses } from '../../../test/kit/index.js';

const FLEET_BIN = fileURLToPath(new URL('../../../bin/fleet.mjs', import.meta.url));

/** A real `fleet up` child for a benchmark, with a team lead `bench-lead` of team `bench` registered. */
export interface FleetProcess {
  child: ChildProcess;
  url: string;
  dataDir: string;
  /** The fleet's own tmux socket name (`plugins.workers.tmux.socket`). */
  socket: string;
  lead: string;
  /** A call as the lead: its status and parsed JSON body. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The same with the admin key (what only the operator sees: /debug's process memory). */
  adminRequest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * Start `fleet up` in `dir` on a free port, SQLite in `<dir>/data`, no reachable rate limit, with the
 * plugins `plugins(socket)` gives (a workers entry should use `tmux: { socket, session }`), and wait until
 * it listens. `env` adds to a minimal environment (the shell's PORT or FLEET_* cannot leak in).
 */
export async function startFleetProcess(
  dir: string,
  plugins: (socket: string) => Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<FleetProcess> {
  const port = await freePort();
  const socket = `fleet-bench-${process.pid}-${Date.now().toString(36)}`;
  const dataDir = join(dir, 'data');
  const adminKey = randomBytes(24).toString('hex');
  const config = {
    server: { port, rateLimit: { max: 1_000_000_000 } },
    log: { level: 'warn' },
    plugins: plugins(socket),
  };
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  const child = spawn(process.execPath, [FLEET_BIN, 'up', '--config', configFile], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      FLEET_DATA_DIR: dataDir,
      FLEET_ADMIN_KEY: adminKey,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!output.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`fleet up did not start: ${output}`);
    }
    await sleep(25);
  }
  const url = `http://127.0.0.1:${port}`;
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const registered = await call(adminKey, 'POST', '/auth', {
    handle: 'bench-lead',
    teamName: 'bench',
    agentType: 'team-lead',
  });
  if (registered.status !== 200) throw new Error(`register lead: ${registered.status}`);
  const lead = registered.body.token as string;
  return {
    child,
    url,
    dataDir,
    socket,
    lead,
    request: (method, path, body) => call(lead, method, path, body),
    adminRequest: (method, path, body) => call(adminKey, method, path, body),
  };
}

/** End everything the run started: the server, every pane host and agent, the tmux server and its socket. */
export function stopFleetProcess(fleet: FleetProcess | undefined, dir: string): void {
  if (fleet) {
    if (fleet.child.exitCode === null) fleet.child.kill('SIGKILL');
    // Every pane host and agent group under <dataDir>/workers (<team>/<handle> and each .archive).
    killWorkerProcesses(fleet.dataDir);
    try {
      execFileSync('tmux', ['-L', fleet.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, fleet.socket), { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}
