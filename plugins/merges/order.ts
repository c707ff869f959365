/**
 * The queue's order: priority plus age. An entry gains one point of priority for every
 * `agingMinutes` it has waited, so a low-priority entry that waits long enough passes any newer one:
 * the oldest never starves. Ties go to the entry queued first, then to the smaller id.
 */
export interface Waiting {
  id: string;
  priority: number;
  /** ms since the epoch it entered the queue. */
  queuedAt: number;
}

export function effectivePriority(entry: Waiting, now: number, agingMinutes: number): number {
  const waitedMinutes = Math.max(0, now - entry.queuedAt) / 60_000;
  return entry.priority + waitedMinutes / agingMinutes;
}

/** The entries in the order the runner takes them at `now`. */
export function queueOrder<T extends Waiting>(entries: readonly T[], now: number, agingMinutes: number): T[] {
  return [...entries].sort((a, b) => {
    const difference = effectivePriority(b, now, agingMinutes) - effectivePriority(a, now, agingMinutes);
    if (difference !== 0) return difference;
    if (a.queuedAt !== b.queuedAt) return a.queuedAt - b.queuedAt;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
