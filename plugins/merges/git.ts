import { execFile } from 'node:child_process';

/** A git (or gh) run that exited non-zero: its stderr and stdout, for callers that read them. */
export class CommandFailed extends Error {
  constructor(
    readonly program: string,
    readonly args: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${program} ${args[0] ?? ''} failed: ${(stderr || stdout).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

export interface RunOptions {
  cwd: string;
  timeoutSeconds: number;
  env?: Record<string, string>;
}

/**
 * Run a program with an argument array (never a shell), never waiting for a password, with a
 * timeout: git for the queue's work, gh in PR mode. Resolves with stdout; rejects with CommandFailed.
 */
export function runProgram(program: string, args: readonly string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args],
      {
        cwd: options.cwd,
        timeout: options.timeoutSeconds * 1000,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          // A rebase never opens an editor; no user config decides how the queue's git behaves.
          GIT_EDITOR: 'true',
          GIT_SEQUENCE_EDITOR: 'true',
          GIT_CONFIG_NOSYSTEM: '1',
          LC_ALL: 'C',
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code ?? null;
          reject(new CommandFailed(program, args, code, String(stdout), String(stderr)));
          return;
        }
        resolve(String(stdout));
      },
    );
  });
}

/** git in `cwd`, as the fleet: a fixed identity for the commits a rebase writes. */
export function git(cwd: string, timeoutSeconds: number, ...args: string[]): Promise<string> {
  return runProgram(
    'git',
    ['-c', 'user.name=Claude Fleet', '-c', 'user.email=fleet@localhost', '-c', 'core.quotePath=false', ...args],
    { cwd, timeoutSeconds },
  );
}

/** Whether a git command succeeds (a ref exists, an object is there). */
export function gitOk(cwd: string, timeoutSeconds: number, ...args: string[]): Promise<boolean> {
  return git(cwd, timeoutSeconds, ...args).then(
    () => true,
    () => false,
  );
}

/** The commit a ref names, or undefined. */
export async function revParse(cwd: string, timeoutSeconds: number, ref: string): Promise<string | undefined> {
  try {
    return (await git(cwd, timeoutSeconds, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`)).trim();
  } catch {
    return undefined;
  }
}
