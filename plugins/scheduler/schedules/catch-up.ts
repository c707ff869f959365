import type { CatchUp } from '../fields.js';

export interface SlotPlan {
  slot: number;
  fire: boolean;
  late: boolean;
  reason?: string;
}

/**
 * What happens to each due slot. On-time slots (found within `graceMs` of their time) fire. Missed
 * ones (the fleet was down or stopped) follow the schedule's policy: `skip` records them skipped;
 * `latest_once` fires the latest missed one when no on-time slot follows; `{ all: N }` fires the N
 * latest and records the older ones skipped (overflow). `more`: slots beyond this batch exist, so
 * none of this batch is "the latest".
 */
export function planSlots(
  slots: readonly number[],
  options: { now: number; graceMs: number; policy: CatchUp; more: boolean },
): SlotPlan[] {
  const { now, graceMs, policy, more } = options;
  const missed = slots.filter((slot) => now - slot > graceMs);
  const onTime = slots.filter((slot) => now - slot <= graceMs);
  const plans: SlotPlan[] = [];
  const fireMissed = new Set<number>();
  if (policy === 'latest_once' && onTime.length === 0 && !more && missed.length > 0)
    fireMissed.add(missed[missed.length - 1]!);
  if (typeof policy === 'object' && !more) for (const slot of missed.slice(-policy.all)) fireMissed.add(slot);
  const why =
    policy === 'skip'
      ? 'missed while the scheduler was not running (catch-up: skip)'
      : policy === 'latest_once'
        ? 'missed while the scheduler was not running; a later slot runs instead (catch-up: latest_once)'
        : `missed while the scheduler was not running; over the ${policy.all} latest missed slots that run ` +
          '(catch-up overflow)';
  for (const slot of missed)
    plans.push(
      fireMissed.has(slot) ? { slot, fire: true, late: true } : { slot, fire: false, late: true, reason: why },
    );
  for (const slot of onTime) plans.push({ slot, fire: true, late: false });
  return plans;
}
