import { defineTables } from '../../../core/index.js';

/** A schedule of a team. Times are ms since the epoch. */
export interface SchedulesTable {
  id: string;
  team_name: string;
  name: string;
  cron: string;
  timezone: string;
  /** JSON array of ScheduleAction (the seed's `tasks` became one `template` action each). */
  actions: string;
  /** JSON array of the template names it was created with (the seed's `tasks`), for its view. */
  tasks: string;
  repository: string | null;
  enabled: number;
  /** JSON: "skip" | "latest_once" | { "all": N }. */
  catch_up: string;
  overlap_max: number;
  overlap_policy: 'skip' | 'queue' | 'replace';
  /** api | defaults | config */
  source: string;
  created_uid: string;
  created_handle: string;
  created_at: number;
  updated_at: number;
  /** Every slot up to here has its run row (or was before the schedule existed or was enabled). */
  covered_until: number;
  /** The next slot after covered_until (null: the expression never fires again). */
  next_slot: number | null;
}

/**
 * One run per (schedule, slot), written before anything is dispatched. `status`: waiting (to be
 * dispatched: overlap queue, start-up stagger) → dispatching (the row says so before the dispatch
 * starts) → active (dispatched, its work not known to be over) → done.
 */
export interface ScheduleRunsTable {
  id: string;
  schedule_id: string;
  team_name: string;
  schedule_name: string;
  slot: number;
  status: 'waiting' | 'dispatching' | 'active' | 'done';
  outcome: 'delivered' | 'queued' | 'refused' | 'failed' | 'skipped' | null;
  reason: string | null;
  /** JSON: { dispatches: [{ kind, outcome, reason?, evidence? }] } and what else was seen. */
  evidence: string | null;
  /** catch_up when the slot was fired late after downtime. */
  late: number;
  not_before: number;
  tokens: number;
  cost_usd: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** Scheduler-wide switches that outlive a restart (running: a stopped scheduler stays stopped). */
export interface SchedulerStateTable {
  key: string;
  value: string;
}

export interface ScheduleTables {
  schedules: SchedulesTable;
  schedule_runs: ScheduleRunsTable;
  scheduler_state: SchedulerStateTable;
}

export const scheduleTables = defineTables<ScheduleTables>({
  schedules: 'Schedules of every team: cron, time zone, actions, catch-up and overlap policies, the next slot',
  schedule_runs: 'One run per schedule and slot (unique), written before dispatch: status, outcome, evidence, cost',
  scheduler_state: 'Scheduler-wide switches kept across restarts (whether it runs)',
});
