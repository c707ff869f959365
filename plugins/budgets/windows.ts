export type Period = 'day' | 'week' | 'total';

const DAY = 86_400_000;

/**
 * The window a budget counts in at `now` (ms since the epoch), UTC: a day from 00:00, a week from
 * Monday 00:00, all time from 0. `end` is when the next one begins (null: never).
 */
export function windowOf(period: Period, now: number): { start: number; end: number | null } {
  if (period === 'total') return { start: 0, end: null };
  const day = Math.floor(now / DAY) * DAY;
  if (period === 'day') return { start: day, end: day + DAY };
  // 1970-01-01 was a Thursday: getUTCDay() 0 is Sunday, so Monday is (day + 6) % 7 days back.
  const back = (new Date(day).getUTCDay() + 6) % 7;
  const start = day - back * DAY;
  return { start, end: start + 7 * DAY };
}
