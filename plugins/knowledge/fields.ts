import * as v from 'valibot';
import { f } from '../../core/index.js';

/** Longest document one ingest takes (the fleet's default body limit is 1 MiB). */
export const MAX_DOCUMENT_CHARS = 1_000_000;

/** A source's name: what the document is (a path, a URL, a title), 1–500 characters, no control characters. */
export const source = v.pipe(
  f.text({ min: 1, max: 500 }),
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  v.regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters'),
);

/** A tag: 1–50 of letters, digits and _ . : / -. */
export const tag = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9_.:/-]{1,50}$/, 'must be 1–50 of letters, digits, _ . : / and -'),
);
export const tags = f.list(tag, { max: 20, of: 'tags', unit: 'tags' });

export const query = f.text({ min: 1, max: 1000 });
export const limit = f.int(1, 100);
export const offset = f.int(0, 100_000);
/** A time: ms since the epoch, or an ISO 8601 date. */
export const time = v.pipe(
  v.unknown(),
  v.transform((value) => {
    if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
      const ms = Date.parse(value);
      return Number.isNaN(ms) ? value : ms;
    }
    return value;
  }),
  v.number('must be a time (ms since the epoch or an ISO 8601 date)'),
  v.integer('must be a time (ms since the epoch or an ISO 8601 date)'),
  v.minValue(0, 'must not be negative'),
);
export const format = f.oneOf(['markdown', 'text'] as const);
export const content = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(MAX_DOCUMENT_CHARS, `must be at most ${MAX_DOCUMENT_CHARS} characters`),
);
/** all: every word must match (the default); any: one is enough, more rank higher. */
export const match = f.oneOf(['all', 'any'] as const);
