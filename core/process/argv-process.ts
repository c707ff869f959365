import { spawn } from 'node:child_process';

/** A program and its arguments (never a shell string), where it runs and for how long at most. */
export interface ArgvCommand {
  command: readonly string[];
  cwd?: string;
  /** Default 600. */
  timeoutSeconds?: number;
  /** Added to the fleet's environment (FORCE_COLOR=0 and NO_COLOR=1 are always set). */
  env?: Record<string, string>;
}

export interface ArgvResult {
  exitCode: number | null;
  signal: string | null;
  passed: boolean;
  timedOut: boolean;
  durationMs: number;
  /** Why it could not run (a program not found, a missing cwd). */
  error: string | null;
}

const MAX_LINE = 4000;

/** Is anything of this process group still alive? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * One command, run from its argument vector (no shell) in a process group of its own, so a stop or a
 * timeout ends everything it started: SIGTERM to the group, then SIGKILL after the grace period.
 * Lines of stdout and stderr go to `onLine` as they come (each cut at 4,000 characters). Used by the
 * scheduler's audit checks and the workflows plugin's command steps, gates and missions.
 */
export class ArgvProcess {
  readonly done: Promise<ArgvResult>;
  #pgid: number | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #exited = false;

  constructor(
    check: ArgvCommand,
    private readonly hooks: {
      onLine(stream: 'stdout' | 'stderr', text: string): void;
      graceMs: number;
      defaultCwd: string;
    },
  ) {
    this.done = this.#run(check);
  }

  get pid(): number | undefined {
    return this.#pgid;
  }

  #run(check: ArgvCommand): Promise<ArgvResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      let timedOut = false;
      let spawnError: string | null = null;
      const [program, ...args] = check.command as [string, ...string[]];
      const child = spawn(program, args, {
        cwd: check.cwd ?? this.hooks.defaultCwd,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...check.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      });
      this.#pgid = child.pid;
      const timeout = setTimeout(
        () => {
          timedOut = true;
          this.kill();
        },
        (check.timeoutSeconds ?? 600) * 1000,
      );
      for (const [stream, source] of [
        ['stdout', child.stdout],
        ['stderr', child.stderr],
      ] as const) {
        let partial = '';
        source.setEncoding('utf8');
        source.on('data', (chunk: string) => {
          const parts = (partial + chunk).split(/\r?\n/);
          partial = parts.pop() ?? '';
          for (const line of parts) this.hooks.onLine(stream, line.slice(0, MAX_LINE));
          if (partial.length > MAX_LINE) {
            this.hooks.onLine(stream, partial.slice(0, MAX_LINE));
            partial = '';
          }
        });
        source.on('end', () => {
          if (partial) this.hooks.onLine(stream, partial.slice(0, MAX_LINE));
          partial = '';
        });
      }
      child.on('error', (error) => {
        spawnError = error.message;
      });
      child.on('exit', () => {
        this.#exited = true;
        // What it left behind in its group (a background server) ends with it.
        if (this.#pgid !== undefined && groupAlive(this.#pgid)) signalGroup(this.#pgid, 'SIGTERM');
      });
      child.on('close', (code, signal) => {
        this.#exited = true;
        clearTimeout(timeout);
        const exitCode = spawnError ? null : code;
        resolve({
          exitCode,
          signal: signal ?? null,
          passed: exitCode === 0 && !timedOut,
          timedOut,
          durationMs: Date.now() - started,
          error: spawnError,
        });
      });
    });
  }

  /** SIGTERM to the whole group now, SIGKILL after the grace period if anything is left. */
  kill(): void {
    const pgid = this.#pgid;
    if (pgid === undefined) return;
    signalGroup(pgid, 'SIGTERM');
    if (this.#killTimer) return;
    this.#killTimer = setTimeout(() => {
      if (!this.#exited || groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
    }, this.hooks.graceMs);
    this.#killTimer.unref();
  }
}

/**
 * Run a command to its end and keep the last `tailLines` lines of its output (stderr lines marked
 * `[stderr] `): what a gate or a step reports as its evidence.
 */
export async function runArgv(
  check: ArgvCommand,
  options: { defaultCwd: string; graceMs?: number; tailLines?: number; signal?: AbortSignal },
): Promise<ArgvResult & { tail: string[] }> {
  const tail: string[] = [];
  const limit = options.tailLines ?? 40;
  const running = new ArgvProcess(check, {
    onLine: (stream, text) => {
      tail.push(stream === 'stderr' ? `[stderr] ${text}` : text);
      if (tail.length > limit) tail.shift();
    },
    graceMs: options.graceMs ?? 5000,
    defaultCwd: options.defaultCwd,
  });
  const abort = () => running.kill();
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  try {
    return { ...(await running.done), tail };
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}
