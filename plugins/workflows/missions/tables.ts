import { defineTables } from '../../../core/index.js';

export type MissionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
/** starting: its worker is not there yet (a queued spawn); working: the worker's turn; checking: the gates run. */
export type MissionPhase = 'starting' | 'working' | 'checking' | 'ended';
export type IterationStatus = 'working' | 'checking' | 'passed' | 'failed' | 'cancelled';

export interface WorkflowMissionsTable {
  id: string;
  team_name: string;
  goal: string;
  worker_handle: string;
  /** 1 when the mission spawned its worker (it dismisses it at the end), 0 for a worker it was given. */
  spawned: number;
  /** JSON: the spawn as asked (handle, prompt, workingDir, worktree, adapter, model), for a queued spawn. */
  spawn: string | null;
  /** Where the gates run when a gate names no cwd (default: the worker's worktree, else its cwd). */
  cwd: string | null;
  /** JSON MissionGate[]. */
  gates: string;
  max_iterations: number;
  /** JSON { maxCostUsd?, maxMinutes? }. */
  budget: string | null;
  status: MissionStatus;
  phase: MissionPhase;
  /** The iteration under way (or the last one, once ended); 1-based. */
  iteration: number;
  reason: string | null;
  /** The worker's cost when the mission began (a given worker may have spent before). */
  cost_at_start: number | null;
  cost_usd: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

export interface WorkflowMissionIterationsTable {
  mission_id: string;
  n: number;
  team_name: string;
  status: IterationStatus;
  /** What the worker was sent for this iteration (the goal, or the failures of the last one). */
  prompt: string | null;
  /** When the prompt reached the worker (null: not yet; sent again after a restart). */
  delivered_at: number | null;
  /** The worker's turn count (num_turns) before the prompt went: a higher count ends this iteration's turn. */
  turns_before: number | null;
  result_text: string | null;
  /** JSON GateResult[]. */
  gate_results: string | null;
  cost_usd: number | null;
  started_at: number;
  turn_ended_at: number | null;
  ended_at: number | null;
}

export interface MissionTables {
  workflow_missions: WorkflowMissionsTable;
  workflow_mission_iterations: WorkflowMissionIterationsTable;
}

export const missionTables = defineTables<MissionTables>({
  workflow_missions: 'Missions: a goal, a worker and gates, iterated until the gates pass or a limit is reached',
  workflow_mission_iterations:
    'One row per mission iteration: the worker’s turn, then each gate’s exit code and output',
});
