/**
 * Shared helpers for the workers suites: a private tmux server per test (killed, its socket file
 * removed), a fleet with the workers plugin and the fake agent, polling with deadlines, a WebSocket
 * client that keeps every event, and clean-up of every pane host and agent a test left behind.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startFleet, type TestFleet, type TestLike } from '../harness.js';

export const FAKE_AGENT = join(import.meta.dirname, '../fixtures/fake-agent.mjs');
export const FLEET_BIN = join(import.meta.dirname, '../../bin/fleet.mjs');
export const REPO_ROOT = join(import.meta.dirname, '../..');

let counter = 0;

/** A tmux socket name no other test (or run) uses. */
export function uniqueSocket(tag = 'w'): string {
  return `fleet-test-${process.pid}-${tag}-${Date.now().toString(36)}${counter++}`;
}

/** Where `tmux -L <name>` puts its socket (tmux honours TMUX_TMPDIR, else /tmp). */
export function tmuxSocketPath(name: string): string {
  return join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, name);
}

/** Run tmux on a private socket with an argument array; throws on failure. */
export function tmuxSync(socket: string, args: readonly string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

/** Kill the private tmux server (everything in its panes gets SIGHUP) and remove its socket file. */
export function killTmuxServer(socket: string): void {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // no server running
  }
  rmSync(tmuxSocketPath(socket), { force: true });
}

/** A private tmux socket for this test: killed and removed at teardown. */
export function privateTmux(t: TestLike, tag?: string): string {
  const socket = uniqueSocket(tag);
  t.teardown(() => killTmuxServer(socket));
  return socket;
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Whether the process runs: process.kill(pid, 0) succeeds and it is not a zombie waiting to be reaped. */
export function running(pid: number | undefined): boolean {
  return pidAlive(pid) && !isZombie(pid!);
}

/** Whether any process of the group led by `pgid` is left (a zombie leader counts as gone). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // kill(-pgid, 0) succeeds while a zombie member remains; look for a live one.
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

const kill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

/** Every pane host and agent group recorded under <dataDir>/workers (and .archive): ended by force. */
export function killWorkerProcesses(dataDir: string): void {
  const root = join(dataDir, 'workers');
  if (!existsSync(root)) return;
  const dirs = readdirSync(root).map((name) => join(root, name));
  const archive = join(root, '.archive');
  if (existsSync(archive)) dirs.push(...readdirSync(archive).map((name) => join(archive, name)));
  for (const dir of dirs) {
    const file = join(dir, 'host.json');
    if (!existsSync(file)) continue;
    try {
      const host = JSON.parse(readFileSync(file, 'utf8')) as { hostPid?: number; agentPid?: number };
      if (host.agentPid) kill(-host.agentPid, 'SIGKILL');
      if (host.hostPid) {
        kill(host.hostPid, 'SIGCONT');
        kill(host.hostPid, 'SIGKILL');
      }
    } catch {
      // a half-written file: nothing to do
    }
  }
}

export const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Poll until `check` returns something truthy; fails with `what` and the last value after the deadline. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}

export type Message = Record<string, any>;

/** A WebSocket client authenticated as an agent; keeps every message it receives. */
export class EventSocket {
  readonly received: Message[] = [];
  #wake = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Message);
      for (const wake of this.#wake) wake();
    });
  }

  static async open(t: TestLike, url: string, token: string): Promise<EventSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    t.teardown(() => ws.terminate());
    await new Promise<void>((resolveOpen, reject) => {
      ws.once('open', () => resolveOpen());
      ws.once('error', reject);
    });
    const socket = new EventSocket(ws);
    ws.send(JSON.stringify({ type: 'auth', token }));
    await socket.waitFor('authenticated', (m) => m.type === 'authenticated' || m.type === 'error');
    const answer = socket.received.find((m) => m.type === 'authenticated' || m.type === 'error');
    if (answer?.type !== 'authenticated') throw new Error(`ws auth failed: ${JSON.stringify(answer)}`);
    return socket;
  }

  /** The first message (from the start) matching `match`, waiting up to the deadline. */
  async waitFor(what: string, match: (message: Message) => boolean, timeoutMs = 15_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ws message for ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolveWait) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wake.delete(wake);
          resolveWait();
        };
        const timer = setTimeout(wake, left);
        this.#wake.add(wake);
      });
    }
  }

  of(type: string, handle?: string): Message[] {
    return this.received.filter((m) => m.type === type && (handle === undefined || m.handle === handle));
  }
}

export interface WorkerFleet {
  fleet: TestFleet;
  socket: string;
  team: string;
  lead: string;
  /** The fake agent's command (for plugins.workers.claude.command). */
  spawn(handle: string, body?: Record<string, unknown>, token?: string): Promise<{ status: number; body: any }>;
  worker(handle: string, token?: string): Promise<any>;
  /** Poll GET /orchestrate/workers until the worker matches. */
  waitWorker(handle: string, match: (worker: any) => boolean, what: string, timeoutMs?: number): Promise<any>;
  host(handle: string): { hostPid: number; agentPid: number };
  workerDir(handle: string): string;
  /** Every line of the worker's output through the API, paging with the cursor from 0. */
  allOutput(handle: string, limit?: number): Promise<{ offset: number; text: string }[]>;
}

export interface WorkerFleetOptions {
  workers?: Record<string, unknown>;
  plugins?: Record<string, boolean | Record<string, unknown>>;
  max?: number;
  team?: string;
}

/** The workers plugin options that run the fake agent as `claude`. */
export function fakeAgentWorkers(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { claude: { command: [process.execPath, FAKE_AGENT] }, heartbeatSeconds: 1, ...extra };
}

/** A fleet (auth, mail, tasks, workers with the fake agent) on its own tmux socket, with a team lead. */
export async function startWorkerFleet(t: TestLike, options: WorkerFleetOptions = {}): Promise<WorkerFleet> {
  const socket = privateTmux(t);
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, tasks: true, workers: fakeAgentWorkers(options.workers), ...options.plugins },
    // Tests poll the API: a rate limit out of reach.
    config: { tmux: { socket, session: 'fleet' }, workers: { max: options.max ?? 10 }, log: { level: 'debug' }, server: { rateLimit: { max: 1_000_000 } } },
  });
  // Runs before the kernel's own teardown (tap runs teardowns last-in first-out): stop the
  // server first so nothing restarts a worker, then end every pane host and agent, then tmux.
  t.teardown(async () => {
    await fleet.kernel.stop();
    killWorkerProcesses(fleet.dataDir);
    killTmuxServer(socket);
  });
  const team = options.team ?? 'alpha';
  const lead = (await fleet.register('lead', team, 'team-lead')).token;
  const workerDir = (handle: string) => join(fleet.dataDir, 'workers', handle);
  const api: WorkerFleet = {
    fleet,
    socket,
    team,
    lead,
    spawn: (handle, body = {}, token = lead) => fleet.request('POST', '/orchestrate/spawn', { token, body: { handle, workingDir: fleet.dataDir, ...body } }),
    async worker(handle, token = lead) {
      const response = await fleet.request('GET', '/orchestrate/workers', { token });
      return (response.body as any[]).find((w) => w.handle === handle);
    },
    waitWorker(handle, match, what, timeoutMs = 20_000) {
      return waitFor(`${handle}: ${what}`, async () => {
        const worker = await api.worker(handle);
        return worker && match(worker) ? worker : undefined;
      }, timeoutMs);
    },
    host: (handle) => JSON.parse(readFileSync(join(workerDir(handle), 'host.json'), 'utf8')) as { hostPid: number; agentPid: number },
    workerDir,
    async allOutput(handle, limit = 1000) {
      const lines: { offset: number; text: string }[] = [];
      let cursor = 0;
      for (;;) {
        const page = await fleet.request('GET', `/orchestrate/output/${handle}?cursor=${cursor}&limit=${limit}`, { token: lead });
        if (page.status !== 200) throw new Error(`output ${handle}: ${page.status} ${JSON.stringify(page.body)}`);
        lines.push(...page.body.lines);
        if (page.body.lines.length === 0) return lines;
        cursor = page.body.cursor;
      }
    },
  };
  return api;
}

/** The lines of a log file as the output API should report them (complete lines only). */
export function logLines(path: string): { offset: number; text: string }[] {
  const buffer = readFileSync(path);
  const lines: { offset: number; text: string }[] = [];
  let at = 0;
  for (;;) {
    const end = buffer.indexOf(0x0a, at);
    if (end === -1) return lines;
    lines.push({ offset: at, text: buffer.toString('utf8', at, end).replace(/\r$/, '') });
    at = end + 1;
  }
}

/** A port nothing listens on (free a moment ago). */
export { freePort } from '../harness.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `fleet up --config <file>` as a child process (a real server that can be kill -9ed). Resolves
 * once it listens; killed with SIGKILL at teardown if still running.
 */
export async function startServerProcess(t: TestLike, options: { configFile: string; cwd: string; port: number; env: Record<string, string> }): Promise<ServerProcess> {
  const child = spawn(process.execPath, [FLEET_BIN, 'up', '--config', options.configFile], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor('fleet up to listen', () => {
    if (child.exitCode !== null) throw new Error(`fleet up exited ${child.exitCode}: ${output}`);
    return output.includes('listening on');
  }, 30_000, 25).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  return { child, url, output: () => output, exited };
}
