import { agentUid, type Identity, runArgv } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import type { UnitWork } from './plan.js';

/** A worker's result event, as the service heard it (worker_result). */
export interface HeardResult {
  isError: boolean;
  result: string | null;
  at: number;
}

export type UnitOutcome =
  | { status: 'succeeded'; output: string; evidence: string }
  | { status: 'failed'; error: string; output?: string; evidence?: string }
  | { status: 'cancelled' }
  /** The server is stopping: the unit is left as it is, to be resumed. */
  | { status: 'stopped' };

/** Why a unit's controller was aborted. */
export type StopReason = 'cancel' | 'stop';

export const INTERRUPTED = 'interrupted by a server restart';

export interface UnitRun {
  team: string;
  createdBy: string;
  handle: string;
  cwd: string;
  work: UnitWork;
  pollMs: number;
  /** When the unit started (a resumed one keeps its start: its timeout runs on). */
  startedAt: number;
  /** It was running before a restart: re-attach to its worker, never start it twice. */
  resumed: boolean;
  signal: AbortSignal;
  workers: () => WorkersApi | undefined;
  heard: (team: string, handle: string) => HeardResult | undefined;
  forget: (team: string, handle: string) => void;
  onSpawned: (paneId: string | null) => void | Promise<void>;
  now: () => number;
}

const MAX_OUTPUT = 4000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Success only with evidence (an exit code 0, a worker's result that is not an error), and then the
 * lead's patterns on the output: the command's output or the worker's result text, never the
 * prompt (the seed matched the pane, which echoed the prompt, so a pattern could pass at once).
 */
export function decide(work: UnitWork, output: string, evidence: string): UnitOutcome {
  const clipped = output.slice(-MAX_OUTPUT);
  if (work.failurePattern !== undefined && new RegExp(work.failurePattern).test(output))
    return {
      status: 'failed',
      error: `the output matched failurePattern /${work.failurePattern}/`,
      output: clipped,
      evidence,
    };
  if (work.successPattern !== undefined && !new RegExp(work.successPattern).test(output))
    return {
      status: 'failed',
      error: `successPattern /${work.successPattern}/ not found in the output`,
      output: clipped,
      evidence,
    };
  return { status: 'succeeded', output: clipped, evidence };
}

const reasonOf = (signal: AbortSignal): StopReason => (signal.reason === 'cancel' ? 'cancel' : 'stop');

async function runCommand(unit: UnitRun): Promise<UnitOutcome> {
  if (unit.resumed) return { status: 'failed', error: `${INTERRUPTED}: a command is not re-attached, nor run twice` };
  const remaining = unit.startedAt + unit.work.timeoutMs - unit.now();
  const result = await runArgv(
    {
      command: unit.work.argv!,
      cwd: unit.cwd,
      timeoutSeconds: Math.max(0.001, remaining / 1000),
      env: { CLAUDE_CODE_AGENT_NAME: unit.handle, CLAUDE_CODE_TEAM_NAME: unit.team },
    },
    { defaultCwd: unit.cwd, signal: unit.signal, tailLines: 200, graceMs: 2000 },
  );
  const output = result.tail.join('\n');
  if (unit.signal.aborted) return reasonOf(unit.signal) === 'cancel' ? { status: 'cancelled' } : { status: 'stopped' };
  if (result.error) return { status: 'failed', error: `could not run ${unit.work.argv![0]}: ${result.error}`, output };
  if (result.timedOut)
    return { status: 'failed', error: `timed out after ${unit.work.timeoutMs} ms`, output: output.slice(-MAX_OUTPUT) };
  if (result.exitCode !== 0) {
    const how = result.exitCode === null ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
    return { status: 'failed', error: `exited with ${how}`, output: output.slice(-MAX_OUTPUT), evidence: how };
  }
  return decide(unit.work, output, 'exit code 0');
}

/** End the worker (best effort): it finished, timed out or was cancelled; its output stays readable. */
async function dismiss(unit: UnitRun, queued: number | undefined): Promise<void> {
  const workers = unit.workers();
  if (!workers) return;
  if (queued !== undefined)
    await Promise.resolve(workers.manager.cancelQueued(unit.team, queued)).catch(() => undefined);
  await workers.manager.dismiss(unit.team, unit.handle).catch(() => undefined);
}

async function runWorker(unit: UnitRun): Promise<UnitOutcome> {
  const workers = unit.workers();
  if (!workers) return { status: 'failed', error: 'the workers plugin is off' };
  let queued: number | undefined;
  if (!unit.resumed) {
    unit.forget(unit.team, unit.handle);
    const lead: Identity = {
      uid: agentUid(unit.team, unit.createdBy),
      handle: unit.createdBy,
      teamName: unit.team,
      agentType: 'team-lead',
      role: 'coordinator',
    };
    try {
      const spawned = await workers.manager.spawn(
        { handle: unit.handle, teamName: unit.team, adapter: 'claude', prompt: unit.work.prompt!, cwd: unit.cwd },
        lead,
        workers.options.max,
      );
      if (spawned.queued) queued = spawned.id;
      else await unit.onSpawned(spawned.worker.paneId);
    } catch (error) {
      return { status: 'failed', error: `could not spawn worker ${unit.handle}: ${(error as Error).message}` };
    }
  }
  for (;;) {
    if (unit.signal.aborted) {
      if (reasonOf(unit.signal) === 'stop') return { status: 'stopped' };
      await dismiss(unit, queued);
      return { status: 'cancelled' };
    }
    const heard = unit.heard(unit.team, unit.handle);
    if (heard) {
      unit.forget(unit.team, unit.handle);
      await dismiss(unit, undefined);
      const output = heard.result ?? '';
      if (heard.isError)
        return {
          status: 'failed',
          error: `the worker's result was an error: ${output.slice(0, 500)}`,
          output,
          evidence: 'error result',
        };
      return decide(unit.work, output, 'the worker’s result event');
    }
    const row = await workers.manager.require(unit.team, unit.handle).catch(() => undefined);
    if (row) {
      if (queued !== undefined) {
        queued = undefined;
        await unit.onSpawned(row.pane_id);
      }
      if (row.state === 'failed' || row.state === 'stopped')
        return {
          status: 'failed',
          error: `the worker ${row.state} before a result${row.error ? `: ${row.error}` : ''}`,
        };
      // After a restart the result may have been read before this service listened: the worker's row has it.
      if (unit.resumed && row.state === 'idle' && row.result_text !== null) {
        await dismiss(unit, undefined);
        return decide(unit.work, row.result_text, 'the worker’s result, read after a restart');
      }
    } else if (queued === undefined) {
      return { status: 'failed', error: `the worker ${unit.handle} is gone` };
    }
    if (unit.now() >= unit.startedAt + unit.work.timeoutMs) {
      await dismiss(unit, queued);
      return { status: 'failed', error: `timed out after ${unit.work.timeoutMs} ms` };
    }
    await sleep(Math.min(unit.pollMs, Math.max(1, unit.startedAt + unit.work.timeoutMs - unit.now())), unit.signal);
  }
}

/** Run one unit to its outcome: a command, or a Claude Code worker of the workers plugin. */
export function runUnit(unit: UnitRun): Promise<UnitOutcome> {
  return unit.work.mode === 'argv' ? runCommand(unit) : runWorker(unit);
}
