import { defineTables } from '../../../core/index.js';

export type JobPriority = 'critical' | 'high' | 'normal' | 'low';
/** queued → running → delivered | refused | queued (retry) | dead; queued → cancelled; dead → queued. */
export type JobStatus = 'queued' | 'running' | 'delivered' | 'refused' | 'dead' | 'cancelled';
export type JobTrigger = 'cron' | 'webhook' | 'manual' | 'alert';

/** One job of the durable queue. Times are ms since the epoch (the scheduler's clock). */
export interface SchedulerJobsTable {
  /** Serial: also the FIFO order within a priority. */
  id: number;
  team_name: string;
  /** Which handler runs it: 'template', 'webhook', 'notification', ... */
  kind: string;
  /** The seed's task name (a template name for 'template' jobs). */
  name: string;
  /** JSON of the handler's input. */
  payload: string | null;
  priority: JobPriority;
  /** 0 critical .. 3 low: what the claim orders by. */
  priority_rank: number;
  status: JobStatus;
  /** Attempts started so far (a claim counts one, also when the server dies during it). */
  attempts: number;
  max_attempts: number;
  /** When a queued job may be claimed (backoff after a failure). */
  next_attempt_at: number;
  /** The queue instance running it, and until when its lease holds (renewed while it runs). */
  lease_owner: string | null;
  lease_until: number | null;
  trigger: JobTrigger;
  trigger_event: string | null;
  repository: string | null;
  /** What made it (a schedule run, a webhook delivery, a caller): a schedule's run is settled from it. */
  origin_kind: string | null;
  origin_id: string | null;
  created_by: string | null;
  error: string | null;
  /** JSON: what proves it was delivered (a turn started, a 2xx status). */
  evidence: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
}

export interface QueueTables {
  scheduler_jobs: SchedulerJobsTable;
}

export const queueTables = defineTables<QueueTables>({
  scheduler_jobs: 'The durable priority queue: jobs with their attempts, backoff, lease, outcome and evidence',
});
