import { defineEvents } from '../../core/index.js';
import type { RunView, ScheduleView } from './schedules/views.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    schedule_created: { schedule: ScheduleView };
    schedule_updated: { schedule: ScheduleView; change: 'enabled' | 'disabled' | 'updated' };
    schedule_deleted: { id: string; name: string; by: string };
    /** A run's row was written for a slot (waiting, or about to dispatch). */
    run_started: { run: RunView };
    /** A run got its outcome, or its outcome changed (queued → delivered), or its work ended. */
    run_finished: { run: RunView };
    scheduler_started: { by: string };
    scheduler_stopped: { by: string };
  }
}

export const scheduleEvents = defineEvents({
  schedule_created: { topic: 'scheduler', summary: 'A schedule was created (or loaded from the defaults)' },
  schedule_updated: { topic: 'scheduler', summary: 'A schedule was enabled, disabled or changed' },
  schedule_deleted: { topic: 'scheduler', summary: 'A schedule was deleted (its runs stay in the history)' },
  run_started: { topic: 'scheduler', summary: 'A run was written for a slot, before anything was dispatched' },
  run_finished: {
    topic: 'scheduler',
    summary: 'A run got its outcome (delivered, queued, refused, failed, skipped) or its work ended',
  },
  scheduler_started: { topic: 'scheduler', summary: 'The scheduler was started (kept across restarts)' },
  scheduler_stopped: { topic: 'scheduler', summary: 'The scheduler was stopped (it stays stopped across restarts)' },
});
