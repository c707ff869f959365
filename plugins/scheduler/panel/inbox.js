import { NEEDS_YOU } from './outcomes.js';

const KEY = 'scheduler:run:';
/** Runs read at sign-in, newest first: the latest of each schedule decides its item. */
const LOOK_BACK = 200;
const WEEK = 7 * 86_400_000;

/**
 * A needs-you item per schedule whose latest run failed or was refused (not one per run: a schedule
 * firing every minute would flood the inbox); a later run that delivers, queues or skips drops it.
 * @param {any} fleet
 */
export function inbox(fleet) {
  let stopped = false;
  /** The slot of the newest run seen per schedule: an older run arriving late does not undo it. */
  const latest = new Map();

  const apply = (/** @type {any} */ run) => {
    if (!run?.scheduleId || !run.outcome) return;
    const slot = Date.parse(run.slot);
    if ((latest.get(run.scheduleId) ?? -Infinity) > slot) return;
    latest.set(run.scheduleId, slot);
    const key = `${KEY}${run.scheduleId}`;
    if (!NEEDS_YOU.has(run.outcome)) {
      fleet.inbox.drop(key);
      return;
    }
    const reasons = (run.dispatches ?? []).map((/** @type {any} */ d) => d.reason).filter(Boolean);
    fleet.inbox.put({
      key,
      kind: 'schedule-run',
      title: `Schedule ${run.scheduleName}: run ${run.outcome}`,
      detail: run.reason ?? (reasons.join('; ') || undefined),
      at: run.finishedAt ?? run.slot,
      severity: run.outcome === 'failed' ? 'action' : 'warning',
      link: `#/runs/${encodeURIComponent(run.scheduleId)}`,
      actions: [
        {
          label: 'Disable schedule',
          leadOnly: true,
          run: () => fleet.api('PATCH', `/scheduler/schedules/${encodeURIComponent(run.scheduleId)}/disable`),
        },
        { label: 'Dismiss', run: async () => fleet.inbox.drop(key) },
      ],
    });
  };

  const unsubscribe = fleet.subscribe(['run_finished'], (/** @type {any} */ event) => apply(event.run));
  // A schedule deleted or disabled fails no more.
  const unGone = fleet.subscribe(['schedule_deleted', 'schedule_updated'], (/** @type {any} */ event) => {
    if (event.type === 'schedule_deleted') fleet.inbox.drop(`${KEY}${event.id}`);
    else if (event.change === 'disabled' && event.schedule?.id) fleet.inbox.drop(`${KEY}${event.schedule.id}`);
  });
  fleet.api('GET', `/scheduler/runs?limit=${LOOK_BACK}`).then(
    (/** @type {any[]} */ runs) => {
      if (stopped || !Array.isArray(runs)) return;
      const cutoff = Date.now() - WEEK;
      // Oldest first, so each schedule ends on its newest run.
      for (const run of [...runs].reverse()) if (Date.parse(run.slot) >= cutoff) apply(run);
    },
    () => {},
  );
  return () => {
    stopped = true;
    unsubscribe();
    unGone();
  };
}
