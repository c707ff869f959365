import * as v from 'valibot';
import { f } from '../../../core/index.js';
import { RESOURCE_TYPES, TRAIL_TYPES } from './tables.js';

/** A number in a range, given as a number or (in a query string) as its decimal spelling. */
export function decimal(min: number, max: number) {
  return v.pipe(
    v.unknown(),
    v.transform((value) =>
      typeof value === 'string' && /^-?\d{1,16}(\.\d{1,16})?$/.test(value.trim()) ? Number(value) : value,
    ),
    v.number('must be a number'),
    v.check((value) => Number.isFinite(value), 'must be a number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** The seed's swarm id in a path: 1–100 of [A-Za-z0-9_-]. */
export const swarmId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(100, 'must be at most 100 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);
export const resourceType = f.oneOf(RESOURCE_TYPES);
export const trailType = f.oneOf(TRAIL_TYPES);
export const resourceId = f.text({ min: 1, max: 500 });
/** 0–10 as the seed's input said (and now the table agrees). */
export const intensity = decimal(0, 10);
export const metadata = f.jsonObject({ maxChars: 10_000 });
export const limit = f.int(1, 1000);
export const unitFraction = decimal(0, 1);
