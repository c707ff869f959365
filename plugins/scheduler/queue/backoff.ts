/**
 * Exponential backoff with full jitter (a delay drawn uniformly from 0 up to base × 2^(attempt−1),
 * capped): retries of many jobs that failed together spread out instead of returning in a herd.
 */
export function backoffDelay(
  attempt: number,
  options: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
