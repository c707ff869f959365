import * as v from 'valibot';
import { f } from '../../core/index.js';

export const SCOPE_KINDS = ['task', 'worker', 'team', 'fleet'] as const;
export const UNITS = ['usd', 'tokens', 'turns'] as const;
export const PERIODS = ['day', 'week', 'total'] as const;

/** A budget's id: `b-` and a UUID through the API, `config-` and a name or hash from the config. */
export const budgetId = v.pipe(
  v.string('must be a string'),
  v.regex(/^(b-[0-9a-f-]{36}|config-[A-Za-z0-9_-]{1,80})$/, 'must be a budget id'),
);

/** A positive finite amount; that tokens and turns are whole numbers is checked with the unit. */
export const limit = v.pipe(
  v.unknown(),
  v.transform((value) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value)),
  v.number('must be a number greater than 0'),
  v.finite('must be a finite number greater than 0'),
  v.gtValue(0, 'must be greater than 0'),
  v.maxValue(1e15, 'must be at most 1e15'),
);

/** The share of the limit from which new work is refused (running turns finish). */
export const throttleAt = v.pipe(
  v.unknown(),
  v.transform((value) => (typeof value === 'string' && /^\d*(\.\d+)?$/.test(value) ? Number(value) : value)),
  v.number('must be a number between 0 and 1'),
  v.gtValue(0, 'must be greater than 0 and at most 1'),
  v.maxValue(1, 'must be greater than 0 and at most 1'),
);

const SHAPE = 'must be an object { kind, id? }';
const isScopeLike = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'kind' in value;

/** A budget's scope; anything that is not an object with a kind is refused as `scope` itself. */
export const scope = v.pipe(
  v.unknown(),
  v.metadata({ type: 'object', properties: { kind: { enum: SCOPE_KINDS }, id: { type: 'string' } } }),
  v.check(isScopeLike, SHAPE),
  v.object({ kind: f.oneOf(SCOPE_KINDS), id: v.optional(f.text({ min: 1, max: 200 })) }, SHAPE),
);

export const unit = f.oneOf(UNITS);
export const period = f.oneOf(PERIODS);
