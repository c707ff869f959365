import type { RepoResult, WaveWorkerResult } from './events.js';
import type { MultiRepoPlan, WavePlan } from './plan.js';
import type { RunRow, UnitRow } from './store.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export function runSummary(run: RunRow) {
  return { id: run.id, status: run.status, startedAt: iso(run.started_at), completedAt: iso(run.completed_at) };
}

export function waveResult(unit: UnitRow): WaveWorkerResult {
  return {
    wave: unit.group_name,
    worker: unit.name,
    success: unit.status === 'succeeded',
    ...(unit.output !== null ? { output: unit.output } : {}),
    ...(unit.error !== null ? { error: unit.error } : {}),
    ...(unit.evidence !== null ? { evidence: unit.evidence } : {}),
    duration: unit.started_at === null ? 0 : (unit.finished_at ?? unit.started_at) - unit.started_at,
  };
}

export function repoResult(unit: UnitRow, task: string): RepoResult {
  const extra = unit.extra ? (JSON.parse(unit.extra) as { branch?: string; commitSha?: string; prUrl?: string }) : {};
  return {
    repo: unit.name,
    task,
    success: unit.status === 'succeeded',
    ...(unit.error !== null ? { error: unit.error } : {}),
    ...(extra.commitSha ? { commitSha: extra.commitSha } : {}),
    ...(extra.prUrl ? { prUrl: extra.prUrl } : {}),
    branch: extra.branch ?? null,
    duration: unit.started_at === null ? 0 : (unit.finished_at ?? unit.started_at) - unit.started_at,
  };
}

/** GET /orchestrate/waves/:id: the seed's fields, the waves' progress, the flat results (tmux shape). */
export function waveRunView(run: RunRow, units: UnitRow[]) {
  const plan = JSON.parse(run.request) as WavePlan;
  const waves = plan.waves.map((wave, index) => {
    const own = units.filter((unit) => unit.group_index === index);
    const status = own.every((unit) => unit.status === 'succeeded')
      ? 'completed'
      : own.some((unit) => unit.status === 'failed')
        ? 'failed'
        : own.some((unit) => unit.status === 'running')
          ? 'running'
          : own.some((unit) => unit.status === 'cancelled')
            ? 'cancelled'
            : 'pending';
    return {
      name: wave.name,
      afterWaves: wave.afterWaves,
      status,
      workers: own.map((unit) => ({ handle: unit.name, mode: unit.mode, status: unit.status })),
    };
  });
  const named = (status: string) => waves.filter((wave) => wave.status === status).map((wave) => wave.name);
  return {
    ...runSummary(run),
    fleetName: plan.fleetName,
    orchestratorStatus: {
      status: run.status,
      totalWaves: waves.length,
      currentWave: waves.find((wave) => wave.status === 'running')?.name ?? null,
      completedWaves: named('completed'),
      failedWaves: named('failed'),
      pendingWaves: named('pending'),
      activeWorkers: units.filter((unit) => unit.status === 'running').map((unit) => unit.name),
      waves,
    },
    results: units.filter((unit) => FINISHED.has(unit.status)).map(waveResult),
    error: run.error,
  };
}

/** GET /orchestrate/multi-repo/:id. */
export function multiRepoRunView(run: RunRow, units: UnitRow[]) {
  const plan = JSON.parse(run.request) as MultiRepoPlan;
  const names = (status: string) => units.filter((unit) => unit.status === status).map((unit) => unit.name);
  return {
    ...runSummary(run),
    fleetName: plan.fleetName,
    task: plan.task,
    orchestratorStatus: {
      status: run.status,
      currentTask: run.status === 'running' ? plan.task : null,
      activeRepos: names('running'),
      pendingRepos: names('pending'),
      completedRepos: names('succeeded'),
      failedRepos: names('failed'),
    },
    results: units.filter((unit) => FINISHED.has(unit.status)).map((unit) => repoResult(unit, plan.task)),
    error: run.error,
  };
}
