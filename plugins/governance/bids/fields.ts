import * as v from 'valibot';
import { f } from '../../../core/index.js';

/** A swarm's id: 1–100 of [A-Za-z0-9_-], as the seed checked it. */
export const swarmId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(100, 'must be at most 100 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);

/** A task's id as the seed took it (1–100 characters); an unknown one is a 404. */
export const taskId = f.text({ min: 1, max: 100 });

/** A number in a range, given as a number or (in a query string) as its decimal spelling. */
export function num(min: number, max: number) {
  return v.pipe(
    v.unknown(),
    v.transform((value) =>
      typeof value === 'string' && /^-?\d{1,16}(\.\d{1,16})?$/.test(value) ? Number(value) : value,
    ),
    v.number('must be a number'),
    v.finite('must be a number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** Credits: 0–10000, kept in cents. */
export const credits = v.pipe(
  num(0, 10_000),
  v.transform((value) => Math.round(value * 100) / 100),
);
