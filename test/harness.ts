import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../core/config/load-config.js';
import type { FleetConfigInput } from '../core/config/types.js';
import { Kernel } from '../core/kernel/kernel.js';
import { createLogger } from '../core/log.js';
import type { AnyPlugin } from '../core/plugin.js';

/** The subset of tap's Test we use, so helpers work in any subtest. */
export interface TestLike {
  teardown(fn: () => unknown): void;
}

export interface TestFleet {
  kernel: Kernel;
  url: string;
  dataDir: string;
  adminKey: string;
  /** Every log line the fleet wrote. */
  logs: string[];
  /** Register an agent with the admin key. */
  register(handle: string, teamName: string, agentType?: 'worker' | 'team-lead', role?: string): Promise<{ uid: string; token: string }>;
  /** JSON request; returns status, parsed body and headers. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

let fleetCount = 0;

/** Kill a private tmux server and remove its socket file (kill-server leaves it behind). */
export function endTmuxServer(socket: string): void {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left: nothing to kill
  }
  // tmux keeps its sockets under $TMUX_TMPDIR or /tmp, whatever TMPDIR says.
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
}

/** A temp dir removed when the test ends. */
export function tempDir(t: TestLike, prefix = 'fleet-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function requestJson(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(url + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/**
 * Boot a real fleet for a test: SQLite in a temp dir, HTTP on port 0, the given plugins, no
 * config file unless `configPath` is given. Stopped and cleaned up when the test ends.
 */
export async function startFleet(
  t: TestLike,
  options: { plugins?: Record<string, boolean | Record<string, unknown>>; extraPlugins?: AnyPlugin[]; config?: FleetConfigInput; env?: Record<string, string> } = {},
): Promise<TestFleet> {
  const dataDir = tempDir(t);
  const logs: string[] = [];
  // A fleet with workers starts a tmux server: give it a private socket and end it with the test.
  const plugins = options.plugins ?? { auth: true, metrics: true };
  let tmuxSocket = options.config?.tmux?.socket;
  if (plugins.workers) tmuxSocket ??= `fleet-test-${process.pid}-${++fleetCount}`;
  const config = resolveConfig(
    { ...options.config, dataDir, server: { port: 0, ...options.config?.server }, tmux: { ...options.config?.tmux, socket: tmuxSocket }, plugins },
    { env: options.env ?? {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, plugins: options.extraPlugins, log: createLogger({ level: 'debug', sink: (line) => logs.push(line) }) });
  t.teardown(() => kernel.stop());
  // After the fleet has stopped (teardowns run in order), so no worker is relaunched meanwhile.
  if (plugins.workers && tmuxSocket) {
    const socket = tmuxSocket;
    t.teardown(() => endTmuxServer(socket));
  }
  const url = kernel.url;
  const fleet: TestFleet = {
    kernel,
    url,
    dataDir,
    adminKey: kernel.adminKey,
    logs,
    async register(handle, teamName, agentType = 'worker', role) {
      const response = await requestJson(url, 'POST', '/auth', { token: kernel.adminKey, body: { handle, teamName, agentType, role } });
      if (response.status !== 200) throw new Error(`register ${handle} failed: ${response.status} ${JSON.stringify(response.body)}`);
      return { uid: response.body.uid, token: response.body.token };
    },
    request: (method, path, requestOptions) => requestJson(url, method, path, requestOptions),
  };
  return fleet;
}

/**
 * A port free right now on 127.0.0.1, for a child process that must be told its port up front
 * (in-process servers should listen on port 0 instead).
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}
