/**
 * The nearest-rank percentile of sorted figures (`p` from 0 to 100): the smallest figure with at least
 * p% of them at or below it. NaN when there are none. Every bench reports its latencies with it.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
