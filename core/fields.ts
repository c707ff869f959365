import * as v from 'valibot';
import { nestsDeeperThan } from './json-depth.js';

/** How deep free-form JSON (metadata, context) may nest: deep enough for real data, bounded for safety. */
export const MAX_JSON_DEPTH = 32;

/**
 * Field schemas shared by every plugin, with the seed's messages. An operation's input is one
 * object of these; the same schema checks a route's merged path, query and body and a tool's
 * arguments, so numbers and flags also accept their query-string spelling (`"20"`, `"true"`).
 */

/** Handles and team names: 1–50 of [A-Za-z0-9_-], as the seed requires. */
export const handle = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must be 1–50 characters'),
  v.maxLength(50, 'must be 1–50 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);

/** The seed's 24-hex-digit agent id. */
export const uid = v.pipe(v.string('must be a string'), v.regex(/^[a-f0-9]{24}$/, 'must be a 24-digit hex agent uid'));

/**
 * A string of bounded length: `text({ max: 200 })`, `text({ min: 1, max: 50_000 })` (an empty one
 * is "required"), `text({ min: 3, max: 200 })` ("must be 3–200 characters").
 */
export function text(bounds: { min?: number; max: number }) {
  const { min = 0, max } = bounds;
  if (min > 1) {
    const range = `must be ${min}–${max} characters`;
    return v.pipe(v.string('must be a string'), v.minLength(min, range), v.maxLength(max, range));
  }
  const atMost = `must be at most ${max} characters`;
  if (min === 1) return v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(max, atMost));
  return v.pipe(v.string('must be a string'), v.maxLength(max, atMost));
}

/** A whole number in a range, given as a number or (in a path or query) as its digits. */
export function int(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return v.pipe(
    v.unknown(),
    v.transform((value) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value)),
    v.number('must be a whole number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** The largest id a serial column holds on both engines (PostgreSQL's integer is 32-bit). */
export const MAX_SERIAL_ID = 2_147_483_647;

/**
 * The id of a row with a serial id (mail, handoffs, queued spawns): a larger number would not be
 * a 404 on PostgreSQL but an "out of range" error, so it is refused as input.
 */
export const serialId = int(1, MAX_SERIAL_ID);

/** true or false, or in a query string "true" or "false". */
export const flag = v.pipe(
  v.unknown(),
  v.transform((value) => (value === 'true' ? true : value === 'false' ? false : value)),
  v.boolean('must be true or false'),
);

/** One of a fixed set of words: "must be one of a, b, c". */
export function oneOf<const T extends readonly string[]>(values: T, message = `must be one of ${values.join(', ')}`) {
  return v.picklist(values, message);
}

/** A UUID naming a thing: "must be a task id (a UUID)". */
export function uuid(what: string) {
  return v.pipe(v.string('must be a string'), v.uuid(`must be a ${what} id (a UUID)`));
}

/** A list with an upper bound: "must be a list of task ids", "must list at most 100 tasks". */
export function list<S extends v.GenericSchema>(item: S, bounds: { max: number; of: string; unit?: string }) {
  const atMost = `must list at most ${bounds.max}${bounds.unit ? ` ${bounds.unit}` : ''}`;
  return v.pipe(v.array(item, `must be a list of ${bounds.of}`), v.maxLength(bounds.max, atMost));
}

/**
 * A JSON object (metadata, handoff context). `v.record` alone takes an array and turns it into
 * `{"0": ...}`; this refuses arrays, null and scalars first, and bounds the size of its JSON.
 */
export function jsonObject(bounds: { maxChars?: number } = {}) {
  const { maxChars } = bounds;
  return v.pipe(
    v.unknown(),
    v.check((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'must be an object'),
    v.check((value) => !nestsDeeperThan(value, MAX_JSON_DEPTH), `must not nest deeper than ${MAX_JSON_DEPTH} levels`),
    v.record(v.string(), v.unknown(), 'must be an object'),
    v.check(
      (value) => maxChars === undefined || JSON.stringify(value).length <= maxChars,
      `must be at most ${maxChars} characters of JSON`,
    ),
  );
}

/** A number in a range, given as a number or (in a query string) as its decimal spelling. */
export function decimal(min: number, max: number, options: { exclusiveMin?: boolean } = {}) {
  const low = options.exclusiveMin ? `must be greater than ${min}` : `must be at least ${min}`;
  return v.pipe(
    v.unknown(),
    v.transform((value) =>
      typeof value === 'string' && /^-?\d{1,16}(\.\d{1,16})?$/.test(value.trim()) ? Number(value) : value,
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

/** A swarm's id in a path or body (swarm, governance): 1–100 of [A-Za-z0-9_-], as the seed checked it. */
export const swarmId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(100, 'must be at most 100 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);
