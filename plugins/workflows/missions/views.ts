import type { MissionBudget, MissionGate } from './fields.js';
import type { GateResult } from './gate-runner.js';
import type { WorkflowMissionIterationsTable, WorkflowMissionsTable } from './tables.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function missionView(row: WorkflowMissionsTable) {
  return {
    id: row.id,
    goal: row.goal,
    status: row.status,
    phase: row.phase,
    reason: row.reason,
    workerHandle: row.worker_handle,
    spawnedWorker: Number(row.spawned) === 1,
    cwd: row.cwd,
    gates: JSON.parse(row.gates) as MissionGate[],
    maxIterations: Number(row.max_iterations),
    budget: row.budget ? (JSON.parse(row.budget) as MissionBudget) : null,
    iteration: Number(row.iteration),
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    endedAt: iso(row.ended_at),
  };
}

export type MissionView = ReturnType<typeof missionView>;

export function iterationView(row: WorkflowMissionIterationsTable) {
  const gates = row.gate_results === null ? null : (JSON.parse(row.gate_results) as GateResult[]);
  return {
    missionId: row.mission_id,
    iteration: Number(row.n),
    status: row.status,
    passed: gates === null ? null : gates.every((gate) => gate.passed),
    prompt: row.prompt,
    deliveredAt: iso(row.delivered_at),
    resultText: row.result_text,
    turnEndedAt: iso(row.turn_ended_at),
    gates,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
  };
}
