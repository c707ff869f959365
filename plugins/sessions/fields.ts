import * as v from 'valibot';
import { f } from '../../core/index.js';

/** A session: this plugin's id, or Claude's session id (the newest record with it). */
export const sessionId = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be a session id (letters, digits, . _ : -; at most 200)'),
);

/** A time: ISO 8601 (`2026-11-29T10:00:00Z`), or ms since the epoch. */
export const instant = v.pipe(
  v.unknown(),
  v.transform((value) => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return Number.NaN;
    if (/^\d{1,16}$/.test(value)) return Number(value);
    // Only what looks like a date: Date.parse takes odd things ("1", "March").
    return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  }),
  v.number(),
  v.check((value) => Number.isInteger(value) && value >= 0, 'must be a time (ISO 8601, or ms since the epoch)'),
);

export const limit = (max: number) => v.optional(f.int(1, max));
export const offset = v.optional(f.int(0, 100_000), 0);
export const prompt = v.optional(f.text({ max: 20_000 }));
