import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

export type AuditStatus = 'running' | 'passed' | 'failed' | 'stopped' | 'interrupted' | 'planned';

/** One audit run (a loop, a quick round, or a dry run's plan); times are ms since the epoch. */
export interface AuditRunsTable {
  id: string;
  team_name: string;
  mode: 'loop' | 'quick';
  /** 1 for a dry run (nothing was started). */
  dry_run: number;
  status: AuditStatus;
  max_iterations: number;
  iteration: number;
  actor: string | null;
  started_at: number;
  finished_at: number | null;
  /** Why it ended as it did (max iterations, stopped by, tasks plugin off...). */
  reason: string | null;
  /** The last failing check's exit code, 0 when all passed, null when none finished. */
  exit_code: number | null;
  /** Lines written so far (the next line's number). */
  total_lines: number;
}

/** A run's output, line by line; only the last `maxLinesPerRun` are kept. */
export interface AuditLinesTable {
  run_id: string;
  n: number;
  stream: 'stdout' | 'stderr' | 'audit';
  text: string;
  at: number;
}

/** Each check in each iteration of a run. */
export interface AuditResultsTable {
  id: Generated<number>;
  run_id: string;
  iteration: number;
  check_name: string;
  /** JSON argv. */
  command: string;
  exit_code: number | null;
  signal: string | null;
  passed: number;
  timed_out: number;
  duration_ms: number;
  started_at: number;
  /** The task that asks the team to fix it (failing checks only). */
  task_id: string | null;
  error: string | null;
}

/** The open task of each failing check: one per check, not one per round. */
export interface AuditCheckTasksTable {
  team_name: string;
  check_name: string;
  task_id: string;
  run_id: string;
  created_at: number;
}

export interface AuditTables {
  audit_runs: AuditRunsTable;
  audit_lines: AuditLinesTable;
  audit_results: AuditResultsTable;
  audit_check_tasks: AuditCheckTasksTable;
}

export const auditTables = defineTables<AuditTables>({
  audit_runs: 'Audit runs of each team (loop, quick, dry run): status, iterations, who started them, why they ended',
  audit_lines: 'Output lines of audit runs, numbered within the run (the newest kept)',
  audit_results: 'Each check of each audit iteration: argv, exit code or signal, duration, the task it opened',
  audit_check_tasks: 'The task a failing audit check opened, reused while it is open',
});
