import * as v from 'valibot';

/** A swarm's id in a path or body: 1–100 of [A-Za-z0-9_-], as the seed checked it. */
export const swarmId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(100, 'must be at most 100 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);

/** A number in a range, given as a number or (in a query string) as its decimal spelling. */
export function num(min: number, max: number, options: { exclusiveMin?: boolean } = {}) {
  const low = options.exclusiveMin ? `must be greater than ${min}` : `must be at least ${min}`;
  return v.pipe(
    v.unknown(),
    v.transform((value) =>
      typeof value === 'string' && /^-?\d{1,16}(\.\d{1,16})?$/.test(value) ? Number(value) : value,
    ),
    v.number('must be a number'),
    v.finite('must be a number'),
    options.exclusiveMin ? v.gtValue(min, low) : v.minValue(min, low),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** An instant: ms since the epoch, or an ISO 8601 date-time. */
export const instant = v.pipe(
  v.union([v.number(), v.string()], 'must be ms since the epoch or an ISO date-time'),
  v.transform((value) =>
    typeof value === 'number' ? value : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN,
  ),
  v.number('must be ms since the epoch or an ISO date-time'),
  v.check((value) => Number.isSafeInteger(value) && value > 0, 'must be ms since the epoch or an ISO date-time'),
);
