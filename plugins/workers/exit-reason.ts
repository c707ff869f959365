import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { workerFiles } from '../../core/index.js';

const TAIL_BYTES = 4096;
const TAIL_LINES = 10;
const REASON_CHARS = 1000;

/**
 * Why a worker's run ended, in one string for the worker's `error`: the exit (code or signal) and
 * the last lines its agent wrote to stderr (a missing CLI, a refused flag, a crash's message), which
 * would otherwise sit only in `stderr.log`. Text agents write stderr into their output log; a
 * stream-json agent's log holds only its messages (and the fleet's input records), never its stderr.
 */
export function exitReason(dir: string, exit: { code: number | null; signal: string | null }): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
  const files = workerFiles(dir);
  const tail = lastLines(stderrOf(files)) || (exit.code === 127 ? whyNotStarted(files.spec) : '');
  const reason = tail ? `${how}: ${tail}` : how;
  return reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS - 1)}…` : reason;
}

/** Where the agent's stderr went: its own log for a stream-json agent, the output log for a text one. */
function stderrOf(files: ReturnType<typeof workerFiles>): string {
  try {
    const spec = JSON.parse(readFileSync(files.spec, 'utf8')) as { format?: string };
    return spec.format === 'ndjson' ? files.stderr : files.output;
  } catch {
    return files.stderr;
  }
}

/** The exit the pane host wrote for its last run, if it wrote one. */
export function readExit(dir: string): { code: number | null; signal: string | null } | undefined {
  try {
    return JSON.parse(readFileSync(workerFiles(dir).exit, 'utf8')) as { code: number | null; signal: string | null };
  } catch {
    return undefined;
  }
}

/** The last few non-blank lines of a file, joined with " | ", without terminal escapes. */
function lastLines(path: string): string {
  if (!existsSync(path)) return '';
  const size = statSync(path).size;
  if (size === 0) return '';
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return (
    buffer
      .toString('utf8')
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .slice(-TAIL_LINES)
      .join(' | ')
  );
}

/**
 * Exit 127 with nothing on stderr: the pane host could not start the agent's command (it says so
 * only in the pane). Name the command and what is wrong with it, as a shell would.
 */
function whyNotStarted(specPath: string): string {
  let spec: { argv?: string[]; env?: Record<string, string> };
  try {
    spec = JSON.parse(readFileSync(specPath, 'utf8')) as typeof spec;
  } catch {
    return '';
  }
  const command = spec.argv?.[0];
  const path = spec.env?.PATH ?? '';
  if (!command) return '';
  const candidates = command.includes('/')
    ? [command]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  const present = candidates.filter((candidate) => existsSync(candidate));
  if (present.length === 0)
    return `cannot start ${command}: not found${command.includes('/') ? '' : ' on the PATH'} (ENOENT)`;
  const runnable = present.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return runnable ? `cannot start ${command}` : `cannot start ${command}: not executable (EACCES)`;
}
