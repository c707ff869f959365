import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_BIN } from './paths.js';
import type { TestLike } from './test-like.js';
import { waitFor } from './wait.js';

/** Whether a process with this pid exists (a zombie counts; see running()). */
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

/** Whether the process runs: it exists and is not a zombie waiting to be reaped. */
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

/**
 * The worker directories under <dataDir>/workers: <team>/<handle> and <team>/.archive/<handle>-<ms>,
 * and those of the layout before teams had their own (<handle>, .archive/<handle>-<ms>; a team's
 * directory may be such a worker's too, so every level is searched).
 */
function workerDirs(root: string, depth = 3): string[] {
  if (depth === 0 || !existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(root, entry.name);
      return [...(existsSync(join(dir, 'host.json')) ? [dir] : []), ...workerDirs(dir, depth - 1)];
    });
}

/** Every pane host and agent group recorded under <dataDir>/workers (and each .archive): ended by force. */
export function killWorkerProcesses(dataDir: string): void {
  for (const dir of workerDirs(join(dataDir, 'workers'))) {
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
export async function startServerProcess(
  t: TestLike,
  options: { configFile: string; cwd: string; port: number; env: Record<string, string> },
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [FLEET_BIN, 'up', '--config', options.configFile], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const url = `http://127.0.0.1:${options.port}`;
  let exitedEarly: Error | undefined;
  await waitFor(
    'fleet up to listen',
    () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        exitedEarly ??= new Error(`fleet up exited ${child.exitCode ?? child.signalCode}`);
        return true;
      }
      return output.includes('listening on');
    },
    // A generous bound, not a speed check: under CI's parallel files (load 20+) a start took over 30 s.
    90_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  if (exitedEarly) throw new Error(`${exitedEarly.message}: ${output}`);
  return { child, url, output: () => output, exited };
}
