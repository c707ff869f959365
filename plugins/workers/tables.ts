import type { Generated } from 'kysely';
import { defineTables } from '../../core/index.js';

export type WorkerState = 'starting' | 'ready' | 'working' | 'idle' | 'paused' | 'stopping' | 'stopped' | 'failed';
export type WorkerHealth = 'healthy' | 'degraded' | 'unhealthy';

/**
 * Workers survive the server: each row says where its pane host and log are and how far the log
 * was parsed, so a restarted server re-adopts it. The key is (team_name, handle): two teams may
 * each have a worker of the same handle. Times are ms since the epoch.
 */
export interface WorkersTable {
  handle: string;
  team_name: string;
  adapter: string;
  state: WorkerState;
  health: WorkerHealth;
  session_id: string | null;
  pane_id: string | null;
  /**
   * The worker's directory, as it was made: `<dataDir>/workers/<team>/<handle>` (before 0002,
   * `<dataDir>/workers/<handle>`). Always read from the row, never recomputed.
   */
  dir: string;
  cwd: string;
  prompt: string | null;
  /** The spawn request as JSON: a restart or a queued spawn runs the same thing. */
  spec: string;
  restart_count: number;
  log_offset: number;
  result_text: string | null;
  cost_usd: number | null;
  /** JSON. */
  usage: string | null;
  num_turns: number | null;
  worktree_path: string | null;
  worktree_branch: string | null;
  /** Why the last run ended, when it was not asked to: the exit and the tail of the agent's stderr. */
  error: string | null;
  /** Cost and turns of the runs before the current one (a restarted agent may count from zero). */
  prior_cost_usd: number | null;
  prior_turns: number | null;
  /** JSON: what needs a person (the tool calls the agent was refused), until the worker is given input. */
  attention: string | null;
  /** JSON `{ sessionId, prompt }`: the fresh session to continue in once the agent has ended (see freshSession). */
  next_session: string | null;
  /** What the worker's sessions before the current one spent (0 or null until it continues in a fresh one). */
  base_cost_usd: number | null;
  base_turns: number | null;
  /** JSON WorkerPause: why the worker is paused (or is being paused); null while it runs. */
  pause: string | null;
  /** The swarm (swarm plugin) the worker was spawned into, from its spawn request; null: none. */
  swarm_id: string | null;
  spawned_by: string;
  created_at: number;
  updated_at: number;
}

export interface SpawnQueueTable {
  id: Generated<number>;
  team_name: string;
  handle: string;
  /** The spawn request as JSON. */
  request: string;
  requested_by: string;
  status: 'queued' | 'started' | 'failed' | 'cancelled';
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** The account's usage-limit breaker (one row per account; the fleet has one account, `default`). */
export interface WorkerQuotaTable {
  account: string;
  kind: string;
  /** five_hour, weekly or unknown: only a five_hour limit with a reset time resumes by itself. */
  window: string;
  resets_at: number | null;
  message: string;
  /** The worker whose agent reported it first. */
  team_name: string;
  handle: string;
  tripped_at: number;
}

/** A rescue of a worktree taken before the fleet removed it (see rescues.ts). Times are ms since the epoch. */
export interface WorktreeRescuesTable {
  id: Generated<number>;
  team_name: string;
  handle: string;
  /** The repository's main working tree. */
  repo: string;
  /** Where the worktree was. */
  worktree_path: string;
  /** `refs/fleet/rescue/<handle>/<time>`. */
  ref: string;
  commit_id: string;
  branch: string | null;
  head: string | null;
  changed_files: number;
  untracked_files: number;
  unpushed_commits: number;
  /** JSON `[{ status, path }]` (at most 1000). */
  files: string;
  /** What removed the worktree: `remove`, `cleanup` or `dismiss`. */
  reason: string;
  created_by: string;
  created_at: number;
  restored_path: string | null;
  restored_branch: string | null;
  restored_at: number | null;
}

export interface WorkersTables {
  workers: WorkersTable;
  spawn_queue: SpawnQueueTable;
  worker_quota: WorkerQuotaTable;
  worktree_rescues: WorktreeRescuesTable;
}

export const workersTables = defineTables<WorkersTables>({
  workers:
    'Every worker, keyed by its team and handle: its pane, session, state, health, restarts, ' +
    'parsed log offset, last result, cost, worktree',
  spawn_queue: 'Spawns waiting for a free worker slot, persisted across restarts',
  worker_quota: "The account's usage-limit breaker: tripped when an agent hits a usage limit, with its reset time",
  worktree_rescues:
    'Rescues of worktrees the fleet removed with uncommitted changes, untracked files or unpushed commits: ' +
    'the ref and commit that hold them, per team',
});
