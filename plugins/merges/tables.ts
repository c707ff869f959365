import { defineTables } from '../../core/index.js';

export const MERGE_STATUSES = [
  'queued',
  'running',
  'merged',
  'conflict',
  'failed',
  'refused',
  'cancelled',
  'pr_open',
] as const;
export type MergeStatus = (typeof MERGE_STATUSES)[number];

/** Times are ms since the epoch; JSON columns are text. Every row carries its team. */
export interface MergeQueueTable {
  /** A UUID. */
  id: string;
  team_name: string;
  /** The repository's main working tree (absolute, realpath'd). */
  repo: string;
  branch: string;
  target: string;
  /** The worker whose branch it is, when queued by handle (or a worker's own branch). */
  handle: string | null;
  /** Who hears about a conflict or a failure besides the worker: its spawner, or the lead who queued it. */
  lead_handle: string | null;
  requested_by: string;
  priority: number;
  /** JSON string[]: the entry's own test command, or null for the plugin's. */
  test: string | null;
  status: MergeStatus;
  /** What the runner is doing: rebase, test, check, merge, push (null when not running). */
  phase: string | null;
  /** Test runs of the last attempt. */
  attempts: number;
  /** When it (last) entered the queue: its age counts from here. */
  queued_at: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The target's tip the rebase went onto, and the rebased commit (kept to tell, after a restart, if it landed). */
  onto_commit: string | null;
  rebased_commit: string | null;
  /** JSON MergeReport: files in conflict, the test's tail, hunks, timings, the PR's url. */
  report: string | null;
  message: string | null;
}

export interface MergesTables {
  merge_queue: MergeQueueTable;
}

export const mergesTables = defineTables<MergesTables>({
  merge_queue: 'Branches waiting to be rebased, tested, checked and merged into a target, and what became of them',
});
