import { defineTables } from '../../../core/index.js';

export type OrchestrateKind = 'waves' | 'multirepo';
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export type UnitStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One wave run or multi-repo run (times in ms since the epoch). */
export interface OrchestrateRunsTable {
  id: string;
  team_name: string;
  kind: OrchestrateKind;
  status: RunStatus;
  /** The lead who started it. */
  created_by: string;
  /** The validated request (JSON): what a resumed run needs to go on. */
  request: string;
  started_at: number;
  completed_at: number | null;
  /** Why it failed, was cancelled or interrupted. */
  error: string | null;
  /** The node driving it holds it until then; an expired lease (its node died) is taken over. */
  lease_until: number;
}

/** One worker of a wave, or one repository of a multi-repo run. */
export interface OrchestrateUnitsTable {
  run_id: string;
  /** Order within the run: waves in dependency order, their workers in the order given. */
  seq: number;
  /** The wave's name, or `batch-<n>` for a multi-repo run. */
  group_name: string;
  group_index: number;
  /** The worker's handle, or the repository's name. */
  name: string;
  /** `prompt`: a Claude Code worker of the workers plugin; `argv`: a command run by the fleet. */
  mode: 'prompt' | 'argv';
  status: UnitStatus;
  /** The workers plugin's worker (prompt mode). */
  worker_handle: string | null;
  started_at: number | null;
  finished_at: number | null;
  /** What the decision rests on: the exit code, the worker's result. */
  evidence: string | null;
  /** The tail of its output (argv) or the worker's result text (prompt). */
  output: string | null;
  error: string | null;
  /** Multi-repo extras (JSON): branch, worktree, commitSha, prUrl. */
  extra: string | null;
}

export interface OrchestrateTables {
  orchestrate_runs: OrchestrateRunsTable;
  orchestrate_units: OrchestrateUnitsTable;
}

export const orchestrateTables = defineTables<OrchestrateTables>({
  orchestrate_runs:
    'Wave and multi-repo runs of each team: status, who started them, why they ended, the driving lease',
  orchestrate_units: 'Each worker of a wave run and each repository of a multi-repo run: status, evidence, output',
});
