import * as v from 'valibot';
import { f } from '../../core/index.js';

/** A session: this plugin's id, or Claude's session id (the newest record with it). */
export const sessionId = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be a session id (letters, digits, . _ : -; at most 200)'),
);

const INSTANT = 'must be a time (ISO 8601, or ms since the epoch)';

/** A time: ISO 8601 (`2026-11-29T10:00:00Z`), or ms since the epoch. */
export const instant = v.pipe(
  v.unknown(),
  v.transform((value) => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return Number.NaN;
    if (/^\d{1,16}$/.test(value)) return Number(value);
    // Only what looks like a date (Date.parse takes odd things: "1", "March"), of a day that exists
    // (it turns February 31 into March 3).
    const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (!date) return Number.NaN;
    const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return Number.NaN;
    return Date.parse(value);
  }),
  v.number(INSTANT),
  v.check((value) => Number.isInteger(value) && value >= 0, INSTANT),
);

export const limit = (max: number) => v.optional(f.int(1, max));
export const offset = v.optional(f.int(0, 100_000), 0);
export const prompt = v.optional(f.text({ max: 20_000 }));
