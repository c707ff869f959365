import type { Selectable } from 'kysely';
import type { CatchUp, OverlapPolicy } from '../fields.js';
import type { Outcome, ScheduleAction } from './action.js';
import type { ScheduleRunsTable, SchedulesTable } from './tables.js';

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

/** A schedule as the API shows it: the seed's fields, then ours. */
export interface ScheduleView {
  id: string;
  name: string;
  cron: string;
  enabled: boolean;
  tasks: string[];
  repository?: string;
  lastRun?: string;
  nextRun?: string;
  teamName: string;
  timezone: string;
  actions: ScheduleAction[];
  catchUp: CatchUp;
  overlap: { max: number; policy: OverlapPolicy };
  source: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export function scheduleView(row: Selectable<SchedulesTable>, lastSlot?: number | null): ScheduleView {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    enabled: Number(row.enabled) === 1,
    tasks: JSON.parse(row.tasks) as string[],
    ...(row.repository !== null ? { repository: row.repository } : {}),
    ...(lastSlot ? { lastRun: iso(lastSlot)! } : {}),
    ...(row.next_slot !== null && Number(row.enabled) === 1 ? { nextRun: iso(row.next_slot)! } : {}),
    teamName: row.team_name,
    timezone: row.timezone,
    actions: JSON.parse(row.actions) as ScheduleAction[],
    catchUp: JSON.parse(row.catch_up) as CatchUp,
    overlap: { max: Number(row.overlap_max), policy: row.overlap_policy },
    source: row.source,
    createdBy: row.created_handle,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

export interface Dispatch {
  kind: ScheduleAction['kind'];
  outcome: Outcome;
  reason?: string;
  evidence?: Record<string, unknown>;
  /** Whether the work it started is still going (a worker's turn, a queued job). */
  active?: boolean;
}

export interface RunView {
  id: string;
  scheduleId: string;
  scheduleName: string;
  teamName: string;
  slot: string;
  status: ScheduleRunsTable['status'];
  outcome: Outcome | null;
  reason: string | null;
  dispatches: Dispatch[];
  late: boolean;
  tokens: number;
  costUsd: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function runView(row: Selectable<ScheduleRunsTable>): RunView {
  const evidence = row.evidence ? (JSON.parse(row.evidence) as { dispatches?: Dispatch[] }) : {};
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    scheduleName: row.schedule_name,
    teamName: row.team_name,
    slot: iso(row.slot)!,
    status: row.status,
    outcome: row.outcome,
    reason: row.reason,
    dispatches: evidence.dispatches ?? [],
    late: Number(row.late) === 1,
    tokens: Number(row.tokens),
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}
