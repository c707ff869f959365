import { runArgv } from '../../../core/index.js';
import type { MissionGate } from './fields.js';

/** One gate's outcome in an iteration: the exit code is the evidence, the output's tail says why. */
export interface GateResult {
  name: string;
  argv: string[];
  cwd: string;
  passed: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Why it could not run at all (a program not found, a missing cwd). */
  error: string | null;
  /** The last lines it wrote (stderr lines marked `[stderr] `). */
  output: string;
}

/**
 * Run every gate, in order, each from its argument vector in its own process group (runArgv): all of
 * them run even after one fails, so the worker hears every failure at once. Aborting ends the one
 * running and skips the rest.
 */
export async function runGates(
  gates: readonly MissionGate[],
  defaultCwd: string,
  options: { signal?: AbortSignal; graceMs?: number; tailLines?: number } = {},
): Promise<GateResult[]> {
  const results: GateResult[] = [];
  for (const gate of gates) {
    if (options.signal?.aborted) break;
    const cwd = gate.cwd ?? defaultCwd;
    const run = await runArgv(
      { command: gate.argv, cwd, timeoutSeconds: gate.timeoutSeconds ?? 600 },
      {
        defaultCwd,
        graceMs: options.graceMs ?? 2000,
        tailLines: options.tailLines ?? 40,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    results.push({
      name: gate.name,
      argv: [...gate.argv],
      cwd,
      passed: run.passed,
      exitCode: run.exitCode,
      signal: run.signal,
      timedOut: run.timedOut,
      durationMs: run.durationMs,
      error: run.error,
      output: run.tail.join('\n'),
    });
  }
  return results;
}

/** How a failed gate reads to the worker (and in the iteration's record). */
export function describeFailure(result: GateResult): string {
  const how = result.error
    ? `could not run: ${result.error}`
    : result.timedOut
      ? 'timed out'
      : result.signal
        ? `ended by ${result.signal}`
        : `exit code ${result.exitCode}`;
  return [`gate ${result.name} (${result.argv.join(' ')}) failed: ${how}`, result.output].filter(Boolean).join('\n');
}
