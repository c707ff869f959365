import { defineEvents } from '../../../core/index.js';
import type { JobView } from './job.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    job_queued: { job: JobView };
    job_started: { id: number; kind: string; name: string; attempt: number };
    /** An attempt failed and another one is due at nextAttemptAt (backoff with full jitter). */
    job_retry: { id: number; kind: string; name: string; attempt: number; reason: string; nextAttemptAt: string };
    /** Out of attempts (or not retryable): on the dead-letter list, replayable. */
    job_dead: { id: number; kind: string; name: string; attempts: number; reason: string };
    /** A final state: delivered (with evidence), refused, dead or cancelled. */
    job_settled: { job: JobView };
    job_cancelled: { id: number; by: string };
    job_replayed: { id: number; by: string };
  }
}

/** On the team's `queue` topic: ids, names, outcomes and reasons, never a job's payload. */
export const queueEvents = defineEvents({
  job_queued: { topic: 'queue', summary: 'A job was queued (by a caller, a schedule run, a webhook, a notification)' },
  job_started: { topic: 'queue', summary: 'A job was claimed and its attempt started' },
  job_retry: { topic: 'queue', summary: 'An attempt failed; the job is queued again after a backoff' },
  job_dead: { topic: 'queue', summary: 'A job ran out of attempts and went to the dead-letter list' },
  job_settled: {
    topic: 'queue',
    summary: 'A job reached its final state: delivered (with evidence), refused, dead or cancelled',
  },
  job_cancelled: { topic: 'queue', summary: 'A queued job was cancelled by a lead' },
  job_replayed: { topic: 'queue', summary: 'A dead job was queued again with fresh attempts by a lead' },
});
