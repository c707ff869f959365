import { type ChildProcess, spawn } from 'node:child_process';
import { FLEET_BIN } from './paths.js';
import { tempDir } from './temp.js';
import type { TestLike } from './test-like.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The real `fleet` command (bin/fleet.mjs) as a child process, with a minimal environment (PATH,
 * HOME = cwd, and `env`) so nothing of the developer's shell (FLEET_TOKEN, PORT...) leaks in.
 * Secrets go in `env`, never in `args`.
 */
export function fleetCli(
  t: TestLike,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): { child: ChildProcess; stdout: () => string; stderr: () => string; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [FLEET_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await done.catch(() => undefined);
    }
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Run `fleet <args>` to completion (killed after `timeoutMs`, failing the run). */
export async function runFleetCli(
  t: TestLike,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const run = fleetCli(t, args, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`fleet ${args.join(' ')} did not exit; stderr: ${run.stderr()}`));
    }, options.timeoutMs ?? 30_000);
  });
  try {
    return await Promise.race([run.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The operator's commands (fleet workers, logs, spawn, send, dismiss) against a running fleet, holding
 * only its admin key, in a temp dir: `run` to completion, `start` to follow. `team` becomes
 * $CLAUDE_CODE_TEAM_NAME (alpha unless given; null: no team named).
 */
export function operatorCli(
  t: TestLike,
  fleet: { url: string; adminKey: string },
  options: { team?: string | null } = {},
): { run: (...args: string[]) => Promise<CliResult>; start: (...args: string[]) => ReturnType<typeof fleetCli> } {
  const cwd = tempDir(t, 'fleet-op-');
  const team = options.team === undefined ? 'alpha' : options.team;
  const env = {
    FLEET_URL: fleet.url,
    FLEET_ADMIN_KEY: fleet.adminKey,
    ...(team === null ? {} : { CLAUDE_CODE_TEAM_NAME: team }),
  };
  return {
    run: (...args) => runFleetCli(t, args, { cwd, env }),
    start: (...args) => fleetCli(t, args, { cwd, env }),
  };
}
