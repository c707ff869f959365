import type { HunkCheck } from './hunk-check.js';
import type { MergeQueueTable, MergeStatus } from './tables.js';

/** Where an entry's time went, in ms (summed over rebases and test tries). */
export interface MergeTimings {
  rebaseMs: number;
  testMs: number;
  checkMs: number;
  mergeMs: number;
}

/** What the runner found, kept on the entry. */
export interface MergeReport {
  timings: MergeTimings;
  /** Times the entry was rebased (the target moved under it: rebased again). */
  rebases: number;
  /** Conflict: the files git could not merge. */
  conflictFiles?: string[];
  /** Each test run: passed or not, its exit code, whether it timed out. */
  testRuns?: { passed: boolean; exitCode: number | null; timedOut: boolean; durationMs: number }[];
  /** The last lines of the last test run's output (stderr lines marked `[stderr] `). */
  testOutput?: string[];
  hunks?: HunkCheck;
  /** The branch had nothing the target lacks. */
  alreadyMerged?: boolean;
  pr?: { url: string; action: 'created' | 'updated' };
}

export interface MergeEntry {
  id: string;
  teamName: string;
  repo: string;
  branch: string;
  target: string;
  handle: string | null;
  leadHandle: string | null;
  requestedBy: string;
  priority: number;
  /** The entry's own test command, or null (the plugin's `test` option applies). */
  test: string[] | null;
  status: MergeStatus;
  phase: string | null;
  attempts: number;
  queuedAt: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  ontoCommit: string | null;
  /** The rebased commit (the target's new tip once merged). */
  rebasedCommit: string | null;
  report: MergeReport | null;
  message: string | null;
}

const iso = (ms: number | string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function toEntry(row: MergeQueueTable): MergeEntry {
  return {
    id: row.id,
    teamName: row.team_name,
    repo: row.repo,
    branch: row.branch,
    target: row.target,
    handle: row.handle,
    leadHandle: row.lead_handle,
    requestedBy: row.requested_by,
    priority: Number(row.priority),
    test: row.test === null ? null : (JSON.parse(row.test) as string[]),
    status: row.status,
    phase: row.phase,
    attempts: Number(row.attempts),
    queuedAt: iso(row.queued_at)!,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    ontoCommit: row.onto_commit,
    rebasedCommit: row.rebased_commit,
    report: row.report === null ? null : (JSON.parse(row.report) as MergeReport),
    message: row.message,
  };
}
