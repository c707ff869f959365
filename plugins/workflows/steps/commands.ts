import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as v from 'valibot';
import { ArgvProcess } from '../../../core/index.js';
import { argvField, envField, handleField, noCommandString, pathField } from './fields.js';
import { f } from '../../../core/index.js';
import type { StepRun } from './kind.js';
import { saveMore, savedState, StepFailure } from './outcome.js';
import { workersOf } from './plugins.js';
import { workerRow } from './worker-steps.js';

/**
 * A command of a step (`command`, a `gate`'s): an argument vector, never a shell string, run in a process group
 * of its own (a timeout or a cancel ends everything it started) in `cwd` (an absolute path that must exist when
 * the step runs) or in a worker's worktree (`worker`: its handle; a worker without a worktree: its working
 * directory). The environment is the fleet's plus `env`. The output's last `tailLines` lines are kept.
 */
export const commandEntries = {
  /** The seed's shell string: refused with a hint (400 naming `command`; first, before a missing argv). */
  command: noCommandString,
  argv: argvField,
  cwd: v.optional(pathField),
  worker: v.optional(handleField),
  timeoutSeconds: v.optional(f.int(1, 86_400)),
  env: envField,
  tailLines: v.optional(f.int(1, 500)),
  /**
   * A command cut off by a server restart runs again from the start by default (a test, a build: give ones
   * that may); 'fail' fails the step instead.
   */
  onRestart: v.optional(f.oneOf(['rerun', 'fail'] as const)),
};

export const whereCheck = (c: { cwd?: string; worker?: string }) => (c.cwd === undefined) !== (c.worker === undefined);
export const WHERE_MESSAGE = 'is required: cwd (an absolute path) or worker (a handle: its worktree), one of them';

export interface CommandConfig {
  argv: string[];
  cwd?: string;
  worker?: string;
  timeoutSeconds?: number;
  env?: Record<string, string>;
  tailLines?: number;
  onRestart?: 'rerun' | 'fail';
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  error: string | null;
  tail: string[];
  cwd: string;
}

/** Where the command runs: checked now, when templates are resolved. */
async function directory(step: StepRun, config: CommandConfig): Promise<string> {
  if (config.worker !== undefined) {
    const row = await workerRow(workersOf(step), step.team, config.worker);
    if (!row) throw new StepFailure(`config.worker: no worker '${config.worker}' in team ${step.team}`);
    const dir = row.worktree_path ?? row.cwd;
    if (!existsSync(dir)) throw new StepFailure(`config.worker: the directory of ${config.worker} (${dir}) is gone`);
    return dir;
  }
  const cwd = config.cwd!;
  if (!isAbsolute(cwd)) throw new StepFailure(`config.cwd: '${cwd}' is not an absolute path`);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory())
    throw new StepFailure(`config.cwd: '${cwd}' is not a directory`);
  return cwd;
}

/** A process's start time (Linux /proc), to tell the group we started from a later one that got its pid. */
function startTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
  } catch {
    return undefined;
  }
}

/** End what a run cut off by a restart left behind: its group, if that is still the one we started. */
export function endLeftover(state: Record<string, unknown> | undefined): void {
  const pgid = state?.pgid;
  if (typeof pgid !== 'number' || typeof state?.pgidStart !== 'string') return;
  if (startTime(pgid) !== state.pgidStart) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Run the step's command once for this attempt: the run is recorded (`runs`, the group's pid) before and while
 * it runs, so after a restart the group left behind is ended and the command runs again, or the step fails
 * (onRestart 'fail'). Returns 'interrupted' in that last case.
 */
export async function runCommand(step: StepRun, config: CommandConfig): Promise<CommandResult | 'interrupted'> {
  const saved = savedState(step);
  if (saved?.running === true) {
    endLeftover(saved);
    if (config.onRestart === 'fail') return 'interrupted';
  }
  const cwd = await directory(step, config);
  const runs = Number(saved?.runs ?? 0) + 1;
  await saveMore(step, { running: true, runs, pgid: null, pgidStart: null });
  const tail: string[] = [];
  const limit = config.tailLines ?? 40;
  const running = new ArgvProcess(
    { command: config.argv, cwd, timeoutSeconds: config.timeoutSeconds ?? 600, env: config.env },
    {
      onLine: (stream, text) => {
        tail.push(stream === 'stderr' ? `[stderr] ${text}` : text);
        if (tail.length > limit) tail.shift();
      },
      graceMs: 5000,
      defaultCwd: cwd,
    },
  );
  const abort = () => running.kill();
  if (step.signal.aborted) abort();
  else step.signal.addEventListener('abort', abort, { once: true });
  try {
    if (running.pid !== undefined)
      await saveMore(step, { pgid: running.pid, pgidStart: startTime(running.pid) ?? null });
    const result = await running.done;
    await saveMore(step, { running: false, pgid: null, pgidStart: null });
    return { ...result, tail, cwd };
  } finally {
    step.signal.removeEventListener('abort', abort);
  }
}

/** How a finished command reads in an outcome. */
export function describeRun(
  config: CommandConfig,
  result: CommandResult,
): { output: Record<string, unknown>; evidence: string } {
  const output = {
    argv: config.argv,
    cwd: result.cwd,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    tail: result.tail,
  };
  const what = result.error
    ? `could not run: ${result.error}`
    : result.timedOut
      ? `timed out after ${config.timeoutSeconds ?? 600} s`
      : result.exitCode === null
        ? `ended by ${result.signal ?? 'a signal'}`
        : `exit code ${result.exitCode}`;
  return { output, evidence: `${config.argv[0]}: ${what} (in ${result.cwd}, ${result.durationMs} ms)` };
}

/** Cancel: end the group of a command still running (this process's run is ended by the abort signal). */
export function cancelCommand(step: StepRun): Promise<void> {
  const saved = savedState(step);
  if (saved?.running === true) endLeftover(saved);
  return Promise.resolve();
}
