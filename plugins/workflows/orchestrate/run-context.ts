import type { Logger, PluginContext } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import type { UnitWork } from './plan.js';
import type { OrchestrateStore, RunRow, UnitRow } from './store.js';
import { type HeardResult, runUnit, type UnitOutcome } from './unit-runner.js';

/** What a run's driver is given: its row, the store, its signal (cancel or stop), the fleet around it. */
export interface RunContext {
  run: RunRow;
  store: OrchestrateStore;
  signal: AbortSignal;
  emit: PluginContext['events']['emit'];
  log: Logger;
  dataDir: string;
  now: () => number;
  workers: () => WorkersApi | undefined;
  heard: (team: string, handle: string) => HeardResult | undefined;
  forget: (team: string, handle: string) => void;
}

/** A unit's outcome, with a last say before it is written (a repository's commit and pull request). */
export type Finish = (outcome: UnitOutcome) => Promise<UnitOutcome & { extra?: Record<string, unknown> }>;

/**
 * Run one unit from where its row stands: a pending one starts (its row says running first, so a
 * restart knows); a running one (after a restart) is re-attached. Its outcome is written, except on
 * a server stop, when a command (killed by the stop) goes back to pending and a worker stays running.
 */
export async function executeUnit(
  ctx: RunContext,
  row: UnitRow,
  unit: { handle: string; cwd: string; work: UnitWork; pollMs: number; onSpawned: (paneId: string | null) => void },
  finish: Finish = (outcome) => Promise.resolve(outcome),
): Promise<UnitOutcome> {
  const resumed = row.status === 'running';
  const startedAt = resumed ? (row.started_at ?? ctx.now()) : ctx.now();
  if (!resumed) {
    await ctx.store.updateUnit(row.run_id, row.seq, {
      status: 'running',
      started_at: startedAt,
      worker_handle: unit.work.mode === 'prompt' ? unit.handle : null,
    });
  }
  let outcome: UnitOutcome & { extra?: Record<string, unknown> } = await runUnit({
    team: ctx.run.team_name,
    createdBy: ctx.run.created_by,
    handle: unit.handle,
    cwd: unit.cwd,
    work: unit.work,
    pollMs: unit.pollMs,
    startedAt,
    resumed,
    signal: ctx.signal,
    workers: ctx.workers,
    heard: ctx.heard,
    forget: ctx.forget,
    onSpawned: unit.onSpawned,
    now: ctx.now,
  });
  if (outcome.status === 'stopped') {
    if (unit.work.mode === 'argv')
      await ctx.store.updateUnit(row.run_id, row.seq, { status: 'pending', started_at: null });
    return outcome;
  }
  if (outcome.status === 'cancelled') {
    await ctx.store.updateUnit(row.run_id, row.seq, { status: 'cancelled', finished_at: ctx.now() });
    return outcome;
  }
  outcome = await finish(outcome);
  await ctx.store.updateUnit(row.run_id, row.seq, {
    status: outcome.status === 'succeeded' ? 'succeeded' : 'failed',
    finished_at: ctx.now(),
    evidence: 'evidence' in outcome ? (outcome.evidence ?? null) : null,
    output: 'output' in outcome ? (outcome.output ?? null) : null,
    error: outcome.status === 'failed' ? outcome.error : null,
    ...(outcome.extra ? { extra: JSON.stringify(outcome.extra) } : {}),
  });
  return outcome;
}
