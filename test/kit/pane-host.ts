/**
 * Pane hosts (`fleet pane --dir`) in tests, without a fleet: a worker dir with a spawn spec, the
 * host as a child process or in a window of a private tmux server, and a client of its unix socket.
 * Whatever a host started (itself, its agent's process group) is SIGKILLed at teardown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hostSocketPath } from '../../core/workers/host-socket.js';
import { type SpawnSpec, writeSpawnSpec } from '../../core/workers/spawn-spec.js';
import { TmuxDriver } from '../../core/workers/tmux.js';
import { FLEET_BIN } from './paths.js';
import { tempDir } from './temp.js';
import type { TestLike } from './test-like.js';
import { privateTmux } from './tmux.js';
import { waitFor } from './wait.js';
import type { Message } from './ws.js';

/** This process's environment without tap's own variables: what a test agent runs with. */
export function agentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith('TAP')) env[key] = value;
  return env;
}

/** Write a spawn spec for a test agent: worker w1 of team alpha, a text agent, `spec` over that. */
export function writeTestSpec(dir: string, spec: Partial<SpawnSpec> & { argv: string[] }): void {
  writeSpawnSpec(dir, {
    handle: 'w1',
    teamName: 'alpha',
    adapter: 'test',
    cwd: dir,
    env: agentEnv(),
    format: 'text',
    heartbeatMs: 10_000,
    ...spec,
  });
}

/** A temp worker dir with a test agent's spawn spec (see writeTestSpec). */
export function paneWorkerDir(t: TestLike, spec: Partial<SpawnSpec> & { argv: string[] }, prefix = 'fleet-pane-') {
  const dir = tempDir(t, prefix);
  writeTestSpec(dir, spec);
  return dir;
}

/** The pids in a worker dir's host.json, once the host has written it. */
export function hostPids(dir: string): { hostPid: number; agentPid: number } | undefined {
  const file = join(dir, 'host.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { hostPid: number; agentPid: number })
    : undefined;
}

/** SIGKILL the dir's host and its agent's group, and `child` (a host the test started), whatever is left. */
export function killPaneHost(dir: string, child?: ChildProcess): void {
  const host = hostPids(dir);
  for (const pid of [host ? -host.agentPid : 0, host?.hostPid ?? 0, child?.pid ?? 0]) {
    if (!pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** killPaneHost at teardown. */
export function endPaneHostAtTeardown(t: TestLike, dir: string, child?: ChildProcess): void {
  t.teardown(() => killPaneHost(dir, child));
}

export interface PaneHostProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote, stdout and stderr together. */
  output: () => string;
}

/** `fleet pane --dir <dir>` as a child process; it and its agent are killed at teardown (and awaited). */
export function startPaneHost(t: TestLike, dir: string): PaneHostProcess {
  const child = spawn(process.execPath, [FLEET_BIN, 'pane', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })),
  );
  t.teardown(async () => {
    killPaneHost(dir, child);
    await exited;
  });
  return { child, exited, output: () => output };
}

/**
 * `fleet pane --dir <dir>` in a window named `name` of a private tmux server (its first window runs
 * `sleep`); the server is killed, and the host and its agent with it, at teardown.
 */
export async function paneHostWindow(
  t: TestLike,
  dir: string,
  options: { tag?: string; name?: string } = {},
): Promise<{ tmux: TmuxDriver; socket: string; paneId: string }> {
  const socket = privateTmux(t, options.tag ?? 'pane');
  const tmux = new TmuxDriver({ socket });
  await tmux.ensureSession('s', { cwd: dir, argv: ['sleep', '600'] });
  const paneId = await tmux.newWindow('s', {
    name: options.name ?? 'w1',
    cwd: dir,
    argv: [process.execPath, FLEET_BIN, 'pane', '--dir', dir],
  });
  endPaneHostAtTeardown(t, dir);
  return { tmux, socket, paneId };
}

/** A raw client of a pane host's unix socket: every message it got, and a way to send requests. */
export class HostClient {
  readonly messages: Message[] = [];
  private constructor(readonly socket: Socket) {
    createInterface({ input: socket }).on('line', (line) => this.messages.push(JSON.parse(line) as Message));
  }
  /** Connect once the host listens; the socket is destroyed at teardown. */
  static async open(t: TestLike, dir: string): Promise<HostClient> {
    const path = hostSocketPath(dir);
    const socket = await waitFor(
      'the host socket',
      () =>
        new Promise<Socket | undefined>((resolveConnect) => {
          const s = connect(path);
          s.once('connect', () => resolveConnect(s));
          s.once('error', () => resolveConnect(undefined));
        }),
    );
    t.teardown(() => socket.destroy());
    return new HostClient(socket);
  }
  send(request: unknown): void {
    this.socket.write(JSON.stringify(request) + '\n');
  }
  wait(what: string, match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    return waitFor(what, () => this.messages.find(match), timeoutMs, 20);
  }
}
