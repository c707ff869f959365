import type { JobPriority, JobStatus, JobTrigger, SchedulerJobsTable } from './tables.js';

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const satisfies readonly JobPriority[];
export const TRIGGERS = ['cron', 'webhook', 'manual', 'alert'] as const satisfies readonly JobTrigger[];
export const FINAL_STATUSES: readonly JobStatus[] = ['delivered', 'refused', 'dead', 'cancelled'];

export function priorityRank(priority: JobPriority): number {
  return PRIORITIES.indexOf(priority);
}

/** A job as handlers and listeners see it (payload parsed, times in ms). */
export interface Job {
  id: number;
  team: string;
  kind: string;
  name: string;
  payload: unknown;
  priority: JobPriority;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  trigger: JobTrigger;
  triggerEvent: string | null;
  repository: string | null;
  origin: { kind: string; id: string } | null;
  createdBy: string | null;
  error: string | null;
  evidence: Record<string, unknown> | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

/**
 * A job as the API answers it: the seed's QueuedTask fields (id, name, trigger, triggerEvent,
 * repository, payload, priority, status, createdAt, startedAt, completedAt, retries, maxRetries,
 * error) plus kind, attempts, maxAttempts, nextAttemptAt, evidence and origin. Dates are ISO strings.
 * `status` is never the seed's "completed": a job ends delivered (with evidence), refused, dead or
 * cancelled.
 */
export interface JobView {
  id: number;
  name: string;
  kind: string;
  trigger: JobTrigger;
  triggerEvent?: string;
  repository?: string;
  payload?: unknown;
  priority: JobPriority;
  status: JobStatus;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  retries: number;
  maxRetries: number;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt?: string;
  error?: string;
  evidence?: Record<string, unknown>;
  origin?: { kind: string; id: string };
}

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function jobOf(row: SchedulerJobsTable): Job {
  return {
    id: Number(row.id),
    team: row.team_name,
    kind: row.kind,
    name: row.name,
    payload: parse(row.payload),
    priority: row.priority,
    status: row.status,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    trigger: row.trigger,
    triggerEvent: row.trigger_event,
    repository: row.repository,
    origin: row.origin_kind !== null && row.origin_id !== null ? { kind: row.origin_kind, id: row.origin_id } : null,
    createdBy: row.created_by,
    error: row.error,
    evidence: (parse(row.evidence) as Record<string, unknown> | undefined) ?? null,
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
  };
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

export function viewOf(job: Job): JobView {
  const view: JobView = {
    id: job.id,
    name: job.name,
    kind: job.kind,
    trigger: job.trigger,
    priority: job.priority,
    status: job.status,
    createdAt: new Date(job.createdAt).toISOString(),
    // Retries: attempts after the first one (a queued retry counts the attempt that failed).
    retries: Math.max(0, job.attempts - (job.status === 'running' ? 1 : job.status === 'queued' ? 0 : 1)),
    maxRetries: job.maxAttempts - 1,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
  };
  if (job.triggerEvent !== null) view.triggerEvent = job.triggerEvent;
  if (job.repository !== null) view.repository = job.repository;
  if (job.payload !== undefined) view.payload = job.payload;
  if (job.startedAt !== null) view.startedAt = iso(job.startedAt);
  if (job.completedAt !== null) view.completedAt = iso(job.completedAt);
  if (job.status === 'queued') view.nextAttemptAt = iso(job.nextAttemptAt);
  if (job.error !== null) view.error = job.error;
  if (job.evidence !== null) view.evidence = job.evidence;
  if (job.origin !== null) view.origin = job.origin;
  return view;
}
